"""Messages waiting for delivery (pending) or being delivered (active)."""

from __future__ import annotations

import json
import sqlite3

from ..models import Message

SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    id TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    state TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    url TEXT NOT NULL,
    topic_name TEXT,
    queue_name TEXT,
    schedule_id TEXT,
    flow_control_key TEXT,
    data TEXT NOT NULL,
    body BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_due ON messages(state, due_at);
CREATE INDEX IF NOT EXISTS messages_user ON messages(user, created_at);
CREATE TABLE IF NOT EXISTS dedup (
    user TEXT NOT NULL,
    key TEXT NOT NULL,
    message_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (user, key)
);
"""


def row_to_message(row: sqlite3.Row) -> Message:
    return Message.from_data(json.loads(row["data"]), bytes(row["body"]))


def save(conn: sqlite3.Connection, msg: Message) -> None:
    """Insert or replace ``msg`` (its whole state)."""
    conn.execute(
        "INSERT OR REPLACE INTO messages (id, user, state, due_at, created_at, url, topic_name,"
        " queue_name, schedule_id, flow_control_key, data, body)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            msg.id,
            msg.user,
            msg.state,
            msg.due_at,
            msg.created_at,
            msg.url,
            msg.topic_name,
            msg.queue_name,
            msg.schedule_id,
            msg.flow_control_key,
            json.dumps(msg.data()),
            msg.body,
        ),
    )


def get(conn: sqlite3.Connection, user: str, message_id: str) -> Message | None:
    row = conn.execute(
        "SELECT data, body FROM messages WHERE user = ? AND id = ?", (user, message_id)
    ).fetchone()
    return None if row is None else row_to_message(row)


def delete(conn: sqlite3.Connection, message_id: str) -> None:
    conn.execute("DELETE FROM messages WHERE id = ?", (message_id,))


def next_due(conn: sqlite3.Connection) -> int | None:
    row = conn.execute("SELECT MIN(due_at) FROM messages WHERE state = 'pending'").fetchone()
    return None if row is None else row[0]


def due(conn: sqlite3.Connection, now_ms: int, limit: int) -> list[Message]:
    """Pending messages whose time has come, earliest first (read from the due index)."""
    rows = conn.execute(
        "SELECT data, body FROM messages WHERE state = 'pending' AND due_at <= ?"
        " ORDER BY due_at, created_at LIMIT ?",
        (now_ms, limit),
    ).fetchall()
    return [row_to_message(row) for row in rows]


def requeue_active(conn: sqlite3.Connection) -> int:
    """After a restart, deliveries that were under way are due again (at-least-once)."""
    rows = conn.execute("SELECT data, body FROM messages WHERE state = 'active'").fetchall()
    for row in rows:
        msg = row_to_message(row)
        msg.state = "pending"
        save(conn, msg)
    return len(rows)


def dedup_lookup(conn: sqlite3.Connection, user: str, key: str, now_ms: int) -> str | None:
    row = conn.execute(
        "SELECT message_id FROM dedup WHERE user = ? AND key = ? AND expires_at > ?",
        (user, key, now_ms),
    ).fetchone()
    return None if row is None else str(row[0])


def dedup_remember(
    conn: sqlite3.Connection, user: str, key: str, message_id: str, expires_at: int
) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO dedup (user, key, message_id, expires_at) VALUES (?, ?, ?, ?)",
        (user, key, message_id, expires_at),
    )
