"""Queues: ordered delivery with a parallelism limit, and the gate that enforces it.

A queue's messages are delivered in the order they were enqueued: only the first
``parallelism`` messages of a queue that are still stored (waiting, being delivered, or
waiting for a retry) may be delivered. Messages that must wait are moved to the ``held``
state, out of the due index, so they cost nothing per tick; when a queue message leaves
the store (delivered, failed, cancelled) or the queue is resumed or widened, the next held
messages are made pending again and go through the gate once more.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ..models import Message

SCHEMA = """
CREATE TABLE IF NOT EXISTS queues (
    user TEXT NOT NULL,
    name TEXT NOT NULL,
    parallelism INTEGER NOT NULL,
    paused INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user, name)
);
"""

DEFAULT_PARALLELISM = 1


def _row(conn: sqlite3.Connection, user: str, name: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM queues WHERE user = ? AND name = ?", (user, name)
    ).fetchone()
    return row


def ensure(conn: sqlite3.Connection, user: str, name: str, now_ms: int) -> None:
    """Create the queue with the defaults (parallelism 1, running) if it does not exist."""
    conn.execute(
        "INSERT OR IGNORE INTO queues (user, name, parallelism, paused, created_at, updated_at)"
        " VALUES (?, ?, ?, 0, ?, ?)",
        (user, name, DEFAULT_PARALLELISM, now_ms, now_ms),
    )


def upsert(
    conn: sqlite3.Connection, user: str, name: str, parallelism: int, paused: bool, now_ms: int
) -> None:
    conn.execute(
        "INSERT INTO queues (user, name, parallelism, paused, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (user, name) DO UPDATE SET parallelism = excluded.parallelism,"
        " paused = excluded.paused, updated_at = excluded.updated_at",
        (user, name, parallelism, int(paused), now_ms, now_ms),
    )
    release(conn, user, name)


def set_paused(conn: sqlite3.Connection, user: str, name: str, paused: bool, now_ms: int) -> bool:
    """Pause or resume; False if there is no such queue. Pausing twice is a no-op."""
    row = _row(conn, user, name)
    if row is None:
        return False
    if bool(row["paused"]) != paused:
        conn.execute(
            "UPDATE queues SET paused = ?, updated_at = ? WHERE user = ? AND name = ?",
            (int(paused), now_ms, user, name),
        )
    release(conn, user, name)
    return True


def delete(conn: sqlite3.Connection, user: str, name: str) -> None:
    """Forget the queue; its waiting messages stay and go on in order (parallelism 1)."""
    conn.execute("DELETE FROM queues WHERE user = ? AND name = ?", (user, name))
    release(conn, user, name)


def _lag(conn: sqlite3.Connection, user: str, name: str) -> int:
    row = conn.execute(
        "SELECT COUNT(*) FROM messages WHERE user = ? AND queue_name = ? AND state != 'canceled'",
        (user, name),
    ).fetchone()
    return int(row[0])


def _to_json(conn: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    return {
        "name": row["name"],
        "parallelism": row["parallelism"],
        "paused": bool(row["paused"]),
        "lag": _lag(conn, row["user"], row["name"]),
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
    }


def get(conn: sqlite3.Connection, user: str, name: str) -> dict[str, Any] | None:
    row = _row(conn, user, name)
    return None if row is None else _to_json(conn, row)


def list_all(conn: sqlite3.Connection, user: str) -> list[dict[str, Any]]:
    rows = conn.execute("SELECT * FROM queues WHERE user = ? ORDER BY name", (user,)).fetchall()
    return [_to_json(conn, row) for row in rows]


def _limits(conn: sqlite3.Connection, user: str, name: str) -> tuple[int, bool]:
    row = _row(conn, user, name)
    if row is None:
        return DEFAULT_PARALLELISM, False
    return int(row["parallelism"]), bool(row["paused"])


def admit(conn: sqlite3.Connection, msg: Message) -> bool:
    """Gate: a queue message may start only when it is among the queue's first ``parallelism``."""
    if msg.queue_name is None:
        return True
    parallelism, paused = _limits(conn, msg.user, msg.queue_name)
    if not paused:
        heads = conn.execute(
            "SELECT id FROM messages WHERE user = ? AND queue_name = ? ORDER BY rowid LIMIT ?",
            (msg.user, msg.queue_name, parallelism),
        ).fetchall()
        if any(row["id"] == msg.id for row in heads):
            return True
    conn.execute("UPDATE messages SET state = 'held' WHERE id = ?", (msg.id,))
    return False


def release(conn: sqlite3.Connection, user: str, name: str) -> int:
    """Make the first held messages of a queue pending again (as many as may run at once)."""
    parallelism, paused = _limits(conn, user, name)
    if paused:
        return 0
    return conn.execute(
        "UPDATE messages SET state = 'pending' WHERE rowid IN (SELECT rowid FROM messages"
        " WHERE user = ? AND queue_name = ? AND state = 'held' ORDER BY rowid LIMIT ?)",
        (user, name, parallelism),
    ).rowcount
