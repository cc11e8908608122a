"""Every publish header of the wire reference, end to end: HTTP publish -> delivery."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx2
import pytest

from upstash_qstash.testing.local import LocalQStash
from upstash_qstash.testing.recorder import Recorder, Reply

Events = Callable[..., list[dict[str, Any]]]


def _publish(api: httpx2.Client, url: str, body: bytes = b"x", /, **headers: str) -> Any:
    response = api.post(f"/v2/publish/{url}", content=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _message(api: httpx2.Client, message_id: str) -> dict[str, Any]:
    response = api.get(f"/v2/messages/{message_id}")
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "GET"])
def test_upstash_method_is_the_delivery_method(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client, method: str
) -> None:
    _publish(api, endpoint.url + "/m", b"payload", **{"Upstash-Method": method.lower()})
    qstash.drain()
    [delivery] = endpoint.wait_for(1)
    assert delivery.method == method
    assert delivery.body == b"payload"


def test_default_method_is_post(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client
) -> None:
    _publish(api, endpoint.url)
    qstash.drain()
    assert [r.method for r in endpoint.wait_for(1)] == ["POST"]


def test_unknown_method_is_400(qstash: LocalQStash, api: httpx2.Client, events: Events) -> None:
    response = api.post(
        "/v2/publish/http://127.0.0.1:1/x", content=b"x", headers={"Upstash-Method": "FETCH"}
    )
    assert response.status_code == 400
    assert "Upstash-Method" in response.json()["error"]
    assert events() == []


def test_delay_holds_the_message(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client
) -> None:
    result = _publish(api, endpoint.url, **{"Upstash-Delay": "1m30s"})
    msg = _message(api, result["messageId"])
    assert msg["notBefore"] == msg["createdAt"] + 90_000
    qstash.advance(89)
    assert endpoint.requests == []
    qstash.advance(1)
    assert len(endpoint.wait_for(1)) == 1


def test_not_before_wins_over_delay(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client
) -> None:
    not_before = int(qstash.clock.now()) + 300
    result = _publish(
        api, endpoint.url, **{"Upstash-Delay": "10s", "Upstash-Not-Before": str(not_before)}
    )
    assert _message(api, result["messageId"])["notBefore"] == not_before * 1000
    qstash.advance(10)
    assert endpoint.requests == []
    qstash.advance(290)
    assert len(endpoint.wait_for(1)) == 1


@pytest.mark.parametrize(
    ("headers", "word"),
    [
        ({"Upstash-Delay": "soon"}, "Upstash-Delay"),
        ({"Upstash-Not-Before": "tomorrow"}, "Upstash-Not-Before"),
        ({"Upstash-Retries": "-1"}, "Upstash-Retries"),
        ({"Upstash-Retries": "many"}, "Upstash-Retries"),
        ({"Upstash-Retry-Delay": "import os"}, "Upstash-Retry-Delay"),
        ({"Upstash-Timeout": "fast"}, "Upstash-Timeout"),
        ({"Upstash-Callback": "example.com/cb"}, "Upstash-Callback"),
        ({"Upstash-Failure-Callback": "ftp://x/y"}, "Upstash-Failure-Callback"),
        ({"Upstash-Callback": "http://a/b", "Upstash-Callback-Retries": "x"}, "Callback-Retries"),
        ({"Upstash-Content-Based-Deduplication": "perhaps"}, "Deduplication"),
        ({"Upstash-Redact-Fields": "everything"}, "Redact"),
        ({"Upstash-Header-Forward": "yes please"}, "Header-Forward"),
    ],
)
def test_malformed_header_is_400_and_stores_nothing(
    qstash: LocalQStash,
    endpoint: Recorder,
    api: httpx2.Client,
    events: Events,
    headers: dict[str, str],
    word: str,
) -> None:
    response = api.post(f"/v2/publish/{endpoint.url}", content=b"x", headers=headers)
    assert response.status_code == 400, response.text
    assert word in response.json()["error"]
    assert events() == []
    qstash.advance(60)
    assert endpoint.requests == []


def test_retries_sets_the_number_of_extra_attempts(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client, events: Events
) -> None:
    endpoint.respond_with(then=500)
    result = _publish(api, endpoint.url, **{"Upstash-Retries": "2"})
    assert _message(api, result["messageId"])["maxRetries"] == 2
    qstash.advance(86400)
    assert [r.header("Upstash-Retried") for r in endpoint.requests] == ["0", "1", "2"]
    assert events(messageId=result["messageId"])[-1]["state"] == "FAILED"


def test_retries_zero_means_one_attempt(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client
) -> None:
    endpoint.respond_with(then=500)
    _publish(api, endpoint.url, **{"Upstash-Retries": "0"})
    qstash.advance(86400)
    assert len(endpoint.requests) == 1


def test_retry_delay_expression_times_the_retries(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client
) -> None:
    endpoint.respond_with(then=500)
    result = _publish(
        api, endpoint.url, **{"Upstash-Retries": "2", "Upstash-Retry-Delay": "1000 * (1 + retried)"}
    )
    assert _message(api, result["messageId"])["retryDelayExpression"] == "1000 * (1 + retried)"
    qstash.drain()
    assert len(endpoint.requests) == 1
    qstash.advance(0.999)
    assert len(endpoint.requests) == 1
    qstash.advance(0.001)  # first retry 1 s after the failure
    assert len(endpoint.requests) == 2
    qstash.advance(1.999)
    assert len(endpoint.requests) == 2
    qstash.advance(0.001)  # second retry 2 s after the second failure
    assert len(endpoint.requests) == 3


def test_timeout_aborts_a_slow_attempt(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client, events: Events
) -> None:
    endpoint.respond_with(Reply(200, delay=1.0))
    result = _publish(api, endpoint.url, **{"Upstash-Timeout": "0.2s", "Upstash-Retries": "1"})
    assert _message(api, result["messageId"])["timeout"] == 0  # whole seconds, rounded down
    qstash.drain()
    entries = events(messageId=result["messageId"])
    assert [e["state"] for e in entries] == ["CREATED", "ACTIVE", "ERROR", "RETRY"]
    assert "timed out" in entries[2]["error"]
    assert entries[2]["timeout"] == 200
    qstash.advance(13)  # the retry is answered at once
    assert events(messageId=result["messageId"])[-1]["state"] == "DELIVERED"


def test_forward_headers_reach_the_destination_without_prefix(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client
) -> None:
    result = _publish(
        api,
        endpoint.url,
        b"{}",
        **{
            "Upstash-Forward-Authorization": "Bearer downstream",
            "upstash-forward-x-trace": "t1",
            "X-Not-Forwarded": "1",
            "Content-Type": "application/json",
        },
    )
    qstash.drain()
    [delivery] = endpoint.wait_for(1)
    assert delivery.header("Authorization") == "Bearer downstream"
    assert delivery.header("X-Trace") == "t1"
    assert delivery.header("X-Not-Forwarded") is None
    assert delivery.header("Content-Type") == "application/json"
    assert delivery.header("Upstash-Forward-X-Trace") is None
    # GET shows the headers that will be sent, canonicalised.
    assert result["messageId"] == delivery.header("Upstash-Message-Id")


def test_header_forward_sends_all_plain_headers(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client
) -> None:
    _publish(
        api,
        endpoint.url,
        **{"Upstash-Header-Forward": "true", "X-Webhook-Id": "w1", "Stripe-Signature": "s"},
    )
    qstash.drain()
    [delivery] = endpoint.wait_for(1)
    assert delivery.header("X-Webhook-Id") == "w1"
    assert delivery.header("Stripe-Signature") == "s"
    # The publisher's own credentials never travel on.
    assert delivery.header("Authorization") is None


def test_labels_are_kept_on_the_message(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client, events: Events
) -> None:
    one = _publish(api, endpoint.url, **{"Upstash-Label": "billing", "Upstash-Delay": "1s"})
    two = _publish(api, endpoint.url, **{"Upstash-Label": "a, b", "Upstash-Delay": "1s"})
    assert _message(api, one["messageId"])["label"] == "billing"
    msg = _message(api, two["messageId"])
    assert (msg["label"], msg["labels"]) == ("a", ["a", "b"])
    assert {e["messageId"] for e in events(label="b")} == {two["messageId"]}


def test_config_by_query_parameters(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client
) -> None:
    response = api.post(
        f"/v2/publish/{endpoint.url}/q?keep=1&upstash-delay=60s&upstash-retries=0"
        "&upstash-forward-x-from-query=yes",
        content=b"x",
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["url"] == f"{endpoint.url}/q?keep=1"
    msg = _message(api, result["messageId"])
    assert msg["maxRetries"] == 0 and msg["notBefore"] == msg["createdAt"] + 60_000
    qstash.advance(59)
    assert endpoint.requests == []
    qstash.advance(1)
    [delivery] = endpoint.wait_for(1)
    assert delivery.query == "keep=1"
    assert delivery.header("X-From-Query") == "yes"


def test_content_type_and_body_of_message_get(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client
) -> None:
    result = _publish(
        api,
        endpoint.url,
        json.dumps({"a": 1}).encode(),
        **{"Content-Type": "application/json", "Upstash-Forward-X-A": "1", "Upstash-Delay": "5s"},
    )
    msg = _message(api, result["messageId"])
    assert msg["body"] == '{"a": 1}'
    assert msg["header"] == {"Content-Type": ["application/json"], "X-A": ["1"]}
    assert msg["callerIP"] == "127.0.0.1"
