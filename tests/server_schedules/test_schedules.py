"""Cron schedules on the real local server, driven by the manual clock, delivered over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
import pytest

from upstash_qstash.server.clock import ManualClock
from upstash_qstash.testing.local import LocalQStash
from upstash_qstash.testing.recorder import Recorder

START = datetime(2026, 1, 1, tzinfo=UTC)


def _ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


class Api:
    """A thin HTTP client for the schedule endpoints of one local server."""

    def __init__(self, qstash: LocalQStash) -> None:
        self.qstash = qstash
        self.http = httpx2.Client(
            base_url=qstash.url, headers={"Authorization": f"Bearer {qstash.token}"}
        )

    def create(
        self,
        destination: str,
        cron: str,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
    ) -> str:
        response = self.http.post(
            f"/v2/schedules/{destination}",
            headers={"Upstash-Cron": cron, **(headers or {})},
            content=body,
        )
        assert response.status_code == 200, response.text
        schedule_id: str = response.json()["scheduleId"]
        return schedule_id

    def get(self, schedule_id: str) -> dict[str, Any]:
        response = self.http.get(f"/v2/schedules/{schedule_id}")
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        return data

    def delivered(self, schedule_id: str) -> list[dict[str, Any]]:
        """DELIVERED log entries of the schedule's messages, oldest first."""
        response = self.http.get(
            "/v2/events",
            params={"scheduleId": schedule_id, "state": "DELIVERED", "count": "1000"},
        )
        assert response.status_code == 200, response.text
        events: list[dict[str, Any]] = response.json()["events"]
        return sorted(events, key=lambda e: (e["time"], e["createdAt"]))


@pytest.fixture
def local() -> Iterator[LocalQStash]:
    with LocalQStash(clock=ManualClock.from_datetime(START)) as server:
        yield server


@pytest.fixture
def api(local: LocalQStash) -> Iterator[Api]:
    client = Api(local)
    yield client
    client.http.close()


def test_every_five_minutes_fires_at_each_slot_of_a_day(
    local: LocalQStash, api: Api, endpoint: Recorder
) -> None:
    schedule_id = api.create(endpoint.url + "/tick", "*/5 * * * *", b"tick")
    local.advance(86400)

    requests = endpoint.wait_for(288)
    assert len(endpoint.requests) == 288
    assert {r.header("Upstash-Schedule-Id") for r in requests} == {schedule_id}
    assert all(r.body == b"tick" and r.path == "/tick" for r in requests)
    delivered = api.delivered(schedule_id)
    expected = [_ms(START) + 300_000 * n for n in range(1, 289)]
    assert [e["createdAt"] for e in delivered] == expected
    # Each message was delivered at the moment of its slot, not later.
    assert [e["time"] for e in delivered] == expected
    info = api.get(schedule_id)
    assert info["lastScheduleTime"] == expected[-1]
    assert info["nextScheduleTime"] == expected[-1] + 300_000
    assert list(info["lastScheduleStates"].values()) == ["SUCCESS"]


@pytest.mark.parametrize(
    ("day_before", "expected_utc"),
    [
        # 2026-03-08: clocks jump from 02:00 EST to 03:00 EDT; 02:30 does not exist and the
        # slot runs once, at the first moment after the gap (03:00 EDT = 07:00 UTC).
        (
            datetime(2026, 3, 7, tzinfo=UTC),
            ["2026-03-07T07:30", "2026-03-08T07:00", "2026-03-09T06:30"],
        ),
        # 2026-11-01: clocks fall back from 02:00 EDT to 01:00 EST; 02:30 occurs once (EST).
        (
            datetime(2026, 10, 31, tzinfo=UTC),
            ["2026-10-31T06:30", "2026-11-01T07:30", "2026-11-02T07:30"],
        ),
    ],
    ids=["spring-forward", "fall-back"],
)
def test_cron_tz_new_york_on_dst_transition_days(
    day_before: datetime, expected_utc: list[str], endpoint: Recorder
) -> None:
    with LocalQStash(clock=ManualClock.from_datetime(day_before)) as local:
        api = Api(local)
        schedule_id = api.create(endpoint.url, "CRON_TZ=America/New_York 30 2 * * *")
        local.advance(3 * 86400)
        delivered = api.delivered(schedule_id)
        api.http.close()
    expected = [_ms(datetime.fromisoformat(t + "+00:00")) for t in expected_utc]
    assert [e["createdAt"] for e in delivered] == expected
    assert len(endpoint.requests) == 3


def test_pause_skips_slots_and_resume_continues_from_the_next_slot(
    local: LocalQStash, api: Api, endpoint: Recorder
) -> None:
    schedule_id = api.create(endpoint.url, "0 * * * *")
    local.advance(2 * 3600)  # 01:00, 02:00
    assert len(endpoint.requests) == 2

    # SDKs pause with PATCH, the API reference says POST: both work.
    assert api.http.patch(f"/v2/schedules/{schedule_id}/pause").status_code == 200
    assert api.get(schedule_id)["isPaused"] is True
    local.advance(3 * 3600 + 1800)  # 03:00, 04:00, 05:00 pass while paused; now 05:30
    assert len(endpoint.requests) == 2

    assert api.http.post(f"/v2/schedules/{schedule_id}/resume").status_code == 200
    info = api.get(schedule_id)
    assert info["isPaused"] is False
    assert info["nextScheduleTime"] == _ms(START) + 6 * 3600_000
    local.advance(3600)
    delivered = api.delivered(schedule_id)
    assert [e["createdAt"] - _ms(START) for e in delivered] == [
        3600_000,
        7200_000,
        6 * 3600_000,
    ]


def test_overwrite_by_id_replaces_the_definition(
    local: LocalQStash, api: Api, endpoint: Recorder
) -> None:
    first = api.create(
        endpoint.url + "/old",
        "0 * * * *",
        b"old body",
        headers={
            "Upstash-Schedule-Id": "my-job",
            "Upstash-Forward-X-Old": "1",
            "Upstash-Retries": "5",
        },
    )
    assert first == "my-job"
    second = api.create(
        endpoint.url + "/new", "*/30 * * * *", headers={"Upstash-Schedule-Id": "my-job"}
    )
    assert second == "my-job"
    info = api.get("my-job")
    assert info["cron"] == "*/30 * * * *"
    assert info["destination"] == endpoint.url + "/new"
    assert "body" not in info and info["header"] == {}
    assert info["retries"] == 3  # the default again: fields not supplied are cleared
    assert [s["scheduleId"] for s in api.http.get("/v2/schedules").json()] == ["my-job"]

    local.advance(3600)
    assert [r.path for r in endpoint.requests] == ["/new", "/new"]
    assert all(r.body == b"" and r.header("X-Old") is None for r in endpoint.requests)


def test_delete_stops_the_schedule(local: LocalQStash, api: Api, endpoint: Recorder) -> None:
    schedule_id = api.create(endpoint.url, "*/10 * * * *")
    local.advance(1200)
    assert len(endpoint.requests) == 2
    assert api.http.delete(f"/v2/schedules/{schedule_id}").status_code == 200
    assert api.http.get(f"/v2/schedules/{schedule_id}").status_code == 404
    assert api.http.delete(f"/v2/schedules/{schedule_id}").status_code == 404
    local.advance(3600)
    assert len(endpoint.requests) == 2


def test_publish_options_are_carried_into_every_message(
    local: LocalQStash, api: Api, endpoint: Recorder
) -> None:
    schedule_id = api.create(
        endpoint.url + "/hook?a=1",
        "0 0 * * *",
        b'{"k": 1}',
        headers={
            "Content-Type": "application/json",
            "Upstash-Method": "PUT",
            "Upstash-Forward-Authorization": "Bearer abc",
            "Upstash-Retries": "0",
            "Upstash-Delay": "90s",
            "Upstash-Timeout": "20s",
            "Upstash-Label": "nightly",
            "Upstash-Callback": endpoint.url + "/cb",
            "Upstash-Failure-Callback": endpoint.url + "/failed",
            "Upstash-Flow-Control-Key": "nightly-key",
            "Upstash-Flow-Control-Value": "parallelism=2, rate=5, period=1m",
            "Upstash-Redact-Fields": "header[Authorization]",
        },
    )
    info = api.get(schedule_id)
    assert info["method"] == "PUT" and info["retries"] == 0 and info["delay"] == 90
    assert info["timeout"] == 20 and info["labels"] == ["nightly"]
    assert info["callback"] == endpoint.url + "/cb"
    assert info["failureCallback"] == endpoint.url + "/failed"
    assert (info["flowControlKey"], info["parallelism"], info["rate"], info["period"]) == (
        "nightly-key",
        2,
        5,
        60,
    )
    assert info["header"]["Authorization"][0].startswith("REDACTED:")
    assert info["header"]["Content-Type"] == ["application/json"]
    assert info["body"] == '{"k": 1}'

    local.advance(86400 + 60)  # midnight slot; the 90 s delay is not over yet
    assert [r for r in endpoint.requests if r.path == "/hook"] == []
    local.advance(30)
    [delivery] = [r for r in endpoint.requests if r.path == "/hook"]
    assert delivery.method == "PUT" and delivery.query == "a=1"
    assert delivery.header("Authorization") == "Bearer abc"  # redaction is for display only
    assert delivery.header("Upstash-Schedule-Id") == schedule_id
    assert delivery.body == b'{"k": 1}'
    [entry] = api.delivered(schedule_id)
    assert entry["createdAt"] == _ms(START) + 86400_000
    assert entry["time"] == _ms(START) + 86400_000 + 90_000
    assert entry["flowControlKey"] == "nightly-key" and entry["labels"] == ["nightly"]
    assert entry["maxRetries"] == 0


def test_failed_runs_are_reported_in_last_schedule_states(
    local: LocalQStash, api: Api, endpoint: Recorder
) -> None:
    endpoint.respond_with(500)
    schedule_id = api.create(endpoint.url, "0 * * * *", headers={"Upstash-Retries": "0"})
    local.advance(3600)
    states = api.get(schedule_id)["lastScheduleStates"]
    assert list(states.values()) == ["FAIL"]


def test_queue_name_enqueues_each_run(local: LocalQStash, api: Api, endpoint: Recorder) -> None:
    schedule_id = api.create(endpoint.url, "0 * * * *", headers={"Upstash-Queue-Name": "nightly-q"})
    assert api.get(schedule_id)["queueName"] == "nightly-q"
    local.advance(3600)
    [delivery] = endpoint.wait_for(1)
    assert delivery.header("Upstash-Queue-Name") == "nightly-q"


def test_destination_path_ending_in_pause_is_a_create(
    local: LocalQStash, api: Api, endpoint: Recorder
) -> None:
    schedule_id = api.create(endpoint.url + "/pause", "0 * * * *")
    assert api.get(schedule_id)["destination"] == endpoint.url + "/pause"
    local.advance(3600)
    assert [r.path for r in endpoint.requests] == ["/pause"]


@pytest.mark.parametrize(
    ("headers", "fragment"),
    [
        ({}, "missing Upstash-Cron"),
        ({"Upstash-Cron": "*/5 * * *"}, "4 fields"),
        ({"Upstash-Cron": "61 * * * *"}, "minute"),
        ({"Upstash-Cron": "0 0 * * * *"}, "seconds field"),
        ({"Upstash-Cron": "CRON_TZ=Mars/Olympus 0 * * * *"}, "unknown time zone"),
        ({"Upstash-Cron": "0 * * * *", "Upstash-Schedule-Id": "bad id!"}, "schedule id"),
        ({"Upstash-Cron": "0 * * * *", "Upstash-Not-Before": "1900000000"}, "Not-Before"),
        ({"Upstash-Cron": "0 * * * *", "Upstash-Retries": "x"}, "Upstash-Retries"),
    ],
)
def test_bad_schedules_are_rejected_with_400(
    api: Api, endpoint: Recorder, headers: dict[str, str], fragment: str
) -> None:
    response = api.http.post(f"/v2/schedules/{endpoint.url}", headers=headers)
    assert response.status_code == 400
    assert fragment in response.json()["error"]
    assert api.http.get("/v2/schedules").json() == []


def test_unknown_schedule_answers_404(api: Api) -> None:
    for method, path in [
        ("GET", "/v2/schedules/nope"),
        ("PATCH", "/v2/schedules/nope/pause"),
        ("POST", "/v2/schedules/nope/resume"),
    ]:
        response = api.http.request(method, path)
        assert response.status_code == 404, (method, path)
        assert "nope" in response.json()["error"]


def test_schedules_survive_a_restart_without_firing_a_slot_twice(
    tmp_path: Path, endpoint: Recorder
) -> None:
    """Our choice for slots missed while the server was down (QStash does not document it):
    one run when the server starts, for the whole gap, then the regular slots again."""
    db = str(tmp_path / "qstash.db")
    clock = ManualClock.from_datetime(START)
    with LocalQStash(clock=clock, db_path=db) as local:
        api = Api(local)
        schedule_id = api.create(endpoint.url, "0 * * * *")
        local.advance(3600)
        api.http.close()
    assert len(endpoint.requests) == 1

    # Restart at the same moment: the 01:00 slot already ran and must not run again.
    with LocalQStash(clock=clock, db_path=db) as local:
        local.drain()
        assert len(endpoint.requests) == 1
        local.advance(3600)
        assert len(endpoint.requests) == 2
    # Down for five hours (02:00 .. 07:00 missed): one run at start, then hourly again.
    clock.advance(5 * 3600 + 600)
    with LocalQStash(clock=clock, db_path=db) as local:
        api = Api(local)
        local.drain()
        assert len(endpoint.requests) == 3
        local.advance(3000)  # to 08:00
        assert len(endpoint.requests) == 4
        created = [e["createdAt"] - _ms(START) for e in api.delivered(schedule_id)]
        api.http.close()
    assert created == [3600_000, 7200_000, 7 * 3600_000 + 600_000, 8 * 3600_000]


def test_url_group_destination_fans_out_each_run(
    local: LocalQStash, api: Api, endpoint: Recorder
) -> None:
    response = api.http.post(
        "/v2/topics/nightly-group/endpoints",
        json={
            "endpoints": [{"url": endpoint.url + "/a", "name": "a"}, {"url": endpoint.url + "/b"}]
        },
    )
    assert response.status_code == 200, response.text
    schedule_id = api.create("nightly-group", "0 * * * *")
    assert api.get(schedule_id)["destination"] == "nightly-group"
    local.advance(2 * 3600)
    seen = sorted((r.path, r.header("Upstash-Topic-Name")) for r in endpoint.requests)
    assert seen == [("/a", "nightly-group")] * 2 + [("/b", "nightly-group")] * 2
    states = api.get(schedule_id)["lastScheduleStates"]
    assert sorted(states.values()) == ["SUCCESS", "SUCCESS"]


def test_schedule_to_an_unknown_group_is_rejected(api: Api) -> None:
    response = api.http.post("/v2/schedules/no-such-group", headers={"Upstash-Cron": "* * * * *"})
    assert response.status_code == 404
    assert "no-such-group" in response.json()["error"]
    assert api.http.get("/v2/schedules").json() == []


def test_a_run_that_cannot_be_delivered_is_reported_in_error(
    local: LocalQStash, api: Api, endpoint: Recorder
) -> None:
    api.http.post("/v2/topics/short-lived/endpoints", json={"endpoints": [{"url": endpoint.url}]})
    schedule_id = api.create("short-lived", "0 * * * *")
    assert api.http.delete("/v2/topics/short-lived").status_code == 200
    local.advance(3600)
    assert endpoint.requests == []
    info = api.get(schedule_id)
    assert "short-lived" in info["error"]
    assert info["lastScheduleTime"] == _ms(START) + 3600_000
    assert info["nextScheduleTime"] == _ms(START) + 7200_000
    assert info["lastScheduleStates"] == {}
