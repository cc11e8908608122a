"""``GET /v2/events`` and ``GET /v2/logs``: the message log, newest first, paged by cursor."""

from __future__ import annotations

from aiohttp import web

from ..errors import ApiError
from ..http import json_response, parse_cursor, query_int, query_values
from ..logs import STATES
from ..state import get_state, user_of
from ..store import events as event_ops

routes = web.RouteTableDef()

_FILTERS = {
    "messageId": "message_id",
    "messageIds": "message_id",
    "url": "url",
    "topicName": "topic_name",
    "queueName": "queue_name",
    "scheduleId": "schedule_id",
    "flowControlKey": "flow_control_key",
    "callerIp": "caller_ip",
    "callerIP": "caller_ip",
}
_IN_PROGRESS = ["ACTIVE", "RETRY", "ERROR"]


def _query(request: web.Request) -> event_ops.EventQuery:
    q = event_ops.EventQuery()
    for param, column in _FILTERS.items():
        values = query_values(request, param)
        if param in request.query and not values:
            raise ApiError(400, f"invalid {param}: the value must not be empty")
        if values:
            q.columns.setdefault(column, []).extend(values)
    states: list[str] = []
    for state in query_values(request, "state"):
        upper = state.upper()
        if upper == "IN_PROGRESS":
            states.extend(_IN_PROGRESS)
        elif upper == "CANCELLED":
            states.append("CANCELED")
        elif upper in STATES:
            states.append(upper)
        else:
            raise ApiError(
                400, f"invalid state {state!r}: use one of {', '.join(STATES)} or IN_PROGRESS"
            )
    if states:
        q.columns["state"] = states
    q.labels = query_values(request, "label")
    q.hosts = query_values(request, "host")
    q.paths = query_values(request, "path")
    q.from_time = query_int(request, "fromDate")
    q.to_time = query_int(request, "toDate")
    q.count = query_int(request, "count", default=100, minimum=1, maximum=1000) or 100
    order = request.query.get("order", "latestFirst")
    if order not in ("latestFirst", "earliestFirst"):
        raise ApiError(400, f"invalid order {order!r}: use latestFirst or earliestFirst")
    q.latest_first = order == "latestFirst"
    position = parse_cursor(request.query.get("cursor"))
    if position is not None:
        if q.latest_first:
            q.before_seq = position
        else:
            q.after_seq = position
    return q


async def _list(request: web.Request, key: str) -> web.Response:
    q = _query(request)
    entries, cursor = await get_state(request).store.read(event_ops.query, user_of(request), q)
    body: dict[str, object] = {key: entries}
    if cursor is not None:
        body["cursor"] = str(cursor)
    return json_response(body)


@routes.get("/v2/events")
async def list_events(request: web.Request) -> web.Response:
    return await _list(request, "events")


@routes.get("/v2/logs")
async def list_logs(request: web.Request) -> web.Response:
    return await _list(request, "logs")
