"""Flow control (spec section 12): per-key parallelism and rate limits on the engine.

Three pieces are attached to the engine:

* a gate that admits a message of a key only while the key is running, has a free
  parallelism slot and room in its rate window (refused messages wait, see
  :mod:`.store.flow_control`);
* a settle hook: when a delivery of a key ends (in the same transaction), the key's next
  waiting messages are released into the slot it freed;
* a timer due when the earliest full rate window ends, so the engine wakes (and a manual
  clock stops) exactly then and releases the messages that waited for it.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from .store import flow_control as fc_ops

if TYPE_CHECKING:
    from .app import Server
    from .delivery import DeliveryResult
    from .engine import Engine
    from .models import Message

__all__ = ["FlowControlTimer", "install"]


class FlowControlTimer:
    """Wakes the engine when a full rate window ends and releases its waiting messages.

    The first time it runs it re-examines every key with waiting messages, so messages
    that were waiting when the server stopped continue after a restart.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._started = False

    async def next_due_ms(self) -> int | None:
        if not self._started:
            return self._engine.now_ms()
        return await self._engine.store.read(fc_ops.next_wakeup)

    async def fire(self, now_ms: int) -> None:
        if not self._started:
            self._started = True
            await self._engine.store.write(fc_ops.release_all, now_ms)
        await self._engine.store.write(fc_ops.due_wakeups, now_ms)


def install(server: Server) -> None:
    """Attach the flow-control gate, release hook and rate-window timer to the engine."""
    engine = server.engine

    def gate(conn: sqlite3.Connection, msg: Message) -> bool:
        return fc_ops.admit(conn, msg, engine.now_ms())

    def on_settled(
        conn: sqlite3.Connection,
        msg: Message,
        result: DeliveryResult,
        outcome: str,
        info: dict[str, Any],
    ) -> None:
        # Every outcome frees the slot, a cancelled delivery's too.
        if msg.flow_control_key is not None:
            fc_ops.release(conn, msg.user, msg.flow_control_key, info["now_ms"])

    # The gate records the start in the rate window, so it must run after the other gates.
    engine.gates.append(gate)
    engine.on_settled.append(on_settled)
    engine.timers.append(FlowControlTimer(engine))
