"""The manual clock's public shape: construction, moving, reading, listeners."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest

from upstash_qstash.server.clock import ManualClock, SystemClock


def test_from_datetime_and_now_datetime() -> None:
    clock = ManualClock.from_datetime(datetime(2026, 3, 8, 6, 59))  # naive means UTC
    assert clock.now() == datetime(2026, 3, 8, 6, 59, tzinfo=UTC).timestamp()
    clock.advance(timedelta(minutes=1))
    assert clock.now_datetime() == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
    eastern = timezone(timedelta(hours=-4))
    clock.set(datetime(2026, 3, 8, 4, 30, tzinfo=eastern))
    assert clock.now_datetime() == datetime(2026, 3, 8, 8, 30, tzinfo=UTC)


def test_time_never_goes_backwards() -> None:
    clock = ManualClock(1000.0)
    with pytest.raises(ValueError, match="backwards"):
        clock.set(999.0)
    with pytest.raises(ValueError, match="non-negative"):
        clock.advance(-1)
    assert clock.now() == 1000.0


def test_listeners_are_told_when_time_moves() -> None:
    clock = ManualClock(0.0)
    seen: list[float] = []
    unsubscribe = clock.subscribe(lambda: seen.append(clock.now()))
    clock.advance(5)
    clock.set(7)
    unsubscribe()
    clock.advance(1)
    assert seen == [5.0, 7.0]


def test_sleep_until_returns_when_the_clock_reaches_the_deadline() -> None:
    async def scenario() -> list[str]:
        clock = ManualClock(100.0)
        wake = asyncio.Event()
        order: list[str] = []

        async def sleeper() -> None:
            await clock.sleep_until(160.0, wake)
            order.append(f"woke at {clock.now():g}")

        task = asyncio.create_task(sleeper())
        await asyncio.sleep(0)
        clock.advance(30)
        await asyncio.sleep(0.01)
        order.append("still asleep" if not task.done() else "woke too early")
        clock.advance(30)
        await asyncio.wait_for(task, 1)
        return order

    assert asyncio.run(scenario()) == ["still asleep", "woke at 160"]


def test_system_clock_reads_wall_time() -> None:
    before = datetime.now(UTC).timestamp()
    assert before - 1 <= SystemClock().now() <= before + 5
