"""Message states as the log reports them (shared by the SDK and the local server)."""

from __future__ import annotations

from typing import Literal, get_args

__all__ = ["LOGGED_STATES", "LogState"]

LogState = Literal[
    "CREATED",
    "ACTIVE",
    "RETRY",
    "ERROR",
    "DELIVERED",
    "FAILED",
    "CANCEL_REQUESTED",
    "CANCELED",
    "IN_PROGRESS",
]

# Every state a log entry can carry; IN_PROGRESS is only a filter (ACTIVE, RETRY or ERROR).
LOGGED_STATES: tuple[str, ...] = tuple(s for s in get_args(LogState) if s != "IN_PROGRESS")
