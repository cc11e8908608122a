"""``/v2/dlq``: list, read, delete and retry messages whose deliveries failed for good.

Pages run oldest entry first; a cursor is the position of the last entry of the previous
page and is left out on the last page (bulk retry answers ``"cursor": ""`` there instead,
as QStash does).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..errors import ApiError
from ..http import (
    MessageFilter,
    check_id,
    json_response,
    parse_cursor,
    parse_filter,
    query_int,
    read_body,
    read_optional_json_object,
)
from ..logs import log_entry
from ..models import Message, new_id
from ..options import PublishOptions, parse_publish_options
from ..state import ServerState, get_state, user_of
from ..store import dlq as dlq_ops

routes = web.RouteTableDef()

MAX_PAGE = 100
_FILTERS = (
    "messageId",
    "url",
    "topicName",
    "scheduleId",
    "queueName",
    "fromDate",
    "toDate",
    "responseStatus",
    "callerIp",
    "callerIP",
    "label",
    "flowControlKey",
)


def dlq_message_json(dlq_id: str, msg: Message, response: dict[str, Any]) -> dict[str, Any]:
    """A DLQ message: the message fields plus the last failed response."""
    out = msg.to_json()
    out["dlqId"] = dlq_id
    # A connection error or timeout has no status; 0 keeps the key that clients require.
    out["responseStatus"] = response.get("responseStatus") or 0
    for key in ("responseHeader", "responseBody", "responseBodyBase64"):
        if response.get(key) is not None:
            out[key] = response[key]
    if response.get("error"):
        out["error"] = response["error"]
    return out


def _query_filter(request: web.Request, body: dict[str, Any] | None = None) -> MessageFilter:
    pairs: list[tuple[str, Any]] = [
        (name, value)
        for name, value in request.query.items()
        if name not in ("count", "cursor", "qstash_token")
    ]
    if not pairs and body:
        pairs = list(body.items())
    return parse_filter(pairs, ids_key="dlqIds", allowed=_FILTERS)


def _matcher(filt: MessageFilter) -> dlq_ops.Match:
    def match(msg: Message, time_ms: int, status: int | None) -> bool:
        return filt.matches(msg, time_ms, status)

    return match


def _page_args(request: web.Request) -> tuple[int, int | None]:
    count = query_int(request, "count", default=MAX_PAGE, minimum=1, maximum=MAX_PAGE)
    assert count is not None
    return count, parse_cursor(request.query.get("cursor"))


@routes.get("/v2/dlq")
async def list_dlq(request: web.Request) -> web.Response:
    state = get_state(request)
    count, cursor = _page_args(request)
    filt = _query_filter(request)
    entries, next_cursor = await state.store.read(
        dlq_ops.page, user_of(request), filt.ids, _matcher(filt), cursor, count
    )
    out: dict[str, Any] = {
        "messages": [dlq_message_json(dlq_id, msg, resp) for dlq_id, msg, resp in entries]
    }
    if next_cursor is not None:
        out["cursor"] = str(next_cursor)
    return json_response(out)


@routes.get("/v2/dlq/{dlq_id}")
async def get_dlq(request: web.Request) -> web.Response:
    state = get_state(request)
    dlq_id = check_id("dlq id", request.match_info["dlq_id"])
    found = await state.store.read(dlq_ops.get, user_of(request), dlq_id)
    if found is None:
        raise ApiError(404, f"dlq message {dlq_id!r} not found")
    return json_response(dlq_message_json(dlq_id, *found))


@routes.delete("/v2/dlq/{dlq_id}")
async def delete_dlq(request: web.Request) -> web.Response:
    state = get_state(request)
    dlq_id = check_id("dlq id", request.match_info["dlq_id"])
    if not await state.store.write(dlq_ops.delete, user_of(request), dlq_id):
        raise ApiError(404, f"dlq message {dlq_id!r} not found")
    return web.Response(status=200)


@routes.delete("/v2/dlq")
async def delete_many(request: web.Request) -> web.Response:
    """Delete by ``dlqIds`` (query or legacy JSON body) or a page of filtered entries."""
    state = get_state(request)
    body = await read_optional_json_object(request)
    count, cursor = _page_args(request)
    filt = _query_filter(request, body)
    deleted, next_cursor = await state.store.write(
        dlq_ops.delete_page, user_of(request), filt.ids, _matcher(filt), cursor, count
    )
    out: dict[str, Any] = {"deleted": deleted}
    if next_cursor is not None:
        out["cursor"] = str(next_cursor)
    return json_response(out)


# ----------------------------------------------------------------------------- retry


def _overrides(request: web.Request, state: ServerState) -> tuple[PublishOptions, set[str]]:
    """Publish options given as headers on a retry call, and which ones were given."""
    config = [(k, v) for k, v in request.headers.items() if k.lower().startswith("upstash-")]
    opts = parse_publish_options(config, max_retries=state.settings.max_retries)
    return opts, {k.lower() for k, _ in config}


def _retried(old: Message, opts: PublishOptions, given: set[str], now_ms: int) -> Message:
    """A new message with the body and headers of ``old`` and the overrides applied."""
    msg = Message.from_data(old.data(), old.body)
    msg.id = new_id("msg_")
    msg.created_at = now_ms
    msg.retried = 0
    msg.state = "pending"
    msg.dedup_key = None
    if "upstash-retries" in given and opts.retries is not None:
        msg.max_retries = opts.retries
    if "upstash-method" in given:
        msg.method = opts.method
    if "upstash-retry-delay" in given:
        msg.retry_delay = opts.retry_delay
    if "upstash-timeout" in given:
        msg.timeout = opts.timeout
    if "upstash-callback" in given:
        msg.callback = opts.callback
    if "upstash-failure-callback" in given:
        msg.failure_callback = opts.failure_callback
    if "upstash-label" in given:
        msg.labels = list(opts.labels)
    if opts.flow_control is not None:
        fc = opts.flow_control
        msg.flow_control_key, msg.parallelism = fc.key, fc.parallelism
        msg.rate, msg.period = fc.rate, fc.period
    if opts.forward:
        replaced = {name.lower() for name, _ in opts.forward}
        msg.headers = [h for h in msg.headers if h[0].lower() not in replaced] + list(opts.forward)
    if opts.not_before is not None:
        msg.not_before = int(opts.not_before * 1000)
    else:
        msg.not_before = now_ms + int(opts.delay * 1000)
    msg.due_at = max(msg.not_before, now_ms)
    return msg


async def _retry(request: web.Request, state: ServerState, ids: list[str]) -> list[str] | None:
    opts, given = _overrides(request, state)
    now_ms = state.engine.now_ms()
    new_ids = await state.store.write(
        dlq_ops.retry,
        user_of(request),
        ids,
        lambda old: _retried(old, opts, given, now_ms),
        lambda msg: log_entry(msg, "CREATED", now_ms),
    )
    if new_ids:
        state.engine.notify()
    return new_ids


@routes.post("/v2/dlq/retry/{dlq_id}")
async def retry_one(request: web.Request) -> web.Response:
    state = get_state(request)
    dlq_id = check_id("dlq id", request.match_info["dlq_id"])
    await read_body(request, state.settings.max_body_bytes)
    new_ids = await _retry(request, state, [dlq_id])
    if new_ids is None:
        raise ApiError(404, f"dlq message {dlq_id!r} not found")
    return json_response({"messageId": new_ids[0]}, status=201)


@routes.post("/v2/dlq/retry")
async def retry_many(request: web.Request) -> web.Response:
    """Retry ``dlqIds`` (404 if any is unknown) or a page of filtered entries."""
    state = get_state(request)
    user = user_of(request)
    body = await read_optional_json_object(request)
    count, cursor = _page_args(request)
    filt = _query_filter(request, body)
    next_cursor: int | None = None
    if filt.ids is not None:
        ids = list(dict.fromkeys(filt.ids))
    else:
        entries, next_cursor = await state.store.read(
            dlq_ops.page, user, None, _matcher(filt), cursor, count
        )
        ids = [dlq_id for dlq_id, _, _ in entries]
    new_ids = await _retry(request, state, ids)
    if new_ids is None:
        raise ApiError(404, "some of the dlq messages were not found; nothing was retried")
    return json_response(
        {
            "cursor": "" if next_cursor is None else str(next_cursor),
            "responses": [{"messageId": message_id} for message_id in new_ids],
        },
        status=201,
    )
