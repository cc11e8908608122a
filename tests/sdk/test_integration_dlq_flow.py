"""DLQ and flow control against the local server, sync and async."""

from __future__ import annotations

import pytest
from sdk_harness import SDK

from upstash_qstash import NotFoundError
from upstash_qstash.testing.local import LocalQStash
from upstash_qstash.testing.recorder import Recorder


def _fail_into_dlq(sdk: SDK, qstash: LocalQStash, endpoint: Recorder, n: int) -> list[str]:
    endpoint.respond_with(then=500)
    ids = [
        sdk(
            lambda c, i=i: c.publish(
                url=endpoint.url + f"/down{i}", body=f"b{i}", retries=0, label=f"l{i % 2}"
            )
        ).message_id
        for i in range(n)
    ]
    qstash.drain()
    return ids


def test_dlq_list_get_iter_and_delete(sdk: SDK, qstash: LocalQStash, endpoint: Recorder) -> None:
    ids = _fail_into_dlq(sdk, qstash, endpoint, 3)
    page = sdk(lambda c: c.dlq.list())
    assert sorted(m.message_id for m in page.messages) == sorted(ids)
    entry = page.messages[0]
    assert entry.response_status == 500
    fetched = sdk(lambda c: c.dlq.get(entry.dlq_id))
    assert fetched.message_id == entry.message_id and fetched.body is not None
    assert len(sdk(lambda c: c.dlq.iter(count=1))) == 3
    assert [m.message_id for m in sdk(lambda c: c.dlq.iter(message_id=ids[1]))] == [ids[1]]
    sdk(lambda c: c.dlq.delete(entry.dlq_id))
    with pytest.raises(NotFoundError):
        sdk(lambda c: c.dlq.get(entry.dlq_id))
    rest = [m.dlq_id for m in sdk(lambda c: c.dlq.iter())]
    assert sdk(lambda c: c.dlq.delete_many(rest)).deleted == 2
    assert sdk(lambda c: c.dlq.list()).messages == []


def test_dlq_delete_by_filter(sdk: SDK, qstash: LocalQStash, endpoint: Recorder) -> None:
    _fail_into_dlq(sdk, qstash, endpoint, 4)
    assert sdk(lambda c: c.dlq.delete_by_filter(label="l0")).deleted == 2
    assert {m.labels for m in sdk(lambda c: c.dlq.iter())} == {("l1",)}


def test_dlq_retry_one_many_and_filter(sdk: SDK, qstash: LocalQStash, endpoint: Recorder) -> None:
    _fail_into_dlq(sdk, qstash, endpoint, 4)
    entries = sdk(lambda c: c.dlq.iter())
    endpoint.respond_with(then=200)
    before = len(endpoint.requests)
    retried = sdk(lambda c: c.dlq.retry(entries[0].dlq_id))
    assert retried.message_id not in [e.message_id for e in entries]
    many = sdk(lambda c: c.dlq.retry_many([entries[1].dlq_id]))
    assert len(many.responses) == 1
    rest = sdk(lambda c: c.dlq.retry_by_filter(url=[entries[2].url, entries[3].url]))
    assert len(rest.responses) == 2
    qstash.drain()
    endpoint.wait_for(before + 4)
    assert sdk(lambda c: c.dlq.list()).messages == []


def test_flow_control_management(sdk: SDK, qstash: LocalQStash, endpoint: Recorder) -> None:
    sdk(
        lambda c: c.publish(
            url=endpoint.url, body="x", flow_control={"key": "user-1", "parallelism": 2}
        )
    )
    qstash.drain()
    key = sdk(lambda c: c.flow_control.get("user-1"))
    assert key.key == "user-1" and key.parallelism_max == 2
    assert "user-1" in [k.key for k in sdk(lambda c: c.flow_control.list())]
    assert [k.key for k in sdk(lambda c: c.flow_control.list(search="user"))] == ["user-1"]
    sdk(lambda c: c.flow_control.pause("user-1"))
    assert sdk(lambda c: c.flow_control.get("user-1")).is_paused
    sdk(lambda c: c.publish(url=endpoint.url, body="y", flow_control={"key": "user-1", "rate": 5}))
    qstash.drain()
    assert len(endpoint.requests) == 1
    assert sdk(lambda c: c.flow_control.get("user-1")).wait_list_size == 1
    sdk(lambda c: c.flow_control.resume("user-1"))
    qstash.drain()
    assert len(endpoint.wait_for(2)) == 2
    sdk(lambda c: c.flow_control.pin("user-1", parallelism=3, rate=20, period=120))
    pinned = sdk(lambda c: c.flow_control.get("user-1"))
    assert (pinned.parallelism_max, pinned.rate_max, pinned.rate_period) == (3, 20, 120)
    assert pinned.is_pinned_parallelism and pinned.is_pinned_rate
    sdk(lambda c: c.flow_control.unpin("user-1", parallelism=True))
    unpinned = sdk(lambda c: c.flow_control.get("user-1"))
    assert not unpinned.is_pinned_parallelism and unpinned.is_pinned_rate
    sdk(lambda c: c.flow_control.reset_rate("user-1"))
    assert sdk(lambda c: c.flow_control.get("user-1")).rate_count == 0
    glob = sdk(lambda c: c.flow_control.global_parallelism())
    assert glob.parallelism_count == 0
    with pytest.raises(NotFoundError):
        sdk(lambda c: c.flow_control.get("nobody"))
