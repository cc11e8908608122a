"""Delivery rules: what the destination receives, what counts as success, when to retry."""

from __future__ import annotations

import base64
import hashlib
import itertools
import math
from collections.abc import Callable
from typing import Any

import httpx2
import jwt
import pytest

from upstash_qstash.server.engine import default_backoff
from upstash_qstash.testing.local import LocalQStash
from upstash_qstash.testing.recorder import RecordedRequest, Recorder, Reply

Events = Callable[..., list[dict[str, Any]]]


def _publish(api: httpx2.Client, url: str, body: bytes = b"x", /, **headers: str) -> str:
    response = api.post(f"/v2/publish/{url}", content=body, headers=headers)
    assert response.status_code == 200, response.text
    message_id: str = response.json()["messageId"]
    return message_id


def test_delivery_is_byte_exact_with_the_documented_headers(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client
) -> None:
    body = b"\x00\xff binary \r\n" + bytes(range(256))
    url = endpoint.url + "/exact?a=1&b=%20"
    message_id = _publish(api, url, body, **{"Content-Type": "application/octet-stream"})
    qstash.drain()
    [delivery] = endpoint.wait_for(1)
    assert delivery.body == body
    assert delivery.header("Content-Type") == "application/octet-stream"
    assert delivery.header("User-Agent") == "Upstash-QStash"
    assert delivery.header("Upstash-Message-Id") == message_id
    assert delivery.header("Upstash-Retried") == "0"
    assert delivery.header("Upstash-Caller-Ip") == "127.0.0.1"
    claims = jwt.decode(
        delivery.header("Upstash-Signature") or "",
        qstash.current_signing_key,
        algorithms=["HS256"],
        options={"verify_exp": False},
    )
    assert claims["iss"] == "Upstash" and claims["sub"] == url
    digest = base64.urlsafe_b64encode(hashlib.sha256(body).digest()).decode()
    assert claims["body"].rstrip("=") == digest.rstrip("=")
    assert delivery.verify(qstash.receiver(), url=url)


@pytest.mark.parametrize("status", [200, 201, 202, 204, 299])
def test_any_2xx_is_success(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client, events: Events, status: int
) -> None:
    endpoint.respond_with(status)
    message_id = _publish(api, endpoint.url)
    qstash.advance(86400)
    assert len(endpoint.requests) == 1
    assert events(messageId=message_id)[-1]["state"] == "DELIVERED"


@pytest.mark.parametrize("status", [301, 302, 400, 404, 429, 500, 503])
def test_non_2xx_is_a_failed_attempt(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client, events: Events, status: int
) -> None:
    endpoint.respond_with(Reply(status, headers={"Location": endpoint.url + "/elsewhere"}))
    message_id = _publish(api, endpoint.url + "/first")
    qstash.drain()
    entries = events(messageId=message_id)
    assert [e["state"] for e in entries][-2:] == ["ERROR", "RETRY"]
    assert entries[-2]["responseStatus"] == status
    # Redirects are not followed.
    assert [r.path for r in endpoint.requests] == ["/first"]


def test_default_three_retries_with_exponential_backoff(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client, events: Events
) -> None:
    endpoint.respond_with(then=500)
    message_id = _publish(api, endpoint.url)
    start = qstash.clock.now()
    qstash.advance(86400)
    times = [e["time"] for e in events(messageId=message_id) if e["state"] == "ACTIVE"]
    gaps = [(b - a) / 1000 for a, b in itertools.pairwise(times)]
    assert len(times) == 4  # 1 + 3 retries
    assert gaps == [pytest.approx(math.exp(2.5 * n), abs=0.002) for n in (1, 2, 3)]
    assert times[0] == int(start * 1000)
    assert events(messageId=message_id)[-1]["state"] == "FAILED"


def test_backoff_is_capped_at_one_day() -> None:
    assert default_backoff(1) == pytest.approx(12.18, abs=0.01)
    assert default_backoff(4) == pytest.approx(22026.47, abs=0.01)
    assert default_backoff(5) == 86400.0
    assert default_backoff(30) == 86400.0


@pytest.mark.parametrize(
    ("header", "value", "wait"),
    [
        ("Retry-After", "30", 30.0),
        ("Retry-After", "0", 0.0),
        ("X-RateLimit-Reset", "45", 45.0),
        ("X-RateLimit-Reset-Requests", "6m5s", 365.0),
        ("X-RateLimit-Reset-Tokens", "1.5s", 1.5),
    ],
)
def test_destination_can_set_the_retry_time(
    qstash: LocalQStash,
    endpoint: Recorder,
    api: httpx2.Client,
    header: str,
    value: str,
    wait: float,
) -> None:
    endpoint.respond_with(Reply(429, headers={header: value}))
    _publish(api, endpoint.url, **{"Upstash-Retry-Delay": "100000"})  # the header wins
    qstash.drain()
    if wait > 0:
        qstash.advance(wait - 0.01)
        assert len(endpoint.requests) == 1
        qstash.advance(0.01)
    else:
        qstash.drain()
    assert len(endpoint.requests) == 2


def test_retry_after_beyond_one_day_falls_back_to_backoff(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client
) -> None:
    endpoint.respond_with(Reply(503, headers={"Retry-After": str(2 * 86400)}))
    _publish(api, endpoint.url)
    qstash.drain()
    qstash.advance(12.1)
    assert len(endpoint.requests) == 1
    qstash.advance(0.1)
    assert len(endpoint.requests) == 2


def test_489_with_non_retryable_header_fails_at_once(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client, events: Events
) -> None:
    endpoint.respond_with(Reply(489, headers={"Upstash-NonRetryable-Error": "true"}, body="no"))
    message_id = _publish(api, endpoint.url, **{"Upstash-Retries": "5"})
    qstash.advance(86400)
    assert len(endpoint.requests) == 1
    entries = events(messageId=message_id)
    assert [e["state"] for e in entries] == ["CREATED", "ACTIVE", "ERROR", "FAILED"]
    assert "non-retryable" in entries[-1]["error"] and entries[-1]["dlqId"]


def test_489_without_the_header_is_retried(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client
) -> None:
    endpoint.respond_with(489)
    _publish(api, endpoint.url)
    qstash.advance(13)
    assert len(endpoint.requests) == 2


def test_connection_error_is_a_failed_attempt(
    qstash: LocalQStash, api: httpx2.Client, events: Events
) -> None:
    message_id = _publish(api, "http://127.0.0.1:9/closed", **{"Upstash-Retries": "0"})
    qstash.drain()
    entries = events(messageId=message_id)
    assert [e["state"] for e in entries] == ["CREATED", "ACTIVE", "ERROR", "FAILED"]
    assert "responseStatus" not in entries[2] and entries[2]["error"]


def test_timeout_applies_to_each_attempt(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client, events: Events
) -> None:
    endpoint.respond_with(Reply(200, delay=0.8), Reply(200, delay=0.8))
    message_id = _publish(api, endpoint.url, **{"Upstash-Timeout": "0.1s", "Upstash-Retries": "1"})
    qstash.advance(60)
    entries = events(messageId=message_id)
    assert [e["state"] for e in entries] == [
        "CREATED",
        "ACTIVE",
        "ERROR",
        "RETRY",
        "ACTIVE",
        "ERROR",
        "FAILED",
    ]
    assert all("timed out" in e["error"] for e in entries if e["state"] == "ERROR")


def test_message_cancelled_during_its_attempt_is_not_retried(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client, events: Events
) -> None:
    ids: list[str] = []

    def cancel_then_fail(request: RecordedRequest) -> Reply:
        # Runs while the delivery is in flight: cancel it through the API, then fail it.
        response = httpx2.delete(
            f"{qstash.url}/v2/messages/{ids[0]}",
            headers={"Authorization": f"Bearer {qstash.token}"},
        )
        assert response.status_code == 200
        return Reply(500)

    endpoint.respond_using(cancel_then_fail)
    ids.append(_publish(api, endpoint.url, b"x", **{"Upstash-Delay": "1s"}))
    qstash.advance(86400)
    assert len(endpoint.requests) == 1
    states = [e["state"] for e in events(messageId=ids[0])]
    assert "RETRY" not in states and "CANCELED" in states
    assert api.get(f"/v2/messages/{ids[0]}").status_code == 404
