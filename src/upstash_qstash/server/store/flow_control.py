"""Store operations for flow_control."""

from __future__ import annotations

SCHEMA = ""
