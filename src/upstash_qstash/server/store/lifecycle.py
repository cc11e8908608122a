"""State changes of a message, each one transaction with its log entries."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from ..models import Message
from . import dlq, events, messages, queues

SCHEMA = ""


def publish(
    conn: sqlite3.Connection,
    user: str,
    batch: list[tuple[Message, str | None]],
    now_ms: int,
    dedup_expires_at: int,
    entry: Callable[[Message], dict[str, Any]],
) -> list[tuple[str, bool]]:
    """Store one user's new messages with their CREATED entries, deduplicating atomically.

    ``batch`` pairs each message with its dedup key (or None). Returns, per message, the id
    to report and whether it was a duplicate of a message seen within the window. Queues
    the messages are enqueued to are created (parallelism 1) if they do not exist yet.
    """
    results: list[tuple[str, bool]] = []
    for queue_name in dict.fromkeys(m.queue_name for m, _ in batch if m.queue_name):
        queues.ensure(conn, user, queue_name, now_ms)
    for msg, key in batch:
        if key is not None:
            existing = messages.dedup_lookup(conn, user, key, now_ms)
            if existing is not None:
                results.append((existing, True))
                continue
            messages.dedup_remember(conn, user, key, msg.id, dedup_expires_at, now_ms)
        messages.save(conn, msg)
        events.append(conn, user, entry(msg))
        results.append((msg.id, False))
    return results


def claim(
    conn: sqlite3.Connection,
    now_ms: int,
    limit: int,
    admit: Callable[[sqlite3.Connection, Message], bool],
    entry: Callable[[Message], dict[str, Any]],
) -> list[Message]:
    """Mark due messages that ``admit`` lets through as active, logging ACTIVE for each.

    A gate may hold a message back by moving it out of the pending state (queues do), or
    leave it pending; pending ones that were turned away are stepped over, so a backlog
    that must wait does not hide messages due after it (up to ``_MAX_SKIPPED`` of them).
    """
    claimed: list[Message] = []
    skipped = 0
    while len(claimed) < limit and skipped <= _MAX_SKIPPED:
        wanted = limit - len(claimed)
        page = messages.due(conn, now_ms, wanted, skipped)
        for msg in page:
            if not admit(conn, msg):
                if _still_pending(conn, msg.id):
                    skipped += 1
                continue
            msg.state = "active"
            messages.save(conn, msg)
            events.append(conn, msg.user, entry(msg))
            claimed.append(msg)
        if len(page) < wanted:
            break
    return claimed


_MAX_SKIPPED = 4096


def _still_pending(conn: sqlite3.Connection, message_id: str) -> bool:
    return messages.state_of(conn, message_id) == "pending"


Settled = Callable[[sqlite3.Connection, str], None]
"""Runs the engine's settle hooks with the outcome, inside the settling transaction."""


def delivered(
    conn: sqlite3.Connection, msg: Message, entries: list[dict[str, Any]], settled: Settled
) -> None:
    """The delivery succeeded (if the message was cancelled meanwhile, hooks see CANCELED)."""
    state = messages.state_of(conn, msg.id)
    messages.delete(conn, msg.id)
    events.append_many(conn, msg.user, entries)
    settled(conn, "DELIVERED" if state == "active" else "CANCELED")


def _cancelled(conn: sqlite3.Connection, msg: Message, settled: Settled) -> bool:
    """Was ``msg`` cancelled while under way? Then remove it and tell the hooks."""
    if messages.state_of(conn, msg.id) == "active":
        return False
    messages.delete(conn, msg.id)
    settled(conn, "CANCELED")
    return True


def retry_later(
    conn: sqlite3.Connection, msg: Message, entries: list[dict[str, Any]], settled: Settled
) -> bool:
    """Schedule the next attempt; False (and no attempt) if the message was cancelled meanwhile."""
    if _cancelled(conn, msg, settled):
        return False
    msg.state = "pending"
    messages.save(conn, msg)
    events.append_many(conn, msg.user, entries)
    settled(conn, "RETRY")
    return True


def failed(
    conn: sqlite3.Connection,
    msg: Message,
    entries: list[dict[str, Any]],
    dlq_id: str,
    now_ms: int,
    response: dict[str, Any],
    settled: Settled,
) -> bool:
    """Dead-letter ``msg``; False (and no DLQ entry) if it was cancelled meanwhile."""
    if _cancelled(conn, msg, settled):
        return False
    messages.delete(conn, msg.id)
    events.append_many(conn, msg.user, entries)
    dlq.add(conn, dlq_id, msg, now_ms, response)
    settled(conn, "FAILED")
    return True


def requeue(conn: sqlite3.Connection, message_id: str, due_at: int) -> None:
    """Put an active message back in the due index (after an internal error)."""
    if messages.state_of(conn, message_id) == messages.CANCELED:
        messages.delete(conn, message_id)
        return
    row = conn.execute(
        "SELECT data, body FROM messages WHERE id = ? AND state = 'active'", (message_id,)
    ).fetchone()
    if row is not None:
        msg = messages.row_to_message(row)
        msg.state, msg.due_at = "pending", due_at
        messages.save(conn, msg)
