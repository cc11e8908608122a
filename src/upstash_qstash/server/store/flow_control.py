"""Flow-control keys: per-key parallelism and rate limits, and the gate that enforces them.

Every message carrying ``Upstash-Flow-Control-Key`` passes :func:`admit` when it is about to
be delivered. A message the key's limits turn away is moved to the ``waiting`` state, out of
the due index, so a long wait list costs nothing per tick. Waiting messages are made pending
again (in publish order, only as many as may start) by :func:`release` when a delivery of
the key settles, when the key's rate window ends (``wake_at``, read by the scheduler timer
of :mod:`..flow_control`), and when the key is resumed, pinned, unpinned or its rate reset.

* ``parallelism``: deliveries of the key in flight at once (messages in the ``active`` state,
  or ``canceled`` while their delivery is still under way).
* ``rate`` per ``period`` seconds: deliveries started in a fixed window that opens with the
  first start after the previous window ended.

The key's limits follow the newest message of the key (by creation time), except for the
parts that are pinned through the API.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ..models import Message

__all__ = [
    "WAITING",
    "admit",
    "due_wakeups",
    "get",
    "list_keys",
    "next_wakeup",
    "pin",
    "release",
    "release_all",
    "reset_rate",
    "set_paused",
    "unpin",
]

SCHEMA = """
CREATE TABLE IF NOT EXISTS flow_control (
    user TEXT NOT NULL,
    key TEXT NOT NULL,
    parallelism INTEGER,
    rate INTEGER,
    period INTEGER NOT NULL DEFAULT 1,
    config_at INTEGER NOT NULL DEFAULT 0,
    config_message TEXT NOT NULL DEFAULT '',
    pinned_parallelism INTEGER NOT NULL DEFAULT 0,
    pinned_rate INTEGER NOT NULL DEFAULT 0,
    paused INTEGER NOT NULL DEFAULT 0,
    rate_count INTEGER NOT NULL DEFAULT 0,
    period_start INTEGER NOT NULL DEFAULT 0,
    wake_at INTEGER,
    PRIMARY KEY (user, key)
);
CREATE INDEX IF NOT EXISTS flow_control_wake ON flow_control(wake_at)
    WHERE wake_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS messages_flow_control ON messages(user, flow_control_key, state);
"""

WAITING = "waiting"
"""State of a message held back by its flow-control key (not in the due index)."""

_UNLIMITED = 1 << 62


def _row(conn: sqlite3.Connection, user: str, key: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM flow_control WHERE user = ? AND key = ?", (user, key)
    ).fetchone()
    return row


def _ensure(conn: sqlite3.Connection, user: str, key: str) -> sqlite3.Row:
    conn.execute("INSERT OR IGNORE INTO flow_control (user, key) VALUES (?, ?)", (user, key))
    row = _row(conn, user, key)
    assert row is not None
    return row


def _newer(conn: sqlite3.Connection, row: sqlite3.Row, created_at: int, message_id: str) -> bool:
    """Is the message newer than the one the key's configuration came from?

    Messages are ordered by creation time, then by publish order (rowid) while both are
    stored; one already applied is not applied again, so a message that arrived while a
    part was pinned does not override the pinned value once it is unpinned.
    """
    if created_at != row["config_at"]:
        return bool(created_at > row["config_at"])
    if message_id == row["config_message"]:
        return False
    ranks = dict(
        conn.execute(
            "SELECT id, rowid FROM messages WHERE id IN (?, ?)",
            (message_id, row["config_message"]),
        ).fetchall()
    )
    if row["config_message"] not in ranks:
        return True
    return message_id in ranks and ranks[message_id] > ranks[row["config_message"]]


def _apply_config(
    conn: sqlite3.Connection,
    row: sqlite3.Row,
    created_at: int,
    message_id: str,
    parallelism: int | None,
    rate: int | None,
    period: int | None,
) -> sqlite3.Row:
    """Take the limits a message carries if it is newer than the current ones (not pinned)."""
    if not _newer(conn, row, created_at, message_id):
        return row
    values: dict[str, Any] = {"config_at": created_at, "config_message": message_id}
    if not row["pinned_parallelism"]:
        values["parallelism"] = parallelism
    if not row["pinned_rate"]:
        values["rate"] = rate
        values["period"] = period or 1
    changes = ", ".join(f"{name} = ?" for name in values)
    conn.execute(
        f"UPDATE flow_control SET {changes} WHERE user = ? AND key = ?",
        (*values.values(), row["user"], row["key"]),
    )
    updated = _row(conn, row["user"], row["key"])
    assert updated is not None
    return updated


def _last_message(conn: sqlite3.Connection) -> str:
    row = conn.execute("SELECT id FROM messages ORDER BY rowid DESC LIMIT 1").fetchone()
    return "" if row is None else str(row[0])


def _active(conn: sqlite3.Connection, user: str, key: str) -> int:
    row = conn.execute(
        "SELECT COUNT(*) FROM messages WHERE user = ? AND flow_control_key = ?"
        " AND state IN ('active', 'canceled')",
        (user, key),
    ).fetchone()
    return int(row[0])


def _window_open(row: sqlite3.Row, now_ms: int) -> bool:
    return bool(now_ms < row["period_start"] + row["period"] * 1000)


def _wait(conn: sqlite3.Connection, msg: Message) -> None:
    conn.execute("UPDATE messages SET state = ? WHERE id = ?", (WAITING, msg.id))


def admit(conn: sqlite3.Connection, msg: Message, now_ms: int) -> bool:
    """Gate: may ``msg`` start now? Counts the start against the rate window if so."""
    key = msg.flow_control_key
    if key is None:
        return True
    row = _ensure(conn, msg.user, key)
    row = _apply_config(conn, row, msg.created_at, msg.id, msg.parallelism, msg.rate, msg.period)
    if row["paused"]:
        _wait(conn, msg)
        return False
    parallelism = row["parallelism"]
    if parallelism is not None and _active(conn, msg.user, key) >= parallelism:
        _wait(conn, msg)
        return False
    rate = row["rate"]
    if rate is not None:
        period_start, count = row["period_start"], row["rate_count"]
        if not _window_open(row, now_ms):
            period_start, count = now_ms, 0
        if count >= rate:
            _wait(conn, msg)
            conn.execute(
                "UPDATE flow_control SET wake_at = ? WHERE user = ? AND key = ?",
                (period_start + row["period"] * 1000, msg.user, key),
            )
            return False
        conn.execute(
            "UPDATE flow_control SET period_start = ?, rate_count = ? WHERE user = ? AND key = ?",
            (period_start, count + 1, msg.user, key),
        )
    return True


def _room(conn: sqlite3.Connection, row: sqlite3.Row, now_ms: int) -> int:
    """How many waiting messages of the key could start now."""
    if row["paused"]:
        return 0
    room = _UNLIMITED
    if row["parallelism"] is not None:
        room = min(room, row["parallelism"] - _active(conn, row["user"], row["key"]))
    if row["rate"] is not None:
        used = row["rate_count"] if _window_open(row, now_ms) else 0
        room = min(room, row["rate"] - used)
    return max(0, room)


def release(conn: sqlite3.Connection, user: str, key: str, now_ms: int) -> int:
    """Make the first waiting messages of a key pending again, as many as may start now.

    A key whose rate window is full keeps its messages waiting and is woken (``wake_at``)
    when the window ends.
    """
    row = _row(conn, user, key)
    if row is None:
        return 0
    room = _room(conn, row, now_ms)
    wake_at = None
    rate_full = row["rate"] is not None and row["rate_count"] >= row["rate"]
    if not row["paused"] and rate_full and _window_open(row, now_ms):
        wake_at = row["period_start"] + row["period"] * 1000
    conn.execute(
        "UPDATE flow_control SET wake_at = ? WHERE user = ? AND key = ?", (wake_at, user, key)
    )
    if room <= 0:
        return 0
    return conn.execute(
        "UPDATE messages SET state = 'pending' WHERE rowid IN (SELECT rowid FROM messages"
        " WHERE user = ? AND flow_control_key = ? AND state = ? ORDER BY rowid LIMIT ?)",
        (user, key, WAITING, min(room, _UNLIMITED)),
    ).rowcount


def release_all(conn: sqlite3.Connection, now_ms: int) -> int:
    """Re-examine every key that has waiting messages (used once after a start)."""
    keys = conn.execute(
        "SELECT DISTINCT user, flow_control_key FROM messages WHERE state = ?", (WAITING,)
    ).fetchall()
    return sum(release(conn, user, key, now_ms) for user, key in keys)


def next_wakeup(conn: sqlite3.Connection) -> int | None:
    """The earliest end of a full rate window that has messages waiting for it (ms)."""
    row = conn.execute("SELECT MIN(wake_at) FROM flow_control WHERE wake_at IS NOT NULL").fetchone()
    return None if row is None or row[0] is None else int(row[0])


def due_wakeups(conn: sqlite3.Connection, now_ms: int) -> int:
    """Release the keys whose rate window has ended by ``now_ms``."""
    keys = conn.execute(
        "SELECT user, key FROM flow_control WHERE wake_at IS NOT NULL AND wake_at <= ?",
        (now_ms,),
    ).fetchall()
    return sum(release(conn, user, key, now_ms) for user, key in keys)


# ------------------------------------------------------------------- management API


def _refresh(conn: sqlite3.Connection, user: str, key: str) -> sqlite3.Row | None:
    """The key's row, created or updated from its newest stored message if there is one."""
    latest = conn.execute(
        "SELECT id, data FROM messages WHERE user = ? AND flow_control_key = ?"
        " ORDER BY created_at DESC, rowid DESC LIMIT 1",
        (user, key),
    ).fetchone()
    if latest is None:
        return _row(conn, user, key)
    data = json.loads(latest["data"])
    row = _ensure(conn, user, key)
    return _apply_config(
        conn,
        row,
        data["created_at"],
        latest["id"],
        data.get("parallelism"),
        data.get("rate"),
        data.get("period"),
    )


def _waitlist(conn: sqlite3.Connection, user: str, key: str, now_ms: int) -> int:
    row = conn.execute(
        "SELECT COUNT(*) FROM messages WHERE user = ? AND flow_control_key = ?"
        " AND (state = ? OR (state = 'pending' AND due_at <= ?))",
        (user, key, WAITING, now_ms),
    ).fetchone()
    return int(row[0])


def _to_json(conn: sqlite3.Connection, row: sqlite3.Row, now_ms: int) -> dict[str, Any]:
    user, key = row["user"], row["key"]
    window_open = _window_open(row, now_ms)
    return {
        "flowControlKey": key,
        "waitListSize": _waitlist(conn, user, key, now_ms),
        "parallelismMax": row["parallelism"] or 0,
        "parallelismCount": _active(conn, user, key),
        "rateMax": row["rate"] or 0,
        "rateCount": row["rate_count"] if window_open else 0,
        "ratePeriod": row["period"],
        "ratePeriodStart": row["period_start"] // 1000,
        "isPaused": bool(row["paused"]),
        "isPinnedParallelism": bool(row["pinned_parallelism"]),
        "isPinnedRate": bool(row["pinned_rate"]),
    }


def get(conn: sqlite3.Connection, user: str, key: str, now_ms: int) -> dict[str, Any] | None:
    row = _refresh(conn, user, key)
    return None if row is None else _to_json(conn, row, now_ms)


def list_keys(
    conn: sqlite3.Connection, user: str, search: str | None, now_ms: int
) -> list[dict[str, Any]]:
    """Every key of ``user`` (known from the API or from stored messages), by name."""
    names = {
        row[0]
        for row in conn.execute(
            "SELECT DISTINCT flow_control_key FROM messages"
            " WHERE user = ? AND flow_control_key IS NOT NULL",
            (user,),
        )
    }
    names |= {
        row[0] for row in conn.execute("SELECT key FROM flow_control WHERE user = ?", (user,))
    }
    if search:
        names = {name for name in names if search.lower() in name.lower()}
    out = []
    for name in sorted(names):
        row = _refresh(conn, user, name)
        if row is not None:
            out.append(_to_json(conn, row, now_ms))
    return out


def _update(conn: sqlite3.Connection, user: str, key: str, now_ms: int, **values: Any) -> None:
    _refresh(conn, user, key)
    _ensure(conn, user, key)
    if values:
        changes = ", ".join(f"{name} = ?" for name in values)
        conn.execute(
            f"UPDATE flow_control SET {changes} WHERE user = ? AND key = ?",
            (*values.values(), user, key),
        )
    release(conn, user, key, now_ms)


def set_paused(conn: sqlite3.Connection, user: str, key: str, paused: bool, now_ms: int) -> None:
    """Pause (hold every message of the key) or resume; the rate window keeps running."""
    _update(conn, user, key, now_ms, paused=int(paused))


def pin(
    conn: sqlite3.Connection,
    user: str,
    key: str,
    now_ms: int,
    parallelism: int | None,
    rate: int | None,
    period: int | None,
) -> None:
    """Fix the given limits until unpinned; restarts the rate window (count 0, from now)."""
    values: dict[str, Any] = {
        "config_at": now_ms,
        "config_message": _last_message(conn),
        "rate_count": 0,
        "period_start": now_ms,
    }
    if parallelism is not None:
        values.update(parallelism=parallelism, pinned_parallelism=1)
    if rate is not None:
        values.update(rate=rate, pinned_rate=1)
    if period is not None:
        values.update(period=period, pinned_rate=1)
    _update(conn, user, key, now_ms, **values)


def unpin(
    conn: sqlite3.Connection, user: str, key: str, now_ms: int, parallelism: bool, rate: bool
) -> None:
    """Release pinned parts; their values stay until a newer message brings others."""
    values: dict[str, Any] = {}
    if parallelism:
        values["pinned_parallelism"] = 0
    if rate:
        values["pinned_rate"] = 0
    _update(conn, user, key, now_ms, **values)


def reset_rate(conn: sqlite3.Connection, user: str, key: str, now_ms: int) -> None:
    """Start a new rate window now with a count of zero."""
    _update(conn, user, key, now_ms, rate_count=0, period_start=now_ms)


def global_parallelism(conn: sqlite3.Connection, user: str) -> int:
    row = conn.execute(
        "SELECT COUNT(*) FROM messages WHERE user = ? AND state IN ('active', 'canceled')",
        (user,),
    ).fetchone()
    return int(row[0])
