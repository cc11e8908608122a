"""Request helpers shared by the route modules."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from aiohttp import web

from .errors import ApiError
from .models import Message

__all__ = [
    "MessageFilter",
    "check_id",
    "json_response",
    "ok",
    "parse_cursor",
    "parse_filter",
    "query_int",
    "query_values",
    "raw_remainder",
    "read_body",
    "read_json",
    "read_optional_json_object",
]

_ID_RE = re.compile(r"^[A-Za-z0-9._:~-]{1,256}$")


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.Response(
        body=json.dumps(data, separators=(",", ":")).encode(),
        status=status,
        content_type="application/json",
    )


def ok() -> web.Response:
    return web.Response(status=200)


def raw_remainder(request: web.Request, prefix: str) -> tuple[str, list[tuple[str, str]]]:
    """The raw path after ``prefix`` and the raw query pairs (destinations keep their query)."""
    raw = request.raw_path
    path, _, query = raw.partition("?")
    if not path.startswith(prefix):
        raise ApiError(404, f"no route for {path}")
    return path[len(prefix) :], parse_qsl(query, keep_blank_values=True)


async def read_body(request: web.Request, limit: int) -> bytes:
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(
            412,
            f"message body of {request.content_length} bytes exceeds the maximum of {limit} bytes",
        )
    body = await request.content.read(limit + 1)
    if len(body) > limit:
        raise ApiError(412, f"message body exceeds the maximum of {limit} bytes")
    return body


async def read_json(request: web.Request, limit: int = 1024 * 1024) -> Any:
    raw = await read_body(request, limit)
    if not raw.strip():
        raise ApiError(400, "request body must be JSON, got an empty body")
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(400, f"request body is not valid JSON: {exc}") from None


def query_values(request: web.Request, name: str) -> list[str]:
    """All values of a query parameter, accepting repeats and comma-separated lists."""
    values: list[str] = []
    for raw in request.query.getall(name, []):
        values.extend(v.strip() for v in raw.split(",") if v.strip())
    return values


MAX_SAFE_INT = (1 << 53) - 1
"""The largest integer accepted anywhere (exact in JSON numbers, fits SQLite's 64 bits)."""


def query_int(
    request: web.Request,
    name: str,
    *,
    default: int | None = None,
    minimum: int = 0,
    maximum: int = MAX_SAFE_INT,
) -> int | None:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"invalid {name} {raw!r}: expected an integer") from None
    if not minimum <= value <= maximum:
        raise ApiError(400, f"invalid {name} {value}: must be between {minimum} and {maximum}")
    return value


def check_id(kind: str, value: str) -> str:
    """Reject ids no resource can have (empty, too long, odd characters) with a 400."""
    if not _ID_RE.fullmatch(value):
        raise ApiError(
            400,
            f"invalid {kind} {value[:80]!r}: expected 1-256 letters, digits, '.', '_', ':', '~' or '-'",
        )
    return value


def parse_cursor(raw: str | None) -> int | None:
    """Cursors are the decimal position of the last item of the previous page."""
    if raw is None or raw == "":
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19:
        raise ApiError(400, f"invalid cursor {raw[:80]!r}: pass back a cursor this server returned")
    return int(raw)


async def read_optional_json_object(
    request: web.Request, limit: int = 1024 * 1024
) -> dict[str, Any]:
    """The JSON object in the body, or ``{}`` when the body is empty (legacy bulk calls)."""
    raw = await read_body(request, limit)
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(400, f"request body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ApiError(400, f"request body must be a JSON object, got {type(data).__name__}")
    return data


@dataclass(slots=True)
class MessageFilter:
    """Filters of bulk cancel, the DLQ routes and the like: values of one key are OR-ed,
    different keys AND-ed. ``ids`` (``messageIds`` / ``dlqIds``), when given, replaces them."""

    ids: list[str] | None = None
    message_ids: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    topic_names: list[str] = field(default_factory=list)
    queue_names: list[str] = field(default_factory=list)
    schedule_ids: list[str] = field(default_factory=list)
    flow_control_keys: list[str] = field(default_factory=list)
    caller_ips: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    response_statuses: list[int] = field(default_factory=list)
    from_date: int | None = None
    to_date: int | None = None

    def is_empty(self) -> bool:
        return self.ids is None and not any(
            (
                self.message_ids,
                self.urls,
                self.topic_names,
                self.queue_names,
                self.schedule_ids,
                self.flow_control_keys,
                self.caller_ips,
                self.labels,
                self.hosts,
                self.paths,
                self.response_statuses,
                self.from_date is not None,
                self.to_date is not None,
            )
        )

    def matches(self, msg: Message, time_ms: int, response_status: int | None = None) -> bool:
        """Whether ``msg`` (with its filter time and, for DLQ entries, last status) matches."""
        checks: list[tuple[list[Any], Any]] = [
            (self.message_ids, msg.id),
            (self.urls, msg.url),
            (self.topic_names, msg.topic_name),
            (self.queue_names, msg.queue_name),
            (self.schedule_ids, msg.schedule_id),
            (self.flow_control_keys, msg.flow_control_key),
            (self.caller_ips, msg.caller_ip),
            (self.response_statuses, response_status),
        ]
        if any(wanted and value not in wanted for wanted, value in checks):
            return False
        if self.labels and not set(self.labels) & set(msg.labels):
            return False
        if self.hosts or self.paths:
            parts = urlsplit(msg.url)
            if self.hosts and parts.netloc not in self.hosts and parts.hostname not in self.hosts:
                return False
            if self.paths and (parts.path or "/") not in self.paths:
                return False
        if self.from_date is not None and time_ms < self.from_date:
            return False
        return self.to_date is None or time_ms <= self.to_date


# wire name -> MessageFilter attribute
_LIST_FILTERS = {
    "messageId": "message_ids",
    "url": "urls",
    "topicName": "topic_names",
    "queueName": "queue_names",
    "scheduleId": "schedule_ids",
    "flowControlKey": "flow_control_keys",
    "callerIp": "caller_ips",
    "callerIP": "caller_ips",
    "label": "labels",
    "host": "hosts",
    "path": "paths",
}


def _as_strings(name: str, value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, str | int):
            raise ApiError(400, f"invalid {name}: expected a string or a list of strings")
        out.extend(v.strip() for v in str(item).split(",") if v.strip())
    return out


def _as_int(name: str, value: Any, minimum: int, maximum: int) -> int:
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, bool):
        raise ApiError(400, f"invalid {name} {value!r}: expected an integer")
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise ApiError(400, f"invalid {name} {str(value)[:80]!r}: expected an integer") from None
    if isinstance(value, float) and value != number:
        raise ApiError(400, f"invalid {name} {value!r}: expected an integer")
    if not minimum <= number <= maximum:
        raise ApiError(400, f"invalid {name} {number}: must be between {minimum} and {maximum}")
    return number


def parse_filter(
    source: Iterable[tuple[str, Any]], *, ids_key: str, allowed: Iterable[str]
) -> MessageFilter:
    """Build a filter from ``(name, value)`` pairs (query pairs or a legacy JSON body).

    Names outside ``allowed`` (and ``ids_key``) are ignored; malformed values raise 400.
    """
    known = set(allowed)
    result = MessageFilter()
    for name, value in source:
        if name == ids_key:
            ids = _as_strings(name, value)
            if isinstance(value, str) and not ids:
                raise ApiError(400, f"{ids_key} must not be empty")
            for item in ids:
                check_id(ids_key, item)
            result.ids = [*(result.ids or []), *ids]
        elif name not in known or value is None:
            continue
        elif name in ("fromDate", "toDate"):
            date = _as_int(name, value, 0, MAX_SAFE_INT)
            if name == "fromDate":
                result.from_date = date
            else:
                result.to_date = date
        elif name == "responseStatus":
            for item in _as_strings(name, value):
                result.response_statuses.append(_as_int(name, item, 0, 999))
        elif name in _LIST_FILTERS:
            values = _as_strings(name, value)
            if isinstance(value, str) and not values:
                raise ApiError(400, f"invalid {name}: the value must not be empty")
            getattr(result, _LIST_FILTERS[name]).extend(values)
    return result
