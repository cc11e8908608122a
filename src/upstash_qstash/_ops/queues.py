"""Queues: ordered delivery with a parallelism limit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from .._errors import RequestValidationError
from .._http import Request, Response
from ..models import Queue, parse_queue, parse_queues
from .common import check_keys, json_request, positive_int, require_id, segment

__all__ = [
    "UpsertQueueRequest",
    "build_delete",
    "build_get",
    "build_list",
    "build_pause",
    "build_resume",
    "build_upsert",
    "parse_get",
    "parse_list",
]


class UpsertQueueRequest(TypedDict, total=False):
    """Create or update ``queue``: ``parallelism`` (default 1) and ``paused`` (default False)."""

    queue: str
    parallelism: int
    paused: bool


def build_upsert(options: Mapping[str, Any]) -> Request:
    check_keys(options, UpsertQueueRequest.__annotations__)
    name = require_id("queue", options.get("queue"))
    parallelism = positive_int(options, "parallelism")
    paused = options.get("paused", False)
    if not isinstance(paused, bool):
        raise RequestValidationError("paused", f"must be True or False, got {paused!r}")
    payload = {
        "queueName": name,
        "parallelism": 1 if parallelism is None else parallelism,
        "paused": paused,
    }
    return json_request("POST", "/v2/queues", payload)


def build_list() -> Request:
    return Request("GET", "/v2/queues")


def build_get(queue: str) -> Request:
    return Request("GET", f"/v2/queues/{segment('queue', queue)}")


def build_delete(queue: str) -> Request:
    return Request("DELETE", f"/v2/queues/{segment('queue', queue)}")


def build_pause(queue: str) -> Request:
    return Request("POST", f"/v2/queues/{segment('queue', queue)}/pause")


def build_resume(queue: str) -> Request:
    return Request("POST", f"/v2/queues/{segment('queue', queue)}/resume")


def parse_get(response: Response) -> Queue:
    return parse_queue(response.json())


def parse_list(response: Response) -> list[Queue]:
    return parse_queues(response.json())
