"""The database schema: each resource module contributes its tables."""

from __future__ import annotations

from . import dlq, events, flow_control, keys, messages, queues, schedules, topics

SCHEMA = "\n".join(
    module.SCHEMA
    for module in (messages, events, dlq, keys, topics, queues, schedules, flow_control)
)
