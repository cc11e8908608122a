"""The database schema: each resource module contributes its tables."""

from __future__ import annotations

from . import dlq, events, keys, messages

SCHEMA = "\n".join(module.SCHEMA for module in (messages, events, dlq, keys))
