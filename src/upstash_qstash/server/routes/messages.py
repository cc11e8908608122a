"""``/v2/messages``: read and cancel messages that are waiting for delivery."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..errors import ApiError
from ..http import (
    MessageFilter,
    check_id,
    json_response,
    parse_filter,
    query_int,
    read_optional_json_object,
)
from ..state import get_state, user_of
from ..store import messages as message_ops

routes = web.RouteTableDef()

# Filters of bulk cancel (query parameters, or keys of the legacy JSON body).
_CANCEL_FILTERS = (
    "topicName",
    "queueName",
    "url",
    "host",
    "path",
    "label",
    "flowControlKey",
    "scheduleId",
    "callerIp",
    "callerIP",
    "fromDate",
    "toDate",
)
MAX_CANCEL_COUNT = 500


@routes.get("/v2/messages/{message_id}")
async def get_message(request: web.Request) -> web.Response:
    state = get_state(request)
    message_id = check_id("message id", request.match_info["message_id"])
    msg = await state.store.read(message_ops.get, user_of(request), message_id)
    if msg is None:
        raise ApiError(
            404, f"message {message_id!r} not found (it may have been delivered already)"
        )
    return json_response(msg.to_json())


@routes.delete("/v2/messages/{message_id}")
async def cancel_message(request: web.Request) -> web.Response:
    """Cancel one message: ``{"cancelled": 1}``, or 404 when it is not waiting any more."""
    state = get_state(request)
    message_id = check_id("message id", request.match_info["message_id"])
    cancelled = await state.store.write(
        message_ops.cancel, user_of(request), [message_id], state.engine.now_ms()
    )
    if not cancelled:
        raise ApiError(
            404, f"message {message_id!r} not found (it may have been delivered already)"
        )
    # A cancelled queue head releases the next message: let the engine look now.
    state.engine.notify()
    return json_response({"cancelled": len(cancelled)})


def _cancel_filter(request: web.Request, body: dict[str, Any]) -> MessageFilter:
    pairs: list[tuple[str, Any]] = [
        (name, value)
        for name, value in request.query.items()
        if name not in ("count", "qstash_token")
    ]
    if not pairs:
        # The legacy form: the same keys in a JSON body (query parameters take precedence).
        pairs = [(name, value) for name, value in body.items() if name != "count"]
    return parse_filter(pairs, ids_key="messageIds", allowed=_CANCEL_FILTERS)


@routes.delete("/v2/messages")
async def cancel_messages(request: web.Request) -> web.Response:
    """Bulk cancel by ``messageIds``, by filters, or everything: ``{"cancelled": n}``.

    ``count`` (1-500) caps how many are cancelled in one call; without it every matching
    message is cancelled (what ``cancel_all`` of the official Python client expects).
    """
    state = get_state(request)
    user = user_of(request)
    body = await read_optional_json_object(request)
    count = query_int(request, "count", minimum=1, maximum=MAX_CANCEL_COUNT)
    if count is None and "count" in body:
        raw = body["count"]
        if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= MAX_CANCEL_COUNT:
            raise ApiError(400, f"invalid count {raw!r}: must be between 1 and {MAX_CANCEL_COUNT}")
        count = raw
    filt = _cancel_filter(request, body)
    if filt.ids is not None:
        ids = filt.ids
    else:
        candidates = await state.store.read(message_ops.of_user, user)
        ids = [m.id for m in candidates if filt.matches(m, m.created_at)]
        if count is not None:
            ids = ids[:count]
    cancelled = await state.store.write(message_ops.cancel, user, ids, state.engine.now_ms())
    state.engine.notify()
    return json_response({"cancelled": len(cancelled)})
