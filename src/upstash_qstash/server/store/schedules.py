"""Cron schedules as stored, and the operations on them.

``next_run_at`` (ms) is the slot a schedule fires at next; the partial index over it (running
schedules only) lets the scheduler find due schedules, and the next due time, without
looking at the others. ``last_run_at`` is the last slot that produced messages; firing
advances both in the same transaction that stores the produced messages, so a slot fires
once even across a crash or restart.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..models import Message
from . import lifecycle

__all__ = [
    "ScheduleRecord",
    "delete",
    "due",
    "fire",
    "get",
    "list_all",
    "next_due",
    "record_outcome",
    "set_paused",
    "skip",
    "upsert",
]

SCHEMA = """
CREATE TABLE IF NOT EXISTS schedules (
    user TEXT NOT NULL,
    id TEXT NOT NULL,
    cron TEXT NOT NULL,
    destination TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    paused INTEGER NOT NULL DEFAULT 0,
    next_run_at INTEGER,
    last_run_at INTEGER,
    last_states TEXT NOT NULL DEFAULT '{}',
    error TEXT,
    caller_ip TEXT,
    headers TEXT NOT NULL,
    body BLOB NOT NULL,
    PRIMARY KEY (user, id)
);
CREATE INDEX IF NOT EXISTS schedules_next_run ON schedules(next_run_at)
    WHERE paused = 0 AND next_run_at IS NOT NULL;
"""


@dataclass(slots=True)
class ScheduleRecord:
    """One schedule: its definition (the publish headers and body) and its run state."""

    user: str
    id: str
    cron: str
    destination: str
    created_at: int
    headers: list[tuple[str, str]]
    body: bytes
    caller_ip: str | None = None
    paused: bool = False
    next_run_at: int | None = None
    last_run_at: int | None = None
    last_states: dict[str, str] = field(default_factory=dict)
    error: str | None = None


def _record(row: sqlite3.Row) -> ScheduleRecord:
    return ScheduleRecord(
        user=row["user"],
        id=row["id"],
        cron=row["cron"],
        destination=row["destination"],
        created_at=row["created_at"],
        headers=[(str(n), str(v)) for n, v in json.loads(row["headers"])],
        body=bytes(row["body"]),
        caller_ip=row["caller_ip"],
        paused=bool(row["paused"]),
        next_run_at=row["next_run_at"],
        last_run_at=row["last_run_at"],
        last_states=json.loads(row["last_states"]),
        error=row["error"],
    )


def upsert(conn: sqlite3.Connection, record: ScheduleRecord) -> ScheduleRecord:
    """Create a schedule or replace the definition of one with the same id.

    A replaced schedule keeps its creation time and run history (last run, last states);
    everything else comes from ``record``, so fields the new definition leaves out are gone.
    """
    old = get(conn, record.user, record.id)
    if old is not None:
        record.created_at = old.created_at
        record.last_run_at = old.last_run_at
        record.last_states = old.last_states
    conn.execute(
        "INSERT OR REPLACE INTO schedules (user, id, cron, destination, created_at, paused,"
        " next_run_at, last_run_at, last_states, error, caller_ip, headers, body)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            record.user,
            record.id,
            record.cron,
            record.destination,
            record.created_at,
            int(record.paused),
            record.next_run_at,
            record.last_run_at,
            json.dumps(record.last_states),
            record.error,
            record.caller_ip,
            json.dumps(record.headers),
            record.body,
        ),
    )
    return record


def get(conn: sqlite3.Connection, user: str, schedule_id: str) -> ScheduleRecord | None:
    row = conn.execute(
        "SELECT * FROM schedules WHERE user = ? AND id = ?", (user, schedule_id)
    ).fetchone()
    return None if row is None else _record(row)


def list_all(conn: sqlite3.Connection, user: str) -> list[ScheduleRecord]:
    rows = conn.execute(
        "SELECT * FROM schedules WHERE user = ? ORDER BY created_at, id", (user,)
    ).fetchall()
    return [_record(row) for row in rows]


def delete(conn: sqlite3.Connection, user: str, schedule_id: str) -> bool:
    return (
        conn.execute(
            "DELETE FROM schedules WHERE user = ? AND id = ?", (user, schedule_id)
        ).rowcount
        > 0
    )


def set_paused(
    conn: sqlite3.Connection,
    user: str,
    schedule_id: str,
    paused: bool,
    now_ms: int,
    next_slot: Callable[[str, int], int | None],
) -> bool:
    """Pause, or resume from ``next_slot(cron, now_ms)``; False if there is no such schedule.

    Resuming a schedule that is not paused changes nothing (a slot that is due but not yet
    fired stays due).
    """
    record = get(conn, user, schedule_id)
    if record is None:
        return False
    if paused:
        conn.execute(
            "UPDATE schedules SET paused = 1 WHERE user = ? AND id = ?", (user, schedule_id)
        )
    elif record.paused:
        conn.execute(
            "UPDATE schedules SET paused = 0, next_run_at = ? WHERE user = ? AND id = ?",
            (next_slot(record.cron, now_ms), user, schedule_id),
        )
    return True


def next_due(conn: sqlite3.Connection) -> int | None:
    """The earliest slot of any running schedule (ms), read from the index."""
    row = conn.execute(
        "SELECT MIN(next_run_at) FROM schedules WHERE paused = 0 AND next_run_at IS NOT NULL"
    ).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def due(conn: sqlite3.Connection, now_ms: int, limit: int) -> list[ScheduleRecord]:
    """Running schedules whose next slot has come, earliest slot first."""
    rows = conn.execute(
        "SELECT * FROM schedules WHERE paused = 0 AND next_run_at IS NOT NULL"
        " AND next_run_at <= ? ORDER BY next_run_at LIMIT ?",
        (now_ms, limit),
    ).fetchall()
    return [_record(row) for row in rows]


def _still_due(conn: sqlite3.Connection, record: ScheduleRecord) -> bool:
    """Is ``record`` still the running definition, at the same slot, as stored now?"""
    now = get(conn, record.user, record.id)
    return (
        now is not None
        and not now.paused
        and (now.next_run_at, now.cron, now.destination, now.headers, now.body)
        == (record.next_run_at, record.cron, record.destination, record.headers, record.body)
    )


def fire(
    conn: sqlite3.Connection,
    record: ScheduleRecord,
    slot_ms: int,
    next_run_at: int | None,
    batch: list[Message],
    now_ms: int,
    entry: Callable[[Message], dict[str, Any]],
) -> bool:
    """Store the messages of one run and move the schedule to its next slot, atomically.

    Does nothing (returns False) if the schedule was overwritten, paused or deleted since
    ``record`` was read, so a slot never produces messages twice, nor messages of a
    definition that has just been replaced.
    """
    if not _still_due(conn, record):
        return False
    lifecycle.publish(conn, record.user, [(msg, None) for msg in batch], now_ms, now_ms, entry)
    conn.execute(
        "UPDATE schedules SET next_run_at = ?, last_run_at = ?, last_states = ?, error = NULL"
        " WHERE user = ? AND id = ?",
        (
            next_run_at,
            slot_ms,
            json.dumps({msg.id: "IN_PROGRESS" for msg in batch}),
            record.user,
            record.id,
        ),
    )
    return True


def skip(
    conn: sqlite3.Connection,
    record: ScheduleRecord,
    slot_ms: int,
    next_run_at: int | None,
    error: str,
) -> bool:
    """A run that could not produce messages: note why and move on to the next slot."""
    if not _still_due(conn, record):
        return False
    conn.execute(
        "UPDATE schedules SET next_run_at = ?, last_run_at = ?, last_states = '{}', error = ?"
        " WHERE user = ? AND id = ?",
        (next_run_at, slot_ms, error, record.user, record.id),
    )
    return True


def record_outcome(
    conn: sqlite3.Connection, user: str, schedule_id: str, message_id: str, state: str
) -> None:
    """Note the final state of a message of the schedule's last run."""
    row = conn.execute(
        "SELECT last_states FROM schedules WHERE user = ? AND id = ?", (user, schedule_id)
    ).fetchone()
    if row is None:
        return
    states = json.loads(row["last_states"])
    if message_id in states:
        states[message_id] = state
        conn.execute(
            "UPDATE schedules SET last_states = ? WHERE user = ? AND id = ?",
            (json.dumps(states), user, schedule_id),
        )
