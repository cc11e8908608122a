"""The dead-letter queue routes: list/filter/page, get, delete, bulk delete, retry (spec section 9)."""

from __future__ import annotations

import json

import pytest
from manage_api import Api, FailTo

from upstash_qstash.testing.local import LocalQStash
from upstash_qstash.testing.recorder import Recorder


def test_dlq_message_has_message_fields_and_the_last_response(
    qstash: LocalQStash, api: Api, endpoint: Recorder, dead_letters: FailTo
) -> None:
    [message_id] = dead_letters(
        1, "/fail/one", Upstash_Label="red", Upstash_Forward_X_Trace="t1", Content_Type="text/plain"
    )
    [entry] = api.dlq()
    assert entry["messageId"] == message_id
    assert entry["url"] == endpoint.url + "/fail/one"
    assert entry["body"] == "body-0"
    assert entry["header"]["X-Trace"] == ["t1"]
    assert entry["maxRetries"] == 0 and entry["method"] == "POST"
    assert entry["responseStatus"] == 500
    assert entry["responseBody"] == "boom"
    assert isinstance(entry["responseHeader"], dict)
    assert entry["labels"] == ["red"]
    for key in ("notBefore", "createdAt", "callerIP", "dlqId"):
        assert key in entry
    one = api.ok("GET", f"/v2/dlq/{entry['dlqId']}")
    assert one == entry
    assert api.states(message_id)[-1] == "FAILED"


def test_list_pages_with_cursor_and_omits_it_on_the_last_page(
    api: Api, dead_letters: FailTo
) -> None:
    ids = dead_letters(5)
    pages = []
    query: dict[str, object] = {"count": 2}
    while True:
        data = api.ok("GET", "/v2/dlq", params=query)
        pages.append([m["messageId"] for m in data["messages"]])
        if "cursor" not in data:
            break
        assert isinstance(data["cursor"], str) and data["cursor"]
        query["cursor"] = data["cursor"]
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [mid for page in pages for mid in page] == ids  # oldest first, each once


def test_exact_page_size_has_no_cursor_on_the_last_page(api: Api, dead_letters: FailTo) -> None:
    dead_letters(2)
    data = api.ok("GET", "/v2/dlq", params={"count": 2})
    assert len(data["messages"]) == 2 and "cursor" not in data


@pytest.mark.parametrize("count", ["0", "101", "x", "-5"])
def test_list_count_out_of_range_is_400(api: Api, count: str) -> None:
    response = api.request("GET", "/v2/dlq", params={"count": count})
    assert response.status_code == 400 and "count" in response.json()["error"]


def test_list_filters(
    qstash: LocalQStash, api: Api, endpoint: Recorder, dead_letters: FailTo
) -> None:
    [a] = dead_letters(1, "/fail/a", Upstash_Label="red")
    qstash.manual_clock.advance(60)
    [b] = dead_letters(
        1, "/fail/b", Upstash_Flow_Control_Key="k1", Upstash_Flow_Control_Value="rate=5"
    )
    by_id = {m["messageId"]: m for m in api.dlq()}

    def found(**params: object) -> set[str]:
        return {m["messageId"] for m in api.dlq(**params)}

    assert found(messageId=a) == {a}
    assert found(url=endpoint.url + "/fail/b") == {b}
    assert found(url=[endpoint.url + "/fail/a", endpoint.url + "/fail/b"]) == {a, b}
    assert found(label="red") == {a}
    assert found(flowControlKey="k1") == {b}
    assert found(responseStatus=500) == {a, b}
    assert found(responseStatus=404) == set()
    assert found(callerIp="127.0.0.1") == {a, b}
    assert found(callerIp="10.0.0.1") == set()
    assert found(topicName="g") == found(queueName="q") == found(scheduleId="s") == set()
    b_time = int(by_id[b]["dlqId"].split("-")[0])
    assert found(fromDate=b_time) == {b}
    assert found(toDate=b_time - 1) == {a}
    assert found(dlqIds=[by_id[a]["dlqId"]]) == {a}
    assert found(dlqIds=by_id[a]["dlqId"] + "," + by_id[b]["dlqId"]) == {a, b}
    assert found(label="red", url=endpoint.url + "/fail/b") == set()


def test_get_and_delete_one(api: Api, dead_letters: FailTo) -> None:
    dead_letters(2)
    first, second = api.dlq()
    response = api.request("DELETE", f"/v2/dlq/{first['dlqId']}")
    assert response.status_code == 200
    assert api.request("GET", f"/v2/dlq/{first['dlqId']}").status_code == 404
    again = api.request("DELETE", f"/v2/dlq/{first['dlqId']}")
    assert again.status_code == 404 and first["dlqId"] in again.json()["error"]
    assert [m["dlqId"] for m in api.dlq()] == [second["dlqId"]]


@pytest.mark.parametrize("form", ["query", "legacy-body"])
def test_delete_many_by_ids(api: Api, dead_letters: FailTo, form: str) -> None:
    dead_letters(3)
    dlq_ids = [m["dlqId"] for m in api.dlq()]
    chosen = [*dlq_ids[:2], "1-unknown"]
    if form == "query":
        response = api.request("DELETE", "/v2/dlq", params={"dlqIds": chosen})
    else:
        response = api.request(
            "DELETE",
            "/v2/dlq",
            content=json.dumps({"dlqIds": chosen}),
            headers={"Content-Type": "application/json"},
        )
    assert response.status_code == 200, response.text
    assert response.json() == {"deleted": 2}
    assert [m["dlqId"] for m in api.dlq()] == dlq_ids[2:]


def test_delete_many_by_filter_pages_with_cursor(api: Api, dead_letters: FailTo) -> None:
    dead_letters(3, "/fail/x")
    keep = dead_letters(1, "/fail/keep")
    url = api.dlq()[0]["url"]
    first = api.ok("DELETE", "/v2/dlq", params={"url": url, "count": 2})
    assert first["deleted"] == 2 and first["cursor"]
    second = api.ok("DELETE", "/v2/dlq", params={"url": url, "count": 2, "cursor": first["cursor"]})
    assert second == {"deleted": 1}
    assert [m["messageId"] for m in api.dlq()] == keep


def test_retry_one_creates_a_new_message_with_overrides_and_removes_the_entry(
    qstash: LocalQStash, api: Api, endpoint: Recorder, dead_letters: FailTo
) -> None:
    [message_id] = dead_letters(
        1, "/fail/r", Upstash_Forward_X_Trace="t1", Content_Type="text/plain"
    )
    [entry] = api.dlq()
    data = api.ok(
        "POST",
        f"/v2/dlq/retry/{entry['dlqId']}",
        status=201,
        headers={"Upstash-Retries": "2", "Upstash-Delay": "30s"},
    )
    new_id = data["messageId"]
    assert new_id != message_id and new_id.startswith("msg_")
    assert api.dlq() == []
    pending = api.ok("GET", f"/v2/messages/{new_id}")
    assert pending["maxRetries"] == 2
    assert pending["notBefore"] == pending["createdAt"] + 30_000
    assert api.states(new_id) == ["CREATED"]
    before = len(endpoint.requests)
    qstash.advance(29)
    assert len(endpoint.requests) == before
    qstash.advance(1)
    attempt = endpoint.wait_for(before + 1)[-1]
    assert attempt.header("Upstash-Message-Id") == new_id
    assert attempt.body == b"body-0"
    assert attempt.header("X-Trace") == "t1"
    assert attempt.header("Content-Type") == "text/plain"
    assert attempt.header("Upstash-Retried") == "0"
    # It still fails: with 2 retries it takes 3 attempts before it is back in the DLQ.
    qstash.advance(86400)
    tries = [r for r in endpoint.requests if r.header("Upstash-Message-Id") == new_id]
    assert [r.header("Upstash-Retried") for r in tries] == ["0", "1", "2"]
    assert [m["messageId"] for m in api.dlq()] == [new_id]


def test_retry_one_unknown_is_404_and_changes_nothing(api: Api, dead_letters: FailTo) -> None:
    dead_letters(1)
    before = api.snapshot()
    response = api.request("POST", "/v2/dlq/retry/123-nothere")
    assert response.status_code == 404 and "123-nothere" in response.json()["error"]
    assert api.snapshot() == before


def test_retry_many_by_ids_and_by_filter(
    qstash: LocalQStash, api: Api, endpoint: Recorder, dead_letters: FailTo
) -> None:
    dead_letters(5, "/fail/m")
    endpoint.respond_using(None)
    endpoint.respond_with(then=200)  # retried messages now succeed
    entries = api.dlq()
    ids = [e["dlqId"] for e in entries]
    data = api.ok("POST", "/v2/dlq/retry", status=201, params={"dlqIds": ids[:2]})
    assert data["cursor"] == ""
    new_ids = [r["messageId"] for r in data["responses"]]
    assert len(set(new_ids)) == 2
    assert [e["dlqId"] for e in api.dlq()] == ids[2:]
    # Unknown ids: 404 and nothing retried.
    missing = api.request("POST", "/v2/dlq/retry", params={"dlqIds": [ids[2], "9-missing"]})
    assert missing.status_code == 404 and "error" in missing.json()
    assert [e["dlqId"] for e in api.dlq()] == ids[2:]
    # By filter, a page at a time; the cursor is "" once nothing is left.
    url = entries[0]["url"]
    page = api.ok("POST", "/v2/dlq/retry", status=201, params={"count": 2, "url": url})
    assert len(page["responses"]) == 2 and page["cursor"]
    rest = api.ok(
        "POST", "/v2/dlq/retry", status=201, params={"url": url, "cursor": page["cursor"]}
    )
    assert rest["cursor"] == "" and len(rest["responses"]) == 1
    assert api.dlq() == []
    new_ids += [r["messageId"] for r in page["responses"] + rest["responses"]]
    qstash.drain()
    delivered = {r.header("Upstash-Message-Id") for r in endpoint.requests if r.reply.status == 200}
    assert delivered == set(new_ids)


def test_redacted_fields_are_hidden_in_the_dlq_but_retry_delivers_the_originals(
    qstash: LocalQStash, api: Api, endpoint: Recorder, dead_letters: FailTo
) -> None:
    dead_letters(
        1,
        "/fail/hidden",
        Upstash_Redact_Fields="body,header[Authorization]",
        Upstash_Forward_Authorization="Bearer secret",
    )
    [entry] = api.dlq()
    assert entry["body"].startswith("REDACTED:")
    assert entry["header"]["Authorization"][0].startswith("REDACTED:")
    assert "Bearer secret" not in json.dumps(entry) and "body-0" not in json.dumps(entry)
    endpoint.respond_using(None)
    new_id = api.ok("POST", f"/v2/dlq/retry/{entry['dlqId']}", status=201)["messageId"]
    qstash.drain()
    delivery = [r for r in endpoint.requests if r.header("Upstash-Message-Id") == new_id][-1]
    assert delivery.body == b"body-0"
    assert delivery.header("Authorization") == "Bearer secret"
