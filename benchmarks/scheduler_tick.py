"""Cost of one engine tick with a small and a large backlog (run by hand, not by pytest).

    uv run python benchmarks/scheduler_tick.py [--rounds 200]

Builds the server in-process on a SQLite file and a manual clock, with an instant
in-memory deliverer (no HTTP: this measures finding and claiming work, not delivering it),
and compares two backlogs:

* small: 10 delayed messages (due in a week) and 10 daily schedules,
* large: 100,000 delayed messages (due in a week) and 10,000 daily schedules
  (none of them due during the measured minutes).

On top of the backlog, every measured round makes the same work due: one extra
``* * * * *`` schedule fires and 10 freshly published messages fall due, some of them with
a flow-control key. Reported per round (median and p95, milliseconds):

* idle: ``engine.tick()`` + ``engine.next_due_ms()`` when nothing is due,
* busy: stepping the clock one minute and running ``engine.drain()`` (timers fire, due
  messages are claimed through the gates, delivered, settled) + ``next_due_ms()``.

If due work is found through indexes, both numbers are the same for both backlogs.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from upstash_qstash.server.app import Server
from upstash_qstash.server.clock import ManualClock
from upstash_qstash.server.delivery import DeliveryRequest, DeliveryResult
from upstash_qstash.server.logs import log_entry
from upstash_qstash.server.models import Message, new_id
from upstash_qstash.server.routes.publish import store_messages
from upstash_qstash.server.scheduler import next_slot
from upstash_qstash.server.settings import Settings
from upstash_qstash.server.store import lifecycle
from upstash_qstash.server.store import schedules as schedule_ops

USER = "defaultUser"
START = 1_767_225_600.0  # 2026-01-01T00:00:00Z


class InstantDeliverer:
    async def deliver(self, request: DeliveryRequest) -> DeliveryResult:
        return DeliveryResult(200)

    async def close(self) -> None:
        return None


def _message(now_ms: int, due_ms: int, key: str | None = None) -> Message:
    return Message(
        id=new_id("msg_"),
        user=USER,
        url="http://127.0.0.1:9/hook",
        method="POST",
        headers=[("Content-Type", "text/plain")],
        body=b"payload",
        created_at=now_ms,
        not_before=due_ms,
        due_at=due_ms,
        max_retries=3,
        flow_control_key=key,
        parallelism=5 if key else None,
    )


def _schedule(now_ms: int, cron: str) -> schedule_ops.ScheduleRecord:
    return schedule_ops.ScheduleRecord(
        user=USER,
        id=new_id("scd_"),
        cron=cron,
        destination="http://127.0.0.1:9/cron",
        created_at=now_ms,
        headers=[("Upstash-Retries", "0")],
        body=b"tick",
        next_run_at=next_slot(cron, now_ms),
    )


async def _fill(server: Server, messages: int, schedules: int) -> None:
    now_ms = int(START * 1000)
    week = now_ms + 7 * 86400_000
    chunk = 5000
    for offset in range(0, messages, chunk):
        batch: list[tuple[Message, str | None]] = [
            (_message(now_ms, week + i), None) for i in range(min(chunk, messages - offset))
        ]
        await server.store.write(
            lifecycle.publish,
            USER,
            batch,
            now_ms,
            now_ms,
            lambda m: log_entry(m, "CREATED", now_ms),
        )
    # Daily between 12:00 and 23:59: never due during the measured minutes (from 00:00).
    records = [_schedule(now_ms, f"{i % 60} {12 + i % 12} * * *") for i in range(schedules)]
    records.append(_schedule(now_ms, "* * * * *"))
    await server.store.write(_upsert_all, records)


def _upsert_all(conn: sqlite3.Connection, records: list[schedule_ops.ScheduleRecord]) -> None:
    for record in records:
        schedule_ops.upsert(conn, record)


def _ms(seconds: float) -> float:
    return seconds * 1000.0


async def _measure(messages: int, schedules: int, rounds: int, tmp: Path) -> dict[str, float]:
    clock = ManualClock(START)
    settings = Settings(db_path=str(tmp / f"bench-{messages}.db"), port=0)
    server = Server(settings, clock=clock, deliverer=InstantDeliverer())
    await server.store.open()
    try:
        await _fill(server, messages, schedules)
        engine = server.engine
        await engine.drain()  # first tick: one-off start-up work of the timers
        idle: list[float] = []
        busy: list[float] = []
        assert rounds <= 600, "the backlog's daily schedules start at 12:00"
        for round_no in range(rounds):
            t0 = time.perf_counter()
            await engine.tick()
            await engine.next_due_ms()
            idle.append(time.perf_counter() - t0)

            now_ms = int(clock.now() * 1000)
            fresh: list[tuple[Message, str | None]] = [
                (_message(now_ms, now_ms + 30_000, "bench-key" if i % 2 else None), None)
                for i in range(10)
            ]
            await store_messages(server.state, USER, fresh)
            clock.advance(60)
            t0 = time.perf_counter()
            await engine.drain()
            await engine.next_due_ms()
            busy.append(time.perf_counter() - t0)
            if round_no == 0:
                assert engine.clock.now() > START
    finally:
        await server.engine.stop()
        await server.store.close()

    def stats(values: list[float]) -> tuple[float, float]:
        ordered = sorted(values)
        return _ms(statistics.median(ordered)), _ms(ordered[int(len(ordered) * 0.95) - 1])

    idle_median, idle_p95 = stats(idle)
    busy_median, busy_p95 = stats(busy)
    return {
        "idle_median": idle_median,
        "idle_p95": idle_p95,
        "busy_median": busy_median,
        "busy_p95": busy_p95,
    }


async def main(rounds: int) -> None:
    print(f"python {sys.version.split()[0]} on {platform.machine()} {platform.system()}")
    print(f"{rounds} rounds per backlog; times in ms per round (median / p95)")
    print()
    print("| backlog | idle tick | busy tick (1 schedule + 10 messages due) |")
    print("|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for messages, schedules in ((10, 10), (100_000, 10_000)):
            t0 = time.perf_counter()
            result = await _measure(messages, schedules, rounds, Path(tmp))
            took = time.perf_counter() - t0
            print(
                f"| {messages:,} delayed messages, {schedules:,} schedules "
                f"| {result['idle_median']:.3f} / {result['idle_p95']:.3f} "
                f"| {result['busy_median']:.3f} / {result['busy_p95']:.3f} |",
                flush=True,
            )
            print(f"<!-- set-up and run took {took:.1f} s -->", file=sys.stderr)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.rounds))
