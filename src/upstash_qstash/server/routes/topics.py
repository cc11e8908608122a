"""``/v2/topics``: URL groups (named endpoint lists a publish fans out to).

``PATCH /v2/topics/{name}`` (default publish headers of a group) is not implemented: its
shape is documented only loosely and no official client sends it; the server answers 405.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..errors import ApiError
from ..http import json_response, ok, read_json
from ..options import check_name
from ..publish import parse_url_destination
from ..state import get_state, user_of
from ..store import topics as topic_ops

routes = web.RouteTableDef()


def _endpoint_list(data: Any) -> list[dict[str, Any]]:
    if not isinstance(data, dict) or not isinstance(data.get("endpoints"), list):
        raise ApiError(
            400, 'request body must be a JSON object like {"endpoints": [{"url": "https://..."}]}'
        )
    items: list[dict[str, Any]] = data["endpoints"]
    if not items:
        raise ApiError(400, "endpoints must not be empty")
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise ApiError(400, f"endpoints[{index}] must be an object with url and/or name")
        for key in ("url", "name"):
            value = item.get(key)
            if value is not None and not isinstance(value, str):
                raise ApiError(400, f"endpoints[{index}].{key} must be a string")
    return items


def _endpoint_name(index: int, item: dict[str, Any]) -> str | None:
    name = item.get("name")
    if name is None or name == "":
        return None
    assert isinstance(name, str)
    return check_name(f"endpoints[{index}].name", name)


def _endpoint_url(index: int, item: dict[str, Any]) -> str:
    url = item.get("url")
    if not url:
        raise ApiError(400, f"endpoints[{index}].url is required")
    assert isinstance(url, str)
    try:
        return parse_url_destination(url)
    except ApiError as exc:
        raise ApiError(400, f"endpoints[{index}].url: {exc.message}") from None


@routes.post("/v2/topics/{name}/endpoints")
async def upsert_endpoints(request: web.Request) -> web.Response:
    state = get_state(request)
    name = check_name("URL group name", request.match_info["name"])
    items = _endpoint_list(await read_json(request))
    endpoints = [(_endpoint_name(i, item), _endpoint_url(i, item)) for i, item in enumerate(items)]
    await state.store.write(
        topic_ops.upsert_endpoints, user_of(request), name, endpoints, state.engine.now_ms()
    )
    return ok()


@routes.delete("/v2/topics/{name}/endpoints")
async def remove_endpoints(request: web.Request) -> web.Response:
    state = get_state(request)
    name = check_name("URL group name", request.match_info["name"])
    items = _endpoint_list(await read_json(request))
    selectors: list[tuple[str | None, str | None]] = []
    for index, item in enumerate(items):
        endpoint_name = item.get("name") or None
        url = item.get("url") or None
        if endpoint_name is None and url is None:
            raise ApiError(400, f"endpoints[{index}] needs a url or a name")
        selectors.append((endpoint_name, url))
    try:
        outcome = await state.store.write(
            topic_ops.remove_endpoints, user_of(request), name, selectors, state.engine.now_ms()
        )
    except topic_ops.UnknownEndpoint as exc:
        raise ApiError(404, f"{exc}; nothing was removed") from None
    if outcome is None:
        raise ApiError(404, f"URL group {name!r} not found")
    return ok()


@routes.get("/v2/topics")
async def list_topics(request: web.Request) -> web.Response:
    state = get_state(request)
    return json_response(await state.store.read(topic_ops.list_all, user_of(request)))


@routes.get("/v2/topics/{name}")
async def get_topic(request: web.Request) -> web.Response:
    state = get_state(request)
    name = check_name("URL group name", request.match_info["name"])
    group = await state.store.read(topic_ops.get, user_of(request), name)
    if group is None:
        raise ApiError(404, f"URL group {name!r} not found")
    return json_response(group)


@routes.delete("/v2/topics/{name}")
async def delete_topic(request: web.Request) -> web.Response:
    state = get_state(request)
    name = check_name("URL group name", request.match_info["name"])
    if not await state.store.write(topic_ops.delete, user_of(request), name):
        raise ApiError(404, f"URL group {name!r} not found")
    return ok()
