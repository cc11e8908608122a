"""scheduler (extension of the engine)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .app import Server


def install(server: Server) -> None:
    """Attach this feature's gates, hooks and timers to the server's engine."""
