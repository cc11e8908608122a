"""Building log entries (the objects of ``GET /v2/events`` and ``GET /v2/logs``)."""

from __future__ import annotations

import base64
from typing import Any

from .._wire.states import LOGGED_STATES
from .models import Message, callback_and_label_fields, redacted

__all__ = ["STATES", "log_entry"]

STATES = LOGGED_STATES


def log_entry(msg: Message, state: str, time_ms: int, **extra: Any) -> dict[str, Any]:
    """A log entry for ``msg`` entering ``state`` at ``time_ms``; ``extra`` adds fields."""
    assert state in STATES, state
    entry: dict[str, Any] = {
        "time": time_ms,
        "messageId": msg.id,
        "state": state,
        "url": msg.url,
        "method": msg.method,
        "header": msg.shown_header_map(),
        "maxRetries": msg.max_retries,
        "createdAt": msg.created_at,
        "notBefore": msg.not_before,
    }
    if msg.body:
        # Log bodies are base64; a redacted one is shown as the plain REDACTED:<sha256 hex>.
        if "body" in msg.redact:
            entry["body"] = redacted(msg.body)
        else:
            entry["body"] = base64.b64encode(msg.body).decode()
    optional: dict[str, Any] = {
        "topicName": msg.topic_name,
        "endpointName": msg.endpoint_name,
        "queueName": msg.queue_name,
        "scheduleId": msg.schedule_id,
        "callerIP": msg.caller_ip,
        "retryDelayExpr": msg.retry_delay,
        "retryDelayExpression": msg.retry_delay,
        "flowControlKey": msg.flow_control_key,
        "parallelism": msg.parallelism,
        "rate": msg.rate,
        "period": msg.period,
        "timeout": None if msg.timeout is None else int(msg.timeout * 1000),
    }
    optional.update(
        callback_and_label_fields(
            msg.callback, msg.failure_callback, msg.labels, header_key="callbackHeaders"
        )
    )
    entry.update({k: v for k, v in optional.items() if v is not None})
    entry.update({k: v for k, v in extra.items() if v is not None})
    return entry
