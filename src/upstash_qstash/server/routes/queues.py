"""``/v2/queues``: create/update, read, delete, pause and resume queues."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..errors import ApiError
from ..http import MAX_SAFE_INT, json_response, ok, read_json
from ..options import check_name
from ..state import ServerState, get_state, user_of
from ..store import queues as queue_ops

routes = web.RouteTableDef()


def _upsert_fields(data: Any) -> tuple[str, int, bool]:
    if not isinstance(data, dict):
        raise ApiError(
            400,
            'request body must be a JSON object like {"queueName": "q", "parallelism": 1, '
            '"paused": false}',
        )
    name = data.get("queueName")
    if not isinstance(name, str) or not name:
        raise ApiError(400, "queueName is required and must be a non-empty string")
    check_name("queue name", name)
    parallelism = data.get("parallelism")
    if parallelism is None:
        parallelism = queue_ops.DEFAULT_PARALLELISM
    if (
        isinstance(parallelism, bool)
        or not isinstance(parallelism, int)
        or not 1 <= parallelism <= MAX_SAFE_INT
    ):
        raise ApiError(
            400, f"invalid parallelism {parallelism!r}: must be an integer from 1 to {MAX_SAFE_INT}"
        )
    paused = data.get("paused")
    if paused is None:
        paused = False
    if not isinstance(paused, bool):
        raise ApiError(400, f"invalid paused {paused!r}: must be true or false")
    return name, parallelism, paused


async def _upsert(request: web.Request) -> web.Response:
    state = get_state(request)
    name, parallelism, paused = _upsert_fields(await read_json(request))
    await state.store.write(
        queue_ops.upsert, user_of(request), name, parallelism, paused, state.engine.now_ms()
    )
    state.engine.notify()
    return ok()


routes.post("/v2/queues")(_upsert)
routes.post("/v2/queues/")(_upsert)


@routes.get("/v2/queues")
async def list_queues(request: web.Request) -> web.Response:
    state = get_state(request)
    return json_response(await state.store.read(queue_ops.list_all, user_of(request)))


def _name(request: web.Request) -> str:
    return check_name("queue name", request.match_info["name"])


@routes.get("/v2/queues/{name}")
async def get_queue(request: web.Request) -> web.Response:
    state = get_state(request)
    name = _name(request)
    queue = await state.store.read(queue_ops.get, user_of(request), name)
    if queue is None:
        raise ApiError(404, f"queue {name!r} not found")
    return json_response(queue)


@routes.delete("/v2/queues/{name}")
async def delete_queue(request: web.Request) -> web.Response:
    state = get_state(request)
    await state.store.write(queue_ops.delete, user_of(request), _name(request))
    state.engine.notify()
    return ok()


async def _set_paused(request: web.Request, state: ServerState, paused: bool) -> web.Response:
    name = _name(request)
    found = await state.store.write(
        queue_ops.set_paused, user_of(request), name, paused, state.engine.now_ms()
    )
    if not found:
        raise ApiError(404, f"queue {name!r} not found")
    state.engine.notify()
    return ok()


@routes.post("/v2/queues/{name}/pause")
async def pause_queue(request: web.Request) -> web.Response:
    return await _set_paused(request, get_state(request), True)


@routes.post("/v2/queues/{name}/resume")
async def resume_queue(request: web.Request) -> web.Response:
    return await _set_paused(request, get_state(request), False)
