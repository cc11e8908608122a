"""Records the server keeps: messages waiting for delivery, log events, DLQ entries."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import asdict, dataclass, field
from typing import Any

from .._wire.headers import HeaderMap, header_map

__all__ = ["CallbackConfig", "Message", "encode_body_fields", "new_id", "redacted"]

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def new_id(prefix: str, length: int = 24) -> str:
    """``prefix`` + ``length`` random base58 characters, from one read of the OS's randomness."""
    number = int.from_bytes(secrets.token_bytes(length), "big")  # 8 bits >= log2(58) per char
    chars = []
    for _ in range(length):
        number, digit = divmod(number, 58)
        chars.append(_ALPHABET[digit])
    return prefix + "".join(chars)


def encode_body_fields(body: bytes) -> dict[str, str]:
    """``{"body": text}`` for UTF-8 bodies, ``{"bodyBase64": ...}`` otherwise, ``{}`` if empty."""
    if not body:
        return {}
    try:
        return {"body": body.decode("utf-8")}
    except UnicodeDecodeError:
        return {"bodyBase64": base64.b64encode(body).decode()}


def redacted(value: bytes | str) -> str:
    """What the API shows instead of a redacted value: ``REDACTED:<sha256 hex>``.

    The digest is the lowercase hex SHA-256 of the original bytes (UTF-8 for header
    values), so equal values can still be recognised without being shown.
    """
    raw = value.encode() if isinstance(value, str) else value
    return "REDACTED:" + hashlib.sha256(raw).hexdigest()


def callback_and_label_fields(
    callback: CallbackConfig | None,
    failure_callback: CallbackConfig | None,
    labels: list[str],
    *,
    header_key: str,
) -> dict[str, Any]:
    """The callback URLs, their forwarded-header maps and the labels, as message, log and
    schedule JSON show them (``header_key``: ``callbackHeader`` or the log's
    ``callbackHeaders``; the failure callback's key is derived from it)."""
    out: dict[str, Any] = {}
    for prefix, cb in (("callback", callback), ("failureCallback", failure_callback)):
        if cb is None:
            continue
        out[prefix] = cb.url
        if cb.headers:
            key = header_key if prefix == "callback" else "failureC" + header_key[1:]
            out[key] = header_map(cb.headers)
    if labels:
        out["label"] = labels[0]
        out["labels"] = list(labels)
    return out


@dataclass(slots=True)
class CallbackConfig:
    """How the message created for a callback or failure callback is published."""

    url: str
    method: str = "POST"
    retries: int | None = None
    timeout: float | None = None
    retry_delay: str | None = None
    delay: float | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class Message:
    """A message as stored: everything needed to deliver it, retry it and report on it."""

    id: str
    user: str
    url: str
    method: str
    headers: list[tuple[str, str]]
    body: bytes
    created_at: int
    not_before: int
    due_at: int
    max_retries: int
    retried: int = 0
    state: str = "pending"
    retry_delay: str | None = None
    timeout: float | None = None
    callback: CallbackConfig | None = None
    failure_callback: CallbackConfig | None = None
    topic_name: str | None = None
    endpoint_name: str | None = None
    queue_name: str | None = None
    schedule_id: str | None = None
    caller_ip: str | None = None
    labels: list[str] = field(default_factory=list)
    flow_control_key: str | None = None
    parallelism: int | None = None
    rate: int | None = None
    period: int | None = None
    dedup_key: str | None = None
    redact: list[str] = field(default_factory=list)
    # Set on callback messages: the JSON body is built from the source message's outcome.
    origin: str | None = None

    def data(self) -> dict[str, Any]:
        """Everything but the body, as JSON-able data (for the store)."""
        out = asdict(self)
        del out["body"]
        return out

    @classmethod
    def from_data(cls, data: dict[str, Any], body: bytes) -> Message:
        values = dict(data)
        values["headers"] = [tuple(h) for h in values["headers"]]
        for key in ("callback", "failure_callback"):
            if values.get(key) is not None:
                cb = dict(values[key])
                cb["headers"] = [tuple(h) for h in cb["headers"]]
                values[key] = CallbackConfig(**cb)
        return cls(body=body, **values)

    def header_map(self) -> HeaderMap:
        return header_map(self.headers)

    def shown_header_map(self) -> HeaderMap:
        """The header map as the API shows it: values of redacted headers hashed."""
        if not self.redact:
            return self.header_map()
        every = "header" in self.redact
        names = {f[len("header[") : -1].lower() for f in self.redact if f.startswith("header[")}
        return header_map(
            (name, redacted(value) if every or name.lower() in names else value)
            for name, value in self.headers
        )

    def shown_body_fields(self) -> dict[str, str]:
        """``body``/``bodyBase64`` as the API shows them (``REDACTED:...`` if redacted)."""
        if self.body and "body" in self.redact:
            return {"body": redacted(self.body)}
        return encode_body_fields(self.body)

    def to_json(self) -> dict[str, Any]:
        """The Message object of ``GET /v2/messages/{id}``."""
        out: dict[str, Any] = {
            "messageId": self.id,
            "url": self.url,
            "method": self.method,
            "header": self.shown_header_map(),
            "maxRetries": self.max_retries,
            "notBefore": self.not_before,
            "createdAt": self.created_at,
            **self.shown_body_fields(),
        }
        optional: dict[str, Any] = {
            "topicName": self.topic_name,
            "endpointName": self.endpoint_name,
            "queueName": self.queue_name,
            "scheduleId": self.schedule_id,
            "callerIP": self.caller_ip,
            "retryDelayExpression": self.retry_delay,
            "flowControlKey": self.flow_control_key,
            "parallelism": self.parallelism,
            "rate": self.rate,
            "period": self.period,
        }
        if self.timeout is not None:
            optional["timeout"] = int(self.timeout)
        optional.update(
            callback_and_label_fields(
                self.callback, self.failure_callback, self.labels, header_key="callbackHeader"
            )
        )
        out.update({k: v for k, v in optional.items() if v is not None})
        return out
