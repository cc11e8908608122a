"""Fixtures for the management side of the local server: raw HTTP clients per dev user."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx2
import pytest

from upstash_qstash.server.settings import DEV_USERS
from upstash_qstash.testing.local import LocalQStash
from upstash_qstash.testing.recorder import Recorder


class Api:
    """Plain HTTP to the local server as one dev user, plus shortcuts the tests share."""

    def __init__(self, qstash: LocalQStash, user_index: int) -> None:
        user = DEV_USERS[user_index]
        self.qstash = qstash
        self.user = user
        self.http = httpx2.Client(
            base_url=qstash.url, headers={"Authorization": f"Bearer {user.token}"}
        )

    def close(self) -> None:
        self.http.close()

    def request(self, method: str, path: str, **kwargs: Any) -> httpx2.Response:
        return self.http.request(method, path, **kwargs)

    def ok(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        response = self.http.request(method, path, **kwargs)
        assert response.status_code == status, (method, path, response.status_code, response.text)
        return response.json() if response.content else None

    def publish(self, url: str, body: str | bytes = "x", **headers: str) -> str:
        """Publish ``body`` to ``url``; keyword headers use ``_`` for ``-``."""
        sent = {name.replace("_", "-"): value for name, value in headers.items()}
        data = self.ok("POST", f"/v2/publish/{url}", content=body, headers=sent)
        message_id: str = data["messageId"]
        return message_id

    def events(self, **params: Any) -> list[dict[str, Any]]:
        """Log entries oldest first (every page)."""
        found: list[dict[str, Any]] = []
        query: dict[str, Any] = {"order": "earliestFirst", "count": 1000, **params}
        while True:
            data = self.ok("GET", "/v2/events", params=query)
            found += data["events"]
            if "cursor" not in data:
                return found
            query["cursor"] = data["cursor"]

    def states(self, message_id: str) -> list[str]:
        return [e["state"] for e in self.events(messageId=message_id)]

    def dlq(self, **params: Any) -> list[dict[str, Any]]:
        """Every DLQ message (all pages)."""
        found: list[dict[str, Any]] = []
        query: dict[str, Any] = dict(params)
        while True:
            data = self.ok("GET", "/v2/dlq", params=query)
            found += data["messages"]
            if "cursor" not in data:
                return found
            query["cursor"] = data["cursor"]

    def snapshot(self) -> dict[str, Any]:
        """Everything a user can see: log, DLQ, pending messages (by id), topics, queues, schedules."""
        events = self.events()
        message_ids = sorted({e["messageId"] for e in events})
        pending = {
            mid: self.request("GET", f"/v2/messages/{mid}").status_code for mid in message_ids
        }
        out: dict[str, Any] = {"events": events, "dlq": self.dlq(), "pending": pending}
        for name, path in (
            ("topics", "/v2/topics"),
            ("queues", "/v2/queues"),
            ("schedules", "/v2/schedules"),
            ("keys", "/v2/keys"),
        ):
            response = self.request("GET", path)
            out[name] = (response.status_code, response.content)
        return out


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


FailTo = Callable[..., list[str]]


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
