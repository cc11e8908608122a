"""Routes of ``/v2/schedules`` (spec section 7).

``POST /v2/schedules/{destination}`` creates (or, with ``Upstash-Schedule-Id`` naming an
existing schedule, replaces) a schedule. Because the destination is embedded in the path,
``POST /v2/schedules/https://x.com/pause`` is a create; a POST is read as pause/resume only
when the remainder is ``<id>/pause`` or ``<id>/resume`` with a valid id, no scheme and no
``Upstash-Cron`` header. Pause and resume accept PATCH (what the SDKs send) and POST.
"""

from __future__ import annotations

import re

from aiohttp import web

from ..cron import CronError, parse_cron
from ..errors import ApiError
from ..http import json_response, ok, raw_remainder, read_body
from ..models import new_id
from ..options import TRANSPORT_HEADERS, check_name, parse_publish_options
from ..scheduler import next_slot, schedule_json, validate_destination
from ..state import ServerState, get_state, user_of
from ..store import schedules as schedule_ops
from .publish import destination_with_query, resolve_group, split_query

routes = web.RouteTableDef()

_ACTION_RE = re.compile(r"^([A-Za-z0-9._-]+)/(pause|resume)/?$")
# Request headers that belong to the HTTP exchange, not to the messages a schedule creates.
_TRANSPORT = TRANSPORT_HEADERS | {"upstash-cron", "upstash-schedule-id"}


async def _create(request: web.Request, state: ServerState, path: str) -> web.Response:
    user = user_of(request)
    _, query = raw_remainder(request, "/v2/schedules/")
    config, keep = split_query(query)
    headers = [(n, v) for n, v in request.headers.items() if n.lower() not in _TRANSPORT]
    stored = headers + [(n, v) for n, v in config if n.lower() not in _TRANSPORT]
    opts = parse_publish_options(
        [*request.headers.items(), *config], max_retries=state.settings.max_retries
    )
    if opts.cron is None or not opts.cron.strip():
        raise ApiError(
            400, "missing Upstash-Cron header: give a 5-field cron such as '*/5 * * * *'"
        )
    try:
        cron = parse_cron(opts.cron)
    except CronError as exc:
        raise ApiError(400, f"invalid Upstash-Cron: {exc}") from None
    if opts.not_before is not None:
        raise ApiError(
            400, "Upstash-Not-Before is not supported for schedules; use Upstash-Delay instead"
        )
    if opts.dedup_id is not None or opts.content_dedup:
        raise ApiError(400, "deduplication headers are not supported for schedules")
    if opts.delay > state.settings.max_delay_seconds:
        raise ApiError(
            400, f"Upstash-Delay exceeds the maximum of {state.settings.max_delay_seconds:g}s"
        )
    if not path:
        raise ApiError(400, "missing destination: POST /v2/schedules/<url or URL group name>")
    destination = validate_destination(destination_with_query(path, keep, request))
    if not destination.startswith(("http://", "https://")):
        await resolve_group(state, user, destination)
    body = await read_body(request, state.settings.max_body_bytes)
    now_ms = state.engine.now_ms()
    record = schedule_ops.ScheduleRecord(
        user=user,
        id=opts.schedule_id or new_id("scd_"),
        cron=cron.expression,
        destination=destination,
        created_at=now_ms,
        headers=stored,
        body=body,
        caller_ip=request.remote,
        next_run_at=next_slot(cron.expression, now_ms),
    )
    await state.store.write(schedule_ops.upsert, record)
    state.engine.notify()
    return json_response({"scheduleId": record.id})


async def _set_paused(request: web.Request, schedule_id: str, paused: bool) -> web.Response:
    state = get_state(request)
    found = await state.store.write(
        schedule_ops.set_paused,
        user_of(request),
        schedule_id,
        paused,
        state.engine.now_ms(),
        next_slot,
    )
    if not found:
        raise ApiError(404, f"schedule {schedule_id!r} not found")
    state.engine.notify()
    return ok()


@routes.post("/v2/schedules/{rest:.*}")
async def create_or_action(request: web.Request) -> web.Response:
    state = get_state(request)
    path, _ = raw_remainder(request, "/v2/schedules/")
    action = _ACTION_RE.fullmatch(path)
    if action is not None and "upstash-cron" not in {n.lower() for n in request.headers}:
        return await _set_paused(request, action.group(1), action.group(2) == "pause")
    return await _create(request, state, path)


@routes.patch("/v2/schedules/{schedule_id}/pause")
async def pause(request: web.Request) -> web.Response:
    schedule_id = check_name("schedule id", request.match_info["schedule_id"])
    return await _set_paused(request, schedule_id, True)


@routes.patch("/v2/schedules/{schedule_id}/resume")
async def resume(request: web.Request) -> web.Response:
    schedule_id = check_name("schedule id", request.match_info["schedule_id"])
    return await _set_paused(request, schedule_id, False)


@routes.get("/v2/schedules")
@routes.get("/v2/schedules/")
async def list_schedules(request: web.Request) -> web.Response:
    state = get_state(request)
    records = await state.store.read(schedule_ops.list_all, user_of(request))
    now_ms = state.engine.now_ms()
    return json_response([schedule_json(r, state.settings, now_ms) for r in records])


@routes.get("/v2/schedules/{schedule_id}")
async def get_schedule(request: web.Request) -> web.Response:
    state = get_state(request)
    schedule_id = check_name("schedule id", request.match_info["schedule_id"])
    record = await state.store.read(schedule_ops.get, user_of(request), schedule_id)
    if record is None:
        raise ApiError(404, f"schedule {schedule_id!r} not found")
    return json_response(schedule_json(record, state.settings, state.engine.now_ms()))


@routes.delete("/v2/schedules/{schedule_id}")
async def delete_schedule(request: web.Request) -> web.Response:
    state = get_state(request)
    schedule_id = check_name("schedule id", request.match_info["schedule_id"])
    if not await state.store.write(schedule_ops.delete, user_of(request), schedule_id):
        raise ApiError(404, f"schedule {schedule_id!r} not found")
    return ok()
