"""Schedules: publish a message on a cron; create, read, list, delete, pause, resume."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._errors import RequestValidationError
from .._http import Request, Response
from ..models import Schedule, ScheduleCreated, parse_schedule, parse_schedule_created
from ..models import parse_schedules as _parse_schedules
from .common import check_keys, require_id, segment
from .publish import (
    MessageOptions,
    body_bytes,
    json_body,
    publish_headers,
    url_field,
)

__all__ = [
    "CreateScheduleJSONRequest",
    "CreateScheduleRequest",
    "build_create",
    "build_delete",
    "build_get",
    "build_list",
    "build_pause",
    "build_resume",
    "parse_created",
    "parse_get",
    "parse_list",
]


class _ScheduleOptions(MessageOptions, total=False):
    destination: str
    cron: str
    schedule_id: str
    queue: str


class CreateScheduleRequest(_ScheduleOptions, total=False):
    """A schedule: ``destination`` (URL or URL group) and ``cron`` are required.

    ``schedule_id`` replaces the schedule with that id; ``queue`` enqueues each trigger.
    The other options are those of ``publish`` and apply to every produced message.
    """

    body: str | bytes


class CreateScheduleJSONRequest(_ScheduleOptions, total=False):
    """Like :class:`CreateScheduleRequest` with a JSON-serialisable ``body``."""

    body: Any


_KNOWN = set(CreateScheduleRequest.__annotations__) | set(_ScheduleOptions.__annotations__)


def build_create(options: Mapping[str, Any], *, as_json: bool = False) -> Request:
    check_keys(options, _KNOWN)
    target = require_id("destination", options.get("destination"))
    if "://" in target:
        url_field(options, "destination")
    cron = options.get("cron")
    if not isinstance(cron, str) or not cron.strip():
        raise RequestValidationError("cron", f"a cron expression is required, got {cron!r}")
    if as_json:
        options, body = json_body(options)
    else:
        body = body_bytes(options.get("body"))
    headers = [("Upstash-Cron", cron.strip())]
    if options.get("schedule_id") is not None:
        headers.append(("Upstash-Schedule-Id", require_id("schedule_id", options["schedule_id"])))
    if options.get("queue") is not None:
        headers.append(("Upstash-Queue-Name", require_id("queue", options["queue"])))
    headers += publish_headers(options)
    return Request("POST", f"/v2/schedules/{target}", headers=tuple(headers), body=body)


def build_get(schedule_id: str) -> Request:
    return Request("GET", f"/v2/schedules/{segment('schedule_id', schedule_id)}")


def build_list() -> Request:
    return Request("GET", "/v2/schedules")


def build_delete(schedule_id: str) -> Request:
    return Request("DELETE", f"/v2/schedules/{segment('schedule_id', schedule_id)}")


def build_pause(schedule_id: str) -> Request:
    return Request("PATCH", f"/v2/schedules/{segment('schedule_id', schedule_id)}/pause")


def build_resume(schedule_id: str) -> Request:
    return Request("PATCH", f"/v2/schedules/{segment('schedule_id', schedule_id)}/resume")


def parse_created(response: Response) -> ScheduleCreated:
    return parse_schedule_created(response.json())


def parse_get(response: Response) -> Schedule:
    return parse_schedule(response.json())


def parse_list(response: Response) -> list[Schedule]:
    return _parse_schedules(response.json())
