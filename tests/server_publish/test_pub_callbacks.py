"""Callbacks and failure callbacks.

The callback fires once after the successful delivery and once after the final failure
(not after attempts that are retried); the failure callback fires once after the final
failure and carries ``dlqId``. Both are ordinary signed messages to the callback URL.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import httpx2

from upstash_qstash.testing.local import LocalQStash
from upstash_qstash.testing.recorder import Recorder, Reply

Events = Callable[..., list[dict[str, Any]]]


def _routes(endpoint: Recorder, statuses: dict[str, int]) -> None:
    endpoint.respond_using(
        lambda r: Reply(
            statuses.get(r.path, 200), headers={"X-Answer": r.path}, body=f"answer {r.path}"
        )
    )


def _at(endpoint: Recorder, path: str) -> list[Any]:
    return [r for r in endpoint.requests if r.path == path]


def test_callback_after_success_carries_the_response(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client
) -> None:
    _routes(endpoint, {})
    callback_url = endpoint.url + "/cb?k=v"
    response = api.post(
        f"/v2/publish/{endpoint.url}/dest",
        content=b"source body",
        headers={
            "Content-Type": "text/plain",
            "Upstash-Forward-X-Src": "1",
            "Upstash-Callback": callback_url,
            "Upstash-Callback-Forward-X-Cb-Secret": "s3",
            "Upstash-Callback-Method": "PUT",
            "Upstash-Delay": "1s",
        },
    )
    source_id = response.json()["messageId"]
    assert api.get(f"/v2/messages/{source_id}").json()["callback"] == callback_url
    qstash.advance(1)
    [callback] = _at(endpoint, "/cb")
    assert callback.method == "PUT"
    assert callback.query == "k=v"
    assert callback.header("X-Cb-Secret") == "s3"
    assert callback.header("Content-Type") == "application/json"
    assert callback.header("Upstash-Message-Id") != source_id
    assert callback.verify(qstash.receiver(), url=callback_url)  # sub = the callback URL
    data = callback.json()
    assert data["status"] == 200
    assert data["header"]["X-Answer"] == ["/dest"]
    assert base64.b64decode(data["body"]) == b"answer /dest"
    assert (data["retried"], data["maxRetries"]) == (0, 3)
    assert data["sourceMessageId"] == source_id
    assert data["url"] == endpoint.url + "/dest" and data["method"] == "POST"
    assert data["sourceHeader"] == {"X-Src": ["1"], "Content-Type": ["text/plain"]}
    assert base64.b64decode(data["sourceBody"]) == b"source body"
    assert data["notBefore"] == data["createdAt"] + 1000
    assert data["callerIP"] == "127.0.0.1"
    assert "dlqId" not in data and "topicName" not in data


def test_callback_once_after_final_failure_and_failure_callback_with_dlq_id(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client, events: Events
) -> None:
    _routes(endpoint, {"/dest": 500})
    api.post(
        f"/v2/publish/{endpoint.url}/dest",
        content=b"x",
        headers={
            "Upstash-Retries": "2",
            "Upstash-Callback": endpoint.url + "/cb",
            "Upstash-Failure-Callback": endpoint.url + "/fcb",
            "Upstash-Failure-Callback-Forward-X-F": "f",
        },
    ).raise_for_status()
    qstash.drain()
    assert _at(endpoint, "/cb") == [] and _at(endpoint, "/fcb") == []  # retries pending
    qstash.advance(86400)
    assert len(_at(endpoint, "/dest")) == 3
    [callback] = _at(endpoint, "/cb")
    [failure] = _at(endpoint, "/fcb")
    assert callback.json()["status"] == 500 and callback.json()["retried"] == 2
    assert "dlqId" not in callback.json()
    data = failure.json()
    assert (data["status"], data["retried"], data["maxRetries"]) == (500, 2, 2)
    assert base64.b64decode(data["body"]) == b"answer /dest"
    assert failure.header("X-F") == "f"
    failed = [e for e in events() if e["state"] == "FAILED"]
    assert [e["dlqId"] for e in failed] == [data["dlqId"]]
    assert failure.verify(qstash.receiver(), url=endpoint.url + "/fcb")


def test_no_failure_callback_after_success(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client
) -> None:
    _routes(endpoint, {})
    api.post(
        f"/v2/publish/{endpoint.url}/dest",
        content=b"x",
        headers={"Upstash-Failure-Callback": endpoint.url + "/fcb"},
    ).raise_for_status()
    qstash.advance(3600)
    assert [r.path for r in endpoint.requests] == ["/dest"]


def test_callback_configuration_retries_and_delay(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client, events: Events
) -> None:
    _routes(endpoint, {"/cb": 500})
    api.post(
        f"/v2/publish/{endpoint.url}/dest",
        content=b"x",
        headers={
            "Upstash-Retries": "3",
            "Upstash-Callback": endpoint.url + "/cb",
            "Upstash-Callback-Retries": "1",
            "Upstash-Callback-Delay": "60s",
            "Upstash-Callback-Retry-Delay": "5000",
            "Upstash-Callback-Timeout": "10s",
        },
    ).raise_for_status()
    qstash.drain()
    assert [r.path for r in endpoint.requests] == ["/dest"]
    qstash.advance(59)
    assert len(_at(endpoint, "/cb")) == 0
    qstash.advance(1)
    assert len(_at(endpoint, "/cb")) == 1
    qstash.advance(4.9)
    assert len(_at(endpoint, "/cb")) == 1
    qstash.advance(0.1)
    assert len(_at(endpoint, "/cb")) == 2  # 1 + Upstash-Callback-Retries
    qstash.advance(86400)
    assert len(_at(endpoint, "/cb")) == 2
    callback_id = _at(endpoint, "/cb")[0].header("Upstash-Message-Id")
    created = events(messageId=callback_id)[0]
    assert created["maxRetries"] == 1 and created["timeout"] == 10_000
    assert created["retryDelayExpression"] == "5000"
    # A failing callback does not call back again.
    assert len(_at(endpoint, "/dest")) == 1


def test_url_group_callback_names_group_and_endpoint(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client
) -> None:
    _routes(endpoint, {})
    api.post(
        "/v2/topics/g/endpoints", json={"endpoints": [{"url": endpoint.url + "/e", "name": "e1"}]}
    ).raise_for_status()
    api.post(
        "/v2/publish/g", content=b"x", headers={"Upstash-Callback": endpoint.url + "/cb"}
    ).raise_for_status()
    qstash.drain()
    [callback] = _at(endpoint, "/cb")
    assert (callback.json()["topicName"], callback.json()["endpointName"]) == ("g", "e1")


def test_callback_of_connection_failure_has_status_zero_and_error(
    qstash: LocalQStash, endpoint: Recorder, api: httpx2.Client
) -> None:
    api.post(
        "/v2/publish/http://127.0.0.1:9/closed",
        content=b"x",
        headers={"Upstash-Retries": "0", "Upstash-Failure-Callback": endpoint.url + "/fcb"},
    ).raise_for_status()
    qstash.drain()
    [failure] = endpoint.wait_for(1)
    data = failure.json()
    assert data["status"] == 0 and data["error"] and data["dlqId"]
