"""Routes of ``/v2/flowControl`` and ``/v2/globalParallelism`` (spec section 12.3).

Management calls on a key nobody has used yet create it, so a test can pause or pin a key
before publishing to it; ``GET`` of a key that neither the API nor any stored message has
seen answers 404.
"""

from __future__ import annotations

from aiohttp import web

from ..._wire.headers import parse_bool
from ..errors import ApiError
from ..http import json_response, ok, query_int
from ..options import MAX_FLOW_PERIOD
from ..state import ServerState, get_state, user_of
from ..store import flow_control as fc_ops

routes = web.RouteTableDef()

_MAX_KEY_LENGTH = 512


def _key(request: web.Request) -> str:
    key = request.match_info["key"]
    if not key.strip():
        raise ApiError(400, "missing flow-control key: use /v2/flowControl/<key>")
    if not key.isprintable():
        raise ApiError(400, "invalid flow-control key: it contains control characters")
    if len(key) > _MAX_KEY_LENGTH:
        raise ApiError(400, f"flow-control key is longer than {_MAX_KEY_LENGTH} characters")
    return key


def _wake(state: ServerState) -> None:
    state.engine.notify()


@routes.get("/v2/flowControl")
@routes.get("/v2/flowControl/")
async def list_keys(request: web.Request) -> web.Response:
    state = get_state(request)
    search = request.query.get("search") or None
    keys = await state.store.write(
        fc_ops.list_keys, user_of(request), search, state.engine.now_ms()
    )
    return json_response(keys)


@routes.get("/v2/flowControl/{key}")
async def get_key(request: web.Request) -> web.Response:
    state = get_state(request)
    key = _key(request)
    info = await state.store.write(fc_ops.get, user_of(request), key, state.engine.now_ms())
    if info is None:
        raise ApiError(404, f"flow-control key {key!r} not found")
    return json_response(info)


@routes.post("/v2/flowControl/{key}/pause")
async def pause(request: web.Request) -> web.Response:
    state = get_state(request)
    await state.store.write(
        fc_ops.set_paused, user_of(request), _key(request), True, state.engine.now_ms()
    )
    return ok()


@routes.post("/v2/flowControl/{key}/resume")
async def resume(request: web.Request) -> web.Response:
    state = get_state(request)
    await state.store.write(
        fc_ops.set_paused, user_of(request), _key(request), False, state.engine.now_ms()
    )
    _wake(state)
    return ok()


@routes.post("/v2/flowControl/{key}/pin")
async def pin(request: web.Request) -> web.Response:
    state = get_state(request)
    key = _key(request)
    parallelism = query_int(request, "parallelism", minimum=1)
    rate = query_int(request, "rate", minimum=1)
    period = query_int(request, "period", minimum=1, maximum=MAX_FLOW_PERIOD)
    if parallelism is None and rate is None and period is None:
        raise ApiError(
            400, "pin needs at least one of the query parameters parallelism, rate and period"
        )
    await state.store.write(
        fc_ops.pin, user_of(request), key, state.engine.now_ms(), parallelism, rate, period
    )
    _wake(state)
    return ok()


def _flag(request: web.Request, name: str) -> bool:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return False
    try:
        return parse_bool(raw)
    except ValueError:
        raise ApiError(400, f"invalid {name} {raw!r}: expected true or false") from None


@routes.post("/v2/flowControl/{key}/unpin")
async def unpin(request: web.Request) -> web.Response:
    state = get_state(request)
    key = _key(request)
    parallelism = _flag(request, "parallelism")
    rate = _flag(request, "rate")
    await state.store.write(
        fc_ops.unpin, user_of(request), key, state.engine.now_ms(), parallelism, rate
    )
    _wake(state)
    return ok()


@routes.post("/v2/flowControl/{key}/resetRate")
async def reset_rate(request: web.Request) -> web.Response:
    state = get_state(request)
    await state.store.write(
        fc_ops.reset_rate, user_of(request), _key(request), state.engine.now_ms()
    )
    _wake(state)
    return ok()


@routes.get("/v2/globalParallelism")
async def global_parallelism(request: web.Request) -> web.Response:
    state = get_state(request)
    count = await state.store.read(fc_ops.global_parallelism, user_of(request))
    return json_response(
        {"parallelismMax": state.settings.max_in_flight, "parallelismCount": count}
    )
