"""Turning a publish (destination + options + body) into stored messages."""

from __future__ import annotations

import hashlib
import json

from .errors import ApiError
from .models import Message, new_id
from .options import PublishOptions
from .settings import Settings

__all__ = ["build_message", "dedup_key", "parse_url_destination"]


def parse_url_destination(raw: str) -> str:
    """Validate an http(s) destination URL taken from the request path."""
    url = raw.strip()
    # Proxies sometimes collapse the double slash of the scheme.
    for scheme in ("http:/", "https:/"):
        if url.startswith(scheme) and not url.startswith(scheme + "/"):
            url = scheme + "/" + url[len(scheme) :]
    if not url.startswith(("http://", "https://")):
        raise ApiError(
            400,
            f"invalid destination url {raw!r}: endpoint has invalid scheme, add http:// or https://",
        )
    host = url.split("://", 1)[1].split("/", 1)[0].split("?", 1)[0]
    if not host or any(c.isspace() for c in url):
        raise ApiError(400, f"invalid destination url {raw!r}: no host name")
    return url


def dedup_key(opts: PublishOptions, destination: str, body: bytes) -> str | None:
    """The deduplication key of a publish, or None when it asks for no deduplication."""
    if opts.dedup_id is not None:
        return "id:" + destination + "\n" + opts.dedup_id
    if opts.content_dedup:
        digest = hashlib.sha256()
        digest.update(destination.encode())
        digest.update(b"\0" + json.dumps(sorted(opts.forward)).encode())
        digest.update(b"\0" + (opts.content_type or "").encode())
        digest.update(b"\0" + body)
        return "content:" + digest.hexdigest()
    return None


def build_message(
    *,
    user: str,
    url: str,
    opts: PublishOptions,
    body: bytes,
    now: float,
    settings: Settings,
    caller_ip: str | None,
    topic_name: str | None = None,
    endpoint_name: str | None = None,
    queue_name: str | None = None,
    schedule_id: str | None = None,
) -> Message:
    now_ms = int(now * 1000)
    if opts.not_before is not None:
        not_before = int(opts.not_before * 1000)
    else:
        if opts.delay > settings.max_delay_seconds:
            raise ApiError(
                400, f"Upstash-Delay exceeds the maximum of {settings.max_delay_seconds:g}s"
            )
        not_before = now_ms + int(opts.delay * 1000)
    headers = list(opts.forward)
    if opts.content_type is not None:
        headers.append(("Content-Type", opts.content_type))
    fc = opts.flow_control
    return Message(
        id=new_id("msg_"),
        user=user,
        url=url,
        method=opts.method,
        headers=headers,
        body=body,
        created_at=now_ms,
        not_before=not_before,
        due_at=max(not_before, now_ms),
        max_retries=settings.default_retries if opts.retries is None else opts.retries,
        retry_delay=opts.retry_delay,
        timeout=opts.timeout,
        callback=opts.callback,
        failure_callback=opts.failure_callback,
        topic_name=topic_name,
        endpoint_name=endpoint_name,
        queue_name=queue_name,
        schedule_id=schedule_id,
        caller_ip=caller_ip,
        labels=list(opts.labels),
        flow_control_key=fc.key if fc else None,
        parallelism=fc.parallelism if fc else None,
        rate=fc.rate if fc else None,
        period=fc.period if fc else None,
        redact=list(opts.redact),
    )
