"""Flow control on the real local server: parallelism, rate, pause/resume, pin, management API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
import pytest

from upstash_qstash.server.clock import ManualClock
from upstash_qstash.testing.local import LocalQStash
from upstash_qstash.testing.recorder import Recorder, Reply


@pytest.fixture
def http(qstash: LocalQStash) -> Iterator[httpx2.Client]:
    with httpx2.Client(
        base_url=qstash.url, headers={"Authorization": f"Bearer {qstash.token}"}
    ) as client:
        yield client


def _publish(http: httpx2.Client, url: str, key: str, value: str, n: int = 1) -> list[str]:
    ids = []
    for i in range(n):
        response = http.post(
            f"/v2/publish/{url}",
            headers={"Upstash-Flow-Control-Key": key, "Upstash-Flow-Control-Value": value},
            content=str(i).encode(),
        )
        assert response.status_code == 200, response.text
        ids.append(response.json()["messageId"])
    return ids


def _key(http: httpx2.Client, key: str) -> dict[str, Any]:
    response = http.get(f"/v2/flowControl/{key}")
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def test_parallelism_two_never_has_more_than_two_in_flight(endpoint: Recorder) -> None:
    # Overlap needs real time: each delivery takes 0.15 s of wall-clock time.
    endpoint.respond_using(lambda request: Reply(200, delay=0.15))
    with (
        LocalQStash(clock=ManualClock()) as qstash,
        httpx2.Client(
            base_url=qstash.url, headers={"Authorization": f"Bearer {qstash.token}"}
        ) as http,
    ):
        _publish(http, endpoint.url, "p2", "parallelism=2", n=8)
        qstash.drain()
        assert len(endpoint.requests) == 8
        assert endpoint.max_in_flight == 2
        info = _key(http, "p2")
    assert info["parallelismMax"] == 2 and info["parallelismCount"] == 0
    assert info["waitListSize"] == 0


def test_without_flow_control_the_same_deliveries_overlap(endpoint: Recorder) -> None:
    """The control for the test above: the endpoint does see concurrency when allowed."""
    endpoint.respond_using(lambda request: Reply(200, delay=0.15))
    with (
        LocalQStash(clock=ManualClock()) as qstash,
        httpx2.Client(
            base_url=qstash.url, headers={"Authorization": f"Bearer {qstash.token}"}
        ) as http,
    ):
        for i in range(6):
            http.post(f"/v2/publish/{endpoint.url}", content=str(i).encode())
        qstash.drain()
    assert len(endpoint.requests) == 6
    assert endpoint.max_in_flight > 2


def test_rate_ten_per_second_starts_at_most_ten_per_period(
    qstash: LocalQStash, http: httpx2.Client, endpoint: Recorder
) -> None:
    start = qstash.manual_clock.now()
    _publish(http, endpoint.url, "r10", "rate=10, period=1s", n=25)
    qstash.drain()
    assert len(endpoint.requests) == 10
    info = _key(http, "r10")
    assert (info["rateMax"], info["rateCount"], info["ratePeriod"]) == (10, 10, 1)
    assert info["waitListSize"] == 15
    qstash.advance(1)
    assert len(endpoint.requests) == 20
    qstash.advance(1)
    assert len(endpoint.requests) == 25

    events = http.get(
        "/v2/events", params={"state": "ACTIVE", "flowControlKey": "r10", "count": "100"}
    ).json()["events"]
    starts = sorted(e["time"] for e in events)
    assert len(starts) == 25
    start_ms = int(start * 1000)
    per_second = [sum(1 for t in starts if (t - start_ms) // 1000 == s) for s in range(3)]
    assert per_second == [10, 10, 5]
    # ... and in any 1 s window, not just the aligned ones.
    assert max(sum(1 for u in starts if t <= u < t + 1000) for t in starts) == 10


def test_rate_window_wakes_the_engine_by_itself(
    qstash: LocalQStash, http: httpx2.Client, endpoint: Recorder
) -> None:
    """Waiting messages are released when the window ends, even if time is set directly."""
    _publish(http, endpoint.url, "r2", "rate=2, period=1m", n=3)
    qstash.drain()
    assert len(endpoint.requests) == 2
    qstash.advance(59)
    assert len(endpoint.requests) == 2
    qstash.manual_clock.advance(1)  # the background loop, not advance(), must notice
    endpoint.wait_for(3, timeout=5)
    assert len(endpoint.requests) == 3


def test_pause_holds_delivery_and_resume_releases_it(
    qstash: LocalQStash, http: httpx2.Client, endpoint: Recorder
) -> None:
    assert http.post("/v2/flowControl/held/pause").status_code == 200
    _publish(http, endpoint.url, "held", "parallelism=5", n=3)
    qstash.advance(3600)
    assert endpoint.requests == []
    info = _key(http, "held")
    assert info["isPaused"] is True and info["waitListSize"] == 3

    assert http.post("/v2/flowControl/held/resume").status_code == 200
    qstash.drain()
    assert sorted(r.body for r in endpoint.requests) == [b"0", b"1", b"2"]
    assert _key(http, "held")["isPaused"] is False


def test_config_follows_the_latest_message_unless_pinned(
    qstash: LocalQStash, http: httpx2.Client, endpoint: Recorder
) -> None:
    _publish(http, endpoint.url, "k", "parallelism=1")
    _publish(http, endpoint.url, "k", "parallelism=4, rate=7, period=1m")
    info = _key(http, "k")
    assert (info["parallelismMax"], info["rateMax"], info["ratePeriod"]) == (4, 7, 60)

    assert http.post("/v2/flowControl/k/pin", params={"parallelism": "3"}).status_code == 200
    _publish(http, endpoint.url, "k", "parallelism=9, rate=8")
    info = _key(http, "k")
    assert info["isPinnedParallelism"] is True and info["isPinnedRate"] is False
    assert (info["parallelismMax"], info["rateMax"], info["ratePeriod"]) == (3, 8, 1)

    assert http.post("/v2/flowControl/k/unpin", params={"parallelism": "true"}).status_code == 200
    info = _key(http, "k")
    assert info["isPinnedParallelism"] is False and info["parallelismMax"] == 3
    qstash.advance(1)  # a newer message brings its own configuration again
    _publish(http, endpoint.url, "k", "parallelism=6, rate=8")
    assert _key(http, "k")["parallelismMax"] == 6


def test_pin_and_reset_rate_restart_the_rate_window(
    qstash: LocalQStash, http: httpx2.Client, endpoint: Recorder
) -> None:
    _publish(http, endpoint.url, "w", "rate=2, period=1h", n=5)
    qstash.drain()
    assert len(endpoint.requests) == 2
    assert http.post("/v2/flowControl/w/resetRate").status_code == 200
    qstash.drain()
    assert len(endpoint.requests) == 4
    info = _key(http, "w")
    assert info["rateCount"] == 2 and info["waitListSize"] == 1
    response = http.post("/v2/flowControl/w/pin", params={"rate": "20", "period": "120"})
    assert response.status_code == 200
    qstash.drain()
    assert len(endpoint.requests) == 5
    info = _key(http, "w")
    assert (info["rateMax"], info["ratePeriod"], info["isPinnedRate"]) == (20, 120, True)
    assert info["ratePeriodStart"] == int(qstash.manual_clock.now())


def test_list_search_and_global_parallelism(
    qstash: LocalQStash, http: httpx2.Client, endpoint: Recorder
) -> None:
    _publish(http, endpoint.url, "alpha-1", "parallelism=1")
    _publish(http, endpoint.url, "beta-1", "rate=3")
    all_keys = http.get("/v2/flowControl").json()
    assert [k["flowControlKey"] for k in all_keys] == ["alpha-1", "beta-1"]
    found = http.get("/v2/flowControl", params={"search": "bet"}).json()
    assert [k["flowControlKey"] for k in found] == ["beta-1"]
    assert http.get("/v2/flowControl/nothing-here").status_code == 404
    qstash.drain()  # the engine may be delivering both messages right now
    glob = http.get("/v2/globalParallelism").json()
    assert glob["parallelismCount"] == 0 and glob["parallelismMax"] > 0


def test_schedule_messages_share_the_flow_control_of_their_key(endpoint: Recorder) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with (
        LocalQStash(clock=ManualClock.from_datetime(start)) as qstash,
        httpx2.Client(
            base_url=qstash.url, headers={"Authorization": f"Bearer {qstash.token}"}
        ) as http,
    ):
        for _ in range(3):
            response = http.post(
                f"/v2/schedules/{endpoint.url}",
                headers={
                    "Upstash-Cron": "0 * * * *",
                    "Upstash-Flow-Control-Key": "shared",
                    "Upstash-Flow-Control-Value": "rate=2, period=10m",
                },
            )
            assert response.status_code == 200
        qstash.advance(3600)  # 01:00: three runs, two may start
        assert len(endpoint.requests) == 2
        assert _key(http, "shared")["waitListSize"] == 1
        qstash.advance(599)
        assert len(endpoint.requests) == 2
        qstash.advance(1)  # 01:10: the window ends
        assert len(endpoint.requests) == 3


@pytest.mark.parametrize(
    ("method", "path", "params", "fragment"),
    [
        ("POST", "/v2/flowControl/k/pin", {}, "at least one"),
        ("POST", "/v2/flowControl/k/pin", {"parallelism": "0"}, "parallelism"),
        ("POST", "/v2/flowControl/k/pin", {"rate": "x"}, "rate"),
        ("POST", "/v2/flowControl/k/pin", {"period": "9999999"}, "period"),
        ("POST", "/v2/flowControl/k/unpin", {"rate": "maybe"}, "rate"),
    ],
)
def test_bad_flow_control_input_is_rejected(
    http: httpx2.Client, method: str, path: str, params: dict[str, str], fragment: str
) -> None:
    response = http.request(method, path, params=params)
    assert response.status_code == 400
    assert fragment in response.json()["error"]
    assert http.get("/v2/flowControl").json() == []


def test_waiting_messages_survive_a_restart(tmp_path: Path, endpoint: Recorder) -> None:
    db = str(tmp_path / "qstash.db")
    clock = ManualClock.from_datetime(datetime(2026, 1, 1, tzinfo=UTC))
    with (
        LocalQStash(clock=clock, db_path=db) as qstash,
        httpx2.Client(
            base_url=qstash.url, headers={"Authorization": f"Bearer {qstash.token}"}
        ) as http,
    ):
        _publish(http, endpoint.url, "slow", "rate=1, period=1h", n=3)
        qstash.drain()
        assert len(endpoint.requests) == 1
    clock.advance(3600)
    with (
        LocalQStash(clock=clock, db_path=db) as qstash,
        httpx2.Client(
            base_url=qstash.url, headers={"Authorization": f"Bearer {qstash.token}"}
        ) as http,
    ):
        qstash.drain()
        assert len(endpoint.requests) == 2
        assert _key(http, "slow")["waitListSize"] == 1
        qstash.advance(3600)
        assert sorted(r.body for r in endpoint.requests) == [b"0", b"1", b"2"]
