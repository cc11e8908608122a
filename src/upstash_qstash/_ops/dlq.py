"""The dead-letter queue: list, read, delete and retry messages that failed every attempt."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from .._errors import RequestValidationError
from .._http import Request, Response
from ..models import (
    DLQDeleteResponse,
    DLQMessage,
    DLQPage,
    DLQRetryResponse,
    PublishResponse,
    parse_dlq_message,
    parse_dlq_page,
    parse_publish_response,
)
from .common import check_keys, filter_query, id_list, positive_int, segment

__all__ = [
    "DLQFilter",
    "DLQListRequest",
    "build_delete",
    "build_delete_by_filter",
    "build_delete_many",
    "build_get",
    "build_list",
    "build_retry",
    "build_retry_by_filter",
    "build_retry_many",
    "page_items",
    "parse_deleted",
    "parse_get",
    "parse_list",
    "parse_retried",
    "parse_retry",
    "sum_deleted",
    "sum_retried",
]


class DLQFilter(TypedDict, total=False):
    """Which DLQ entries; list values are OR-ed, fields AND-ed, times in Unix milliseconds."""

    message_id: str
    url: str | list[str]
    url_group: str | list[str]
    queue: str | list[str]
    schedule_id: str | list[str]
    label: str | list[str]
    flow_control_key: str | list[str]
    caller_ip: str | list[str]
    response_status: int | list[int]
    from_time: int
    to_time: int


class DLQListRequest(DLQFilter, total=False):
    """A page of the DLQ: ``cursor`` from the previous page, ``count`` entries at most."""

    cursor: str
    count: int


_NAMES = {
    "message_id": "messageId",
    "url": "url",
    "url_group": "topicName",
    "queue": "queueName",
    "schedule_id": "scheduleId",
    "label": "label",
    "flow_control_key": "flowControlKey",
    "caller_ip": "callerIp",
    "response_status": "responseStatus",
}
_TIMES = {"from_time": "fromDate", "to_time": "toDate"}


def _page_query(options: Mapping[str, Any], cursor: str | None) -> list[tuple[str, str]]:
    query = filter_query(options, _NAMES, _TIMES)
    count = positive_int(options, "count")
    if count is not None:
        query.append(("count", str(count)))
    if cursor:
        query.append(("cursor", cursor))
    return query


def build_list(options: Mapping[str, Any], cursor: str | None = None) -> Request:
    check_keys(options, DLQListRequest.__annotations__)
    given = options.get("cursor")
    if given is not None and not isinstance(given, str):
        raise RequestValidationError("cursor", f"must be a string, got {given!r}")
    return Request("GET", "/v2/dlq", query=tuple(_page_query(options, cursor or given)))


def parse_list(response: Response) -> DLQPage:
    return parse_dlq_page(response.json())


def page_items(page: DLQPage) -> tuple[list[DLQMessage], str | None]:
    return page.messages, page.cursor


def build_get(dlq_id: str) -> Request:
    return Request("GET", f"/v2/dlq/{segment('dlq_id', dlq_id)}")


def parse_get(response: Response) -> DLQMessage:
    return parse_dlq_message(response.json())


def build_delete(dlq_id: str) -> Request:
    return Request("DELETE", f"/v2/dlq/{segment('dlq_id', dlq_id)}")


def build_delete_many(dlq_ids: list[str]) -> Request:
    ids = id_list("dlq_ids", dlq_ids)
    return Request("DELETE", "/v2/dlq", query=tuple(("dlqIds", i) for i in ids))


def _filter_page(options: Mapping[str, Any], cursor: str | None) -> tuple[tuple[str, str], ...]:
    check_keys(options, DLQFilter.__annotations__)
    query = _page_query(options, cursor)
    if not filter_query(options, _NAMES, _TIMES):
        raise RequestValidationError("filter", "give at least one filter")
    return tuple(query)


def build_delete_by_filter(options: Mapping[str, Any], cursor: str | None = None) -> Request:
    return Request("DELETE", "/v2/dlq", query=_filter_page(options, cursor))


def parse_deleted(response: Response) -> tuple[int, str | None]:
    data = response.json() or {}
    return int(data.get("deleted", 0)), data.get("cursor") or None


def sum_deleted(pages: list[int]) -> DLQDeleteResponse:
    return DLQDeleteResponse(deleted=sum(pages), raw={"deleted": sum(pages)})


def build_retry(dlq_id: str) -> Request:
    return Request("POST", f"/v2/dlq/retry/{segment('dlq_id', dlq_id)}")


def parse_retry(response: Response) -> PublishResponse:
    result = parse_publish_response(response.json())
    assert isinstance(result, PublishResponse)
    return result


def build_retry_many(dlq_ids: list[str]) -> Request:
    ids = id_list("dlq_ids", dlq_ids)
    return Request("POST", "/v2/dlq/retry", query=tuple(("dlqIds", i) for i in ids))


def build_retry_by_filter(options: Mapping[str, Any], cursor: str | None = None) -> Request:
    return Request("POST", "/v2/dlq/retry", query=_filter_page(options, cursor))


def parse_retried(response: Response) -> tuple[list[PublishResponse], str | None]:
    data = response.json() or {}
    responses = [PublishResponse(str(r["messageId"]), raw=r) for r in data.get("responses") or []]
    return responses, data.get("cursor") or None


def sum_retried(pages: list[list[PublishResponse]]) -> DLQRetryResponse:
    responses = [r for page in pages for r in page]
    return DLQRetryResponse(responses=responses, raw={"responses": [r.raw for r in responses]})


def parse_delete_many(response: Response) -> DLQDeleteResponse:
    data = response.json() or {}
    return DLQDeleteResponse(deleted=int(data.get("deleted", 0)), raw=data)


def parse_retry_many(response: Response) -> DLQRetryResponse:
    responses, _ = parse_retried(response)
    return DLQRetryResponse(responses=responses, raw=response.json() or {})
