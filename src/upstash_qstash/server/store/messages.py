"""Messages waiting for delivery (pending) or being delivered (active)."""

from __future__ import annotations

import json
import sqlite3

from ..models import Message
from . import queues

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
CREATE INDEX IF NOT EXISTS messages_queue ON messages(user, queue_name);
CREATE TABLE IF NOT EXISTS dedup (
    user TEXT NOT NULL,
    key TEXT NOT NULL,
    message_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (user, key)
);
CREATE INDEX IF NOT EXISTS dedup_expiry ON dedup(expires_at);
"""


CANCELED = "canceled"
"""State of a message cancelled while its delivery was under way: the row stays (holding its
queue and flow-control slot, hidden from the API) until the engine settles the attempt."""


def row_to_message(row: sqlite3.Row) -> Message:
    return Message.from_data(json.loads(row["data"]), bytes(row["body"]))


def save(conn: sqlite3.Connection, msg: Message) -> None:
    """Insert ``msg`` or update its whole state.

    An update keeps the row's rowid, so rowids give the order in which messages were
    published (queues deliver in that order; equal due times are claimed in it).
    """
    conn.execute(
        "INSERT INTO messages (id, user, state, due_at, created_at, url, topic_name,"
        " queue_name, schedule_id, flow_control_key, data, body)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET user = excluded.user, state = excluded.state,"
        " due_at = excluded.due_at, created_at = excluded.created_at, url = excluded.url,"
        " topic_name = excluded.topic_name, queue_name = excluded.queue_name,"
        " schedule_id = excluded.schedule_id, flow_control_key = excluded.flow_control_key,"
        " data = excluded.data, body = excluded.body",
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
        "SELECT data, body FROM messages WHERE user = ? AND id = ? AND state != ?",
        (user, message_id, CANCELED),
    ).fetchone()
    return None if row is None else row_to_message(row)


def delete(conn: sqlite3.Connection, message_id: str) -> None:
    """Remove a message; if it was in a queue, the queue's next held messages may go."""
    row = conn.execute(
        "SELECT user, queue_name FROM messages WHERE id = ?", (message_id,)
    ).fetchone()
    conn.execute("DELETE FROM messages WHERE id = ?", (message_id,))
    if row is not None and row["queue_name"] is not None:
        queues.release(conn, row["user"], row["queue_name"])


def next_due(conn: sqlite3.Connection) -> int | None:
    row = conn.execute("SELECT MIN(due_at) FROM messages WHERE state = 'pending'").fetchone()
    return None if row is None else row[0]


def due(conn: sqlite3.Connection, now_ms: int, limit: int, offset: int = 0) -> list[Message]:
    """Pending messages whose time has come, earliest first (read from the due index)."""
    rows = conn.execute(
        "SELECT data, body FROM messages WHERE state = 'pending' AND due_at <= ?"
        " ORDER BY due_at, rowid LIMIT ? OFFSET ?",
        (now_ms, limit, offset),
    ).fetchall()
    return [row_to_message(row) for row in rows]


def state_of(conn: sqlite3.Connection, message_id: str) -> str | None:
    row = conn.execute("SELECT state FROM messages WHERE id = ?", (message_id,)).fetchone()
    return None if row is None else str(row["state"])


def requeue_active(conn: sqlite3.Connection) -> int:
    """After a restart, deliveries that were under way are due again (at-least-once), and
    those cancelled while under way are gone."""
    for (message_id,) in conn.execute(
        "SELECT id FROM messages WHERE state = ?", (CANCELED,)
    ).fetchall():
        delete(conn, message_id)
    rows = conn.execute(
        "SELECT data, body FROM messages WHERE state = 'active' ORDER BY rowid"
    ).fetchall()
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


_DEDUP_PURGE = 64


def dedup_remember(
    conn: sqlite3.Connection, user: str, key: str, message_id: str, expires_at: int, now_ms: int
) -> None:
    """Remember ``key`` until ``expires_at``, forgetting a few keys whose window has ended
    (found through the expiry index), so the table does not grow without bound."""
    conn.execute(
        "DELETE FROM dedup WHERE rowid IN"
        " (SELECT rowid FROM dedup WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)",
        (now_ms, _DEDUP_PURGE),
    )
    conn.execute(
        "INSERT OR REPLACE INTO dedup (user, key, message_id, expires_at) VALUES (?, ?, ?, ?)",
        (user, key, message_id, expires_at),
    )


# --- cancellation (management routes) ------------------------------------------------


def of_user(conn: sqlite3.Connection, user: str) -> list[Message]:
    """Every message of ``user`` still waiting or in flight, oldest first."""
    rows = conn.execute(
        "SELECT data, body FROM messages WHERE user = ? AND state != ? ORDER BY created_at, rowid",
        (user, CANCELED),
    ).fetchall()
    return [row_to_message(row) for row in rows]


def cancel(conn: sqlite3.Connection, user: str, ids: list[str], time_ms: int) -> list[str]:
    """Remove the user's messages among ``ids`` (pending or in flight), logging
    CANCEL_REQUESTED and CANCELED for each; returns the ids that were cancelled.

    A delivery already under way still finishes: its row stays, in the ``canceled`` state,
    so its queue and flow-control slot stay taken until then; the engine then removes it
    without another attempt, DLQ entry or callback.
    """
    from ..logs import log_entry
    from . import events

    cancelled: list[str] = []
    for message_id in dict.fromkeys(ids):
        msg = get(conn, user, message_id)
        if msg is None:
            continue
        if state_of(conn, msg.id) == "active":
            msg.state = CANCELED
            save(conn, msg)
        else:
            delete(conn, msg.id)
        events.append(conn, user, log_entry(msg, "CANCEL_REQUESTED", time_ms))
        events.append(conn, user, log_entry(msg, "CANCELED", time_ms))
        cancelled.append(msg.id)
    return cancelled
