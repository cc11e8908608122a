"""``/v2/messages``: read messages that are waiting for delivery."""

from __future__ import annotations

from aiohttp import web

from ..errors import ApiError
from ..http import json_response
from ..state import get_state, user_of
from ..store import messages as message_ops

routes = web.RouteTableDef()


@routes.get("/v2/messages/{message_id}")
async def get_message(request: web.Request) -> web.Response:
    state = get_state(request)
    message_id = request.match_info["message_id"]
    msg = await state.store.read(message_ops.get, user_of(request), message_id)
    if msg is None:
        raise ApiError(
            404, f"message {message_id!r} not found (it may have been delivered already)"
        )
    return json_response(msg.to_json())
