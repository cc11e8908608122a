"""URL groups (topics): named lists of endpoints a publish fans out to."""

from __future__ import annotations

import sqlite3
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS topics (
    user TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user, name)
);
CREATE TABLE IF NOT EXISTS topic_endpoints (
    user TEXT NOT NULL,
    topic TEXT NOT NULL,
    position INTEGER NOT NULL,
    url TEXT NOT NULL,
    name TEXT,
    PRIMARY KEY (user, topic, position)
);
"""

Endpoint = tuple[str | None, str]  # (name, url)


def endpoints(conn: sqlite3.Connection, user: str, topic: str) -> list[Endpoint] | None:
    """The group's endpoints in the order they were added, or None if there is no such group."""
    if not _exists(conn, user, topic):
        return None
    rows = conn.execute(
        "SELECT name, url FROM topic_endpoints WHERE user = ? AND topic = ? ORDER BY position",
        (user, topic),
    ).fetchall()
    return [(row["name"], row["url"]) for row in rows]


def _exists(conn: sqlite3.Connection, user: str, topic: str) -> bool:
    row = conn.execute("SELECT 1 FROM topics WHERE user = ? AND name = ?", (user, topic)).fetchone()
    return row is not None


def upsert_endpoints(
    conn: sqlite3.Connection, user: str, topic: str, items: list[Endpoint], now_ms: int
) -> None:
    """Create the group if needed; add each endpoint or update the one with its name or URL.

    An endpoint with a name replaces the endpoint of that name (its URL may change); one
    without a name updates nothing but is added unless its URL is already in the group.
    """
    if _exists(conn, user, topic):
        conn.execute(
            "UPDATE topics SET updated_at = ? WHERE user = ? AND name = ?", (now_ms, user, topic)
        )
    else:
        conn.execute(
            "INSERT INTO topics (user, name, created_at, updated_at) VALUES (?, ?, ?, ?)",
            (user, topic, now_ms, now_ms),
        )
    for name, url in items:
        found = None
        if name is not None:
            found = conn.execute(
                "SELECT position FROM topic_endpoints WHERE user = ? AND topic = ? AND name = ?",
                (user, topic, name),
            ).fetchone()
        if found is None:
            found = conn.execute(
                "SELECT position FROM topic_endpoints WHERE user = ? AND topic = ? AND url = ?"
                " AND (name IS NULL OR ? IS NULL OR name = ?)",
                (user, topic, url, name, name),
            ).fetchone()
        if found is not None:
            conn.execute(
                "UPDATE topic_endpoints SET url = ?, name = COALESCE(?, name)"
                " WHERE user = ? AND topic = ? AND position = ?",
                (url, name, user, topic, found["position"]),
            )
            continue
        row = conn.execute(
            "SELECT COALESCE(MAX(position), -1) + 1 FROM topic_endpoints"
            " WHERE user = ? AND topic = ?",
            (user, topic),
        ).fetchone()
        conn.execute(
            "INSERT INTO topic_endpoints (user, topic, position, url, name) VALUES (?, ?, ?, ?, ?)",
            (user, topic, row[0], url, name),
        )


class UnknownEndpoint(LookupError):
    """An endpoint asked to be removed is not in the group."""


def remove_endpoints(
    conn: sqlite3.Connection,
    user: str,
    topic: str,
    items: list[tuple[str | None, str | None]],
    now_ms: int,
) -> bool | None:
    """Remove endpoints matched by name or URL; None if the group does not exist.

    Raises :class:`UnknownEndpoint` (and removes nothing) when an item matches no endpoint.
    Returns True when the last endpoint went and the group was deleted with it.
    """
    if not _exists(conn, user, topic):
        return None
    positions: set[int] = set()
    for name, url in items:
        rows = conn.execute(
            "SELECT position FROM topic_endpoints WHERE user = ? AND topic = ?"
            " AND (? IS NULL OR name = ?) AND (? IS NULL OR url = ?)",
            (user, topic, name, name, url, url),
        ).fetchall()
        if not rows:
            what = " and ".join(
                f"{k} {v!r}" for k, v in (("name", name), ("url", url)) if v is not None
            )
            raise UnknownEndpoint(f"URL group {topic!r} has no endpoint with {what}")
        positions.update(int(row["position"]) for row in rows)
    conn.executemany(
        "DELETE FROM topic_endpoints WHERE user = ? AND topic = ? AND position = ?",
        [(user, topic, p) for p in positions],
    )
    left = conn.execute(
        "SELECT COUNT(*) FROM topic_endpoints WHERE user = ? AND topic = ?", (user, topic)
    ).fetchone()[0]
    if left == 0:
        delete(conn, user, topic)
        return True
    conn.execute(
        "UPDATE topics SET updated_at = ? WHERE user = ? AND name = ?", (now_ms, user, topic)
    )
    return False


def delete(conn: sqlite3.Connection, user: str, topic: str) -> bool:
    conn.execute("DELETE FROM topic_endpoints WHERE user = ? AND topic = ?", (user, topic))
    return (
        conn.execute("DELETE FROM topics WHERE user = ? AND name = ?", (user, topic)).rowcount > 0
    )


def _to_json(conn: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    eps = endpoints(conn, row["user"], row["name"]) or []
    return {
        "name": row["name"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
        "endpoints": [
            {"url": url, **({"name": name} if name is not None else {})} for name, url in eps
        ],
    }


def get(conn: sqlite3.Connection, user: str, topic: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT * FROM topics WHERE user = ? AND name = ?", (user, topic)).fetchone()
    return None if row is None else _to_json(conn, row)


def list_all(conn: sqlite3.Connection, user: str) -> list[dict[str, Any]]:
    rows = conn.execute("SELECT * FROM topics WHERE user = ? ORDER BY name", (user,)).fetchall()
    return [_to_json(conn, row) for row in rows]
