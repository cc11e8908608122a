"""The dead-letter queue: messages whose deliveries failed for good."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

from ..models import Message
from . import events, messages

SCHEMA = """
CREATE TABLE IF NOT EXISTS dlq (
    dlq_id TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    message_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    url TEXT,
    topic_name TEXT,
    queue_name TEXT,
    schedule_id TEXT,
    flow_control_key TEXT,
    caller_ip TEXT,
    labels TEXT,
    response_status INTEGER,
    data TEXT NOT NULL,
    body BLOB NOT NULL,
    response TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS dlq_user ON dlq(user, created_at);
"""


def add(
    conn: sqlite3.Connection,
    dlq_id: str,
    msg: Message,
    created_at: int,
    response: dict[str, Any],
) -> None:
    conn.execute(
        "INSERT INTO dlq (dlq_id, user, message_id, created_at, url, topic_name, queue_name,"
        " schedule_id, flow_control_key, caller_ip, labels, response_status, data, body, response)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            dlq_id,
            msg.user,
            msg.id,
            created_at,
            msg.url,
            msg.topic_name,
            msg.queue_name,
            msg.schedule_id,
            msg.flow_control_key,
            msg.caller_ip,
            json.dumps(msg.labels) if msg.labels else None,
            response.get("responseStatus"),
            json.dumps(msg.data()),
            msg.body,
            json.dumps(response),
        ),
    )


def get(conn: sqlite3.Connection, user: str, dlq_id: str) -> tuple[Message, dict[str, Any]] | None:
    row = conn.execute(
        "SELECT data, body, response FROM dlq WHERE user = ? AND dlq_id = ?", (user, dlq_id)
    ).fetchone()
    if row is None:
        return None
    return Message.from_data(json.loads(row["data"]), bytes(row["body"])), json.loads(
        row["response"]
    )


Match = Callable[[Message, int, "int | None"], bool]


def _rows_after(
    conn: sqlite3.Connection, user: str, after: int | None, ids: list[str] | None
) -> Iterator[sqlite3.Row]:
    """The user's entries oldest first (by insertion order), after ``after``, in chunks."""
    position = -1 if after is None else after
    while True:
        sql = (
            "SELECT rowid, dlq_id, created_at, response_status, data, body, response FROM dlq"
            " WHERE user = ? AND rowid > ?"
        )
        params: list[Any] = [user, position]
        if ids is not None:
            sql += f" AND dlq_id IN ({', '.join('?' * len(ids))})"
            params.extend(ids)
        rows = conn.execute(sql + " ORDER BY rowid LIMIT 256", params).fetchall()
        if not rows:
            return
        yield from rows
        position = int(rows[-1]["rowid"])


def _entry(row: sqlite3.Row) -> tuple[Message, dict[str, Any]]:
    return Message.from_data(json.loads(row["data"]), bytes(row["body"])), json.loads(
        row["response"]
    )


def page(
    conn: sqlite3.Connection,
    user: str,
    ids: list[str] | None,
    match: Match,
    after: int | None,
    count: int,
) -> tuple[list[tuple[str, Message, dict[str, Any]]], int | None]:
    """Up to ``count`` matching entries after the cursor, and the cursor of the next page."""
    found: list[tuple[int, str, Message, dict[str, Any]]] = []
    if ids is not None and not ids:
        return [], None
    for row in _rows_after(conn, user, after, ids):
        msg, response = _entry(row)
        if ids is None and not match(msg, int(row["created_at"]), row["response_status"]):
            continue
        found.append((int(row["rowid"]), str(row["dlq_id"]), msg, response))
        if len(found) > count:
            break
    more = len(found) > count
    found = found[:count]
    next_cursor = found[-1][0] if more and found else None
    return [(dlq_id, msg, response) for _, dlq_id, msg, response in found], next_cursor


def delete(conn: sqlite3.Connection, user: str, dlq_id: str) -> bool:
    cur = conn.execute("DELETE FROM dlq WHERE user = ? AND dlq_id = ?", (user, dlq_id))
    return cur.rowcount > 0


def delete_page(
    conn: sqlite3.Connection,
    user: str,
    ids: list[str] | None,
    match: Match,
    after: int | None,
    count: int | None,
) -> tuple[int, int | None]:
    """Delete the matching entries of one page (all given ``ids``); returns (deleted, cursor)."""
    if ids is not None:
        deleted = 0
        for dlq_id in dict.fromkeys(ids):
            deleted += delete(conn, user, dlq_id)
        return deleted, None
    assert count is not None
    entries, cursor = page(conn, user, None, match, after, count)
    for dlq_id, _, _ in entries:
        delete(conn, user, dlq_id)
    return len(entries), cursor


def retry(
    conn: sqlite3.Connection,
    user: str,
    dlq_ids: list[str],
    build: Callable[[Message], Message],
    entry: Callable[[Message], dict[str, Any]],
) -> list[str] | None:
    """Turn DLQ entries into new pending messages (logged CREATED) and remove the entries.

    All or nothing: None (and no change) when any id is unknown.
    """
    found: list[Message] = []
    for dlq_id in dlq_ids:
        got = get(conn, user, dlq_id)
        if got is None:
            return None
        found.append(got[0])
    new_ids: list[str] = []
    for dlq_id, old in zip(dlq_ids, found, strict=True):
        msg = build(old)
        messages.save(conn, msg)
        events.append(conn, user, entry(msg))
        delete(conn, user, dlq_id)
        new_ids.append(msg.id)
    return new_ids
