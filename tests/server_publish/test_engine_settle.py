"""Settling an attempt: what must hold when deliveries race with cancels, crashes and errors.

These tests hold one delivery in flight at a chosen moment by wrapping the server's real
deliverer (every other delivery goes to a real loopback endpoint), so no wall-clock waits
decide the outcome.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from upstash_qstash.server.clock import ManualClock
from upstash_qstash.server.delivery import Deliverer, DeliveryRequest, DeliveryResult
from upstash_qstash.testing.local import LocalQStash
from upstash_qstash.testing.recorder import Recorder


class HeldDeliverer:
    """Holds the first delivery until released, answering it with ``first``; then real ones."""

    def __init__(self, real: Deliverer, first: DeliveryResult | Exception) -> None:
        self.real = real
        self.first: DeliveryResult | Exception | None = first
        self.started = threading.Event()
        self.release = threading.Event()

    async def deliver(self, request: DeliveryRequest) -> DeliveryResult:
        if self.first is None:
            return await self.real.deliver(request)
        first, self.first = self.first, None
        self.started.set()
        await asyncio.to_thread(self.release.wait, 10)
        if isinstance(first, Exception):
            raise first
        return first

    async def close(self) -> None:
        await self.real.close()


def _hold(qstash: LocalQStash, first: DeliveryResult | Exception) -> HeldDeliverer:
    held = HeldDeliverer(qstash.server.engine.deliverer, first)
    qstash.server.engine.deliverer = held
    return held


def _http(qstash: LocalQStash) -> httpx2.Client:
    return httpx2.Client(base_url=qstash.url, headers={"Authorization": f"Bearer {qstash.token}"})


@pytest.fixture
def http(qstash: LocalQStash) -> Iterator[httpx2.Client]:
    with _http(qstash) as client:
        yield client


def _publish(http: httpx2.Client, url: str, path: str = "publish", **headers: str) -> str:
    response = http.post(f"/v2/{path}/{url}", headers=headers, content=b"x")
    assert response.status_code == 200, response.text
    message_id: str = response.json()["messageId"]
    return message_id


def test_cancelling_an_in_flight_message_frees_its_flow_control_slot(
    qstash: LocalQStash, http: httpx2.Client, endpoint: Recorder
) -> None:
    """The cancelled delivery then fails: the message waiting behind it must still go."""
    held = _hold(qstash, DeliveryResult(503))
    fc = {"Upstash-Flow-Control-Key": "k", "Upstash-Flow-Control-Value": "parallelism=1"}
    first = _publish(http, endpoint.url, **fc)
    assert held.started.wait(10)
    second = _publish(http, endpoint.url, **fc)
    qstash._thread.run(qstash.server.engine.tick())  # the second is turned away: slot taken
    assert http.get("/v2/flowControl/k").json()["waitListSize"] == 1

    assert http.delete(f"/v2/messages/{first}").status_code == 200
    # The cancelled delivery is still under way: it keeps the key's only slot.
    assert qstash._thread.run(qstash.server.engine.tick()) == 0
    assert http.get("/v2/flowControl/k").json()["parallelismCount"] == 1
    held.release.set()
    qstash.drain()

    assert [r.header("Upstash-Message-Id") for r in endpoint.requests] == [second]
    assert http.get("/v2/flowControl/k").json()["waitListSize"] == 0
    assert http.get("/v2/dlq").json()["messages"] == []  # no DLQ entry for the cancelled one


def test_cancelling_an_in_flight_queue_message_keeps_the_queue_to_its_parallelism(
    qstash: LocalQStash, http: httpx2.Client, endpoint: Recorder
) -> None:
    """The next message must not start while the cancelled one is still being delivered."""
    held = _hold(qstash, DeliveryResult(200))
    first = _publish(http, endpoint.url, path="enqueue/q")
    assert held.started.wait(10)
    second = _publish(http, endpoint.url, path="enqueue/q")

    assert http.delete(f"/v2/messages/{first}").status_code == 200
    assert http.get(f"/v2/messages/{first}").status_code == 404
    assert http.delete(f"/v2/messages/{first}").status_code == 404
    assert http.get("/v2/queues/q").json()["lag"] == 1
    assert qstash._thread.run(qstash.server.engine.tick()) == 0
    assert endpoint.requests == []

    held.release.set()
    qstash.drain()
    assert [r.header("Upstash-Message-Id") for r in endpoint.requests] == [second]
    assert http.get("/v2/queues/q").json()["lag"] == 0
    states = [
        e["state"] for e in http.get("/v2/events", params={"messageId": first}).json()["events"]
    ]
    assert "CANCELED" in states


def test_an_internal_error_during_an_attempt_does_not_strand_the_message(
    qstash: LocalQStash, http: httpx2.Client, endpoint: Recorder
) -> None:
    """Without recovery the message stays 'active' forever (until a restart), holding its
    queue slot; with it, the message is due again after the first backoff (e^2.5 s)."""
    held = _hold(qstash, RuntimeError("boom"))
    held.release.set()
    message_id = _publish(http, endpoint.url, path="enqueue/q")
    assert held.started.wait(10)
    qstash.drain()
    assert endpoint.requests == []

    qstash.advance(13)

    assert [r.header("Upstash-Message-Id") for r in endpoint.requests] == [message_id]
    assert http.get(f"/v2/messages/{message_id}").status_code == 404
    assert http.get("/v2/queues/q").json()["lag"] == 0


def test_callback_is_committed_with_the_delivery_it_reports(
    tmp_path: Path, endpoint: Recorder
) -> None:
    """Crash right after the delivery is recorded: the restarted server still calls back."""
    db = str(tmp_path / "qstash.db")
    committed = threading.Event()
    with Recorder() as callback:
        with LocalQStash(clock=ManualClock(), db_path=db) as first, _http(first) as http:
            store = first.server.store
            real_write = store.write

            async def write(op: Any, *args: Any, **kwargs: Any) -> Any:
                result = await real_write(op, *args, **kwargs)
                if getattr(op, "__name__", "") == "delivered":
                    committed.set()
                    await asyncio.Event().wait()  # the process dies here
                return result

            store.write = write  # type: ignore[method-assign]
            _publish(http, endpoint.url, **{"Upstash-Callback": callback.url})
            assert committed.wait(10)
        assert len(endpoint.requests) == 1

        with LocalQStash(clock=ManualClock(), db_path=db) as second:
            second.drain()
            second.drain()
        assert len(endpoint.requests) == 1  # the delivery itself was committed: not repeated
        assert len(callback.requests) == 1
        assert callback.requests[0].json()["status"] == 200


def test_queue_in_flight_and_held_messages_resume_in_order_after_a_crash(
    tmp_path: Path, endpoint: Recorder
) -> None:
    """The queue head is in flight and two messages are held behind it when the server
    dies: after the restart the head is delivered again (at least once), then the others,
    in order, one at a time."""
    db = str(tmp_path / "qstash.db")
    with LocalQStash(clock=ManualClock(), db_path=db) as first, _http(first) as http:
        held = _hold(first, DeliveryResult(200))
        ids = [_publish(http, endpoint.url, path="enqueue/q") for _ in range(3)]
        assert held.started.wait(10)
        first._thread.run(first.server.engine.tick())  # the other two are held
        assert http.get("/v2/queues/q").json()["lag"] == 3
        first.server.engine.deliverer = held.real  # stopping cancels the held delivery
    held.release.set()
    assert endpoint.requests == []

    with LocalQStash(clock=ManualClock(), db_path=db) as second, _http(second) as http:
        second.drain()
        assert [r.header("Upstash-Message-Id") for r in endpoint.requests] == ids
        assert endpoint.max_in_flight == 1
        assert http.get("/v2/queues/q").json()["lag"] == 0


def test_a_failing_settle_hook_is_undone_alone(
    qstash: LocalQStash, http: httpx2.Client, endpoint: Recorder
) -> None:
    """A hook that raises loses only its own writes: the outcome, the log and the other
    hooks (here the callback) are still committed, and the message is not delivered twice."""

    def broken(conn: Any, msg: Any, result: Any, outcome: str, info: Any) -> None:
        conn.execute("DELETE FROM events")  # undone with the hook
        raise RuntimeError("hook bug")

    qstash.server.engine.on_settled.insert(0, broken)
    with Recorder() as callback:
        message_id = _publish(http, endpoint.url, **{"Upstash-Callback": callback.url})
        qstash.drain()
        qstash.advance(60)

        assert len(endpoint.requests) == 1
        assert len(callback.requests) == 1
    states = [
        e["state"]
        for e in http.get("/v2/events", params={"messageId": message_id}).json()["events"]
    ]
    assert "DELIVERED" in states and "CREATED" in states


def test_a_message_cancelled_in_flight_is_not_resumed_after_a_crash(
    tmp_path: Path, endpoint: Recorder
) -> None:
    db = str(tmp_path / "qstash.db")
    with LocalQStash(clock=ManualClock(), db_path=db) as first, _http(first) as http:
        held = _hold(first, DeliveryResult(200))
        cancelled = _publish(http, endpoint.url, path="enqueue/q")
        assert held.started.wait(10)
        behind = _publish(http, endpoint.url, path="enqueue/q")
        assert http.delete(f"/v2/messages/{cancelled}").status_code == 200
        first.server.engine.deliverer = held.real  # the server dies mid-delivery
    held.release.set()

    with LocalQStash(clock=ManualClock(), db_path=db) as second, _http(second) as http:
        second.drain()
        assert [r.header("Upstash-Message-Id") for r in endpoint.requests] == [behind]
        assert http.get("/v2/queues/q").json()["lag"] == 0
