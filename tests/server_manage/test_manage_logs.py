"""``GET /v2/events`` and ``GET /v2/logs``: every filter, both shapes, cursor paging (spec section 10)."""

from __future__ import annotations

import pytest
from manage_api import Api

from upstash_qstash.server.logs import STATES
from upstash_qstash.testing.local import LocalQStash
from upstash_qstash.testing.recorder import RecordedRequest, Recorder, Reply


@pytest.fixture
def history(qstash: LocalQStash, api: Api, endpoint: Recorder) -> dict[str, str]:
    """A delivered, a failed (DLQ), a retrying, a cancelled and a labelled/flow-controlled message."""

    def reply(request: RecordedRequest) -> Reply:
        return Reply(500) if request.path.startswith(("/fail", "/retry")) else Reply(200)

    endpoint.respond_using(reply)
    ids = {
        "ok": api.publish(endpoint.url + "/ok/a"),
        "failed": api.publish(endpoint.url + "/fail/b", Upstash_Retries="0"),
        "retrying": api.publish(endpoint.url + "/retry/c", Upstash_Retries="2"),
        "cancelled": api.publish("https://example.com/never", Upstash_Delay="1h"),
    }
    qstash.drain()  # everything of the first moment is logged before the clock moves
    qstash.manual_clock.advance(100)
    ids["labelled"] = api.publish(
        endpoint.url + "/ok/d",
        Upstash_Label="red,blue",
        Upstash_Flow_Control_Key="fk",
        Upstash_Flow_Control_Value="parallelism=2",
    )
    api.ok("DELETE", f"/v2/messages/{ids['cancelled']}")
    qstash.drain()
    return ids


def _ids(api: Api, **params: object) -> set[str]:
    return {e["messageId"] for e in api.events(**params)}


def test_every_entry_has_the_keys_clients_require(api: Api, history: dict[str, str]) -> None:
    entries = api.events()
    assert entries
    for entry in entries:
        assert {"time", "messageId", "state", "url"} <= entry.keys()
        assert entry["state"] in STATES
    failed = [e for e in entries if e["state"] == "ERROR"]
    assert failed and all(e["responseStatus"] == 500 for e in failed)


def test_state_filters_including_in_progress_and_cancelled_alias(
    api: Api, history: dict[str, str]
) -> None:
    assert _ids(api, state="DELIVERED") == {history["ok"], history["labelled"]}
    assert _ids(api, state="FAILED") == {history["failed"]}
    assert _ids(api, state="RETRY") == {history["retrying"]}
    assert _ids(api, state="CANCELLED") == _ids(api, state="CANCELED") == {history["cancelled"]}
    assert _ids(api, state="CANCEL_REQUESTED") == {history["cancelled"]}
    in_progress = api.events(state="IN_PROGRESS")
    assert {e["state"] for e in in_progress} == {"ACTIVE", "RETRY", "ERROR"}
    assert _ids(api, state=["FAILED", "CANCELED"]) == {history["failed"], history["cancelled"]}


def test_field_filters(api: Api, endpoint: Recorder, history: dict[str, str]) -> None:
    h = history
    host = endpoint.url.split("//", 1)[1]
    assert _ids(api, messageId=h["ok"]) == {h["ok"]}
    assert _ids(api, messageIds=[h["ok"], h["failed"]]) == {h["ok"], h["failed"]}
    assert _ids(api, messageIds=f"{h['ok']},{h['failed']}") == {h["ok"], h["failed"]}
    assert _ids(api, url=endpoint.url + "/fail/b") == {h["failed"]}
    assert _ids(api, host=host) == set(h.values()) - {h["cancelled"]}
    assert _ids(api, host="example.com") == {h["cancelled"]}
    assert _ids(api, path=["/ok/a", "/never"]) == {h["ok"], h["cancelled"]}
    assert _ids(api, label="blue") == {h["labelled"]}
    assert _ids(api, label=["green", "red"]) == {h["labelled"]}
    assert _ids(api, flowControlKey="fk") == {h["labelled"]}
    assert _ids(api, callerIp="127.0.0.1") == set(h.values())
    assert _ids(api, callerIp="10.1.1.1") == set()
    assert (
        _ids(api, topicName="t") == _ids(api, queueName="q") == _ids(api, scheduleId="s") == set()
    )
    assert _ids(api, url=endpoint.url + "/fail/b", state="DELIVERED") == set()


def test_date_filters(api: Api, history: dict[str, str]) -> None:
    entries = api.events()
    late = min(e["time"] for e in entries if e["messageId"] == history["labelled"])
    assert history["labelled"] in _ids(api, fromDate=late)
    assert history["ok"] not in _ids(api, fromDate=late)
    assert history["labelled"] not in _ids(api, toDate=late - 1)
    assert history["ok"] in _ids(api, toDate=late - 1)


@pytest.mark.parametrize("route,key", [("/v2/events", "events"), ("/v2/logs", "logs")])
def test_cursor_pages_cover_everything_once_and_end_without_cursor(
    api: Api, history: dict[str, str], route: str, key: str
) -> None:
    everything = api.ok("GET", route, params={"count": 1000})
    assert "cursor" not in everything
    assert next(e["state"] for e in everything[key]) in STATES
    collected = []
    params: dict[str, object] = {"count": 3}
    pages = 0
    while True:
        data = api.ok("GET", route, params=params)
        pages += 1
        assert len(data[key]) <= 3
        collected += data[key]
        if "cursor" not in data:
            break
        params["cursor"] = data["cursor"]
    assert collected == everything[key]  # newest first, nothing twice, nothing skipped
    assert pages == -(-len(collected) // 3)


def test_cursor_paging_with_a_host_filter(
    api: Api, endpoint: Recorder, history: dict[str, str]
) -> None:
    host = endpoint.url.split("//", 1)[1]
    everything = api.events(host=host)
    paged = []
    params: dict[str, object] = {"host": host, "count": 2, "order": "earliestFirst"}
    while True:
        data = api.ok("GET", "/v2/events", params=params)
        paged += data["events"]
        if "cursor" not in data:
            break
        params["cursor"] = data["cursor"]
    assert paged == everything


@pytest.mark.parametrize(
    "params,word",
    [
        ({"count": "0"}, "count"),
        ({"count": "1001"}, "count"),
        ({"count": "many"}, "count"),
        ({"state": "DONE"}, "state"),
        ({"cursor": "abc"}, "cursor"),
        ({"cursor": "-1"}, "cursor"),
        ({"fromDate": "yesterday"}, "fromDate"),
        ({"toDate": "-3"}, "toDate"),
        ({"order": "sideways"}, "order"),
        ({"messageId": ""}, "messageId"),
    ],
)
def test_bad_query_values_are_400_naming_the_parameter(
    api: Api, params: dict[str, str], word: str
) -> None:
    for route in ("/v2/events", "/v2/logs"):
        response = api.request("GET", route, params=params)
        assert response.status_code == 400, response.text
        assert word in response.json()["error"]


def test_count_1000_is_accepted(api: Api) -> None:
    assert api.ok("GET", "/v2/logs", params={"count": 1000}) == {"logs": []}
