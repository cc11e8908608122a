"""Fixtures for the management side of the local server: raw HTTP clients per dev user."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from manage_api import Api, FailTo

from upstash_qstash.testing.local import LocalQStash
from upstash_qstash.testing.recorder import Recorder


@pytest.fixture
def api(qstash: LocalQStash) -> Iterator[Api]:
    """The default dev user."""
    client = Api(qstash, 0)
    yield client
    client.close()


@pytest.fixture
def other(qstash: LocalQStash) -> Iterator[Api]:
    """A second dev user (``testUser1``) on the same server."""
    client = Api(qstash, 1)
    yield client
    client.close()


@pytest.fixture
def dead_letters(qstash: LocalQStash, api: Api, endpoint: Recorder) -> FailTo:
    """``dead_letters(n, path=..., **headers)``: publish n messages that fail at once into the DLQ.

    The endpoint answers 500 to paths under ``/fail``; returns the message ids.
    """

    def reply(request: Any) -> Any:
        from upstash_qstash.testing.recorder import Reply

        return Reply(500, body="boom") if request.path.startswith("/fail") else Reply(200)

    endpoint.respond_using(reply)

    def make(n: int, path: str = "/fail", as_api: Api | None = None, **headers: str) -> list[str]:
        who = as_api or api
        ids = [
            who.publish(endpoint.url + path, f"body-{i}", Upstash_Retries="0", **headers)
            for i in range(n)
        ]
        qstash.drain()
        return ids

    return make
