"""Configuration of the local server and the dev users it ships with."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DEV_USERS", "DevUser", "Settings", "default_db_path"]


@dataclass(frozen=True, slots=True)
class DevUser:
    user_id: str
    token: str
    current_signing_key: str
    next_signing_key: str


# The credentials the QStash dev server documents (and the official JS SDK's dev mode expects).
DEV_USERS: tuple[DevUser, ...] = (
    DevUser(
        "defaultUser",
        "eyJVc2VySUQiOiJkZWZhdWx0VXNlciIsIlBhc3N3b3JkIjoiZGVmYXVsdFBhc3N3b3JkIn0=",
        "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r",
        "sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs",
    ),
    DevUser(
        "testUser1",
        "eyJVc2VySUQiOiJ0ZXN0VXNlcjEiLCJQYXNzd29yZCI6InRlc3RQYXNzd29yZCJ9",
        "sig_7GVPjvuwsfqF65iC8fSrs1dfYruM",
        "sig_5NoELc3EFnZn4DVS5bDs2Nk4b7Ua",
    ),
    DevUser(
        "testUser2",
        "eyJVc2VySUQiOiJ0ZXN0VXNlcjIiLCJQYXNzd29yZCI6InRlc3RQYXNzd29yZCJ9",
        "sig_6jWGaWRxHsw4vMSPJprXadyvrybF",
        "sig_7qHbvhmahe5GwfePDiS5Lg3pi6Qx",
    ),
    DevUser(
        "testUser3",
        "eyJVc2VySUQiOiJ0ZXN0VXNlcjMiLCJQYXNzd29yZCI6InRlc3RQYXNzd29yZCJ9",
        "sig_5T8FcSsynBjn9mMLBsXhpacRovJf",
        "sig_7GFR4YaDshFcqsxWRZpRB161jguD",
    ),
)


def default_db_path() -> str:
    """``$XDG_DATA_HOME/upstash-qstash/dev.db`` (``~/.local/share/...`` when unset)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(base) / "upstash-qstash" / "dev.db")


@dataclass(slots=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    db_path: str = ":memory:"
    users: tuple[DevUser, ...] = DEV_USERS
    max_body_bytes: int = 10 * 1024 * 1024
    max_batch_bytes: int = 100 * 1024 * 1024
    dedup_window_seconds: float = 600.0
    default_retries: int = 3
    max_retries: int = 100
    # Per-attempt limit ("max HTTP response duration"); Upstash-Timeout can only shorten it.
    max_attempt_timeout_seconds: float = 900.0
    max_in_flight: int = 256
    max_delay_seconds: float = 365 * 86400.0
    region: str = field(default="LOCAL")
