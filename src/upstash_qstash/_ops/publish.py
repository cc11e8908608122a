"""Publish and publish_json: validate options, build the request, parse the answer."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal, Required, TypedDict

from .._errors import RequestValidationError
from .._http import Request, Response
from .._wire.durations import DurationError, format_duration
from ..models import PublishResponse, parse_batch_response, parse_publish_response
from .common import check_keys, json_request, positive_int, require_id, segment

__all__ = [
    "BatchItem",
    "BatchJSONItem",
    "CallbackOptions",
    "EnqueueJSONRequest",
    "EnqueueRequest",
    "FlowControl",
    "MessageOptions",
    "PublishJSONRequest",
    "PublishRequest",
    "build_batch",
    "build_enqueue",
    "build_publish",
    "parse_publish",
    "publish_headers",
]

HTTPMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


class FlowControl(TypedDict, total=False):
    """Limits shared by every message with the same ``key``."""

    key: str
    parallelism: int
    rate: int
    period: int | str


class Redact(TypedDict, total=False):
    body: bool
    header: bool | list[str]


class CallbackOptions(TypedDict, total=False):
    """How QStash sends a callback (or failure callback) message."""

    method: HTTPMethod
    retries: int
    retry_delay: str
    timeout: int | float | str
    delay: int | float | str


class MessageOptions(TypedDict, total=False):
    """What every produced message carries: shared by publish, enqueue, batch and schedules."""

    content_type: str
    method: HTTPMethod
    headers: Mapping[str, str]
    callback_headers: Mapping[str, str]
    failure_callback_headers: Mapping[str, str]
    retries: int
    retry_delay: str
    callback: str
    failure_callback: str
    callback_options: CallbackOptions
    failure_callback_options: CallbackOptions
    delay: int | float | str
    timeout: int | float | str
    flow_control: FlowControl
    label: str | list[str]
    redact: Redact


class _PublishOptions(MessageOptions, total=False):
    not_before: int
    deduplication_id: str
    content_based_deduplication: bool


class _RawOptions(_PublishOptions, total=False):
    body: str | bytes


class _JSONOptions(_PublishOptions, total=False):
    body: Any


class PublishRequest(_RawOptions, total=False):
    """Options of ``publish``: exactly one of ``url`` / ``url_group`` (``topic`` is its old name)."""

    url: str
    url_group: str
    topic: str


class PublishJSONRequest(_JSONOptions, total=False):
    """Options of ``publish_json``: ``body`` is any JSON-serialisable value."""

    url: str
    url_group: str
    topic: str


# One TypedDict per destination kind, so the type checker knows the shape of the answer:
# a URL gets one PublishResponse, a URL group (``topic``) one per endpoint.


class PublishURLRequest(_RawOptions, total=False):
    """``publish`` to a ``url``: answered with one :class:`PublishResponse`."""

    url: Required[str]


class PublishURLGroupRequest(_RawOptions, total=False):
    """``publish`` to a ``url_group``: answered with one result per endpoint."""

    url_group: Required[str]


class PublishTopicRequest(_RawOptions, total=False):
    """``publish`` to a ``topic`` (the old name of a URL group): one result per endpoint."""

    topic: Required[str]


class PublishJSONURLRequest(_JSONOptions, total=False):
    """``publish_json`` to a ``url``."""

    url: Required[str]


class PublishJSONURLGroupRequest(_JSONOptions, total=False):
    """``publish_json`` to a ``url_group``."""

    url_group: Required[str]


class PublishJSONTopicRequest(_JSONOptions, total=False):
    """``publish_json`` to a ``topic``."""

    topic: Required[str]


class EnqueueRequest(PublishRequest, total=False):
    """Options of ``enqueue``: the publish options plus the ``queue`` to append to (required).

    The queue is created with parallelism 1 if it does not exist yet.
    """

    queue: str


class EnqueueJSONRequest(PublishJSONRequest, total=False):
    """Options of ``enqueue_json``: ``queue`` (required) plus a JSON-serialisable ``body``."""

    queue: str


class EnqueueURLRequest(PublishURLRequest, total=False):
    """``enqueue`` to a ``url``."""

    queue: Required[str]


class EnqueueURLGroupRequest(PublishURLGroupRequest, total=False):
    """``enqueue`` to a ``url_group``."""

    queue: Required[str]


class EnqueueJSONURLRequest(PublishJSONURLRequest, total=False):
    """``enqueue_json`` to a ``url``."""

    queue: Required[str]


class EnqueueJSONURLGroupRequest(PublishJSONURLGroupRequest, total=False):
    """``enqueue_json`` to a ``url_group``."""

    queue: Required[str]


class BatchItem(PublishRequest, total=False):
    """One message of ``batch``: publish options, and ``queue`` to enqueue instead."""

    queue: str


class BatchJSONItem(PublishJSONRequest, total=False):
    """One message of ``batch_json``: like :class:`BatchItem` with a JSON ``body``."""

    queue: str


_KNOWN = set(PublishRequest.__annotations__)
_QUEUED = _KNOWN | {"queue"}


def _str_field(options: Mapping[str, Any], name: str) -> str | None:
    value = options.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise RequestValidationError(name, f"must be a non-empty string, got {value!r}")
    return value


def _int_field(options: Mapping[str, Any], name: str) -> int | None:
    return positive_int(options, name, minimum=0)


def _duration_field(options: Mapping[str, Any], name: str) -> str | None:
    value = options.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RequestValidationError(
            name, f"expected seconds or a duration like '10s', got {value!r}"
        )
    try:
        return format_duration(value, field=name)
    except DurationError as exc:
        raise RequestValidationError(name, str(exc)) from None


def url_field(options: Mapping[str, Any], name: str) -> str | None:
    value = _str_field(options, name)
    if value is not None and not value.startswith(("http://", "https://")):
        raise RequestValidationError(name, f"must be an http:// or https:// URL, got {value!r}")
    return value


def _forward(
    headers: Mapping[str, str] | None, prefix: str, field_name: str
) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if headers is None:
        return out
    if not isinstance(headers, Mapping):
        raise RequestValidationError(field_name, "must be a mapping of header names to values")
    for name, value in headers.items():
        if not isinstance(name, str) or not name or not isinstance(value, str):
            raise RequestValidationError(
                field_name, f"header {name!r} must map a name to a string value"
            )
        lower = name.lower()
        if lower.startswith("upstash-") or (
            prefix == "Upstash-Forward-" and lower == "content-type"
        ):
            out.append((name, value))
        else:
            out.append((prefix + name, value))
    return out


def flow_control_headers(value: Any, field_name: str = "flow_control") -> list[tuple[str, str]]:
    if value is None:
        return []
    if not isinstance(value, Mapping):
        raise RequestValidationError(
            field_name, "must be a dict with key and parallelism/rate/period"
        )
    unknown = set(value) - {"key", "parallelism", "rate", "period"}
    if unknown:
        raise RequestValidationError(
            f"{field_name}.{sorted(unknown)[0]}", "unknown flow-control option"
        )
    key = value.get("key")
    if not isinstance(key, str) or not key.strip():
        raise RequestValidationError(f"{field_name}.key", "a non-empty key is required")
    parts: list[str] = []
    for name in ("parallelism", "rate"):
        number = value.get(name)
        if number is not None:
            if isinstance(number, bool) or not isinstance(number, int) or number < 1:
                raise RequestValidationError(
                    f"{field_name}.{name}", f"must be an integer >= 1, got {number!r}"
                )
            parts.append(f"{name}={number}")
    if not parts:
        raise RequestValidationError(field_name, "give parallelism or rate (or both)")
    period = _duration_field(value, "period") if value.get("period") is not None else None
    if period is not None:
        parts.append(f"period={period}")
    return [("Upstash-Flow-Control-Key", key), ("Upstash-Flow-Control-Value", ", ".join(parts))]


def _redact(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise RequestValidationError(
            "redact", "must be a dict like {'body': True, 'header': ['Authorization']}"
        )
    fields: list[str] = []
    if value.get("body"):
        fields.append("body")
    header = value.get("header")
    if header is True:
        fields.append("header")
    elif isinstance(header, list):
        fields.extend(f"header[{name}]" for name in header)
    elif header not in (None, False):
        raise RequestValidationError("redact.header", "must be True or a list of header names")
    return ",".join(fields) or None


def _callback_options(
    options: Mapping[str, Any], field_name: str, prefix: str
) -> list[tuple[str, str]]:
    value = options.get(field_name)
    if value is None:
        return []
    if not isinstance(value, Mapping):
        raise RequestValidationError(field_name, "must be a dict of callback options")
    unknown = sorted(set(value) - set(CallbackOptions.__annotations__))
    if unknown:
        raise RequestValidationError(f"{field_name}.{unknown[0]}", "unknown callback option")
    out: list[tuple[str, str]] = []
    try:
        method = _str_field(value, "method")
        if method is not None:
            method = method.upper()
            if method not in _METHODS:
                raise RequestValidationError("method", f"must be one of {', '.join(_METHODS)}")
            out.append((prefix + "Method", method))
        retries = _int_field(value, "retries")
        if retries is not None:
            out.append((prefix + "Retries", str(retries)))
        retry_delay = _str_field(value, "retry_delay")
        if retry_delay is not None:
            out.append((prefix + "Retry-Delay", retry_delay))
        for name, header in (("timeout", "Timeout"), ("delay", "Delay")):
            duration = _duration_field(value, name)
            if duration is not None:
                out.append((prefix + header, duration))
    except RequestValidationError as exc:
        raise RequestValidationError(f"{field_name}.{exc.field}", exc.reason) from None
    return out


def publish_headers(options: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The ``Upstash-*`` headers of a publish (shared by publish, enqueue, batch, schedules)."""
    headers: list[tuple[str, str]] = []

    def add(name: str, value: str | None) -> None:
        if value is not None:
            headers.append((name, value))

    content_type = _str_field(options, "content_type")
    add("Content-Type", content_type)
    method = _str_field(options, "method")
    if method is not None:
        method = method.upper()
        if method not in _METHODS:
            raise RequestValidationError("method", f"must be one of {', '.join(_METHODS)}")
    add("Upstash-Method", method)
    delay = _duration_field(options, "delay")
    add("Upstash-Delay", delay)
    not_before = _int_field(options, "not_before")
    add("Upstash-Not-Before", None if not_before is None else str(not_before))
    retries = _int_field(options, "retries")
    add("Upstash-Retries", None if retries is None else str(retries))
    add("Upstash-Retry-Delay", _str_field(options, "retry_delay"))
    add("Upstash-Timeout", _duration_field(options, "timeout"))
    add("Upstash-Callback", url_field(options, "callback"))
    add("Upstash-Failure-Callback", url_field(options, "failure_callback"))
    add("Upstash-Deduplication-Id", _str_field(options, "deduplication_id"))
    dedup = options.get("content_based_deduplication")
    if dedup is not None and not isinstance(dedup, bool):
        raise RequestValidationError(
            "content_based_deduplication", f"must be True or False, got {dedup!r}"
        )
    if dedup:
        add("Upstash-Content-Based-Deduplication", "true")
    label = options.get("label")
    if label is not None:
        labels = [label] if isinstance(label, str) else label
        if (
            not isinstance(labels, list)
            or not labels
            or not all(isinstance(x, str) and x.strip() for x in labels)
        ):
            raise RequestValidationError("label", "must be a non-empty string or a list of them")
        add("Upstash-Label", ",".join(labels))
    add("Upstash-Redact-Fields", _redact(options.get("redact")))
    headers += _callback_options(options, "callback_options", "Upstash-Callback-")
    headers += _callback_options(options, "failure_callback_options", "Upstash-Failure-Callback-")
    headers += flow_control_headers(options.get("flow_control"))
    headers += _forward(options.get("headers"), "Upstash-Forward-", "headers")
    headers += _forward(
        options.get("callback_headers"), "Upstash-Callback-Forward-", "callback_headers"
    )
    headers += _forward(
        options.get("failure_callback_headers"),
        "Upstash-Failure-Callback-Forward-",
        "failure_callback_headers",
    )
    return headers


def destination(options: Mapping[str, Any]) -> str:
    url = url_field(options, "url")
    group = _str_field(options, "url_group")
    topic = _str_field(options, "topic")
    if group is not None and topic is not None:
        raise RequestValidationError("url_group", "give url_group or its old name topic, not both")
    group = group or topic
    if url is not None and group is not None:
        raise RequestValidationError("url", "give either url or url_group, not both")
    if url is None and group is None:
        raise RequestValidationError("url", "a destination is required: give url or url_group")
    return url if url is not None else str(group)


def body_bytes(body: Any) -> bytes | None:
    if body is None:
        return None
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    raise RequestValidationError(
        "body", f"must be str or bytes (use publish_json for objects), got {type(body).__name__}"
    )


def json_body(options: Mapping[str, Any]) -> tuple[dict[str, Any], bytes | None]:
    """Options with the JSON body encoded and a JSON content type (without touching the input)."""
    copy = dict(options)
    body = None
    if "body" in copy:
        try:
            body = json.dumps(copy.pop("body")).encode()
        except (TypeError, ValueError) as exc:
            raise RequestValidationError("body", f"is not JSON-serialisable: {exc}") from None
    copy.setdefault("content_type", "application/json")
    return copy, body


def build_publish(options: Mapping[str, Any], *, as_json: bool = False) -> Request:
    check_keys(options, _KNOWN)
    if as_json:
        options, body = json_body(options)
    else:
        body = body_bytes(options.get("body"))
    target = destination(options)
    return Request(
        "POST", f"/v2/publish/{target}", headers=tuple(publish_headers(options)), body=body
    )


def build_enqueue(options: Mapping[str, Any], *, as_json: bool = False) -> Request:
    check_keys(options, _QUEUED)
    queue = segment("queue", options.get("queue"))
    if as_json:
        options, body = json_body(options)
    else:
        body = body_bytes(options.get("body"))
    target = destination(options)
    return Request(
        "POST",
        f"/v2/enqueue/{queue}/{target}",
        headers=tuple(publish_headers(options)),
        body=body,
    )


def _batch_element(item: Mapping[str, Any], as_json: bool) -> dict[str, Any]:
    check_keys(item, _QUEUED)
    if as_json:
        item, body = json_body(item)
    else:
        body = body_bytes(item.get("body"))
    element: dict[str, Any] = {
        "destination": destination(item),
        "headers": dict(publish_headers(item)),
    }
    if body is not None:
        try:
            element["body"] = body.decode("utf-8")
        except UnicodeDecodeError:
            raise RequestValidationError(
                "body", "batch bodies travel as JSON text and must be valid UTF-8"
            ) from None
    if item.get("queue") is not None:
        element["queue"] = require_id("queue", item["queue"])
    return element


def build_batch(items: Sequence[Mapping[str, Any]], *, as_json: bool = False) -> Request:
    """``POST /v2/batch`` with one JSON element per message (the caller's items are untouched)."""
    if isinstance(items, str | bytes) or not isinstance(items, Sequence) or not items:
        raise RequestValidationError("items", "must be a non-empty list of message options")
    payload: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise RequestValidationError(f"items[{index}]", "must be a dict of message options")
        try:
            payload.append(_batch_element(item, as_json))
        except RequestValidationError as exc:
            raise RequestValidationError(f"items[{index}].{exc.field}", exc.reason) from None
    return json_request("POST", "/v2/batch", payload)


def parse_batch(response: Response) -> list[PublishResponse | list[PublishResponse]]:
    return parse_batch_response(response.json())


def parse_publish(response: Response) -> PublishResponse | list[PublishResponse]:
    return parse_publish_response(response.json())
