"""Store operations for schedules."""

from __future__ import annotations

SCHEMA = ""
