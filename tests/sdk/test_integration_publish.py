"""Publish, enqueue, batch and messages against the real local server, sync and async."""

from __future__ import annotations

import json

import pytest
from sdk_harness import SDK

from upstash_qstash import NotFoundError, PublishResponse
from upstash_qstash.testing.local import LocalQStash
from upstash_qstash.testing.recorder import Recorder, Reply


def test_readme_publish_json_with_topic(sdk: SDK, qstash: LocalQStash, endpoint: Recorder) -> None:
    sdk(
        lambda c: c.topics().add_endpoints("my-topic", [{"name": "e1", "url": endpoint.url + "/1"}])
    )
    results = sdk(
        lambda c: c.publish_json(
            {
                "topic": "my-topic",
                "body": {"key": "value"},
                "retries": 3,
                "delay": 4,
                "headers": {"test-header": "test-value"},
                "content_based_deduplication": True,
            }
        )
    )
    assert isinstance(results, list) and len(results) == 1
    qstash.advance(4)
    [delivery] = endpoint.wait_for(1)
    assert delivery.json() == {"key": "value"}
    assert delivery.header("test-header") == "test-value"
    assert delivery.header("Upstash-Message-Id") == results[0].message_id
    assert delivery.verify(qstash.receiver(), url=endpoint.url + "/1")


def test_publish_options_reach_the_destination(
    sdk: SDK, qstash: LocalQStash, endpoint: Recorder
) -> None:
    result = sdk(
        lambda c: c.publish(
            url=endpoint.url + "/opts?x=1",
            body="payload",
            content_type="text/plain",
            method="PUT",
            headers={"X-Custom": "yes"},
            retries=0,
            label="billing",
            delay=10,
        )
    )
    assert isinstance(result, PublishResponse)
    message = sdk(lambda c: c.messages.get(result.message_id))
    assert message.method == "PUT" and message.max_retries == 0
    assert message.body == b"payload" and message.labels == ("billing",)
    qstash.advance(10)
    [delivery] = endpoint.wait_for(1)
    assert delivery.method == "PUT" and delivery.query == "x=1"
    assert delivery.header("X-Custom") == "yes"
    assert delivery.header("Content-Type") == "text/plain"


def test_deduplication_id_returns_the_first_message(sdk: SDK, endpoint: Recorder) -> None:
    first = sdk(lambda c: c.publish(url=endpoint.url, body="a", deduplication_id="d1", delay=60))
    again = sdk(lambda c: c.publish(url=endpoint.url, body="a", deduplication_id="d1", delay=60))
    assert again.message_id == first.message_id and again.deduplicated


def test_enqueue_creates_the_queue_and_delivers(
    sdk: SDK, qstash: LocalQStash, endpoint: Recorder
) -> None:
    result = sdk(lambda c: c.enqueue_json(queue="orders", url=endpoint.url + "/q", body={"n": 1}))
    qstash.drain()
    [delivery] = endpoint.wait_for(1)
    assert delivery.json() == {"n": 1}
    assert delivery.header("Upstash-Message-Id") == result.message_id
    assert "orders" in [q.name for q in sdk(lambda c: c.queues.list())]


def test_batch_mixes_urls_groups_and_queues(
    sdk: SDK, qstash: LocalQStash, endpoint: Recorder
) -> None:
    sdk(lambda c: c.url_groups.add_endpoints("grp", [{"url": endpoint.url + "/g1"}]))
    results = sdk(
        lambda c: c.batch_json(
            [
                {"url": endpoint.url + "/a", "body": {"i": 0}, "retry_delay": "1000"},
                {"url_group": "grp", "body": {"i": 1}},
                {"url": endpoint.url + "/c", "queue": "bq", "body": {"i": 2}},
            ]
        )
    )
    assert isinstance(results[0], PublishResponse)
    assert isinstance(results[1], list) and len(results[1]) == 1
    assert isinstance(results[2], PublishResponse)
    qstash.drain()
    deliveries = endpoint.wait_for(3)
    assert sorted(r.path for r in deliveries) == ["/a", "/c", "/g1"]
    assert all(json.loads(r.body) in ({"i": 0}, {"i": 1}, {"i": 2}) for r in deliveries)


def test_cancel_one_many_filter_and_all(sdk: SDK, qstash: LocalQStash, endpoint: Recorder) -> None:
    def publish(path: str, **extra: object) -> str:
        r = sdk(lambda c: c.publish(url=endpoint.url + path, body="x", delay=600, **extra))
        return str(r.message_id)

    one = publish("/1")
    assert sdk(lambda c: c.messages.cancel(one)).cancelled == 1
    a, b = publish("/2"), publish("/3")
    assert sdk(lambda c: c.messages.cancel_many([a, b])).cancelled == 2
    publish("/4", label="drop")
    keep = publish("/5", label="keep")
    assert sdk(lambda c: c.messages.cancel_by_filter(label="drop")).cancelled == 1
    assert sdk(lambda c: c.messages.get(keep)).message_id == keep
    assert sdk(lambda c: c.messages.cancel_all()).cancelled >= 1
    qstash.advance(600)
    assert endpoint.requests == []
    with pytest.raises(NotFoundError):
        sdk(lambda c: c.messages.get("msg_does_not_exist"))


def test_callback_and_failure_callback_options(
    sdk: SDK, qstash: LocalQStash, endpoint: Recorder
) -> None:
    endpoint.respond_using(
        lambda request: Reply(500) if request.path == "/fails" else Reply(200, body="done")
    )
    sdk(
        lambda c: c.publish(
            url=endpoint.url + "/works",
            body="a",
            callback=endpoint.url + "/cb",
            callback_options={"method": "PUT"},
            callback_headers={"X-Cb": "1"},
        )
    )
    sdk(
        lambda c: c.publish(
            url=endpoint.url + "/fails",
            body="b",
            retries=0,
            failure_callback=endpoint.url + "/fcb",
            failure_callback_options={"retries": 0},
            failure_callback_headers={"X-Fcb": "2"},
        )
    )
    qstash.drain()
    qstash.drain()
    by_path = {r.path: r for r in endpoint.wait_for(4)}
    assert by_path["/cb"].method == "PUT" and by_path["/cb"].header("X-Cb") == "1"
    assert by_path["/cb"].json()["status"] == 200
    assert by_path["/fcb"].header("X-Fcb") == "2"
    assert by_path["/fcb"].json()["status"] == 500
