"""Messages: read one, cancel one, cancel many by ids, by filter, or all."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from .._errors import RequestValidationError
from .._http import Request, Response
from ..models import CancelResponse, Message, parse_cancel, parse_message
from .common import check_keys, filter_query, id_list, positive_int, segment

__all__ = [
    "MessageFilter",
    "build_cancel",
    "build_cancel_all",
    "build_cancel_by_filter",
    "build_cancel_many",
    "build_get",
    "parse_cancelled",
    "parse_get",
]


class MessageFilter(TypedDict, total=False):
    """Which pending messages to cancel; list values are OR-ed, different fields AND-ed.

    ``from_time``/``to_time`` are Unix milliseconds (inclusive); ``count`` caps how many
    messages one call cancels (the server's default applies when it is not given).
    """

    url: str | list[str]
    url_group: str | list[str]
    queue: str | list[str]
    host: str | list[str]
    path: str | list[str]
    label: str | list[str]
    flow_control_key: str | list[str]
    schedule_id: str | list[str]
    caller_ip: str | list[str]
    from_time: int
    to_time: int
    count: int


_NAMES = {
    "url": "url",
    "url_group": "topicName",
    "queue": "queueName",
    "host": "host",
    "path": "path",
    "label": "label",
    "flow_control_key": "flowControlKey",
    "schedule_id": "scheduleId",
    "caller_ip": "callerIp",
}
_TIMES = {"from_time": "fromDate", "to_time": "toDate"}


def build_get(message_id: str) -> Request:
    return Request("GET", f"/v2/messages/{segment('message_id', message_id)}")


def parse_get(response: Response) -> Message:
    return parse_message(response.json())


def build_cancel(message_id: str) -> Request:
    return Request("DELETE", f"/v2/messages/{segment('message_id', message_id)}")


def build_cancel_many(message_ids: list[str]) -> Request:
    ids = id_list("message_ids", message_ids)
    return Request("DELETE", "/v2/messages", query=tuple(("messageIds", i) for i in ids))


def _count(options: Mapping[str, Any]) -> list[tuple[str, str]]:
    count = positive_int(options, "count")
    return [] if count is None else [("count", str(count))]


def build_cancel_by_filter(options: Mapping[str, Any]) -> Request:
    check_keys(options, MessageFilter.__annotations__)
    query = filter_query(options, _NAMES, _TIMES)
    if not query:
        raise RequestValidationError(
            "filter", "give at least one filter (use cancel_all to cancel every message)"
        )
    return Request("DELETE", "/v2/messages", query=tuple(query + _count(options)))


def build_cancel_all(count: int | None = None) -> Request:
    return Request("DELETE", "/v2/messages", query=tuple(_count({"count": count})))


def parse_cancelled(response: Response) -> CancelResponse:
    try:
        data = response.json()
    except ValueError:
        data = None
    return parse_cancel(data)
