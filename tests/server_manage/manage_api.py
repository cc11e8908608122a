"""The raw HTTP client the management tests share (imported by name, not via conftest)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx2

from upstash_qstash.server.settings import DEV_USERS
from upstash_qstash.testing.local import LocalQStash

FailTo = Callable[..., list[str]]


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
