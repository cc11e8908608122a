"""The official PyPI ``qstash`` client's schedule and flow-control calls against our server."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from qstash import QStash
from qstash.schedule import ScheduleState

from upstash_qstash.testing.local import LocalQStash
from upstash_qstash.testing.recorder import Recorder


@pytest.fixture
def official(qstash: LocalQStash) -> Iterator[QStash]:
    client = QStash(qstash.token, base_url=qstash.url, retry=False)
    yield client
    client.http._client.close()


def test_schedule_lifecycle(qstash: LocalQStash, official: QStash, endpoint: Recorder) -> None:
    raw_id = official.schedule.create(
        destination=endpoint.url + "/raw",
        cron="*/10 * * * *",
        body="plain",
        content_type="text/plain",
        method="PUT",
        headers={"X-Thing": "1"},
        retries=2,
        retry_delay="1000 * retried",
        delay=30,
        timeout="15s",
        callback=endpoint.url + "/cb",
        schedule_id="raw-job",
        flow_control={"key": "conf-key", "parallelism": 3, "rate": 9, "period": "1m"},
        label="conformance",
    )
    assert raw_id == "raw-job"
    json_id = official.schedule.create_json(
        destination=endpoint.url + "/json", cron="0 * * * *", body={"hello": "world"}
    )
    assert json_id.startswith("scd_")

    raw = official.schedule.get("raw-job")
    assert raw.schedule_id == "raw-job"
    assert raw.cron == "*/10 * * * *"
    assert raw.destination == endpoint.url + "/raw"
    assert raw.method == "PUT" and raw.retries == 2 and raw.delay == 30 and raw.timeout == 15
    assert raw.body == "plain"
    assert raw.headers == {"X-Thing": ["1"], "Content-Type": ["text/plain"]}
    assert raw.callback == endpoint.url + "/cb"
    assert raw.retry_delay_expression == "1000 * retried"
    assert raw.label == "conformance"
    assert raw.flow_control is not None
    assert (raw.flow_control.key, raw.flow_control.parallelism) == ("conf-key", 3)
    assert (raw.flow_control.rate, raw.flow_control.period) == (9, 60)
    assert raw.paused is False
    assert raw.caller_ip == "127.0.0.1"
    assert raw.next_schedule_time is not None and raw.next_schedule_time > raw.created_at

    listed = official.schedule.list()
    assert sorted(s.schedule_id for s in listed) == sorted(["raw-job", json_id])

    qstash.advance(3600)
    json_deliveries = [r for r in endpoint.requests if r.path == "/json"]
    assert [r.json() for r in json_deliveries] == [{"hello": "world"}]
    assert json_deliveries[0].header("Content-Type") == "application/json"
    ran = official.schedule.get(json_id)
    assert ran.last_schedule_time is not None
    assert ran.last_schedule_states is not None
    assert list(ran.last_schedule_states.values()) == [ScheduleState.SUCCESS]

    official.schedule.pause("raw-job")
    assert official.schedule.get("raw-job").paused is True
    # A run made just before the pause is delivered 30 s later (its delay): let it land.
    qstash.advance(60)
    before = len([r for r in endpoint.requests if r.path == "/raw"])
    qstash.advance(3600)
    assert len([r for r in endpoint.requests if r.path == "/raw"]) == before
    official.schedule.resume("raw-job")
    assert official.schedule.get("raw-job").paused is False

    official.schedule.delete(json_id)
    assert [s.schedule_id for s in official.schedule.list()] == ["raw-job"]


def test_flow_control_calls(qstash: LocalQStash, official: QStash, endpoint: Recorder) -> None:
    official.flow_control.pause("official-key")
    official.message.publish_json(
        url=endpoint.url,
        body={"n": 1},
        flow_control={"key": "official-key", "parallelism": 2, "rate": 5, "period": 10},
    )
    qstash.drain()
    assert endpoint.requests == []
    paused = official.flow_control.get("official-key")
    assert paused.key == "official-key"
    assert (paused.parallelism_max, paused.rate_max, paused.rate_period) == (2, 5, 10)
    assert paused.is_paused is True and paused.wait_list_size == 1
    official.flow_control.resume("official-key")
    qstash.drain()
    [delivery] = endpoint.wait_for(1)
    assert json.loads(delivery.body) == {"n": 1}

    official.flow_control.pin("official-key", {"parallelism": 3, "rate": 20, "period": 120})
    pinned = official.flow_control.get("official-key")
    assert (pinned.parallelism_max, pinned.rate_max, pinned.rate_period) == (3, 20, 120)
    assert pinned.is_pinned_parallelism and pinned.is_pinned_rate
    assert pinned.rate_count == 0

    official.flow_control.unpin("official-key", {"parallelism": True, "rate": False})
    unpinned = official.flow_control.get("official-key")
    assert unpinned.is_pinned_parallelism is False and unpinned.is_pinned_rate is True

    official.flow_control.reset_rate("official-key")
    reset = official.flow_control.get("official-key")
    assert reset.rate_count == 0
    assert reset.rate_period_start == int(qstash.manual_clock.now())

    glob = official.flow_control.get_global_parallelism()
    assert glob.parallelism_max > 0 and glob.parallelism_count == 0
