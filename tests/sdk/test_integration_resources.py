"""URL groups, schedules, queues, signing keys and logs against the local server, sync and async."""

from __future__ import annotations

import pytest
from sdk_harness import SDK

from upstash_qstash import Endpoint, NotFoundError
from upstash_qstash.testing.local import LocalQStash
from upstash_qstash.testing.recorder import Recorder


def test_url_groups_lifecycle(sdk: SDK, endpoint: Recorder) -> None:
    a, b = endpoint.url + "/a", endpoint.url + "/b"
    sdk(lambda c: c.topics().add_endpoints("my-topic", [{"name": "e1", "url": a}, {"url": b}]))
    group = sdk(lambda c: c.url_groups.get("my-topic"))
    assert group.name == "my-topic"
    assert set(group.endpoints) == {Endpoint(url=a, name="e1"), Endpoint(url=b)}
    assert [g.name for g in sdk(lambda c: c.url_groups.list())] == ["my-topic"]
    sdk(lambda c: c.url_groups.remove_endpoints("my-topic", [{"name": "e1"}]))
    assert sdk(lambda c: c.url_groups.get("my-topic")).endpoints == (Endpoint(url=b),)
    sdk(lambda c: c.url_groups.delete("my-topic"))
    with pytest.raises(NotFoundError):
        sdk(lambda c: c.url_groups.get("my-topic"))


def test_schedules_lifecycle_and_trigger(sdk: SDK, qstash: LocalQStash, endpoint: Recorder) -> None:
    created = sdk(
        lambda c: c.schedules().create(
            {"destination": endpoint.url + "/cron", "cron": "*/5 * * * *"}
        )
    )
    schedule = sdk(lambda c: c.schedules.get(created.schedule_id))
    assert schedule.cron == "*/5 * * * *" and schedule.destination == endpoint.url + "/cron"
    assert not schedule.is_paused
    qstash.advance(600)
    assert len(endpoint.requests) >= 1
    assert endpoint.requests[0].header("Upstash-Schedule-Id") == created.schedule_id
    sdk(lambda c: c.schedules.pause(created.schedule_id))
    assert sdk(lambda c: c.schedules.get(created.schedule_id)).is_paused
    seen = len(endpoint.requests)
    qstash.advance(600)
    assert len(endpoint.requests) == seen
    sdk(lambda c: c.schedules.resume(created.schedule_id))
    assert not sdk(lambda c: c.schedules.get(created.schedule_id)).is_paused
    sdk(lambda c: c.schedules.delete(created.schedule_id))
    assert sdk(lambda c: c.schedules.list()) == []


def test_schedule_create_json_with_id_replaces(sdk: SDK, endpoint: Recorder) -> None:
    for n in (1, 2):
        result = sdk(
            lambda c, n=n: c.schedules.create_json(
                destination=endpoint.url,
                cron="0 * * * *",
                body={"n": n},
                schedule_id="hourly",
                retries=n,
            )
        )
        assert result.schedule_id == "hourly"
    [schedule] = sdk(lambda c: c.schedules.list())
    assert schedule.retries == 2 and schedule.body == b'{"n": 2}'


def test_queues_lifecycle(sdk: SDK) -> None:
    sdk(lambda c: c.queues.upsert(queue="jobs", parallelism=2))
    queue = sdk(lambda c: c.queues.get("jobs"))
    assert (queue.name, queue.parallelism, queue.paused, queue.lag) == ("jobs", 2, False, 0)
    sdk(lambda c: c.queues.pause("jobs"))
    assert sdk(lambda c: c.queues.get("jobs")).paused
    sdk(lambda c: c.queues.resume("jobs"))
    assert not sdk(lambda c: c.queues.get("jobs")).paused
    sdk(lambda c: c.queues.upsert({"queue": "other"}))
    assert sorted(q.name for q in sdk(lambda c: c.queues.list())) == ["jobs", "other"]
    sdk(lambda c: c.queues.delete("jobs"))
    with pytest.raises(NotFoundError):
        sdk(lambda c: c.queues.get("jobs"))


def test_paused_queue_holds_messages(sdk: SDK, qstash: LocalQStash, endpoint: Recorder) -> None:
    sdk(lambda c: c.queues.upsert(queue="held", paused=True))
    sdk(lambda c: c.enqueue(queue="held", url=endpoint.url, body="x"))
    qstash.drain()
    assert endpoint.requests == []
    assert sdk(lambda c: c.queues.get("held")).lag == 1
    sdk(lambda c: c.queues.resume("held"))
    qstash.drain()
    assert len(endpoint.wait_for(1)) == 1


def test_signing_keys_get_and_rotate(sdk: SDK, qstash: LocalQStash) -> None:
    keys = sdk(lambda c: c.signing_keys.get())
    assert (keys.current, keys.next) == (qstash.current_signing_key, qstash.next_signing_key)
    rotated = sdk(lambda c: c.keys.rotate())
    assert rotated.current == keys.next and rotated.next not in (keys.current, keys.next)
    assert sdk(lambda c: c.signing_keys.get()) == rotated


def test_logs_filters_and_iteration(sdk: SDK, qstash: LocalQStash, endpoint: Recorder) -> None:
    ids = [
        sdk(lambda c, i=i: c.publish(url=endpoint.url + f"/{i}", body="x", label=f"l{i % 2}"))
        for i in range(5)
    ]
    qstash.drain()
    endpoint.wait_for(5)
    first = ids[0].message_id
    page = sdk(lambda c: c.logs.list(message_id=first))
    assert {e.state for e in page.events} == {"CREATED", "ACTIVE", "DELIVERED"}
    assert all(e.message_id == first for e in page.events)
    delivered = sdk(lambda c: c.logs.list(state="DELIVERED", count=2))
    assert len(delivered.events) == 2 and delivered.cursor is not None
    every = sdk(lambda c: c.logs.iter(state="DELIVERED", count=2))
    assert sorted(e.message_id for e in every) == sorted(r.message_id for r in ids)
    labelled = sdk(lambda c: c.logs.iter(label="l0", state="DELIVERED"))
    assert len(labelled) == 3
    oldest = sdk(lambda c: c.logs.list(order="earliestFirst", count=1)).events[0]
    assert oldest.state == "CREATED"
    assert sdk(lambda c: c.logs.list(url=endpoint.url + "/3", state="DELIVERED")).events[0].url == (
        endpoint.url + "/3"
    )
