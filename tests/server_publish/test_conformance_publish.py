"""The official PyPI client (``qstash``) drives the publishing side of the local server.

Publish, batch and enqueue (raw and JSON), URL groups and queues, checked by what the
client returns and by what the destination receives.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from qstash import QStash
from qstash.message import (
    BatchRequest,
    BatchResponse,
    BatchUrlGroupResponse,
    EnqueueResponse,
    EnqueueUrlGroupResponse,
    PublishResponse,
    PublishUrlGroupResponse,
)

from upstash_qstash.testing.local import LocalQStash
from upstash_qstash.testing.recorder import Recorder


@pytest.fixture
def official(qstash: LocalQStash) -> Iterator[QStash]:
    client = QStash(qstash.token, base_url=qstash.url, retry=False)
    yield client
    client.http._client.close()


def test_publish_and_publish_json(
    qstash: LocalQStash, endpoint: Recorder, official: QStash
) -> None:
    raw = official.message.publish(
        url=endpoint.url + "/raw",
        body=b"\x00\x01raw",
        content_type="application/octet-stream",
        method="PUT",
        headers={"X-Custom": "c"},
        retries=1,
        delay="2s",
        label="conf",
    )
    as_json = official.message.publish_json(
        url=endpoint.url + "/json",
        body={"hello": "world"},
        deduplication_id="once",
        timeout="10s",
    )
    dup = official.message.publish_json(
        url=endpoint.url + "/json", body={"other": 1}, deduplication_id="once"
    )
    assert isinstance(raw, PublishResponse) and isinstance(as_json, PublishResponse)
    assert raw.message_id.startswith("msg_") and raw.deduplicated is False
    assert (dup.message_id, dup.deduplicated) == (as_json.message_id, True)  # type: ignore[union-attr]
    pending = official.message.get(raw.message_id)
    assert (pending.method, pending.max_retries, pending.label) == ("PUT", 1, "conf")
    assert pending.headers == {"X-Custom": ["c"], "Content-Type": ["application/octet-stream"]}
    qstash.advance(2)
    got = {r.path: r for r in endpoint.wait_for(2)}
    assert got["/raw"].method == "PUT" and got["/raw"].body == b"\x00\x01raw"
    assert got["/raw"].header("X-Custom") == "c"
    assert got["/json"].json() == {"hello": "world"}
    assert got["/json"].header("Content-Type") == "application/json"
    assert got["/json"].header("Upstash-Message-Id") == as_json.message_id
    assert all(r.verify(qstash.receiver()) for r in got.values())


def test_url_group_lifecycle_and_publish(
    qstash: LocalQStash, endpoint: Recorder, official: QStash
) -> None:
    official.url_group.upsert_endpoints(
        "conf-group",
        [{"url": endpoint.url + "/a", "name": "a"}, {"url": endpoint.url + "/b"}],
    )
    group = official.url_group.get("conf-group")
    assert [(e.name, e.url) for e in group.endpoints] == [
        ("a", endpoint.url + "/a"),
        (None, endpoint.url + "/b"),
    ]
    assert [g.name for g in official.url_group.list()] == ["conf-group"]
    results = official.message.publish_json(url_group="conf-group", body={"n": 1})
    assert isinstance(results, list)
    assert all(isinstance(r, PublishUrlGroupResponse) for r in results)
    assert sorted(r.url for r in results) == [endpoint.url + "/a", endpoint.url + "/b"]
    qstash.drain()
    assert sorted(r.path for r in endpoint.wait_for(2)) == ["/a", "/b"]
    official.url_group.remove_endpoints("conf-group", [{"name": "a"}])
    assert [e.url for e in official.url_group.get("conf-group").endpoints] == [endpoint.url + "/b"]
    official.url_group.delete("conf-group")
    assert official.url_group.list() == []


def test_queue_lifecycle_and_enqueue(
    qstash: LocalQStash, endpoint: Recorder, official: QStash
) -> None:
    official.queue.upsert("conf-q", parallelism=2)
    queue = official.queue.get("conf-q")
    assert (queue.name, queue.parallelism, queue.paused, queue.lag) == ("conf-q", 2, False, 0)
    official.queue.pause("conf-q")
    assert official.queue.get("conf-q").paused is True
    raw = official.message.enqueue(queue="conf-q", url=endpoint.url + "/1", body="one")
    as_json = official.message.enqueue_json(queue="conf-q", url=endpoint.url + "/2", body=[2])
    assert isinstance(raw, EnqueueResponse) and isinstance(as_json, EnqueueResponse)
    assert official.queue.get("conf-q").lag == 2
    qstash.drain()
    assert endpoint.requests == []
    official.queue.resume("conf-q")
    qstash.drain()
    got = {r.path: r for r in endpoint.wait_for(2)}
    assert got["/1"].body == b"one" and got["/2"].json() == [2]
    # enqueue creates a missing queue
    official.url_group.upsert_endpoints("conf-g", [{"url": endpoint.url + "/g"}])
    items = official.message.enqueue(queue="auto-q", url_group="conf-g", body="g")
    assert isinstance(items, list) and isinstance(items[0], EnqueueUrlGroupResponse)
    assert sorted(q.name for q in official.queue.list()) == ["auto-q", "conf-q"]
    official.queue.delete("auto-q")
    official.queue.delete("conf-q")
    assert official.queue.list() == []


def test_batch_and_batch_json(qstash: LocalQStash, endpoint: Recorder, official: QStash) -> None:
    official.url_group.upsert_endpoints("conf-bg", [{"url": endpoint.url + "/bg"}])
    requests: list[BatchRequest] = [
        {"url": endpoint.url + "/b1", "body": "first", "headers": {"X-N": "1"}},
        {"url_group": "conf-bg", "body": "group"},
        {"queue": "conf-bq", "url": endpoint.url + "/b2", "body": "queued", "retries": 0},
    ]
    results = official.message.batch(requests)
    assert len(results) == 3
    assert isinstance(results[0], BatchResponse)
    assert results[0].message_id.startswith("msg_")
    assert isinstance(results[1], list)
    assert isinstance(results[1][0], BatchUrlGroupResponse)
    assert results[1][0].url == endpoint.url + "/bg"
    json_results = official.message.batch_json(
        [
            {"url": endpoint.url + "/j1", "body": {"a": 1}},
            {"url": endpoint.url + "/j2", "body": {"b": 2}, "method": "PATCH"},
        ]
    )
    assert len(json_results) == 2
    qstash.drain()
    got = {r.path: r for r in endpoint.wait_for(5)}
    assert got["/b1"].body == b"first" and got["/b1"].header("X-N") == "1"
    assert got["/bg"].body == b"group" and got["/b2"].body == b"queued"
    assert json.loads(got["/j1"].body) == {"a": 1}
    assert got["/j2"].method == "PATCH" and got["/j2"].json() == {"b": 2}
    assert official.queue.get("conf-bq").name == "conf-bq"
