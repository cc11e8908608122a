"""The dead-letter queue: messages whose deliveries failed for good."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ..models import Message

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
