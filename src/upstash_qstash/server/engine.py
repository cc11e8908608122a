"""The delivery engine: finds due messages, delivers them, retries, dead-letters.

Time comes only from the injected clock. Due work is found through the ``(state, due_at)``
index, so the cost of a tick does not grow with the number of messages waiting for later.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import logging
import math
import sqlite3
import time
from collections.abc import Callable
from typing import Any, Protocol

from .._wire.headers import header_map
from .._wire.retry_after import retry_after_seconds
from .._wire.retry_delay import RetryDelayError, evaluate_retry_delay
from ..receiver import sign
from .clock import Clock, ManualClock
from .delivery import Deliverer, DeliveryRequest, DeliveryResult
from .logs import log_entry
from .models import Message, new_id
from .settings import Settings
from .store import SQLiteStore, lifecycle
from .store import keys as key_ops
from .store import messages as message_ops

__all__ = ["Engine", "SettleHook", "Timer", "default_backoff"]

log = logging.getLogger("upstash_qstash.server")

MAX_BACKOFF_SECONDS = 86400.0
_CLAIM_BATCH = 256


def default_backoff(retried: int) -> float:
    """Seconds before retry number ``retried`` (1 for the first retry): min(1 day, e^(2.5n))."""
    return min(MAX_BACKOFF_SECONDS, math.exp(2.5 * retried))


SettleHook = Callable[[sqlite3.Connection, Message, DeliveryResult, str, dict[str, Any]], None]
"""``(conn, msg, result, outcome, info)``, run inside the transaction that settles ``msg``."""


class Timer(Protocol):
    """A source of due work besides messages (e.g. cron schedules)."""

    async def next_due_ms(self) -> int | None: ...

    async def fire(self, now_ms: int) -> None: ...


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


class Engine:
    """Runs deliveries in the background; tests can also drive it step by step via :meth:`drain`."""

    def __init__(
        self,
        store: SQLiteStore,
        settings: Settings,
        clock: Clock,
        deliverer: Deliverer,
    ) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.deliverer = deliverer
        self._wake = asyncio.Event()
        self._in_flight: dict[str, asyncio.Task[None]] = {}
        self._loop_task: asyncio.Task[None] | None = None
        self._stopping = False
        self._tick_lock = asyncio.Lock()
        self._keys: dict[str, tuple[str, str]] = {}
        # Extension points: admission gates (queues, flow control) and outcome hooks.
        # A gate runs on the store thread inside the claim transaction and may read ``conn``.
        self.gates: list[Callable[[sqlite3.Connection, Message], bool]] = []
        # Settle hooks run on the store thread inside the transaction that records an
        # attempt's outcome, so what they store (callback messages, released wait lists,
        # schedule states) is committed together with it or not at all. ``outcome`` is
        # DELIVERED, RETRY or FAILED, or CANCELED when the message was cancelled while its
        # delivery was under way; ``info`` holds ``now_ms`` (and ``dlqId`` when FAILED).
        self.on_settled: list[SettleHook] = []
        # Other producers of due work (the scheduler): each returns its next due time (ms)
        # and is run by ``fire`` when that time has come.
        self.timers: list[Timer] = []

    # ----------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        resumed = await self.store.write(message_ops.requeue_active)
        if resumed:
            log.info("resumed %d deliveries that were in flight at the last stop", resumed)
        self._loop_task = asyncio.create_task(self._run(), name="qstash-engine")

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._loop_task is not None:
            self._loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop_task
        tasks = list(self._in_flight.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def notify(self) -> None:
        """New work may be due: wake the loop."""
        self._wake.set()

    def now_ms(self) -> int:
        return _ms(self.clock.now())

    # ----------------------------------------------------------------- keys

    def default_keys(self, user: str) -> tuple[str, str]:
        for dev in self.settings.users:
            if dev.user_id == user:
                return dev.current_signing_key, dev.next_signing_key
        raise KeyError(user)

    async def signing_keys(self, user: str) -> tuple[str, str]:
        if user not in self._keys:
            self._keys[user] = await self.store.read(key_ops.get, user, self.default_keys(user))
        return self._keys[user]

    async def rotate_keys(self, user: str) -> tuple[str, str]:
        _, next_key = await self.signing_keys(user)
        rotated = (next_key, new_id("sig_", 28))
        await self.store.write(key_ops.put, user, *rotated)
        self._keys[user] = rotated
        return rotated

    # ----------------------------------------------------------------- loop

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                await self.tick()
                next_due = await self.next_due_ms()
            except Exception:  # keep the engine alive; the next wake retries
                log.exception("engine tick failed")
                next_due = None
            deadline = None if next_due is None else next_due / 1000.0
            if not self._stopping:
                await self.clock.sleep_until(deadline, self._wake)

    async def next_due_ms(self) -> int | None:
        """The earliest time (ms) at which the engine or a timer has work, if any."""
        times = [await self.store.read(message_ops.next_due)]
        times += [await timer.next_due_ms() for timer in self.timers]
        known = [t for t in times if t is not None]
        return min(known) if known else None

    def _admit(self, conn: sqlite3.Connection, msg: Message) -> bool:
        if msg.id in self._in_flight:
            return False
        return all(gate(conn, msg) for gate in self.gates)

    async def tick(self) -> int:
        """Run due timers, then start every delivery that is due now (as the gates allow)."""
        async with self._tick_lock:
            for timer in self.timers:
                await timer.fire(self.now_ms())
            started = 0
            room = self.settings.max_in_flight - len(self._in_flight)
            while room > 0:
                now_ms = self.now_ms()
                claimed = await self.store.write(
                    lifecycle.claim,
                    now_ms,
                    min(room, _CLAIM_BATCH),
                    self._admit,
                    functools.partial(_active_entry, now_ms=now_ms),
                )
                for msg in claimed:
                    self._in_flight[msg.id] = asyncio.create_task(self._attempt(msg))
                started += len(claimed)
                room -= len(claimed)
                if len(claimed) < _CLAIM_BATCH:
                    break
            return started

    async def drain(self) -> None:
        """Run until nothing is due at the clock's current time and nothing is in flight."""
        while True:
            await self.tick()
            if not self._in_flight:
                return
            await asyncio.gather(*list(self._in_flight.values()), return_exceptions=True)

    async def run_until(self, target: float, clock: ManualClock) -> None:
        """Step a manual clock through every due time up to ``target``, draining at each."""
        while True:
            await self.drain()
            due = await self.next_due_ms()
            if due is None or due / 1000.0 > target:
                break
            clock.set(max(due / 1000.0, clock.now()))
        if target > clock.now():
            clock.set(target)
        await self.drain()

    # ----------------------------------------------------------------- one attempt

    def _delivery_headers(self, msg: Message, token: str) -> list[tuple[str, str]]:
        headers = list(msg.headers)
        headers += [
            ("User-Agent", "Upstash-QStash"),
            ("Upstash-Signature", token),
            ("Upstash-Message-Id", msg.id),
            ("Upstash-Retried", str(msg.retried)),
        ]
        if msg.topic_name:
            headers.append(("Upstash-Topic-Name", msg.topic_name))
        if msg.endpoint_name:
            headers.append(("Upstash-Endpoint-Name", msg.endpoint_name))
        if msg.schedule_id:
            headers.append(("Upstash-Schedule-Id", msg.schedule_id))
        if msg.queue_name:
            headers.append(("Upstash-Queue-Name", msg.queue_name))
        if msg.caller_ip:
            headers.append(("Upstash-Caller-Ip", msg.caller_ip))
        return headers

    async def _attempt(self, msg: Message) -> None:
        try:
            current_key, _ = await self.signing_keys(msg.user)
            # Tokens carry wall-clock time even on a manual clock: receivers check them
            # against real time, and the manual clock only moves the schedule.
            token = sign(current_key, url=msg.url, body=msg.body, now=time.time())
            limit = self.settings.max_attempt_timeout_seconds
            timeout = limit if msg.timeout is None else min(msg.timeout, limit)
            result = await self.deliverer.deliver(
                DeliveryRequest(
                    msg.url, msg.method, self._delivery_headers(msg, token), msg.body, timeout
                )
            )
            await self._settle(msg, result)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("delivery of %s failed unexpectedly", msg.id)
            await self._recover(msg)
        finally:
            self._in_flight.pop(msg.id, None)
            self._wake.set()

    async def _recover(self, msg: Message) -> None:
        """After an internal error, make the message due again later instead of leaving it
        active (which would hold its queue and flow-control slots until a restart)."""
        due_at = self.now_ms() + _ms(default_backoff(msg.retried + 1))
        try:
            await self.store.write(lifecycle.requeue, msg.id, due_at)
        except Exception:  # the store itself is failing: a restart resumes the message
            log.exception("could not requeue %s", msg.id)

    def _next_delay(self, msg: Message, result: DeliveryResult, now: float) -> float:
        """Seconds until the next attempt after a failed one."""
        if result.status is not None:
            told = retry_after_seconds(dict(result.headers), now)
            if told is not None:
                return told
        if msg.retry_delay:
            try:
                return evaluate_retry_delay(msg.retry_delay, msg.retried) / 1000.0
            except RetryDelayError as exc:
                log.warning("retry delay of %s failed (%s); using the default backoff", msg.id, exc)
        return default_backoff(msg.retried + 1)

    async def _settle(self, msg: Message, result: DeliveryResult) -> None:
        now = self.clock.now()
        now_ms = _ms(now)
        response: dict[str, Any] = {}
        if result.status is not None:
            response = {
                "responseStatus": result.status,
                "responseHeader": header_map(result.headers),
                "responseHeaders": header_map(result.headers),
            }
        if result.ok:
            entries = [log_entry(msg, "DELIVERED", now_ms, **response)]
            settled = self._settled(msg, result, {"now_ms": now_ms})
            await self.store.write(lifecycle.delivered, msg, entries, settled)
            return

        error = result.error or f"destination answered {result.status}"
        error_entry = log_entry(
            msg,
            "ERROR",
            now_ms,
            error=error,
            responseBody=_b64(result.body) if result.status is not None else None,
            **response,
        )
        non_retryable = result.status == 489 and any(
            k.lower() == "upstash-nonretryable-error" and v.strip().lower() == "true"
            for k, v in result.headers
        )
        if non_retryable or msg.retried >= msg.max_retries:
            dlq_id = f"{now_ms}-{new_id('', 8)}"
            reason = "non-retryable error" if non_retryable else "retries exhausted"
            failed_entry = log_entry(
                msg, "FAILED", now_ms, error=f"{error} ({reason})", dlqId=dlq_id, **response
            )
            dlq_response = {**response, "responseBody": result.body, "error": error}
            await self.store.write(
                lifecycle.failed,
                msg,
                [error_entry, failed_entry],
                dlq_id,
                now_ms,
                _dlq_response(dlq_response),
                self._settled(msg, result, {"now_ms": now_ms, "dlqId": dlq_id}),
            )
            return

        delay = max(0.0, self._next_delay(msg, result, now))
        msg.retried += 1
        msg.due_at = now_ms + _ms(delay)
        retry_entry = log_entry(msg, "RETRY", now_ms, nextDeliveryTime=msg.due_at)
        await self.store.write(
            lifecycle.retry_later,
            msg,
            [error_entry, retry_entry],
            self._settled(msg, result, {"now_ms": now_ms}),
        )

    def _settled(
        self, msg: Message, result: DeliveryResult, info: dict[str, Any]
    ) -> Callable[[sqlite3.Connection, str], None]:
        """The settle hooks bound to one attempt, for the lifecycle op to run in its transaction.

        Each hook runs in its own savepoint: one that fails is logged and undone without
        taking the outcome (or the other hooks) with it.
        """

        def run(conn: sqlite3.Connection, outcome: str) -> None:
            for hook in self.on_settled:
                conn.execute("SAVEPOINT settle_hook")
                try:
                    hook(conn, msg, result, outcome, info)
                except Exception:
                    log.exception("settle hook %r failed for %s", hook, msg.id)
                    conn.execute("ROLLBACK TO settle_hook")
                conn.execute("RELEASE settle_hook")

        return run


def _active_entry(msg: Message, now_ms: int) -> dict[str, Any]:
    return log_entry(msg, "ACTIVE", now_ms)


def _b64(body: bytes) -> str:
    return base64.b64encode(body).decode()


def _dlq_response(response: dict[str, Any]) -> dict[str, Any]:
    body: bytes = response.pop("responseBody", b"") or b""
    out = dict(response)
    if body:
        try:
            out["responseBody"] = body.decode("utf-8")
        except UnicodeDecodeError:
            out["responseBodyBase64"] = _b64(body)
    return out
