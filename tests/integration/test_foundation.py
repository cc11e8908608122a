"""The whole path once: publish -> local server -> signed HTTP delivery -> Receiver."""

from __future__ import annotations

import asyncio
import json

import httpx2
import pytest

from upstash_qstash import Client, Receiver
from upstash_qstash.testing.local import LocalQStash
from upstash_qstash.testing.recorder import Recorder


def _readme_publish(client: Client, url: str) -> object:
    # The call exactly as the original README writes it.
    return client.publish_json(
        {
            "url": url,
            "body": {"hello": "world"},
            "headers": {
                "test-header": "test-value",
            },
        }
    )


def test_readme_publish_json_is_delivered_signed_and_verified(
    qstash: LocalQStash, endpoint: Recorder
) -> None:
    client = qstash.client()
    url = endpoint.url + "/api/hook?x=1"
    result = _readme_publish(client, url)
    qstash.drain()
    [delivery] = endpoint.wait_for(1)
    assert delivery.method == "POST"
    assert delivery.path == "/api/hook" and delivery.query == "x=1"
    assert delivery.body == json.dumps({"hello": "world"}).encode()
    assert delivery.header("test-header") == "test-value"
    assert delivery.header("Content-Type") == "application/json"
    assert delivery.header("Upstash-Message-Id") == result.message_id  # type: ignore[union-attr]
    assert delivery.header("Upstash-Retried") == "0"
    receiver = Receiver(
        {
            "current_signing_key": qstash.current_signing_key,
            "next_signing_key": qstash.next_signing_key,
        }
    )
    assert receiver.verify(
        {"signature": delivery.header("Upstash-Signature"), "body": delivery.body, "url": url}
    )
    client.close()


def test_async_client_publish_is_delivered_and_verified(
    qstash: LocalQStash, endpoint: Recorder
) -> None:
    async def publish() -> object:
        async with qstash.async_client() as client:
            return await client.publish_json(
                {"url": endpoint.url + "/async", "body": {"n": 1}, "headers": {"X-Trace": "abc"}}
            )

    result = asyncio.run(publish())
    qstash.drain()
    [delivery] = endpoint.wait_for(1)
    assert delivery.body == b'{"n": 1}'
    assert delivery.header("X-Trace") == "abc"
    assert delivery.header("Upstash-Message-Id") == result.message_id  # type: ignore[attr-defined]
    assert delivery.verify(qstash.receiver(), url=endpoint.url + "/async")


def test_raw_bytes_body_arrives_byte_exact(qstash: LocalQStash, endpoint: Recorder) -> None:
    body = bytes(range(256)) * 3
    with qstash.client() as client:
        client.publish(
            url=endpoint.url + "/bin", body=body, content_type="application/octet-stream"
        )
    qstash.drain()
    [delivery] = endpoint.wait_for(1)
    assert delivery.body == body
    assert delivery.verify(qstash.receiver())


def test_delayed_message_waits_for_its_time(qstash: LocalQStash, endpoint: Recorder) -> None:
    with qstash.client() as client:
        client.publish(url=endpoint.url + "/later", body="hi", delay=3600)
        qstash.drain()
        assert endpoint.requests == []
        qstash.advance(3599)
        assert endpoint.requests == []
        qstash.advance(1)
    [delivery] = endpoint.wait_for(1)
    assert delivery.body == b"hi"


def test_not_before_and_delay_strings(qstash: LocalQStash, endpoint: Recorder) -> None:
    start = qstash.clock.now()
    with qstash.client() as client:
        client.publish(url=endpoint.url + "/nb", body="a", not_before=int(start) + 120)
        client.publish(url=endpoint.url + "/d", body="b", delay="1m30s")
    qstash.advance(89)
    assert endpoint.requests == []
    qstash.advance(1)
    assert [r.path for r in endpoint.wait_for(1)] == ["/d"]
    qstash.advance(30)
    assert sorted(r.path for r in endpoint.wait_for(2)) == ["/d", "/nb"]


def test_failing_twice_then_succeeding_takes_three_attempts(
    qstash: LocalQStash, endpoint: Recorder
) -> None:
    endpoint.respond_with(500, 503)
    with qstash.client() as client:
        client.publish(url=endpoint.url + "/flaky", body="x")
    qstash.drain()
    assert [r.header("Upstash-Retried") for r in endpoint.requests] == ["0"]
    qstash.advance(11)  # the first retry waits e^2.5 ~ 12.2 s
    assert len(endpoint.requests) == 1
    qstash.advance(2)
    assert len(endpoint.requests) == 2
    qstash.advance(200)  # the second waits e^5 ~ 148 s
    attempts = endpoint.wait_for(3)
    assert [r.header("Upstash-Retried") for r in attempts] == ["0", "1", "2"]
    assert len({r.header("Upstash-Message-Id") for r in attempts}) == 1
    assert all(r.verify(qstash.receiver()) for r in attempts)


def test_retries_exhausted_lands_in_dlq_state(qstash: LocalQStash, endpoint: Recorder) -> None:
    endpoint.respond_with(then=500)
    with qstash.client() as client:
        msg = client.publish(url=endpoint.url + "/down", body="x", retries=1)
    qstash.advance(86400)
    assert len(endpoint.requests) == 2
    states = _states(qstash, msg.message_id)  # type: ignore[union-attr]
    assert states == ["CREATED", "ACTIVE", "ERROR", "RETRY", "ACTIVE", "ERROR", "FAILED"]


def _states(qstash: LocalQStash, message_id: str) -> list[str]:
    response = httpx2.get(
        qstash.url + "/v2/events",
        params={"messageId": message_id, "order": "earliestFirst"},
        headers={"Authorization": f"Bearer {qstash.token}"},
    )
    assert response.status_code == 200
    return [e["state"] for e in response.json()["events"]]


def test_message_can_be_read_while_pending(qstash: LocalQStash, endpoint: Recorder) -> None:
    with qstash.client() as client:
        msg = client.publish(url=endpoint.url + "/p", body="payload", delay=60, retries=2)
    response = httpx2.get(
        f"{qstash.url}/v2/messages/{msg.message_id}",  # type: ignore[union-attr]
        headers={"Authorization": f"Bearer {qstash.token}"},
    )
    data = response.json()
    assert data["messageId"] == msg.message_id  # type: ignore[union-attr]
    assert data["url"] == endpoint.url + "/p"
    assert data["body"] == "payload" and data["maxRetries"] == 2
    assert data["notBefore"] == data["createdAt"] + 60_000
    qstash.advance(60)
    gone = httpx2.get(
        f"{qstash.url}/v2/messages/{msg.message_id}",  # type: ignore[union-attr]
        headers={"Authorization": f"Bearer {qstash.token}"},
    )
    assert gone.status_code == 404 and "error" in gone.json()


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}],
    ids=["missing", "wrong", "not-bearer"],
)
def test_bad_token_is_401_and_stores_nothing(
    qstash: LocalQStash, endpoint: Recorder, headers: dict[str, str]
) -> None:
    response = httpx2.post(
        f"{qstash.url}/v2/publish/{endpoint.url}/x", headers=headers, content=b"x"
    )
    assert response.status_code == 401
    assert isinstance(response.json()["error"], str) and response.json()["error"]
    assert _all_events(qstash) == []
    qstash.advance(10)
    assert endpoint.requests == []


def test_token_in_query_is_accepted(qstash: LocalQStash, endpoint: Recorder) -> None:
    response = httpx2.post(
        f"{qstash.url}/v2/publish/{endpoint.url}/q?keep=1&qstash_token={qstash.token}", content=b"x"
    )
    assert response.status_code == 200, response.text
    assert response.json()["url"] == f"{endpoint.url}/q?keep=1"
    qstash.drain()
    [delivery] = endpoint.wait_for(1)
    assert delivery.query == "keep=1"


@pytest.mark.parametrize("destination", ["ftp://example.com/x", "example.com/x", "mailto:a@b.c"])
def test_non_http_destination_is_400_and_stores_nothing(
    qstash: LocalQStash, destination: str
) -> None:
    response = httpx2.post(
        f"{qstash.url}/v2/publish/{destination}",
        headers={"Authorization": f"Bearer {qstash.token}"},
        content=b"x",
    )
    assert response.status_code == 400
    assert "http://" in response.json()["error"]
    assert _all_events(qstash) == []


def _all_events(qstash: LocalQStash) -> list[object]:
    response = httpx2.get(
        qstash.url + "/v2/events", headers={"Authorization": f"Bearer {qstash.token}"}
    )
    events: list[object] = response.json()["events"]
    return events


def test_keys_endpoint_returns_dev_keys(qstash: LocalQStash) -> None:
    response = httpx2.get(
        qstash.url + "/v2/keys", headers={"Authorization": f"Bearer {qstash.token}"}
    )
    assert response.json() == {
        "current": qstash.current_signing_key,
        "next": qstash.next_signing_key,
    }


def test_logs_route_uses_logs_key(qstash: LocalQStash, endpoint: Recorder) -> None:
    with qstash.client() as client:
        client.publish(url=endpoint.url, body="x")
    qstash.drain()
    response = httpx2.get(
        qstash.url + "/v2/logs", headers={"Authorization": f"Bearer {qstash.token}"}
    )
    assert [e["state"] for e in response.json()["logs"]] == ["DELIVERED", "ACTIVE", "CREATED"]


def test_restart_on_same_database_keeps_and_delivers_pending_message(
    tmp_path: object, endpoint: Recorder
) -> None:
    from pathlib import Path

    from upstash_qstash.server.clock import ManualClock

    db = str(Path(str(tmp_path)) / "qstash.db")
    clock = ManualClock()
    with LocalQStash(clock=clock, db_path=db) as first, first.client() as client:
        msg = client.publish(url=endpoint.url + "/after-restart", body="kept", delay=600)
    assert endpoint.requests == []
    with LocalQStash(clock=clock, db_path=db) as second:
        second.advance(600)
        [delivery] = endpoint.wait_for(1)
    assert delivery.body == b"kept"
    assert delivery.header("Upstash-Message-Id") == msg.message_id  # type: ignore[union-attr]
