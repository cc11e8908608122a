"""An asyncio loop on a background thread, for running servers beside synchronous tests."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def _close_everything(loop: asyncio.AbstractEventLoop) -> None:
    """Close every connection and task of ``loop``, then the loop itself.

    A connection accepted while a server was shutting down (a delivery arriving during
    teardown) is first a bare socket in a pending task and then a transport nobody else
    will close; either would leak its socket when the loop goes away.
    """

    def spin() -> None:
        for _ in range(3):  # transports announce themselves and finish closing in callbacks
            loop.run_until_complete(asyncio.sleep(0))

    def abort_transports() -> None:
        for transport in list(getattr(loop, "_transports", {}).values()):
            if transport is not None:
                transport.abort()

    spin()  # let pending accepts wrap their sockets in transports before anything else
    abort_transports()
    tasks = asyncio.all_tasks(loop)
    for task in tasks:
        task.cancel()
    if tasks:
        loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
    abort_transports()
    spin()
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()


class LoopThread:
    def __init__(self, name: str) -> None:
        self._name = name
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self.loop = loop
            asyncio.set_event_loop(loop)
            ready.set()
            try:
                loop.run_forever()
            finally:
                _close_everything(loop)

        self._thread = threading.Thread(target=run, name=self._name, daemon=True)
        self._thread.start()
        ready.wait()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = 60.0) -> T:
        """Run ``coro`` on the loop and wait for its result."""
        assert self.loop is not None, "loop not started"
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    async def run_async(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on this thread's loop and await its result from another loop.

        The caller's loop keeps running meanwhile, so an endpoint it serves can answer the
        deliveries ``coro`` waits for. Cancelling the caller cancels ``coro`` too.
        """
        assert self.loop is not None, "loop not started"
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return await asyncio.wrap_future(future)
        finally:
            future.cancel()

    def stop(self) -> None:
        if self._thread is None or self.loop is None:
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self._thread = None
        self.loop = None
