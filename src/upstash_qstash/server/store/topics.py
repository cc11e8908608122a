"""Store operations for topics."""

from __future__ import annotations

SCHEMA = ""
