"""Callbacks and failure callbacks: a new message carrying the outcome of a delivery.

When callbacks fire (our choice where the docs leave it open):

* ``Upstash-Callback``: once after the successful delivery, and once after the final
  failed attempt (retries exhausted or a non-retryable 489). Failed attempts that are
  retried later do not call it, so the receiver sees exactly one callback per message.
* ``Upstash-Failure-Callback``: once after the final failed attempt, with ``dlqId``.

Each callback is an ordinary message (own id, retries, logs, DLQ) published to the
callback URL with the callback's own configuration (``Upstash-Callback-Method``,
``-Retries`` (default: the source message's retries), ``-Timeout``, ``-Retry-Delay``,
``-Delay``, ``-Forward-*``), a JSON body and ``Content-Type: application/json``; it is
signed like any delivery, so the token's ``sub`` is the callback URL.

Body (timestamps in ms as numbers, header maps as ``{"Name": ["value"]}``, bodies in
base64): ``status`` (0 when no HTTP answer came: connection error or timeout, with
``error`` saying why), ``header``, ``body``, ``retried``, ``maxRetries``,
``sourceMessageId``, ``url``, ``method``, ``sourceHeader``, ``sourceBody``, ``notBefore``,
``createdAt``, and when set ``topicName``, ``endpointName``, ``scheduleId``,
``queueName``, ``callerIP``; failure callbacks add ``dlqId``. The source's original body
and headers are sent even if they were redacted; the callback message then redacts its
own body in the API.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from typing import TYPE_CHECKING, Any

from .._wire.headers import header_map
from .delivery import DeliveryResult
from .logs import log_entry
from .models import CallbackConfig, Message, new_id
from .store import lifecycle

if TYPE_CHECKING:
    from .app import Server

__all__ = ["callback_body", "callback_message", "install"]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def callback_body(
    msg: Message, result: DeliveryResult, dlq_id: str | None = None
) -> dict[str, Any]:
    """The JSON a callback or failure callback receives about ``msg``'s last attempt."""
    body: dict[str, Any] = {
        "status": result.status if result.status is not None else 0,
        "header": header_map(result.headers),
        "body": _b64(result.body),
        "retried": msg.retried,
        "maxRetries": msg.max_retries,
        "sourceMessageId": msg.id,
        "url": msg.url,
        "method": msg.method,
        "sourceHeader": msg.header_map(),
        "sourceBody": _b64(msg.body),
        "notBefore": msg.not_before,
        "createdAt": msg.created_at,
    }
    optional = {
        "topicName": msg.topic_name,
        "endpointName": msg.endpoint_name,
        "scheduleId": msg.schedule_id,
        "queueName": msg.queue_name,
        "callerIP": msg.caller_ip,
        "error": result.error,
        "dlqId": dlq_id,
    }
    body.update({k: v for k, v in optional.items() if v is not None})
    return body


def callback_message(
    msg: Message, cfg: CallbackConfig, payload: dict[str, Any], now_ms: int
) -> Message:
    """The message that delivers ``payload`` to the callback described by ``cfg``."""
    headers = list(cfg.headers)
    if not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("Content-Type", "application/json"))
    not_before = now_ms + int((cfg.delay or 0.0) * 1000)
    return Message(
        id=new_id("msg_"),
        user=msg.user,
        url=cfg.url,
        method=cfg.method,
        headers=headers,
        body=json.dumps(payload, separators=(",", ":")).encode(),
        created_at=now_ms,
        not_before=not_before,
        due_at=not_before,
        max_retries=msg.max_retries if cfg.retries is None else cfg.retries,
        retry_delay=cfg.retry_delay,
        timeout=cfg.timeout,
        labels=list(msg.labels),
        redact=["body"] if msg.redact else [],
        origin=msg.id,
    )


def install(server: Server) -> None:
    """Store callback messages, in the transaction that settles the source message for good."""

    def on_settled(
        conn: sqlite3.Connection,
        msg: Message,
        result: DeliveryResult,
        outcome: str,
        info: dict[str, Any],
    ) -> None:
        if outcome not in ("DELIVERED", "FAILED"):
            return
        now_ms: int = info["now_ms"]
        created: list[Message] = []
        if msg.callback is not None:
            created.append(callback_message(msg, msg.callback, callback_body(msg, result), now_ms))
        if outcome == "FAILED" and msg.failure_callback is not None:
            payload = callback_body(msg, result, dlq_id=info.get("dlqId"))
            created.append(callback_message(msg, msg.failure_callback, payload, now_ms))
        if created:
            lifecycle.publish(
                conn,
                msg.user,
                [(m, None) for m in created],
                now_ms,
                now_ms,
                lambda m: log_entry(m, "CREATED", now_ms),
            )

    server.engine.on_settled.append(on_settled)
