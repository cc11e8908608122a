"""URL groups (``/v2/topics``) and publishing to them (fan-out).

An unknown destination that is a valid group name answers 404 (the group does not exist);
one that cannot be a group name (``/``, ``:``...) answers 400 with the scheme message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx2
import pytest

from upstash_qstash.testing.local import LocalQStash
from upstash_qstash.testing.recorder import Recorder

Events = Callable[..., list[dict[str, Any]]]


def _upsert(api: httpx2.Client, name: str, endpoints: list[dict[str, Any]]) -> httpx2.Response:
    return api.post(f"/v2/topics/{name}/endpoints", json={"endpoints": endpoints})


def test_upsert_get_list_remove_delete(qstash: LocalQStash, api: httpx2.Client) -> None:
    assert _upsert(api, "orders", [{"url": "https://a.example/x", "name": "a"}]).status_code == 200
    created = api.get("/v2/topics/orders").json()
    qstash.manual_clock.advance(5)
    assert (
        _upsert(
            api,
            "orders",
            [{"url": "https://a2.example/x", "name": "a"}, {"url": "https://b.example"}],
        ).status_code
        == 200
    )
    group = api.get("/v2/topics/orders").json()
    assert group["name"] == "orders"
    assert group["endpoints"] == [
        {"url": "https://a2.example/x", "name": "a"},  # same name: URL updated in place
        {"url": "https://b.example"},
    ]
    assert group["createdAt"] == created["createdAt"]
    assert group["updatedAt"] == created["updatedAt"] + 5000
    _upsert(api, "other", [{"url": "https://c.example"}]).raise_for_status()
    assert [g["name"] for g in api.get("/v2/topics").json()] == ["orders", "other"]

    assert (
        api.request(
            "DELETE", "/v2/topics/orders/endpoints", json={"endpoints": [{"name": "a"}]}
        ).status_code
        == 200
    )
    assert api.get("/v2/topics/orders").json()["endpoints"] == [{"url": "https://b.example"}]
    # Removing the last endpoint deletes the group.
    assert (
        api.request(
            "DELETE",
            "/v2/topics/orders/endpoints",
            json={"endpoints": [{"url": "https://b.example"}]},
        ).status_code
        == 200
    )
    assert api.get("/v2/topics/orders").status_code == 404

    assert api.delete("/v2/topics/other").status_code == 200
    assert api.get("/v2/topics").json() == []
    assert api.delete("/v2/topics/other").status_code == 404


def test_url_groups_are_per_user(qstash: LocalQStash, api: httpx2.Client) -> None:
    _upsert(api, "mine", [{"url": "https://a.example"}]).raise_for_status()
    other = {"Authorization": f"Bearer {qstash.settings.users[1].token}"}
    assert api.get("/v2/topics", headers=other).json() == []
    assert api.get("/v2/topics/mine", headers=other).status_code == 404


@pytest.mark.parametrize(
    ("path", "body", "word"),
    [
        ("bad name!", {"endpoints": [{"url": "https://a"}]}, "URL group name"),
        ("g", {"endpoints": []}, "empty"),
        ("g", {"endpoints": [{"name": "x"}]}, "url is required"),
        ("g", {"endpoints": [{"url": "a.example"}]}, "http://"),
        ("g", {"endpoints": [{"url": "https://a", "name": "sp ace"}]}, "name"),
        ("g", {"endpoints": [{"url": 5}]}, "string"),
        ("g", [{"url": "https://a"}], "endpoints"),
        ("g", {"endpoint": [{"url": "https://a"}]}, "endpoints"),
    ],
)
def test_bad_upsert_is_400_and_changes_nothing(
    api: httpx2.Client, path: str, body: Any, word: str
) -> None:
    response = api.post(f"/v2/topics/{path}/endpoints", json=body)
    assert response.status_code == 400, response.text
    assert word in response.json()["error"]
    assert api.get("/v2/topics").json() == []


def test_removing_unknown_endpoint_or_group_is_404_and_changes_nothing(api: httpx2.Client) -> None:
    _upsert(api, "g", [{"url": "https://a.example", "name": "a"}]).raise_for_status()
    missing = api.request(
        "DELETE",
        "/v2/topics/g/endpoints",
        json={"endpoints": [{"name": "a"}, {"url": "https://nope.example"}]},
    )
    assert missing.status_code == 404 and "nope.example" in missing.json()["error"]
    assert len(api.get("/v2/topics/g").json()["endpoints"]) == 1
    no_group = api.request(
        "DELETE", "/v2/topics/ghost/endpoints", json={"endpoints": [{"name": "a"}]}
    )
    assert no_group.status_code == 404
    empty_item = api.request("DELETE", "/v2/topics/g/endpoints", json={"endpoints": [{}]})
    assert empty_item.status_code == 400


def test_publish_to_group_fans_out_one_message_per_endpoint(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client, events: Events
) -> None:
    _upsert(
        api,
        "fan",
        [{"url": endpoint.url + "/one", "name": "first"}, {"url": endpoint.url + "/two?q=1"}],
    ).raise_for_status()
    endpoint.respond_using(
        lambda r: __import__("upstash_qstash").testing.recorder.Reply(
            500 if r.path == "/two" else 200
        )
    )
    response = api.post("/v2/publish/fan", content=b"hello", headers={"Upstash-Retries": "0"})
    assert response.status_code == 200
    items = response.json()
    assert isinstance(items, list)
    assert [item["url"] for item in items] == [endpoint.url + "/one", endpoint.url + "/two?q=1"]
    assert len({item["messageId"] for item in items}) == 2
    qstash.drain()
    deliveries = {r.path: r for r in endpoint.wait_for(2)}
    one, two = deliveries["/one"], deliveries["/two"]
    assert one.body == two.body == b"hello"
    assert one.header("Upstash-Topic-Name") == "fan" == two.header("Upstash-Topic-Name")
    assert one.header("Upstash-Message-Id") == items[0]["messageId"]
    assert one.verify(qstash.receiver(), url=endpoint.url + "/one")
    assert two.verify(qstash.receiver(), url=endpoint.url + "/two?q=1")
    assert two.query == "q=1"
    # Each endpoint's message has its own life: one delivered, one failed.
    first = events(messageId=items[0]["messageId"])
    second = events(messageId=items[1]["messageId"])
    assert first[-1]["state"] == "DELIVERED" and second[-1]["state"] == "FAILED"
    assert first[0]["topicName"] == "fan" and first[0]["endpointName"] == "first"


def test_unknown_group_name_is_404_and_non_name_is_400(api: httpx2.Client, events: Events) -> None:
    missing = api.post("/v2/publish/no-such-group", content=b"x")
    assert missing.status_code == 404
    assert "no-such-group" in missing.json()["error"]
    bad = api.post("/v2/publish/example.com/path", content=b"x")
    assert bad.status_code == 400
    assert "invalid scheme" in bad.json()["error"]
    assert events() == []


def test_pending_group_message_shows_group_fields(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client
) -> None:
    _upsert(api, "g", [{"url": endpoint.url, "name": "e"}]).raise_for_status()
    [item] = api.post("/v2/publish/g", content=b"x", headers={"Upstash-Delay": "1m"}).json()
    msg = api.get(f"/v2/messages/{item['messageId']}").json()
    assert (msg["topicName"], msg["endpointName"], msg["url"]) == ("g", "e", endpoint.url)
