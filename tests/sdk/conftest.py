"""``sdk``: the same test body against ``Client`` and ``AsyncClient`` on the local server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sdk_harness import SDK

from upstash_qstash.testing.local import LocalQStash


@pytest.fixture(params=["sync", "async"])
def sdk(request: pytest.FixtureRequest, qstash: LocalQStash) -> Iterator[SDK]:
    client = SDK(qstash, request.param)
    yield client
    client.close()
