"""``POST /v2/publish/{destination}``."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..errors import ApiError
from ..http import json_response, raw_remainder, read_body
from ..logs import log_entry
from ..models import Message
from ..options import PublishOptions, parse_publish_options
from ..publish import build_message, dedup_key, parse_url_destination
from ..state import ServerState, get_state, user_of
from ..store import lifecycle

routes = web.RouteTableDef()


def split_query(
    pairs: list[tuple[str, str]],
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Separate ``upstash-*`` configuration (and the token) from the destination's own query."""
    config: list[tuple[str, str]] = []
    keep: list[tuple[str, str]] = []
    for name, value in pairs:
        lower = name.lower()
        if lower == "qstash_token":
            continue
        (config if lower.startswith("upstash-") else keep).append((name, value))
    return config, keep


def destination_with_query(path: str, keep: list[tuple[str, str]], request: web.Request) -> str:
    if not keep:
        return path
    raw_query = request.raw_path.partition("?")[2]
    parts = [
        p
        for p in raw_query.split("&")
        if p and not p.lower().startswith(("upstash-", "qstash_token="))
    ]
    return path + "?" + "&".join(parts)


async def store_messages(
    state: ServerState, user: str, batch: list[tuple[Message, str | None]]
) -> list[tuple[str, bool]]:
    """Commit messages (deduplicating) and wake the engine; returns (id, deduplicated) pairs."""
    now_ms = state.engine.now_ms()
    results = await state.store.write(
        lifecycle.publish,
        user,
        batch,
        now_ms,
        now_ms + int(state.settings.dedup_window_seconds * 1000),
        lambda m: log_entry(m, "CREATED", now_ms),
    )
    state.engine.notify()
    return results


def publish_result(message_id: str, url: str | None, deduplicated: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"messageId": message_id}
    if url is not None:
        out["url"] = url
    if deduplicated:
        out["deduplicated"] = True
    return out


async def publish_to(
    request: web.Request,
    state: ServerState,
    destination: str,
    opts: PublishOptions,
    body: bytes,
    *,
    queue_name: str | None = None,
) -> web.Response:
    """Publish ``body`` to a URL destination (URL groups are resolved by ``resolve_group``)."""
    user = user_of(request)
    now = state.clock.now()
    caller_ip = request.remote
    group = None
    if not destination.startswith(("http://", "https://", "http:/", "https:/")):
        group = await resolve_group(state, user, destination)
    if group is None:
        url = parse_url_destination(destination)
        msg = build_message(
            user=user,
            url=url,
            opts=opts,
            body=body,
            now=now,
            settings=state.settings,
            caller_ip=caller_ip,
            queue_name=queue_name,
        )
        [(message_id, dup)] = await store_messages(state, user, [(msg, dedup_key(opts, url, body))])
        return json_response(publish_result(message_id, url, dup), status=202 if dup else 200)
    name, endpoints = group
    batch = []
    for endpoint_name, endpoint_url in endpoints:
        msg = build_message(
            user=user,
            url=endpoint_url,
            opts=opts,
            body=body,
            now=now,
            settings=state.settings,
            caller_ip=caller_ip,
            topic_name=name,
            endpoint_name=endpoint_name,
            queue_name=queue_name,
        )
        key = dedup_key(opts, f"{name}\n{endpoint_url}", body)
        batch.append((msg, key))
    results = await store_messages(state, user, batch)
    items = [
        publish_result(message_id, msg.url, dup)
        for (message_id, dup), (msg, _) in zip(results, batch, strict=True)
    ]
    return json_response(
        items, status=202 if items and all(i.get("deduplicated") for i in items) else 200
    )


async def resolve_group(
    state: ServerState, user: str, name: str
) -> tuple[str, list[tuple[str | None, str]]] | None:
    """A URL group's endpoints as (name, url) pairs; 400 if ``name`` is neither URL nor group."""
    raise ApiError(
        400,
        f"invalid destination {name!r}: endpoint has invalid scheme, add http:// or https:// "
        "(or publish to an existing URL group name)",
    )


@routes.post("/v2/publish/{destination:.*}")
async def publish(request: web.Request) -> web.Response:
    state = get_state(request)
    path, query = raw_remainder(request, "/v2/publish/")
    config, keep = split_query(query)
    opts = parse_publish_options(
        request.headers.items(), max_retries=state.settings.max_retries, extra_config=config
    )
    body = await read_body(request, state.settings.max_body_bytes)
    if not path:
        raise ApiError(400, "missing destination: POST /v2/publish/<url or URL group name>")
    return await publish_to(request, state, destination_with_query(path, keep, request), opts, body)
