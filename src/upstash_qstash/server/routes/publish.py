"""``POST /v2/publish/{destination}`` and ``POST /v2/enqueue/{queue}/{destination}``."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..errors import ApiError
from ..http import json_response, raw_remainder, read_body
from ..logs import log_entry
from ..models import Message
from ..options import NAME_RE, PublishOptions, check_name, parse_publish_options
from ..publish import build_message, dedup_key, parse_url_destination
from ..state import ServerState, get_state, user_of
from ..store import lifecycle
from ..store import topics as topic_ops

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


Planned = tuple[Message, str | None]


async def plan_messages(
    state: ServerState,
    user: str,
    destination: str,
    opts: PublishOptions,
    body: bytes,
    *,
    caller_ip: str | None,
    queue_name: str | None = None,
    now: float | None = None,
    schedule_id: str | None = None,
) -> tuple[bool, list[Planned]]:
    """The messages a publish creates (one, or one per endpoint of a URL group).

    Returns whether the destination was a URL group, and each message with its dedup key.
    Raises :class:`ApiError` for an unusable destination; stores nothing. ``now`` (default:
    the clock) is the creation time; schedules pass the slot time and their id.
    """
    common: dict[str, Any] = {
        "user": user,
        "opts": opts,
        "body": body,
        "now": state.clock.now() if now is None else now,
        "settings": state.settings,
        "caller_ip": caller_ip,
        "queue_name": queue_name,
        "schedule_id": schedule_id,
    }
    if destination.startswith(("http://", "https://", "http:/", "https:/")):
        url = parse_url_destination(destination)
        return False, [(build_message(url=url, **common), dedup_key(opts, url, body))]
    name, endpoints = await resolve_group(state, user, destination)
    return True, [
        (
            build_message(url=url, topic_name=name, endpoint_name=endpoint, **common),
            dedup_key(opts, f"{name}\n{url}", body),
        )
        for endpoint, url in endpoints
    ]


def result_json(
    is_group: bool, planned: list[Planned], results: list[tuple[str, bool]]
) -> dict[str, Any] | list[dict[str, Any]]:
    """The publish response: an object for a URL, a bare array for a URL group."""
    items = [
        publish_result(message_id, msg.url, dup)
        for (message_id, dup), (msg, _) in zip(results, planned, strict=True)
    ]
    return items if is_group else items[0]


def all_deduplicated(results: list[tuple[str, bool]]) -> bool:
    return bool(results) and all(dup for _, dup in results)


async def publish_to(
    request: web.Request,
    state: ServerState,
    destination: str,
    opts: PublishOptions,
    body: bytes,
    *,
    queue_name: str | None = None,
) -> web.Response:
    """Publish ``body`` to a URL or a URL group (fanning out), optionally into a queue."""
    user = user_of(request)
    is_group, planned = await plan_messages(
        state, user, destination, opts, body, caller_ip=request.remote, queue_name=queue_name
    )
    results = await store_messages(state, user, planned)
    return json_response(
        result_json(is_group, planned, results),
        status=202 if all_deduplicated(results) else 200,
    )


async def resolve_group(
    state: ServerState, user: str, name: str
) -> tuple[str, list[tuple[str | None, str]]]:
    """A URL group's endpoints as (name, url) pairs.

    A destination that cannot be a group name (it has characters other than letters,
    digits, ``.``, ``_`` and ``-``) is a URL without a usable scheme: 400. A valid group
    name that names no group of this user: 404.
    """
    if not NAME_RE.fullmatch(name):
        raise ApiError(
            400,
            f"invalid destination url {name!r}: endpoint has invalid scheme, add http:// or "
            "https:// (or publish to the name of an existing URL group)",
        )
    endpoints = await state.store.read(topic_ops.endpoints, user, name)
    if not endpoints:
        raise ApiError(
            404,
            f"URL group {name!r} not found; create it with POST /v2/topics/{name}/endpoints, "
            "or give a URL starting with http:// or https://",
        )
    return name, endpoints


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


@routes.post("/v2/enqueue/{queue}/{destination:.*}")
async def enqueue(request: web.Request) -> web.Response:
    """Publish into a queue (created with parallelism 1 if it does not exist)."""
    state = get_state(request)
    path, query = raw_remainder(request, "/v2/enqueue/")
    raw_queue, _, path = path.partition("/")
    queue_name = check_name("queue name", raw_queue)
    config, keep = split_query(query)
    opts = parse_publish_options(
        request.headers.items(), max_retries=state.settings.max_retries, extra_config=config
    )
    body = await read_body(request, state.settings.max_body_bytes)
    if not path:
        raise ApiError(400, "missing destination: POST /v2/enqueue/<queue>/<url or URL group name>")
    return await publish_to(
        request,
        state,
        destination_with_query(path, keep, request),
        opts,
        body,
        queue_name=queue_name,
    )
