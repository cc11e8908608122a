"""Queues: ordered delivery with a parallelism limit (a gate on the engine)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .store import queues as queue_ops

if TYPE_CHECKING:
    from .app import Server


def install(server: Server) -> None:
    """Only the first ``parallelism`` stored messages of a running queue may be delivered."""
    server.engine.gates.append(queue_ops.admit)
