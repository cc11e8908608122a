"""Cancelling messages: one by id, in bulk by ids, by filters, or all (spec section 5)."""

from __future__ import annotations

import json
import threading

import pytest
from manage_api import Api

from upstash_qstash.testing.local import LocalQStash
from upstash_qstash.testing.recorder import RecordedRequest, Recorder, Reply


def test_cancel_one_answers_json_logs_both_states_and_nothing_is_delivered(
    qstash: LocalQStash, api: Api, endpoint: Recorder
) -> None:
    message_id = api.publish(endpoint.url + "/later", Upstash_Delay="1h")
    kept = api.publish(endpoint.url + "/kept", Upstash_Delay="1h")
    assert api.ok("DELETE", f"/v2/messages/{message_id}") == {"cancelled": 1}
    assert api.states(message_id) == ["CREATED", "CANCEL_REQUESTED", "CANCELED"]
    assert api.request("GET", f"/v2/messages/{message_id}").status_code == 404
    qstash.advance(3600)
    assert [r.header("Upstash-Message-Id") for r in endpoint.wait_for(1)] == [kept]
    again = api.request("DELETE", f"/v2/messages/{message_id}")
    assert again.status_code == 404 and message_id in again.json()["error"]


def test_cancel_unknown_message_is_404_and_changes_nothing(qstash: LocalQStash, api: Api) -> None:
    before = api.snapshot()
    response = api.request("DELETE", "/v2/messages/msg_doesnotexist")
    assert response.status_code == 404
    assert "msg_doesnotexist" in response.json()["error"]
    assert api.snapshot() == before


def test_cancel_filter_alias_cancelled_spelling(qstash: LocalQStash, api: Api) -> None:
    """Logs emit CANCELED; the CANCELLED spelling of the docs is accepted as a filter."""
    message_id = api.publish("https://example.com/a", Upstash_Delay="1h")
    api.ok("DELETE", f"/v2/messages/{message_id}")
    for state in ("CANCELED", "CANCELLED", "cancelled"):
        assert [e["messageId"] for e in api.events(state=state)] == [message_id]


def test_message_in_flight_is_delivered_once_and_never_retried_after_cancel(
    qstash: LocalQStash, api: Api, endpoint: Recorder
) -> None:
    arrived = threading.Event()
    release = threading.Event()

    def hold(request: RecordedRequest) -> Reply:
        arrived.set()
        assert release.wait(10)
        return Reply(500)

    endpoint.respond_using(hold)
    message_id = api.publish(endpoint.url + "/slow", Upstash_Retries="3")
    # The engine starts the delivery on its own; wait until the destination holds it.
    assert arrived.wait(10)
    assert api.ok("DELETE", f"/v2/messages/{message_id}") == {"cancelled": 1}
    release.set()
    qstash.drain()
    qstash.advance(7 * 86400)
    assert len(endpoint.requests) == 1
    states = api.states(message_id)
    assert states[:4] == ["CREATED", "ACTIVE", "CANCEL_REQUESTED", "CANCELED"]
    assert "RETRY" not in states
    assert api.request("GET", f"/v2/messages/{message_id}").status_code == 404


def test_cancel_during_last_failing_attempt_skips_dlq_and_failure_callback(
    qstash: LocalQStash, api: Api, endpoint: Recorder
) -> None:
    arrived = threading.Event()
    release = threading.Event()

    def hold(request: RecordedRequest) -> Reply:
        if request.path == "/failure":
            return Reply(200)
        arrived.set()
        assert release.wait(10)
        return Reply(500)

    endpoint.respond_using(hold)
    message_id = api.publish(
        endpoint.url + "/last",
        Upstash_Retries="0",
        Upstash_Failure_Callback=endpoint.url + "/failure",
    )
    assert arrived.wait(10)
    assert api.ok("DELETE", f"/v2/messages/{message_id}") == {"cancelled": 1}
    release.set()
    qstash.drain()
    qstash.advance(86400)
    assert [r.path for r in endpoint.requests] == ["/last"]
    assert api.ok("GET", "/v2/dlq")["messages"] == []
    assert "FAILED" not in api.states(message_id)


@pytest.mark.parametrize("form", ["query", "repeated", "comma", "legacy-body"])
def test_bulk_cancel_by_ids(qstash: LocalQStash, api: Api, form: str) -> None:
    ids = [api.publish(f"https://example.com/{i}", Upstash_Delay="1h") for i in range(4)]
    chosen = [*ids[:2], "msg_unknown"]
    if form == "query":
        response = api.request("DELETE", "/v2/messages", params={"messageIds": chosen})
    elif form == "repeated":
        query = "&".join(f"messageIds={i}" for i in chosen)
        response = api.request("DELETE", f"/v2/messages?{query}")
    elif form == "comma":
        response = api.request("DELETE", "/v2/messages", params={"messageIds": ",".join(chosen)})
    else:
        response = api.request(
            "DELETE",
            "/v2/messages",
            content=json.dumps({"messageIds": chosen}),
            headers={"Content-Type": "application/json"},
        )
    assert response.status_code == 200, response.text
    assert response.json() == {"cancelled": 2}
    status = {i: api.request("GET", f"/v2/messages/{i}").status_code for i in ids}
    assert status == {ids[0]: 404, ids[1]: 404, ids[2]: 200, ids[3]: 200}


def test_bulk_cancel_ids_take_precedence_over_filters(api: Api) -> None:
    a = api.publish("https://example.com/a", Upstash_Delay="1h")
    b = api.publish("https://example.com/b", Upstash_Delay="1h")
    data = api.ok(
        "DELETE", "/v2/messages", params={"messageIds": a, "url": "https://example.com/b"}
    )
    assert data == {"cancelled": 1}
    assert api.request("GET", f"/v2/messages/{b}").status_code == 200


def test_bulk_cancel_with_an_empty_legacy_id_list_cancels_nothing(api: Api) -> None:
    kept = api.publish("https://example.com/a", Upstash_Delay="1h")
    data = api.ok("DELETE", "/v2/messages", json={"messageIds": []})
    assert data == {"cancelled": 0}
    assert api.request("GET", f"/v2/messages/{kept}").status_code == 200


def _publish_variety(qstash: LocalQStash, api: Api) -> dict[str, str]:
    ids = {
        "plain": api.publish("https://one.example.com/p", Upstash_Delay="1h"),
        "labelled": api.publish(
            "https://two.example.com/l", Upstash_Delay="1h", Upstash_Label="red,blue"
        ),
        "flow": api.publish(
            "https://two.example.com/f",
            Upstash_Delay="1h",
            Upstash_Flow_Control_Key="fk",
            Upstash_Flow_Control_Value="parallelism=1",
        ),
    }
    qstash.manual_clock.advance(10)
    ids["late"] = api.publish("https://one.example.com/late", Upstash_Delay="1h")
    return ids


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"url": "https://one.example.com/p"}, {"plain"}),
        ({"url": ["https://one.example.com/p", "https://two.example.com/f"]}, {"plain", "flow"}),
        ({"label": "blue"}, {"labelled"}),
        ({"label": "green"}, set()),
        ({"flowControlKey": "fk"}, {"flow"}),
        ({"host": "two.example.com"}, {"labelled", "flow"}),
        ({"path": "/late"}, {"late"}),
        ({"callerIp": "127.0.0.1"}, {"plain", "labelled", "flow", "late"}),
        ({"callerIP": "10.9.9.9"}, set()),
        ({"topicName": "nogroup"}, set()),
        ({"queueName": "noqueue"}, set()),
        ({"scheduleId": "noschedule"}, set()),
        ({"url": "https://two.example.com/l", "label": "red"}, {"labelled"}),
        ({"url": "https://two.example.com/l", "label": "green"}, set()),
    ],
)
def test_bulk_cancel_by_filters(
    qstash: LocalQStash, api: Api, params: dict[str, object], expected: set[str]
) -> None:
    ids = _publish_variety(qstash, api)
    data = api.ok("DELETE", "/v2/messages", params=params)
    assert data == {"cancelled": len(expected)}
    gone = {
        name
        for name, mid in ids.items()
        if api.request("GET", f"/v2/messages/{mid}").status_code == 404
    }
    assert gone == expected


def test_bulk_cancel_by_date_range_in_query_and_legacy_body(qstash: LocalQStash, api: Api) -> None:
    ids = _publish_variety(qstash, api)
    late_created = api.ok("GET", f"/v2/messages/{ids['late']}")["createdAt"]
    assert api.ok("DELETE", "/v2/messages", params={"fromDate": late_created}) == {"cancelled": 1}
    body = {"toDate": late_created - 1, "url": "https://one.example.com/p"}
    assert api.ok("DELETE", "/v2/messages", json=body) == {"cancelled": 1}
    left = {
        n for n, mid in ids.items() if api.request("GET", f"/v2/messages/{mid}").status_code == 200
    }
    assert left == {"labelled", "flow"}


def test_bulk_cancel_count_caps_each_call_and_all_cancels_everything(api: Api) -> None:
    ids = [api.publish(f"https://example.com/{i}", Upstash_Delay="1h") for i in range(7)]
    assert api.ok("DELETE", "/v2/messages", params={"count": 3}) == {"cancelled": 3}
    # Oldest first: the first three are gone.
    status = [api.request("GET", f"/v2/messages/{i}").status_code for i in ids]
    assert status == [404] * 3 + [200] * 4
    assert api.ok("DELETE", "/v2/messages") == {"cancelled": 4}
    assert api.ok("DELETE", "/v2/messages") == {"cancelled": 0}
    for mid in ids:
        assert api.states(mid)[-2:] == ["CANCEL_REQUESTED", "CANCELED"]


@pytest.mark.parametrize("count", ["0", "501", "-1", "ten", "1.5"])
def test_bulk_cancel_count_out_of_range_is_400_and_cancels_nothing(api: Api, count: str) -> None:
    kept = api.publish("https://example.com/a", Upstash_Delay="1h")
    response = api.request("DELETE", "/v2/messages", params={"count": count})
    assert response.status_code == 400
    assert "count" in response.json()["error"]
    assert api.request("GET", f"/v2/messages/{kept}").status_code == 200
