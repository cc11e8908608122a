"""Store operations for queues."""

from __future__ import annotations

SCHEMA = ""
