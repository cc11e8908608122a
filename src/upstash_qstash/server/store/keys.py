"""Signing keys per user (the dev keys until rotated)."""

from __future__ import annotations

import sqlite3

SCHEMA = """
CREATE TABLE IF NOT EXISTS signing_keys (
    user TEXT PRIMARY KEY,
    current TEXT NOT NULL,
    next TEXT NOT NULL
);
"""


def get(conn: sqlite3.Connection, user: str, default: tuple[str, str]) -> tuple[str, str]:
    row = conn.execute("SELECT current, next FROM signing_keys WHERE user = ?", (user,)).fetchone()
    return default if row is None else (str(row["current"]), str(row["next"]))


def put(conn: sqlite3.Connection, user: str, current: str, next_key: str) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO signing_keys (user, current, next) VALUES (?, ?, ?)",
        (user, current, next_key),
    )
