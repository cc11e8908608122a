"""``/v2/keys``: the signing keys of the caller."""

from __future__ import annotations

from aiohttp import web

from ..http import json_response
from ..state import get_state, user_of

routes = web.RouteTableDef()


@routes.get("/v2/keys")
async def get_keys(request: web.Request) -> web.Response:
    current, next_key = await get_state(request).engine.signing_keys(user_of(request))
    return json_response({"current": current, "next": next_key})


@routes.post("/v2/keys/rotate")
async def rotate_keys(request: web.Request) -> web.Response:
    current, next_key = await get_state(request).engine.rotate_keys(user_of(request))
    return json_response({"current": current, "next": next_key})
