"""Schedules changed while the scheduler is about to fire them, and broken schedules."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx2
import pytest

from upstash_qstash.server import scheduler
from upstash_qstash.server.clock import ManualClock
from upstash_qstash.server.store import schedules as schedule_ops
from upstash_qstash.server.store.schema import SCHEMA
from upstash_qstash.testing.local import LocalQStash
from upstash_qstash.testing.recorder import Recorder

MINUTE = 60_000
T0 = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp() * 1000)


@pytest.fixture
def conn() -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.row_factory = sqlite3.Row
    db.executescript(SCHEMA)
    yield db
    db.close()


def _record(destination: str, next_run_at: int = T0 + MINUTE) -> schedule_ops.ScheduleRecord:
    return schedule_ops.ScheduleRecord(
        user="u",
        id="scd_1",
        cron="* * * * *",
        destination=destination,
        created_at=T0,
        headers=[],
        body=b"old",
        next_run_at=next_run_at,
    )


def _entry(msg: Any) -> dict[str, Any]:
    return {"messageId": msg.id, "state": "CREATED", "time": T0}


def test_a_slot_read_before_an_overwrite_does_not_fire_the_old_definition(
    conn: sqlite3.Connection,
) -> None:
    schedule_ops.upsert(conn, _record("http://127.0.0.1:1/old"))
    (due,) = schedule_ops.due(conn, T0 + MINUTE, 10)
    # Overwritten by id (same cron, so the same next slot) before the run is stored.
    schedule_ops.upsert(conn, _record("http://127.0.0.1:1/new"))

    assert not schedule_ops.fire(conn, due, T0 + MINUTE, T0 + 2 * MINUTE, [], T0, _entry)
    (again,) = schedule_ops.due(conn, T0 + MINUTE, 10)
    assert again.destination == "http://127.0.0.1:1/new"
    assert schedule_ops.fire(conn, again, T0 + MINUTE, T0 + 2 * MINUTE, [], T0, _entry)
    stored = schedule_ops.get(conn, "u", "scd_1")
    assert stored is not None and stored.next_run_at == T0 + 2 * MINUTE


def test_resuming_a_running_schedule_keeps_its_due_slot(conn: sqlite3.Connection) -> None:
    schedule_ops.upsert(conn, _record("http://127.0.0.1:1/x", next_run_at=T0 + MINUTE))
    later = T0 + MINUTE + 30_000  # the slot is due, the scheduler has not run it yet

    assert schedule_ops.set_paused(conn, "u", "scd_1", False, later, scheduler.next_slot)
    stored = schedule_ops.get(conn, "u", "scd_1")
    assert stored is not None and stored.next_run_at == T0 + MINUTE

    assert schedule_ops.set_paused(conn, "u", "scd_1", True, later, scheduler.next_slot)
    assert schedule_ops.set_paused(conn, "u", "scd_1", False, later, scheduler.next_slot)
    stored = schedule_ops.get(conn, "u", "scd_1")
    assert stored is not None and stored.next_run_at == T0 + 2 * MINUTE
    assert not schedule_ops.set_paused(conn, "u", "nope", False, later, scheduler.next_slot)


def test_a_schedule_that_fails_to_run_does_not_stop_the_engine(
    monkeypatch: pytest.MonkeyPatch, endpoint: Recorder
) -> None:
    real_messages = scheduler._messages

    async def messages(state: Any, record: schedule_ops.ScheduleRecord, slot_ms: int) -> Any:
        if record.destination.endswith("/broken"):
            raise RuntimeError("corrupt schedule")
        return await real_messages(state, record, slot_ms)

    monkeypatch.setattr(scheduler, "_messages", messages)
    with (
        LocalQStash(clock=ManualClock(T0 / 1000)) as qstash,
        httpx2.Client(
            base_url=qstash.url, headers={"Authorization": f"Bearer {qstash.token}"}
        ) as http,
    ):
        for path in ("broken", "fine"):
            response = http.post(
                f"/v2/schedules/{endpoint.url}/{path}", headers={"Upstash-Cron": "* * * * *"}
            )
            assert response.status_code == 200, response.text
        qstash.advance(60)
        response = http.post(f"/v2/publish/{endpoint.url}/direct", content=b"x")
        assert response.status_code == 200
        qstash.drain()

        assert sorted(r.path for r in endpoint.requests) == ["/direct", "/fine"]
        broken = [
            s for s in http.get("/v2/schedules").json() if s["destination"].endswith("/broken")
        ]
        assert "internal error" in broken[0]["error"]
