"""Callback URLs, their forwarded headers and labels as message, log and schedule JSON show them."""

from __future__ import annotations

import httpx2

from upstash_qstash.testing.recorder import Recorder

HEADERS = {
    "Upstash-Callback": "http://127.0.0.1:9/cb",
    "Upstash-Callback-Forward-X-Cb": "1",
    "Upstash-Failure-Callback": "http://127.0.0.1:9/fcb",
    "Upstash-Failure-Callback-Forward-X-Fcb": "2",
    "Upstash-Label": "first,second",
}
SHOWN = {
    "callback": "http://127.0.0.1:9/cb",
    "failureCallback": "http://127.0.0.1:9/fcb",
    "label": "first",
    "labels": ["first", "second"],
}


def test_message_and_log_json(api: httpx2.Client, endpoint: Recorder) -> None:
    response = api.post(
        f"/v2/publish/{endpoint.url}/x", content=b"x", headers={**HEADERS, "Upstash-Delay": "1h"}
    )
    message_id = response.json()["messageId"]
    message = api.get(f"/v2/messages/{message_id}").json()
    assert {k: message[k] for k in SHOWN} == SHOWN
    assert message["callbackHeader"] == {"X-Cb": ["1"]}
    assert message["failureCallbackHeader"] == {"X-Fcb": ["2"]}
    [entry] = api.get("/v2/events", params={"messageId": message_id}).json()["events"]
    assert {k: entry[k] for k in SHOWN} == SHOWN
    assert entry["callbackHeaders"] == {"X-Cb": ["1"]}
    assert entry["failureCallbackHeaders"] == {"X-Fcb": ["2"]}


def test_schedule_json(api: httpx2.Client, endpoint: Recorder) -> None:
    created = api.post(
        f"/v2/schedules/{endpoint.url}/x",
        content=b"x",
        headers={**HEADERS, "Upstash-Cron": "0 0 * * *"},
    )
    schedule = api.get(f"/v2/schedules/{created.json()['scheduleId']}").json()
    assert {k: schedule[k] for k in SHOWN} == SHOWN
    assert schedule["callbackHeader"] == {"X-Cb": ["1"]}
    assert schedule["failureCallbackHeader"] == {"X-Fcb": ["2"]}


def test_no_callback_fields_without_callbacks(api: httpx2.Client, endpoint: Recorder) -> None:
    response = api.post(
        f"/v2/publish/{endpoint.url}/x", content=b"x", headers={"Upstash-Delay": "1h"}
    )
    message = api.get(f"/v2/messages/{response.json()['messageId']}").json()
    assert not {"callback", "failureCallback", "callbackHeader", "label", "labels"} & set(message)
