"""``POST /v2/batch``: many publishes (and enqueues) in one request and one transaction.

The whole batch is checked before anything is stored: a malformed item, a bad header
value or an unknown URL group makes the request fail with a 4xx whose message names the
item (``batch item 2: ...``), and nothing is stored. So there is no per-item error
element: a 200 answer always holds one result per item, in the request's order (an
array of ``{messageId, url}`` for an item sent to a URL group).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..errors import ApiError
from ..http import json_response, read_json
from ..options import check_name, parse_publish_options
from ..state import get_state, user_of
from .publish import Planned, plan_messages, result_json, store_messages

routes = web.RouteTableDef()

_KEYS = {"destination", "headers", "body", "queue"}


def _item(index: int, raw: Any) -> tuple[str, list[tuple[str, str]], bytes, str | None]:
    where = f"batch item {index}"
    if not isinstance(raw, dict):
        raise ApiError(400, f"{where}: must be an object with destination, headers, body, queue")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise ApiError(400, f"{where}: unknown field(s) {', '.join(unknown)}")
    destination = raw.get("destination")
    if not isinstance(destination, str) or not destination.strip():
        raise ApiError(400, f"{where}: destination is required (a URL or a URL group name)")
    headers = raw.get("headers") or {}
    if not isinstance(headers, dict):
        raise ApiError(400, f"{where}: headers must be an object of header name to string")
    pairs: list[tuple[str, str]] = []
    for name, value in headers.items():
        if not isinstance(value, str):
            raise ApiError(400, f"{where}: header {name!r} must have a string value")
        pairs.append((name, value))
    body = raw.get("body")
    if body is not None and not isinstance(body, str):
        raise ApiError(400, f"{where}: body must be a string (or null)")
    queue = raw.get("queue")
    if queue is not None:
        if not isinstance(queue, str) or not queue:
            raise ApiError(400, f"{where}: queue must be a queue name (or null)")
        try:
            check_name("queue name", queue)
        except ApiError as exc:
            raise ApiError(400, f"{where}: {exc.message}") from None
    return destination.strip(), pairs, (body or "").encode(), queue


@routes.post("/v2/batch")
async def batch(request: web.Request) -> web.Response:
    state = get_state(request)
    user = user_of(request)
    data = await read_json(request, state.settings.max_batch_bytes)
    if not isinstance(data, list):
        raise ApiError(400, "request body must be a JSON array of messages")
    if not data:
        raise ApiError(400, "batch must contain at least one message")
    plans: list[tuple[bool, list[Planned]]] = []
    for index, raw in enumerate(data):
        destination, headers, body, queue = _item(index, raw)
        if len(body) > state.settings.max_body_bytes:
            raise ApiError(
                412,
                f"batch item {index}: body of {len(body)} bytes exceeds the maximum of "
                f"{state.settings.max_body_bytes} bytes",
            )
        try:
            opts = parse_publish_options(headers, max_retries=state.settings.max_retries)
            plans.append(
                await plan_messages(
                    state,
                    user,
                    destination,
                    opts,
                    body,
                    caller_ip=request.remote,
                    queue_name=queue,
                )
            )
        except ApiError as exc:
            raise ApiError(exc.status, f"batch item {index}: {exc.message}") from None
    everything = [planned for _, planned_list in plans for planned in planned_list]
    results = await store_messages(state, user, everything)
    out: list[Any] = []
    start = 0
    for is_group, planned in plans:
        mine = results[start : start + len(planned)]
        start += len(planned)
        out.append(result_json(is_group, planned, mine))
    return json_response(out)
