"""Redacted fields and deduplication on publish.

Redaction: the API shows ``REDACTED:<hex>`` where ``<hex>`` is the lowercase hex SHA-256
of the original value (the docs do not say hex or base64; hex was chosen). Deliveries
always carry the originals.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import Any

import httpx2
import pytest

from upstash_qstash.server.store import dlq as dlq_ops
from upstash_qstash.testing.local import LocalQStash
from upstash_qstash.testing.recorder import Recorder

Events = Callable[..., list[dict[str, Any]]]


def _hidden(value: bytes) -> str:
    return "REDACTED:" + hashlib.sha256(value).hexdigest()


def _publish(api: httpx2.Client, url: str, body: bytes, headers: dict[str, str]) -> httpx2.Response:
    return api.post(f"/v2/publish/{url}", content=body, headers=headers)


def test_redacted_body_and_header_are_hashed_in_api_but_delivered_intact(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client, events: Events
) -> None:
    headers = {
        "Upstash-Redact-Fields": "body, header[Authorization]",
        "Upstash-Forward-Authorization": "Bearer secret",
        "Upstash-Forward-X-Visible": "shown",
        "Upstash-Delay": "10s",
    }
    response = _publish(api, endpoint.url, b"card=4242", headers)
    assert response.status_code == 200
    message_id = response.json()["messageId"]
    shown = api.get(f"/v2/messages/{message_id}").json()
    assert shown["body"] == _hidden(b"card=4242")
    assert shown["header"]["Authorization"] == [_hidden(b"Bearer secret")]
    assert shown["header"]["X-Visible"] == ["shown"]
    [created] = events(messageId=message_id)
    assert created["body"] == _hidden(b"card=4242")
    assert created["header"]["Authorization"] == [_hidden(b"Bearer secret")]
    qstash.advance(10)
    [delivery] = endpoint.wait_for(1)
    assert delivery.body == b"card=4242"
    assert delivery.header("Authorization") == "Bearer secret"
    logged = events(messageId=message_id)
    leaks = ("Bearer secret", "card=4242", base64.b64encode(b"card=4242").decode())
    assert not [leak for entry in logged for leak in leaks if leak in str(entry)]


@pytest.mark.parametrize("token", ["header", "headers"])
def test_redacting_all_headers(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client, token: str
) -> None:
    headers = {"Upstash-Redact-Fields": token, "Upstash-Forward-A": "1", "Upstash-Delay": "1s"}
    message_id = _publish(api, endpoint.url, b"plain", headers).json()["messageId"]
    shown = api.get(f"/v2/messages/{message_id}").json()
    assert shown["header"] == {"A": [_hidden(b"1")]}
    assert shown["body"] == "plain"


def test_dead_lettered_redacted_message_stays_redacted(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client, events: Events
) -> None:
    endpoint.respond_with(then=500)
    headers = {"Upstash-Redact-Fields": "body", "Upstash-Retries": "0"}
    message_id = _publish(api, endpoint.url, b"secret", headers).json()["messageId"]
    qstash.drain()
    failed = events(messageId=message_id)[-1]
    assert failed["state"] == "FAILED"
    stored = qstash._thread.run(
        qstash.server.store.read(dlq_ops.get, qstash.settings.users[0].user_id, failed["dlqId"])
    )
    assert stored is not None
    msg, _ = stored
    assert msg.body == b"secret"  # kept for a DLQ retry
    assert msg.to_json()["body"] == _hidden(b"secret")


# ----------------------------------------------------------------- deduplication


def _ids(result: Any) -> list[str]:
    items = result if isinstance(result, list) else [result]
    return [item["messageId"] for item in items]


def test_same_deduplication_id_within_window_is_202_with_original_id(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client, events: Events
) -> None:
    headers = {"Upstash-Deduplication-Id": "order-1"}
    first = _publish(api, endpoint.url, b"a", headers)
    second = _publish(api, endpoint.url, b"different body", headers)
    assert first.status_code == 200 and "deduplicated" not in first.json()
    assert second.status_code == 202
    assert second.json() == {
        "messageId": first.json()["messageId"],
        "url": endpoint.url,
        "deduplicated": True,
    }
    qstash.drain()
    assert [r.body for r in endpoint.wait_for(1)] == [b"a"]
    assert len({e["messageId"] for e in events()}) == 1


def test_deduplication_window_expires(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client
) -> None:
    headers = {"Upstash-Deduplication-Id": "k"}
    first = _publish(api, endpoint.url, b"a", headers).json()
    qstash.advance(qstash.settings.dedup_window_seconds + 1)
    again = _publish(api, endpoint.url, b"a", headers)
    assert again.status_code == 200
    assert again.json()["messageId"] != first["messageId"]


def test_expired_deduplication_ids_are_forgotten(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client
) -> None:
    """The ids a long-running server has seen do not pile up once their window is over."""

    def remembered() -> int:
        count = qstash._thread.run(
            qstash.server.store.read(
                lambda conn: conn.execute("SELECT COUNT(*) FROM dedup").fetchone()[0]
            )
        )
        return int(count)

    for i in range(5):
        assert _publish(
            api, endpoint.url, b"a", {"Upstash-Deduplication-Id": f"old-{i}"}
        ).is_success
    assert remembered() == 5
    qstash.advance(qstash.settings.dedup_window_seconds + 1)
    assert _publish(api, endpoint.url, b"a", {"Upstash-Deduplication-Id": "new"}).is_success
    assert remembered() == 1


def test_content_based_deduplication(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client
) -> None:
    on = {"Upstash-Content-Based-Deduplication": "True"}  # the PyPI client sends "True"
    first = _publish(api, endpoint.url, b"same", on)
    dup = _publish(api, endpoint.url, b"same", on)
    other_body = _publish(api, endpoint.url, b"other", on)
    other_header = _publish(api, endpoint.url, b"same", {**on, "Upstash-Forward-X": "1"})
    off = _publish(api, endpoint.url, b"same", {"Upstash-Content-Based-Deduplication": "false"})
    assert dup.status_code == 202 and dup.json()["messageId"] == first.json()["messageId"]
    assert other_body.status_code == 200 and other_header.status_code == 200
    assert off.status_code == 200
    ids = {r.json()["messageId"] for r in (first, other_body, other_header, off)}
    assert len(ids) == 4


def test_deduplication_for_url_groups_is_per_endpoint(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client
) -> None:
    api.post(
        "/v2/topics/grp/endpoints",
        json={"endpoints": [{"url": endpoint.url + "/1"}, {"url": endpoint.url + "/2"}]},
    ).raise_for_status()
    headers = {"Upstash-Deduplication-Id": "g-1"}
    first = _publish(api, "grp", b"x", headers)
    second = _publish(api, "grp", b"x", headers)
    assert first.status_code == 200 and second.status_code == 202
    assert _ids(second.json()) == _ids(first.json())
    assert all(item["deduplicated"] is True for item in second.json())
    # A new endpoint in the group has not seen the id yet.
    api.post(
        "/v2/topics/grp/endpoints", json={"endpoints": [{"url": endpoint.url + "/3"}]}
    ).raise_for_status()
    third = _publish(api, "grp", b"x", headers)
    assert third.status_code == 200
    assert [item.get("deduplicated", False) for item in third.json()] == [True, True, False]
    qstash.drain()
    assert sorted(r.path for r in endpoint.wait_for(3)) == ["/1", "/2", "/3"]
