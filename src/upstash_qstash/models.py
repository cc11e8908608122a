"""Typed responses: frozen, slotted dataclasses parsed by explicit functions.

Each keeps the JSON it came from in ``raw``; unknown fields are ignored. Times are what the
API sends: Unix milliseconds (``ratePeriodStart`` is Unix seconds, as on the wire).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ._wire.states import LogState

__all__ = [
    "CancelResponse",
    "DLQDeleteResponse",
    "DLQMessage",
    "DLQPage",
    "DLQRetryResponse",
    "Endpoint",
    "FlowControlKey",
    "GlobalParallelism",
    "LogEvent",
    "LogPage",
    "LogState",
    "Message",
    "PublishResponse",
    "Queue",
    "Schedule",
    "ScheduleCreated",
    "ScheduleState",
    "SigningKeys",
    "URLGroup",
]

ScheduleState = Literal["IN_PROGRESS", "SUCCESS", "FAIL"]
HeaderMap = dict[str, list[str]]


def _obj(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON object for {what}, got {type(data).__name__}")
    return data


def _opt_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return None if value is None else str(value)


def _opt_int(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    return None if value is None else int(value)


def _headers(data: Mapping[str, Any], key: str) -> HeaderMap:
    value = data.get(key)
    if not isinstance(value, dict):
        return {}
    return {
        str(k): [str(x) for x in v] if isinstance(v, list) else [str(v)] for k, v in value.items()
    }


def _labels(data: Mapping[str, Any]) -> tuple[str, ...]:
    labels = data.get("labels")
    if isinstance(labels, list):
        return tuple(str(x) for x in labels)
    label = data.get("label")
    return (str(label),) if label else ()


def _body(data: Mapping[str, Any]) -> bytes | None:
    if data.get("bodyBase64") is not None:
        return base64.b64decode(data["bodyBase64"])
    if data.get("body") is not None:
        return str(data["body"]).encode()
    return None


# ------------------------------------------------------------------ publish


@dataclass(frozen=True, slots=True)
class PublishResponse:
    """One published message: its id, the URL it goes to, and whether it was a duplicate."""

    message_id: str
    url: str | None = None
    deduplicated: bool = False
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


def _publish_item(data: Any) -> PublishResponse:
    data = _obj(data, "a publish result")
    return PublishResponse(
        message_id=str(data["messageId"]),
        url=data.get("url"),
        deduplicated=bool(data.get("deduplicated", False)),
        raw=data,
    )


def parse_publish_response(data: Any) -> PublishResponse | list[PublishResponse]:
    """A URL publish answers one object; a URL-group publish answers a list, one per endpoint."""
    if isinstance(data, list):
        return [_publish_item(item) for item in data]
    return _publish_item(data)


def parse_batch_response(data: Any) -> list[PublishResponse | list[PublishResponse]]:
    """One entry per batch item, in order; a URL-group item is itself a list."""
    items = data if isinstance(data, list) else [data]
    return [parse_publish_response(item) for item in items]


# ------------------------------------------------------------------ messages


@dataclass(frozen=True, slots=True)
class Message:
    """A message waiting for delivery (``GET /v2/messages/{id}``)."""

    message_id: str
    url: str
    method: str
    max_retries: int
    not_before: int
    created_at: int
    body: bytes | None = None
    header: HeaderMap = field(default_factory=dict)
    url_group: str | None = None
    endpoint_name: str | None = None
    queue: str | None = None
    schedule_id: str | None = None
    caller_ip: str | None = None
    retry_delay: str | None = None
    callback: str | None = None
    failure_callback: str | None = None
    callback_header: HeaderMap = field(default_factory=dict)
    failure_callback_header: HeaderMap = field(default_factory=dict)
    labels: tuple[str, ...] = ()
    flow_control_key: str | None = None
    parallelism: int | None = None
    rate: int | None = None
    period: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def text(self) -> str | None:
        """The body decoded as UTF-8 (``None`` without a body)."""
        return None if self.body is None else self.body.decode("utf-8", errors="replace")


def _message_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "message_id": str(data["messageId"]),
        "url": str(data.get("url", "")),
        "method": str(data.get("method", "POST")),
        "max_retries": int(data.get("maxRetries", 0)),
        "not_before": int(data.get("notBefore", 0)),
        "created_at": int(data.get("createdAt", 0)),
        "body": _body(data),
        "header": _headers(data, "header"),
        "url_group": _opt_str(data, "topicName"),
        "endpoint_name": _opt_str(data, "endpointName"),
        "queue": _opt_str(data, "queueName"),
        "schedule_id": _opt_str(data, "scheduleId"),
        "caller_ip": _opt_str(data, "callerIP") or _opt_str(data, "callerIp"),
        "retry_delay": _opt_str(data, "retryDelayExpression"),
        "callback": _opt_str(data, "callback"),
        "failure_callback": _opt_str(data, "failureCallback"),
        "callback_header": _headers(data, "callbackHeader"),
        "failure_callback_header": _headers(data, "failureCallbackHeader"),
        "labels": _labels(data),
        "flow_control_key": _opt_str(data, "flowControlKey"),
        "parallelism": _opt_int(data, "parallelism"),
        "rate": _opt_int(data, "rate"),
        "period": _opt_int(data, "period"),
        "raw": dict(data),
    }


def parse_message(data: Any) -> Message:
    return Message(**_message_fields(_obj(data, "a message")))


@dataclass(frozen=True, slots=True)
class CancelResponse:
    """How many messages a cancel request stopped."""

    cancelled: int
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


def parse_cancel(data: Any) -> CancelResponse:
    data = data if isinstance(data, dict) else {}
    return CancelResponse(cancelled=int(data.get("cancelled", 0)), raw=data)


# ------------------------------------------------------------------ URL groups


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One endpoint of a URL group."""

    url: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class URLGroup:
    """A URL group (formerly "topic"): a name and the endpoints a publish fans out to."""

    name: str
    created_at: int
    updated_at: int
    endpoints: tuple[Endpoint, ...]
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


def parse_url_group(data: Any) -> URLGroup:
    data = _obj(data, "a URL group")
    return URLGroup(
        name=str(data["name"]),
        created_at=int(data.get("createdAt", 0)),
        updated_at=int(data.get("updatedAt", 0)),
        endpoints=tuple(
            Endpoint(url=str(e["url"]), name=e.get("name") or None)
            for e in data.get("endpoints") or []
        ),
        raw=data,
    )


def parse_url_groups(data: Any) -> list[URLGroup]:
    return [parse_url_group(item) for item in data or []]


# ------------------------------------------------------------------ schedules


@dataclass(frozen=True, slots=True)
class ScheduleCreated:
    """The id of a created (or replaced) schedule."""

    schedule_id: str
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


def parse_schedule_created(data: Any) -> ScheduleCreated:
    data = _obj(data, "a schedule creation result")
    return ScheduleCreated(schedule_id=str(data["scheduleId"]), raw=data)


@dataclass(frozen=True, slots=True)
class Schedule:
    """A cron schedule that publishes a message on every trigger."""

    schedule_id: str
    cron: str
    destination: str
    created_at: int
    method: str
    retries: int
    is_paused: bool = False
    body: bytes | None = None
    header: HeaderMap = field(default_factory=dict)
    delay: int | None = None
    timeout: int | None = None
    callback: str | None = None
    failure_callback: str | None = None
    callback_header: HeaderMap = field(default_factory=dict)
    failure_callback_header: HeaderMap = field(default_factory=dict)
    queue: str | None = None
    retry_delay: str | None = None
    labels: tuple[str, ...] = ()
    caller_ip: str | None = None
    last_schedule_time: int | None = None
    next_schedule_time: int | None = None
    last_schedule_states: dict[str, ScheduleState] = field(default_factory=dict)
    error: str | None = None
    flow_control_key: str | None = None
    parallelism: int | None = None
    rate: int | None = None
    period: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


def parse_schedule(data: Any) -> Schedule:
    data = _obj(data, "a schedule")
    states = data.get("lastScheduleStates")
    return Schedule(
        schedule_id=str(data["scheduleId"]),
        cron=str(data.get("cron", "")),
        destination=str(data.get("destination", "")),
        created_at=int(data.get("createdAt", 0)),
        method=str(data.get("method", "POST")),
        retries=int(data.get("retries", 0)),
        is_paused=bool(data.get("isPaused", False)),
        body=_body(data),
        header=_headers(data, "header"),
        delay=_opt_int(data, "delay"),
        timeout=_opt_int(data, "timeout"),
        callback=_opt_str(data, "callback"),
        failure_callback=_opt_str(data, "failureCallback"),
        callback_header=_headers(data, "callbackHeader"),
        failure_callback_header=_headers(data, "failureCallbackHeader"),
        queue=_opt_str(data, "queueName"),
        retry_delay=_opt_str(data, "retryDelayExpression"),
        labels=_labels(data),
        caller_ip=_opt_str(data, "callerIP") or _opt_str(data, "callerIp"),
        last_schedule_time=_opt_int(data, "lastScheduleTime"),
        next_schedule_time=_opt_int(data, "nextScheduleTime"),
        last_schedule_states=dict(states) if isinstance(states, dict) else {},
        error=_opt_str(data, "error"),
        flow_control_key=_opt_str(data, "flowControlKey"),
        parallelism=_opt_int(data, "parallelism"),
        rate=_opt_int(data, "rate"),
        period=_opt_int(data, "period"),
        raw=data,
    )


def parse_schedules(data: Any) -> list[Schedule]:
    return [parse_schedule(item) for item in data or []]


# ------------------------------------------------------------------ queues


@dataclass(frozen=True, slots=True)
class Queue:
    """A queue: FIFO delivery with ``parallelism`` messages in flight at most."""

    name: str
    parallelism: int
    paused: bool
    lag: int
    created_at: int
    updated_at: int
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


def parse_queue(data: Any) -> Queue:
    data = _obj(data, "a queue")
    return Queue(
        name=str(data["name"]),
        parallelism=int(data.get("parallelism", 1)),
        paused=bool(data.get("paused", False)),
        lag=int(data.get("lag", 0)),
        created_at=int(data.get("createdAt", 0)),
        updated_at=int(data.get("updatedAt", 0)),
        raw=data,
    )


def parse_queues(data: Any) -> list[Queue]:
    return [parse_queue(item) for item in data or []]


# ------------------------------------------------------------------ DLQ


@dataclass(frozen=True, slots=True, kw_only=True)
class DLQMessage(Message):
    """A message that failed every attempt: the :class:`Message` fields plus the DLQ id and
    the last response it got."""

    dlq_id: str
    response_status: int | None = None
    response_header: HeaderMap = field(default_factory=dict)
    response_body: bytes | None = None


def parse_dlq_message(data: Any) -> DLQMessage:
    data = _obj(data, "a DLQ message")
    if data.get("responseBodyBase64") is not None:
        response_body: bytes | None = base64.b64decode(data["responseBodyBase64"])
    elif data.get("responseBody") is not None:
        response_body = str(data["responseBody"]).encode()
    else:
        response_body = None
    return DLQMessage(
        dlq_id=str(data.get("dlqId", "")),
        response_status=_opt_int(data, "responseStatus"),
        response_header=_headers(data, "responseHeader"),
        response_body=response_body,
        **_message_fields(data),
    )


@dataclass(frozen=True, slots=True)
class DLQPage:
    """One page of DLQ messages; ``cursor`` is ``None`` on the last page."""

    messages: list[DLQMessage]
    cursor: str | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


def parse_dlq_page(data: Any) -> DLQPage:
    data = _obj(data, "a DLQ page")
    return DLQPage(
        messages=[parse_dlq_message(m) for m in data.get("messages") or []],
        cursor=data.get("cursor") or None,
        raw=data,
    )


@dataclass(frozen=True, slots=True)
class DLQDeleteResponse:
    """How many DLQ entries were deleted."""

    deleted: int
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class DLQRetryResponse:
    """The new messages created by retrying DLQ entries."""

    responses: list[PublishResponse]
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


# ------------------------------------------------------------------ logs


@dataclass(frozen=True, slots=True)
class LogEvent:
    """One state change of a message. ``body``/``response_body`` are decoded from base64."""

    time: int
    message_id: str
    state: LogState
    url: str | None = None
    error: str | None = None
    next_delivery_time: int | None = None
    url_group: str | None = None
    endpoint_name: str | None = None
    queue: str | None = None
    schedule_id: str | None = None
    header: HeaderMap = field(default_factory=dict)
    body: bytes | None = None
    response_status: int | None = None
    response_header: HeaderMap = field(default_factory=dict)
    response_body: bytes | None = None
    method: str | None = None
    max_retries: int | None = None
    retry_delay: str | None = None
    timeout: int | None = None
    callback: str | None = None
    failure_callback: str | None = None
    labels: tuple[str, ...] = ()
    flow_control_key: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


def _b64(data: Mapping[str, Any], key: str) -> bytes | None:
    value = data.get(key)
    if value is None:
        return None
    try:
        return base64.b64decode(value)
    except ValueError:
        return str(value).encode()


def parse_log_event(data: Any) -> LogEvent:
    data = _obj(data, "a log event")
    return LogEvent(
        time=int(data["time"]),
        message_id=str(data["messageId"]),
        state=data["state"],
        url=_opt_str(data, "url"),
        error=_opt_str(data, "error"),
        next_delivery_time=_opt_int(data, "nextDeliveryTime"),
        url_group=_opt_str(data, "topicName"),
        endpoint_name=_opt_str(data, "endpointName"),
        queue=_opt_str(data, "queueName"),
        schedule_id=_opt_str(data, "scheduleId"),
        header=_headers(data, "header"),
        body=_b64(data, "body"),
        response_status=_opt_int(data, "responseStatus"),
        response_header=_headers(data, "responseHeader") or _headers(data, "responseHeaders"),
        response_body=_b64(data, "responseBody"),
        method=_opt_str(data, "method"),
        max_retries=_opt_int(data, "maxRetries"),
        retry_delay=_opt_str(data, "retryDelayExpr") or _opt_str(data, "retryDelayExpression"),
        timeout=_opt_int(data, "timeout"),
        callback=_opt_str(data, "callback"),
        failure_callback=_opt_str(data, "failureCallback"),
        labels=_labels(data),
        flow_control_key=_opt_str(data, "flowControlKey"),
        raw=data,
    )


@dataclass(frozen=True, slots=True)
class LogPage:
    """One page of log events, newest first; ``cursor`` is ``None`` on the last page."""

    events: list[LogEvent]
    cursor: str | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


def parse_log_page(data: Any) -> LogPage:
    data = _obj(data, "a log page")
    events = data.get("events")
    if events is None:
        events = data.get("logs")
    return LogPage(
        events=[parse_log_event(e) for e in events or []],
        cursor=data.get("cursor") or None,
        raw=data,
    )


# ------------------------------------------------------------------ keys, flow control


@dataclass(frozen=True, slots=True)
class SigningKeys:
    """The signing keys: deliveries are signed with ``current``; ``next`` replaces it on rotation."""

    current: str
    next: str
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


def parse_signing_keys(data: Any) -> SigningKeys:
    data = _obj(data, "signing keys")
    return SigningKeys(current=str(data["current"]), next=str(data["next"]), raw=data)


@dataclass(frozen=True, slots=True)
class FlowControlKey:
    """Live state of a flow-control key (``rate_period`` in seconds, its start in Unix seconds)."""

    key: str
    wait_list_size: int = 0
    parallelism_max: int = 0
    parallelism_count: int = 0
    rate_max: int = 0
    rate_count: int = 0
    rate_period: int = 0
    rate_period_start: int = 0
    is_paused: bool = False
    is_pinned_parallelism: bool = False
    is_pinned_rate: bool = False
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


def parse_flow_control_key(data: Any) -> FlowControlKey:
    data = _obj(data, "a flow-control key")
    return FlowControlKey(
        key=str(data["flowControlKey"]),
        wait_list_size=int(data.get("waitListSize") or 0),
        parallelism_max=int(data.get("parallelismMax") or 0),
        parallelism_count=int(data.get("parallelismCount") or 0),
        rate_max=int(data.get("rateMax") or 0),
        rate_count=int(data.get("rateCount") or 0),
        rate_period=int(data.get("ratePeriod") or 0),
        rate_period_start=int(data.get("ratePeriodStart") or 0),
        is_paused=bool(data.get("isPaused", False)),
        is_pinned_parallelism=bool(data.get("isPinnedParallelism", False)),
        is_pinned_rate=bool(data.get("isPinnedRate", False)),
        raw=data,
    )


def parse_flow_control_keys(data: Any) -> list[FlowControlKey]:
    if isinstance(data, dict):
        data = data.get("flowControls")
    return [parse_flow_control_key(item) for item in data or []]


@dataclass(frozen=True, slots=True)
class GlobalParallelism:
    """Deliveries in flight across the account, and the maximum allowed."""

    parallelism_max: int
    parallelism_count: int
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


def parse_global_parallelism(data: Any) -> GlobalParallelism:
    data = _obj(data, "global parallelism")
    return GlobalParallelism(
        parallelism_max=int(data.get("parallelismMax") or 0),
        parallelism_count=int(data.get("parallelismCount") or 0),
        raw=data,
    )
