"""Time for the engine and the scheduler: the system clock, or a manual one for tests.

The engine reads time only through a :class:`Clock`. A :class:`ManualClock` stands still
until a test moves it with :meth:`ManualClock.advance` or :meth:`ManualClock.set`; whoever
waits on it is woken then and sees what became due.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["Clock", "ManualClock", "SystemClock"]


class Clock(Protocol):
    """What the engine and the scheduler read time from."""

    def now(self) -> float:
        """Unix time in seconds."""
        ...

    async def sleep_until(self, deadline: float | None, wake: asyncio.Event) -> None:
        """Return when ``deadline`` (Unix seconds) has come or ``wake`` is set."""
        ...


async def _wait(wake: asyncio.Event, seconds: float | None) -> None:
    if seconds is not None and seconds <= 0:
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(wake.wait(), seconds)


class SystemClock:
    """Wall-clock time."""

    def now(self) -> float:
        return time.time()

    async def sleep_until(self, deadline: float | None, wake: asyncio.Event) -> None:
        await _wait(wake, None if deadline is None else deadline - time.time())


class ManualClock:
    """A clock that only moves when told to; safe to drive from another thread.

    ``ManualClock()`` starts at the current wall-clock time, ``ManualClock(start)`` at
    ``start`` (Unix seconds), :meth:`from_datetime` at a given moment. Moving it with
    :meth:`advance` or :meth:`set` only changes what the server sees as "now"; to also run
    everything that became due on the way, use ``LocalQStash.advance``.
    """

    def __init__(self, start: float | None = None) -> None:
        self._now = time.time() if start is None else float(start)
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []

    @classmethod
    def from_datetime(cls, when: datetime) -> ManualClock:
        """A clock starting at ``when``; a naive datetime is taken as UTC."""
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return cls(when.timestamp())

    def now(self) -> float:
        """Unix time in seconds."""
        with self._lock:
            return self._now

    def now_datetime(self) -> datetime:
        """The current time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.now(), UTC)

    def set(self, when: float | datetime) -> None:
        """Jump to ``when`` (Unix seconds or an aware datetime); time never goes backwards."""
        if isinstance(when, datetime):
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            when = when.timestamp()
        with self._lock:
            if when < self._now:
                raise ValueError(f"cannot move a clock backwards ({when} < {self._now})")
            self._now = float(when)
            listeners = list(self._listeners)
        for listener in listeners:
            listener()

    def advance(self, seconds: float | timedelta) -> None:
        """Move time forward by ``seconds`` (a number or a timedelta)."""
        if isinstance(seconds, timedelta):
            seconds = seconds.total_seconds()
        if seconds < 0:
            raise ValueError("advance() takes a non-negative number of seconds")
        self.set(self.now() + seconds)

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` whenever time moves; returns a function that unsubscribes."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    async def sleep_until(self, deadline: float | None, wake: asyncio.Event) -> None:
        """Return once the clock has been moved to ``deadline`` or ``wake`` is set."""
        if deadline is not None and deadline <= self.now():
            return
        loop = asyncio.get_running_loop()
        moved = asyncio.Event()

        def on_move() -> None:
            loop.call_soon_threadsafe(moved.set)

        unsubscribe = self.subscribe(on_move)
        try:
            while deadline is None or self.now() < deadline:
                waiters = {asyncio.ensure_future(wake.wait()), asyncio.ensure_future(moved.wait())}
                try:
                    await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    for task in waiters:
                        task.cancel()
                    await asyncio.gather(*waiters, return_exceptions=True)
                if wake.is_set():
                    return
                moved.clear()
        finally:
            unsubscribe()
