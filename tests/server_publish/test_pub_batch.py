"""``POST /v2/batch``: mixed URLs, URL groups and queues; all-or-nothing validation.

Per-item errors: the whole batch is validated (shape, headers, destinations, URL groups)
before anything is stored, so a bad item fails the request with a 4xx naming the item
and nothing is stored; a 200 answer has exactly one result per item, in order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx2
import pytest

from upstash_qstash.testing.local import LocalQStash
from upstash_qstash.testing.recorder import Recorder

Events = Callable[..., list[dict[str, Any]]]


def test_mixed_batch_answers_in_request_order(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client
) -> None:
    api.post(
        "/v2/topics/g/endpoints",
        json={"endpoints": [{"url": endpoint.url + "/g1"}, {"url": endpoint.url + "/g2"}]},
    ).raise_for_status()
    batch = [
        {"destination": endpoint.url + "/plain", "headers": None, "body": None, "queue": None},
        {"destination": "g", "headers": {"Upstash-Forward-X-Item": "2"}, "body": "to group"},
        {
            "destination": endpoint.url + "/queued",
            "headers": {"Content-Type": "text/plain", "Upstash-Delay": "30s"},
            "body": "in queue",
            "queue": "bq",
        },
    ]
    response = api.post("/v2/batch", json=batch)
    assert response.status_code == 200, response.text
    plain, group, queued = response.json()
    assert plain["url"] == endpoint.url + "/plain" and plain["messageId"].startswith("msg_")
    assert [item["url"] for item in group] == [endpoint.url + "/g1", endpoint.url + "/g2"]
    assert queued["url"] == endpoint.url + "/queued"
    assert api.get("/v2/queues/bq").json()["lag"] == 1
    qstash.drain()
    got = {r.path: r for r in endpoint.wait_for(3)}
    assert got["/plain"].body == b""
    assert got["/g1"].body == b"to group" and got["/g2"].header("X-Item") == "2"
    assert "/queued" not in got
    qstash.advance(30)
    queued_delivery = {r.path: r for r in endpoint.wait_for(4)}["/queued"]
    assert queued_delivery.body == b"in queue"
    assert queued_delivery.header("Content-Type") == "text/plain"
    assert queued_delivery.header("Upstash-Message-Id") == queued["messageId"]


def test_duplicates_inside_one_batch(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client
) -> None:
    item = {"destination": endpoint.url, "headers": {"Upstash-Deduplication-Id": "d"}, "body": "x"}
    first, second = api.post("/v2/batch", json=[item, item]).json()
    assert second == {**first, "deduplicated": True}
    qstash.drain()
    assert len(endpoint.wait_for(1)) == 1


@pytest.mark.parametrize(
    ("batch", "status", "word"),
    [
        ({"destination": "https://a"}, 400, "array"),
        ([], 400, "at least one"),
        (["https://a"], 400, "must be an object"),
        ([{"body": "x"}], 400, "destination"),
        ([{"destination": "https://a", "headers": {"X": 1}}], 400, "string value"),
        ([{"destination": "https://a", "headers": ["X"]}], 400, "headers"),
        ([{"destination": "https://a", "body": {"json": True}}], 400, "body"),
        ([{"destination": "https://a", "queue": "bad name"}], 400, "queue name"),
        ([{"destination": "https://a", "urls": []}], 400, "unknown field"),
        (
            [{"destination": "https://a", "headers": {"Upstash-Delay": "later"}}],
            400,
            "Upstash-Delay",
        ),
        ([{"destination": "ftp://a"}], 400, "invalid scheme"),
        ([{"destination": "missing-group"}], 404, "missing-group"),
    ],
)
def test_bad_batch_fails_whole_and_stores_nothing(
    qstash: LocalQStash,
    endpoint: Recorder,
    api: httpx2.Client,
    events: Events,
    batch: Any,
    status: int,
    word: str,
) -> None:
    good = {"destination": endpoint.url + "/ok", "body": "fine", "queue": "bq"}
    payload = [good, *batch] if isinstance(batch, list) and batch else batch
    response = api.post("/v2/batch", json=payload)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert word in error
    if isinstance(batch, list) and batch:
        assert "batch item 1" in error  # the good item 0 is not the culprit
    assert events() == []
    assert api.get("/v2/queues").json() == []
    qstash.advance(60)
    assert endpoint.requests == []


def test_batch_that_is_not_json_is_400(api: httpx2.Client, events: Events) -> None:
    response = api.post("/v2/batch", content=b"[{", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert "JSON" in response.json()["error"]
    assert events() == []
