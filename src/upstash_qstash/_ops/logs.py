"""Logs: every state change of every message, newest first, with filters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypedDict

from .._errors import RequestValidationError
from .._http import Request, Response
from ..models import LogEvent, LogPage, LogState, parse_log_page
from .common import check_keys, filter_query, positive_int

__all__ = ["LogsRequest", "build_list", "page_items", "parse_list"]


class LogsRequest(TypedDict, total=False):
    """Filters of the log (list values OR-ed, fields AND-ed; times in Unix milliseconds).

    ``cursor`` continues a previous page; ``count`` is the page size; ``order`` is
    ``latestFirst`` (default) or ``earliestFirst``.
    """

    cursor: str
    count: int
    order: Literal["latestFirst", "earliestFirst"]
    message_id: str
    message_ids: list[str]
    state: LogState | list[LogState]
    url: str | list[str]
    url_group: str | list[str]
    queue: str | list[str]
    schedule_id: str | list[str]
    label: str | list[str]
    host: str | list[str]
    path: str | list[str]
    caller_ip: str | list[str]
    flow_control_key: str | list[str]
    from_time: int
    to_time: int


_NAMES = {
    "message_id": "messageId",
    "message_ids": "messageIds",
    "state": "state",
    "url": "url",
    "url_group": "topicName",
    "queue": "queueName",
    "schedule_id": "scheduleId",
    "label": "label",
    "host": "host",
    "path": "path",
    "caller_ip": "callerIp",
    "flow_control_key": "flowControlKey",
}
_TIMES = {"from_time": "fromDate", "to_time": "toDate"}


def build_list(options: Mapping[str, Any], cursor: str | None = None) -> Request:
    check_keys(options, LogsRequest.__annotations__)
    query = filter_query(options, _NAMES, _TIMES)
    count = positive_int(options, "count")
    if count is not None:
        query.append(("count", str(count)))
    order = options.get("order")
    if order is not None:
        if order not in ("latestFirst", "earliestFirst"):
            raise RequestValidationError("order", "must be 'latestFirst' or 'earliestFirst'")
        query.append(("order", order))
    given = options.get("cursor")
    if given is not None and not isinstance(given, str):
        raise RequestValidationError("cursor", f"must be a string, got {given!r}")
    if cursor or given:
        query.append(("cursor", str(cursor or given)))
    return Request("GET", "/v2/logs", query=tuple(query))


def parse_list(response: Response) -> LogPage:
    return parse_log_page(response.json())


def page_items(page: LogPage) -> tuple[list[LogEvent], str | None]:
    return page.events, page.cursor
