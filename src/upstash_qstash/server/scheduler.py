"""Cron schedules (spec section 7): the timer that turns due slots into messages.

Each schedule stores its publish request (the configuration headers and the body) and the
next slot it fires at (``next_run_at``, indexed). The engine asks :class:`ScheduleTimer`
for the earliest slot and calls :meth:`ScheduleTimer.fire` at the start of every tick; each
due slot then becomes the same messages a publish with the stored request would create
(``createdAt`` is the slot time, deliveries carry ``Upstash-Schedule-Id``).

Timing rules:

* Slots come from :mod:`.cron` (UTC, or ``CRON_TZ=``, daylight-saving aware).
* While the server runs, every slot fires, in order, once: when the clock jumps over
  several slots they are fired one after the other; a manual clock stepped by
  ``LocalQStash.advance`` stops at each slot.
* Slots missed while the server was down are not replayed one by one: a schedule whose
  next slot passed before the server started fires once, when it starts, and then
  continues from the next slot after that.
* A paused schedule skips its slots; resuming continues from the first slot after now.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from typing import TYPE_CHECKING, Any

from .._wire.headers import canonical, header_map
from .cron import CronError, parse_cron
from .errors import ApiError
from .logs import log_entry
from .models import Message, callback_and_label_fields, encode_body_fields
from .options import PublishOptions, parse_publish_options
from .publish import parse_url_destination
from .routes.publish import plan_messages
from .store import schedules as schedule_ops

if TYPE_CHECKING:
    from .app import Server
    from .delivery import DeliveryResult
    from .settings import Settings
    from .state import ServerState

__all__ = ["ScheduleTimer", "install", "next_slot", "schedule_json", "schedule_options"]

log = logging.getLogger("upstash_qstash.server")

_BATCH = 64
_OUTCOME_STATES = {"DELIVERED": "SUCCESS", "FAILED": "FAIL"}


def next_slot(cron: str, after_ms: int) -> int | None:
    """The first slot of ``cron`` strictly after ``after_ms`` (ms), or None if there is none."""
    try:
        return int(parse_cron(cron).next_after(after_ms / 1000.0) * 1000)
    except CronError:
        return None


def schedule_options(record: schedule_ops.ScheduleRecord, settings: Settings) -> PublishOptions:
    """The publish options stored with a schedule."""
    return parse_publish_options(record.headers, max_retries=settings.max_retries)


async def _messages(
    state: ServerState, record: schedule_ops.ScheduleRecord, slot_ms: int
) -> list[Message]:
    """The messages one run of ``record`` produces (one per URL-group endpoint)."""
    opts = schedule_options(record, state.settings)
    _, planned = await plan_messages(
        state,
        record.user,
        record.destination,
        opts,
        record.body,
        caller_ip=record.caller_ip,
        queue_name=opts.queue_name,
        now=slot_ms / 1000.0,
        schedule_id=record.id,
    )
    return [msg for msg, _ in planned]


class ScheduleTimer:
    """Fires due schedules; found through the ``next_run_at`` index, so idle ones cost nothing."""

    def __init__(self, state: ServerState) -> None:
        self._state = state
        self._boot_ms: int | None = None

    async def next_due_ms(self) -> int | None:
        return await self._state.store.read(schedule_ops.next_due)

    async def fire(self, now_ms: int) -> None:
        if self._boot_ms is None:
            self._boot_ms = now_ms
        while True:
            due = await self._state.store.read(schedule_ops.due, now_ms, _BATCH)
            if not due:
                return
            for record in due:
                await self._run(record, now_ms)

    async def _run(self, record: schedule_ops.ScheduleRecord, now_ms: int) -> None:
        assert record.next_run_at is not None and self._boot_ms is not None
        slot_ms = record.next_run_at
        if slot_ms < self._boot_ms:
            # Missed while the server was down: one run now for the whole gap.
            slot_ms = self._boot_ms
        next_run_at = next_slot(record.cron, slot_ms)
        store = self._state.store
        try:
            batch = await _messages(self._state, record, slot_ms)
        except ApiError as exc:
            log.warning("schedule %s could not run: %s", record.id, exc.message)
            await store.write(schedule_ops.skip, record, slot_ms, next_run_at, exc.message)
            return
        except Exception:
            # One broken schedule must not stop the engine (timers run before deliveries).
            log.exception("schedule %s could not run", record.id)
            error = "internal error; see the server log"
            await store.write(schedule_ops.skip, record, slot_ms, next_run_at, error)
            return
        await store.write(
            schedule_ops.fire,
            record,
            slot_ms,
            next_run_at,
            batch,
            now_ms,
            lambda msg: log_entry(msg, "CREATED", now_ms),
        )


def install(server: Server) -> None:
    """Attach the schedule timer and the hook that records each run's outcomes."""
    state = server.state
    server.engine.timers.append(ScheduleTimer(state))

    def on_settled(
        conn: sqlite3.Connection,
        msg: Message,
        result: DeliveryResult,
        outcome: str,
        info: dict[str, Any],
    ) -> None:
        final = _OUTCOME_STATES.get(outcome)
        if msg.schedule_id is not None and final is not None:
            schedule_ops.record_outcome(conn, msg.user, msg.schedule_id, msg.id, final)

    server.engine.on_settled.append(on_settled)


# ----------------------------------------------------------------------- JSON


def _redacted(value: bytes) -> str:
    return "REDACTED:" + hashlib.sha256(value).hexdigest()


def schedule_json(
    record: schedule_ops.ScheduleRecord, settings: Settings, now_ms: int
) -> dict[str, Any]:
    """The Schedule object of ``GET /v2/schedules/{id}`` (spec 7.4)."""
    opts = schedule_options(record, settings)
    headers = list(opts.forward)
    if opts.content_type is not None:
        headers.append(("Content-Type", opts.content_type))
    redact_all_headers = "header" in opts.redact
    redacted_names = {f[len("header[") : -1] for f in opts.redact if f.startswith("header[")}
    headers = [
        (name, _redacted(value.encode()))
        if redact_all_headers or canonical(name) in redacted_names
        else (name, value)
        for name, value in headers
    ]
    body_fields = (
        {"body": _redacted(record.body)}
        if "body" in opts.redact and record.body
        else encode_body_fields(record.body)
    )
    next_time = next_slot(record.cron, now_ms) if record.paused else record.next_run_at
    out: dict[str, Any] = {
        "scheduleId": record.id,
        "cron": record.cron,
        "destination": record.destination,
        "createdAt": record.created_at,
        "method": opts.method,
        "header": header_map(headers),
        "retries": settings.default_retries if opts.retries is None else opts.retries,
        "isPaused": record.paused,
        "lastScheduleStates": dict(record.last_states),
        **body_fields,
    }
    fc = opts.flow_control
    optional: dict[str, Any] = {
        "delay": int(opts.delay) if opts.delay else None,
        "timeout": None if opts.timeout is None else int(opts.timeout),
        "callerIP": record.caller_ip,
        "callerIp": record.caller_ip,
        "queueName": opts.queue_name,
        "retryDelayExpression": opts.retry_delay,
        "lastScheduleTime": record.last_run_at,
        "nextScheduleTime": next_time,
        "error": record.error,
        "flowControlKey": fc.key if fc else None,
        "parallelism": fc.parallelism if fc else None,
        "rate": fc.rate if fc else None,
        "period": fc.period if fc else None,
    }
    optional.update(
        callback_and_label_fields(
            opts.callback, opts.failure_callback, opts.labels, header_key="callbackHeader"
        )
    )
    out.update({k: v for k, v in optional.items() if v is not None})
    return out


def validate_destination(destination: str) -> str:
    """A schedule's destination: an http(s) URL (normalised) or a URL group name."""
    if destination.startswith(("http:/", "https:/")):
        return parse_url_destination(destination)
    return destination
