"""Fixtures for the publishing side of the local server: a raw HTTP client on it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx2
import pytest

from upstash_qstash.testing.local import LocalQStash


@pytest.fixture
def api(qstash: LocalQStash) -> Iterator[httpx2.Client]:
    """Plain HTTP to the local server with the default user's token (no SDK in between)."""
    with httpx2.Client(
        base_url=qstash.url, headers={"Authorization": f"Bearer {qstash.token}"}
    ) as client:
        yield client


Events = Callable[..., list[dict[str, Any]]]


@pytest.fixture
def events(api: httpx2.Client) -> Events:
    """``events(messageId=...)``: log entries oldest first, filtered by query parameters."""

    def read(**params: Any) -> list[dict[str, Any]]:
        response = api.get("/v2/events", params={"order": "earliestFirst", "count": 1000, **params})
        assert response.status_code == 200, response.text
        found: list[dict[str, Any]] = response.json()["events"]
        return found

    return read
