"""The log: one row per state change of a message."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    user TEXT NOT NULL,
    time INTEGER NOT NULL,
    message_id TEXT NOT NULL,
    state TEXT NOT NULL,
    url TEXT,
    topic_name TEXT,
    queue_name TEXT,
    schedule_id TEXT,
    flow_control_key TEXT,
    caller_ip TEXT,
    labels TEXT,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_user ON events(user, seq);
CREATE INDEX IF NOT EXISTS events_message ON events(user, message_id, seq);
"""


def append(conn: sqlite3.Connection, user: str, entry: dict[str, Any]) -> None:
    """Store a log entry (the JSON object ``/v2/events`` returns)."""
    labels = entry.get("labels")
    conn.execute(
        "INSERT INTO events (user, time, message_id, state, url, topic_name, queue_name,"
        " schedule_id, flow_control_key, caller_ip, labels, data)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            user,
            entry["time"],
            entry["messageId"],
            entry["state"],
            entry.get("url"),
            entry.get("topicName"),
            entry.get("queueName"),
            entry.get("scheduleId"),
            entry.get("flowControlKey"),
            entry.get("callerIP"),
            json.dumps(labels) if labels else None,
            json.dumps(entry),
        ),
    )


def append_many(conn: sqlite3.Connection, user: str, entries: Sequence[dict[str, Any]]) -> None:
    for entry in entries:
        append(conn, user, entry)


@dataclass(slots=True)
class EventQuery:
    """Filters of ``GET /v2/events``: values of one field are OR-ed, fields are AND-ed."""

    columns: dict[str, list[str]] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)
    from_time: int | None = None
    to_time: int | None = None
    before_seq: int | None = None
    after_seq: int | None = None
    latest_first: bool = True
    count: int = 100
    # Destination host (``name`` or ``name:port``) and path; matched on the stored url.
    hosts: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)

    def url_matches(self, url: str | None) -> bool:
        if not (self.hosts or self.paths):
            return True
        parts = urlsplit(url or "")
        if self.hosts and parts.netloc not in self.hosts and parts.hostname not in self.hosts:
            return False
        return not self.paths or (parts.path or "/") in self.paths


_COLUMNS = {
    "message_id",
    "state",
    "url",
    "topic_name",
    "queue_name",
    "schedule_id",
    "flow_control_key",
    "caller_ip",
}


def query(
    conn: sqlite3.Connection, user: str, q: EventQuery
) -> tuple[list[dict[str, Any]], int | None]:
    """A page of entries and the seq to continue from (None on the last page)."""
    where = ["user = ?"]
    params: list[Any] = [user]
    for column, values in q.columns.items():
        if column not in _COLUMNS:
            raise ValueError(f"unknown event column {column}")
        if values:
            where.append(f"{column} IN ({', '.join('?' * len(values))})")
            params.extend(values)
    if q.labels:
        where.append(
            "("
            + " OR ".join(
                "EXISTS (SELECT 1 FROM json_each(events.labels) WHERE value = ?)" for _ in q.labels
            )
            + ")"
        )
        params.extend(q.labels)
    if q.from_time is not None:
        where.append("time >= ?")
        params.append(q.from_time)
    if q.to_time is not None:
        where.append("time <= ?")
        params.append(q.to_time)
    order = "DESC" if q.latest_first else "ASC"
    sql = f"SELECT seq, url, data FROM events WHERE {' AND '.join(where)}"
    # Host/path filters run on the url in Python, so rows are read in chunks until a page
    # (plus one row, to know whether another page follows) is complete.
    position_before, position_after = q.before_seq, q.after_seq
    found: list[sqlite3.Row] = []
    chunk = q.count + 1 if not (q.hosts or q.paths) else max(256, q.count + 1)
    while len(found) <= q.count:
        extra: list[str] = []
        extra_params: list[Any] = []
        if position_before is not None:
            extra.append(" AND seq < ?")
            extra_params.append(position_before)
        if position_after is not None:
            extra.append(" AND seq > ?")
            extra_params.append(position_after)
        rows = conn.execute(
            sql + "".join(extra) + f" ORDER BY seq {order} LIMIT ?",
            [*params, *extra_params, chunk],
        ).fetchall()
        found.extend(row for row in rows if q.url_matches(row["url"]))
        if len(rows) < chunk:
            break
        last = int(rows[-1]["seq"])
        if q.latest_first:
            position_before = last
        else:
            position_after = last
    more = len(found) > q.count
    found = found[: q.count]
    entries = [json.loads(row["data"]) for row in found]
    return entries, (int(found[-1]["seq"]) if more and found else None)
