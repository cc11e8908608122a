"""Queues: enqueue, the /v2/queues resource, FIFO order, parallelism, pause and resume.

Our choices where the docs leave it open: enqueue honours Upstash-Delay (a delayed message
still keeps its place in the queue, so later messages wait for it); pausing or resuming
an unknown queue is 404; deleting a queue keeps its waiting messages, which go on in
order with parallelism 1.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx2
import pytest

from upstash_qstash.testing.local import LocalQStash
from upstash_qstash.testing.recorder import Recorder, Reply

Events = Callable[..., list[dict[str, Any]]]


def _enqueue(
    api: httpx2.Client, queue: str, url: str, body: bytes = b"x", /, **headers: str
) -> Any:
    response = api.post(f"/v2/enqueue/{queue}/{url}", content=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _queue(api: httpx2.Client, name: str) -> dict[str, Any]:
    response = api.get(f"/v2/queues/{name}")
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def test_enqueue_creates_the_queue_and_delivers(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client
) -> None:
    result = _enqueue(api, "jobs", endpoint.url + "/job?x=1", b"payload", **{"Upstash-Delay": "5s"})
    assert result["url"] == endpoint.url + "/job?x=1"
    queue = _queue(api, "jobs")
    assert (queue["name"], queue["parallelism"], queue["paused"], queue["lag"]) == (
        "jobs",
        1,
        False,
        1,
    )
    assert queue["createdAt"] == queue["updatedAt"]
    assert api.get(f"/v2/messages/{result['messageId']}").json()["queueName"] == "jobs"
    qstash.advance(5)
    [delivery] = endpoint.wait_for(1)
    assert (delivery.body, delivery.query) == (b"payload", "x=1")
    assert delivery.header("Upstash-Message-Id") == result["messageId"]
    assert _queue(api, "jobs")["lag"] == 0


@pytest.mark.parametrize("queue", ["bad!name", "sp%20ace", "a:b"])
def test_enqueue_with_invalid_queue_name_is_400(
    api: httpx2.Client, endpoint: Recorder, events: Events, queue: str
) -> None:
    response = api.post(f"/v2/enqueue/{queue}/{endpoint.url}", content=b"x")
    assert response.status_code == 400
    assert "queue name" in response.json()["error"]
    assert api.get("/v2/queues").json() == []
    assert events() == []


def test_enqueue_without_destination_is_400(api: httpx2.Client) -> None:
    response = api.post("/v2/enqueue/q/", content=b"x")
    assert response.status_code == 400
    assert api.get("/v2/queues").json() == []


def test_fifo_with_parallelism_one_waits_for_retries(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client
) -> None:
    endpoint.respond_with(500)  # the first attempt of the first message fails
    for n in range(3):
        _enqueue(api, "fifo", f"{endpoint.url}/{n}")
    qstash.drain()
    assert [r.path for r in endpoint.requests] == ["/0"]
    assert _queue(api, "fifo")["lag"] == 3
    qstash.advance(12)  # the retry is due after e^2.5 ~ 12.2 s: nobody may overtake it
    assert [r.path for r in endpoint.requests] == ["/0"]
    qstash.advance(1)
    assert [r.path for r in endpoint.requests] == ["/0", "/0", "/1", "/2"]
    assert _queue(api, "fifo")["lag"] == 0


def test_next_message_starts_after_the_previous_failed_for_good(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client, events: Events
) -> None:
    endpoint.respond_using(lambda r: Reply(500 if r.path == "/bad" else 200))
    bad = _enqueue(api, "q", endpoint.url + "/bad", **{"Upstash-Retries": "1"})
    _enqueue(api, "q", endpoint.url + "/good")
    qstash.drain()
    assert [r.path for r in endpoint.requests] == ["/bad"]
    qstash.advance(60)
    assert [r.path for r in endpoint.requests] == ["/bad", "/bad", "/good"]
    assert events(messageId=bad["messageId"])[-1]["state"] == "FAILED"


def test_parallelism_limits_concurrent_deliveries(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client
) -> None:
    assert (
        api.post(
            "/v2/queues", json={"queueName": "wide", "parallelism": 2, "paused": False}
        ).status_code
        == 200
    )
    endpoint.respond_with(then=Reply(200, delay=0.15))
    for n in range(6):
        _enqueue(api, "wide", f"{endpoint.url}/{n}")
    qstash.drain()
    assert len(endpoint.wait_for(6)) == 6
    assert endpoint.max_in_flight == 2
    assert sorted(r.path for r in endpoint.requests) == [f"/{n}" for n in range(6)]


def test_unqueued_messages_are_not_limited(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client
) -> None:
    endpoint.respond_with(then=Reply(200, delay=0.15))
    for n in range(4):
        api.post(f"/v2/publish/{endpoint.url}/{n}", content=b"x").raise_for_status()
    qstash.drain()
    assert endpoint.max_in_flight == 4


def test_pause_holds_delivery_and_resume_releases_in_order(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client
) -> None:
    api.post("/v2/queues", json={"queueName": "p", "parallelism": 1, "paused": False})
    assert api.post("/v2/queues/p/pause").status_code == 200
    assert api.post("/v2/queues/p/pause").status_code == 200  # pausing twice is fine
    for n in range(3):
        _enqueue(api, "p", f"{endpoint.url}/{n}")
    qstash.advance(3600)
    assert endpoint.requests == []
    queue = _queue(api, "p")
    assert queue["paused"] is True and queue["lag"] == 3
    assert api.post("/v2/queues/p/resume").status_code == 200
    qstash.drain()
    assert [r.path for r in endpoint.wait_for(3)] == ["/0", "/1", "/2"]
    assert _queue(api, "p")["paused"] is False


def test_pause_also_holds_a_scheduled_retry(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client
) -> None:
    endpoint.respond_with(500)
    _enqueue(api, "r", endpoint.url + "/0")
    _enqueue(api, "r", endpoint.url + "/1")
    qstash.drain()
    api.post("/v2/queues/r/pause").raise_for_status()
    qstash.advance(600)
    # A paused queue delivers nothing, not even the retry that was already scheduled.
    assert [r.path for r in endpoint.requests] == ["/0"]
    api.post("/v2/queues/r/resume").raise_for_status()
    qstash.drain()
    assert [r.path for r in endpoint.requests] == ["/0", "/0", "/1"]
    assert [r.header("Upstash-Retried") for r in endpoint.requests] == ["0", "1", "0"]


def test_upsert_with_paused_true_and_then_false(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client
) -> None:
    api.post("/v2/queues", json={"queueName": "u", "parallelism": 1, "paused": True})
    _enqueue(api, "u", endpoint.url)
    qstash.drain()
    assert endpoint.requests == []
    api.post("/v2/queues", json={"queueName": "u", "parallelism": 3, "paused": False})
    qstash.drain()
    assert len(endpoint.wait_for(1)) == 1
    assert _queue(api, "u")["parallelism"] == 3


def test_queue_resource_list_get_delete(qstash: LocalQStash, api: httpx2.Client) -> None:
    assert api.post("/v2/queues/", json={"queueName": "b", "parallelism": 4}).status_code == 200
    assert api.post("/v2/queues", json={"queueName": "a"}).status_code == 200
    listed = api.get("/v2/queues").json()
    assert [(q["name"], q["parallelism"], q["paused"]) for q in listed] == [
        ("a", 1, False),
        ("b", 4, False),
    ]
    assert all(
        set(q) == {"name", "parallelism", "paused", "lag", "createdAt", "updatedAt"} for q in listed
    )
    assert api.delete("/v2/queues/a").status_code == 200
    assert api.delete("/v2/queues/a").status_code == 200  # deleting twice is fine
    assert api.get("/v2/queues/a").status_code == 404
    assert [q["name"] for q in api.get("/v2/queues").json()] == ["b"]
    assert api.post("/v2/queues/ghost/pause").status_code == 404
    assert api.post("/v2/queues/ghost/resume").status_code == 404
    assert api.get("/v2/queues/bad!name").status_code == 400


@pytest.mark.parametrize(
    ("body", "word"),
    [
        ({"parallelism": 1}, "queueName"),
        ({"queueName": "bad name"}, "queue name"),
        ({"queueName": "q", "parallelism": 0}, "parallelism"),
        ({"queueName": "q", "parallelism": "2"}, "parallelism"),
        ({"queueName": "q", "parallelism": True}, "parallelism"),
        ({"queueName": "q", "paused": "yes"}, "paused"),
        (["q"], "JSON object"),
    ],
)
def test_bad_upsert_is_400_and_creates_nothing(api: httpx2.Client, body: Any, word: str) -> None:
    response = api.post("/v2/queues", json=body)
    assert response.status_code == 400, response.text
    assert word in response.json()["error"]
    assert api.get("/v2/queues").json() == []


def test_deleted_queue_messages_still_go_in_order(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client
) -> None:
    api.post("/v2/queues", json={"queueName": "d", "paused": True})
    _enqueue(api, "d", endpoint.url + "/0")
    _enqueue(api, "d", endpoint.url + "/1")
    api.delete("/v2/queues/d").raise_for_status()
    qstash.drain()
    assert [r.path for r in endpoint.wait_for(2)] == ["/0", "/1"]


def test_enqueue_to_url_group(qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client) -> None:
    api.post(
        "/v2/topics/g/endpoints",
        json={"endpoints": [{"url": endpoint.url + "/a"}, {"url": endpoint.url + "/b"}]},
    ).raise_for_status()
    items = _enqueue(api, "gq", "g")
    assert [item["url"] for item in items] == [endpoint.url + "/a", endpoint.url + "/b"]
    assert _queue(api, "gq")["lag"] == 2
    qstash.drain()
    assert [r.path for r in endpoint.wait_for(2)] == ["/a", "/b"]


def test_queue_backlog_does_not_block_other_messages(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client
) -> None:
    api.post("/v2/queues", json={"queueName": "big", "paused": True})
    for n in range(300):  # more than one claim batch of held messages
        _enqueue(api, "big", f"{endpoint.url}/q{n}")
    api.post(f"/v2/publish/{endpoint.url}/free", content=b"x").raise_for_status()
    qstash.drain()
    assert [r.path for r in endpoint.wait_for(1)] == ["/free"]


def test_cancelling_the_head_lets_the_next_message_go(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client
) -> None:
    endpoint.respond_with(500)
    head = _enqueue(api, "c", endpoint.url + "/0")
    _enqueue(api, "c", endpoint.url + "/1")
    qstash.drain()
    assert [r.path for r in endpoint.requests] == ["/0"]  # /0 waits for its retry
    assert api.delete(f"/v2/messages/{head['messageId']}").status_code == 200
    qstash.drain()
    assert [r.path for r in endpoint.requests] == ["/0", "/1"]
    qstash.advance(86400)
    assert [r.path for r in endpoint.requests] == ["/0", "/1"]  # no retry of the cancelled one
