"""Malformed requests to every route of spec section 18: a 4xx ``{"error": ...}``, never a 5xx,
and nothing of the user's state (log, messages, DLQ, URL groups, queues, schedules) changes.

One server is seeded once per module (a pending message, a DLQ entry and, where those routes
answer, a URL group, a queue and a schedule); every case is compared with that baseline.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx2
import pytest
from manage_api import Api

from upstash_qstash.testing.local import LocalQStash
from upstash_qstash.testing.recorder import Recorder

MAX_BODY = 4096
DEST = "{endpoint}/dest"


@dataclass
class World:
    qstash: LocalQStash
    endpoint: Recorder
    api: Api
    dlq_id: str
    message_id: str
    baseline: dict[str, Any] = field(default_factory=dict)


def _state(api: Api) -> dict[str, Any]:
    snap = api.snapshot()
    del snap["keys"]  # rotating keys is not malformable; every other resource counts
    return snap


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with Recorder() as endpoint, LocalQStash(max_body_bytes=MAX_BODY) as qstash:
        endpoint.respond_with(then=500)
        api = Api(qstash, 0)
        api.publish(endpoint.url + "/dead", "x", Upstash_Retries="0")
        qstash.drain()
        [dead] = api.dlq()
        message_id = api.publish(endpoint.url + "/later", "y", Upstash_Delay="1d")
        # Other resources, where their routes already answer (their own tests cover them).
        api.request("POST", "/v2/topics/grp/endpoints", json={"endpoints": [{"url": endpoint.url}]})
        api.request("POST", "/v2/queues", json={"queueName": "q1", "parallelism": 1})
        api.request(
            "POST",
            f"/v2/schedules/{endpoint.url}/cron",
            headers={"Upstash-Cron": "0 0 1 1 *", "Upstash-Schedule-Id": "sched1"},
        )
        w = World(qstash, endpoint, api, dead["dlqId"], message_id)
        w.baseline = _state(api)
        yield w
        api.close()


@dataclass(frozen=True)
class Case:
    route: int
    method: str
    path: str
    params: dict[str, Any] | None = None
    headers: dict[str, str] | None = None
    body: bytes | None = None
    auth: bool = True

    @property
    def id(self) -> str:
        extra = ""
        if self.params:
            extra += "?" + "&".join(f"{k}={str(v)[:12]}" for k, v in self.params.items())
        if self.headers:
            extra += " " + ",".join(f"{k}:{v[:12]}" for k, v in self.headers.items())
        if self.body is not None:
            extra += " body=" + self.body[:16].decode(errors="replace")
        return f"#{self.route} {self.method} {self.path[:40]}{extra}"


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


BAD_JSON = [b"{not json", b"\xff\xfe", b"[1, 2]", b'"text"', b"null", b"123"]
LONG = "a" * 600
HUGE = "9" * 26  # an integer no 64-bit column can hold
BAD_IDS = [LONG, "a%20b", "%00", "x%2Fy%2F..", "%E2%98%83"]

CASES: list[Case] = []


def _add(route: int, method: str, paths: list[str], **kw: Any) -> None:
    for path in paths:
        CASES.append(Case(route, method, path, **kw))


# 1-2 publish / enqueue: bad configuration headers, bad destinations, bodies over the limit
for hdr in (
    {"Upstash-Retries": "-1"},
    {"Upstash-Retries": "lots"},
    {"Upstash-Delay": "soon"},
    {"Upstash-Not-Before": "tomorrow"},
    {"Upstash-Not-Before": HUGE},  # beyond 64 bits: once a 500 from the store
    {"Upstash-Method": "BREW"},
    {"Upstash-Timeout": "0s"},
    {"Upstash-Retry-Delay": "__import__('os')"},
    {"Upstash-Callback": "ftp://cb"},
    {"Upstash-Failure-Callback": "nope"},
    {"Upstash-Flow-Control-Key": "k"},
    {"Upstash-Flow-Control-Value": "parallelism=1"},
    {"Upstash-Flow-Control-Key": "k", "Upstash-Flow-Control-Value": "parallelism=0"},
    {"Upstash-Content-Based-Deduplication": "perhaps"},
    {"Upstash-Redact-Fields": "everything"},
):
    _add(1, "POST", [f"/v2/publish/{DEST}"], headers=hdr, body=b"x")
    _add(2, "POST", [f"/v2/enqueue/qx/{DEST}"], headers=hdr, body=b"x")
_add(
    1,
    "POST",
    ["/v2/publish/", "/v2/publish/ftp://x.y/z", "/v2/publish/no%20such%20group"],
    body=b"x",
)
_add(1, "POST", [f"/v2/publish/{DEST}"], body=b"x" * (MAX_BODY + 1))
_add(
    2,
    "POST",
    [f"/v2/enqueue/bad%20name/{DEST}", f"/v2/enqueue/{LONG}!/{DEST}", "/v2/enqueue/q1/"],
    body=b"x",
)
_add(2, "POST", [f"/v2/enqueue/q1/{DEST}"], body=b"x" * (MAX_BODY + 1))
# 3 batch
for body in [
    *BAD_JSON[:2],
    b'{"destination": "x"}',
    _json([1]),
    _json([{"destination": 5}]),
    _json([{"destination": "ftp://x"}]),
    _json([{"destination": DEST, "headers": "x"}]),
    _json([{"destination": DEST, "headers": {"Upstash-Retries": "-3"}}]),
    _json([{"destination": DEST, "body": 7}]),
    _json([{"destination": DEST, "queue": "bad name"}]),
]:
    _add(3, "POST", ["/v2/batch"], body=body, headers={"Content-Type": "application/json"})
# 4-6 messages
_add(4, "GET", [f"/v2/messages/{i}" for i in BAD_IDS])
_add(5, "DELETE", [f"/v2/messages/{i}" for i in BAD_IDS])
for body in [
    *BAD_JSON,
    _json({"messageIds": "a b"}),
    _json({"messageIds": [None]}),
    _json({"messageIds": [{"id": 1}]}),
    _json({"fromDate": "yesterday"}),
    b'{"fromDate": 1e400}',  # infinity once overflowed int() into a 500
    _json({"toDate": int(HUGE)}),
    _json({"url": 5.5}),
    _json({"count": 0}),
    _json({"count": "all"}),
]:
    _add(6, "DELETE", ["/v2/messages"], body=body, headers={"Content-Type": "application/json"})
for params in [
    {"count": "0"},
    {"count": "501"},
    {"count": "x"},
    {"fromDate": "x"},
    {"toDate": "-1"},
    {"messageIds": ""},
    {"messageIds": "a b"},
    {"url": ""},
]:
    _add(6, "DELETE", ["/v2/messages"], params=params)
# 7-12 URL groups
_add(8, "GET", [f"/v2/topics/{n}" for n in ("bad%20name", LONG + "!", "%00")])
_add(9, "DELETE", [f"/v2/topics/{n}" for n in ("bad%20name", LONG + "!", "%00")])
for body in [
    *BAD_JSON,
    _json({}),
    _json({"endpoints": "x"}),
    _json({"endpoints": [{}]}),
    _json({"endpoints": [{"url": "ftp://x"}]}),
    _json({"endpoints": [{"url": 5}]}),
    _json({"endpoints": [{"name": "n"}]}),
]:
    _add(10, "POST", ["/v2/topics/grp/endpoints"], body=body)
_add(10, "POST", ["/v2/topics/bad%20name/endpoints"], body=_json({"endpoints": [{"url": DEST}]}))
for body in [*BAD_JSON, _json({}), _json({"endpoints": "x"}), _json({"endpoints": [{}]})]:
    _add(11, "DELETE", ["/v2/topics/grp/endpoints"], body=body)
_add(11, "DELETE", ["/v2/topics/bad%20name/endpoints"], body=_json({"endpoints": [{"url": DEST}]}))
for body in [*BAD_JSON, _json({"headers": 5})]:
    _add(12, "PATCH", ["/v2/topics/grp"], body=body)
_add(7, "PUT", ["/v2/topics"])
# 13-18 schedules
for hdr in (
    {},
    {"Upstash-Cron": ""},
    {"Upstash-Cron": "not a cron"},
    {"Upstash-Cron": "61 * * * *"},
    {"Upstash-Cron": "* * * * * * * *"},
    {"Upstash-Cron": "CRON_TZ=Mars/Base * * * * *"},
    {"Upstash-Cron": "* * * * *", "Upstash-Schedule-Id": "bad id"},
    {"Upstash-Cron": "* * * * *", "Upstash-Retries": "-2"},
    {"Upstash-Cron": "* * * * *", "Upstash-Delay": "later"},
):
    _add(13, "POST", [f"/v2/schedules/{DEST}"], headers=hdr, body=b"x")
_add(13, "POST", ["/v2/schedules/ftp://x.y"], headers={"Upstash-Cron": "* * * * *"}, body=b"x")
_add(14, "DELETE", ["/v2/schedules"])
_add(15, "GET", [f"/v2/schedules/{n}" for n in ("bad%20id", LONG + "!", "%00")])
_add(16, "DELETE", [f"/v2/schedules/{n}" for n in ("bad%20id", LONG + "!", "%00")])
for action, route in (("pause", 17), ("resume", 18)):
    for method in ("PATCH", "POST"):
        _add(route, method, [f"/v2/schedules/{n}/{action}" for n in ("bad%20id", "nosuch")])
# 19-24 queues
for body in [
    *BAD_JSON,
    _json({}),
    _json({"queueName": "bad name"}),
    _json({"queueName": 5}),
    _json({"queueName": "q2", "parallelism": 0}),
    _json({"queueName": "q2", "parallelism": "many"}),
    _json({"queueName": "q2", "parallelism": 1.5}),
    _json({"queueName": "q2", "parallelism": int(HUGE)}),
    _json({"queueName": "q2", "paused": "maybe"}),
]:
    _add(19, "POST", ["/v2/queues"], body=body, headers={"Content-Type": "application/json"})
_add(20, "PUT", ["/v2/queues"])
_add(21, "GET", [f"/v2/queues/{n}" for n in ("bad%20name", LONG + "!", "%00")])
_add(22, "DELETE", [f"/v2/queues/{n}" for n in ("bad%20name", LONG + "!", "%00")])
_add(23, "POST", [f"/v2/queues/{n}/pause" for n in ("bad%20name", "%00")])
_add(24, "POST", [f"/v2/queues/{n}/resume" for n in ("bad%20name", "%00")])
# 25-30 DLQ
for params in [
    {"count": "0"},
    {"count": "101"},
    {"cursor": "zz"},
    {"cursor": "-4"},
    {"responseStatus": "teapot"},
    {"fromDate": "x"},
    {"dlqIds": "a b"},
    {"label": ""},
]:
    _add(25, "GET", ["/v2/dlq"], params=params)
    _add(26, "DELETE", ["/v2/dlq"], params=params)
    _add(30, "POST", ["/v2/dlq/retry"], params=params)
for body in [
    *BAD_JSON,
    _json({"dlqIds": [1.5]}),
    _json({"dlqIds": "a b"}),
    _json({"fromDate": []}),
    b'{"fromDate": 1e400}',
]:
    _add(26, "DELETE", ["/v2/dlq"], body=body, headers={"Content-Type": "application/json"})
    _add(30, "POST", ["/v2/dlq/retry"], body=body, headers={"Content-Type": "application/json"})
_add(27, "GET", [f"/v2/dlq/{i}" for i in BAD_IDS])
_add(28, "DELETE", [f"/v2/dlq/{i}" for i in BAD_IDS])
_add(29, "POST", [f"/v2/dlq/retry/{i}" for i in BAD_IDS])
for hdr in ({"Upstash-Retries": "-1"}, {"Upstash-Delay": "whenever"}, {"Upstash-Method": "FETCH"}):
    _add(29, "POST", ["/v2/dlq/retry/{dlq_id}"], headers=hdr)
    _add(30, "POST", ["/v2/dlq/retry"], headers=hdr, params={"dlqIds": "{dlq_id}"})
# 31-32 logs
for params in [
    {"count": "0"},
    {"count": "1001"},
    {"state": "SLEEPING"},
    {"cursor": "x"},
    {"fromDate": "x"},
    {"fromDate": HUGE},
    {"toDate": HUGE},
    {"order": "random"},
    {"messageId": ""},
]:
    _add(31, "GET", ["/v2/logs"], params=params)
    _add(32, "GET", ["/v2/events"], params=params)
# 33-34 keys
_add(33, "DELETE", ["/v2/keys"])
_add(34, "GET", ["/v2/keys/rotate"])
# 35-42 flow control
_add(35, "POST", ["/v2/flowControl"])
_add(36, "GET", [f"/v2/flowControl/{n}" for n in (LONG * 2, "%00", "nosuch")])
for action, route in (("pause", 37), ("resume", 38), ("resetRate", 41)):
    _add(route, "POST", [f"/v2/flowControl/{LONG * 2}/{action}"])
for params in [
    {"parallelism": "-1"},
    {"parallelism": "x"},
    {"rate": "0"},
    {"rate": "fast"},
    {"period": "forever"},
    {"period": str(86400 * 8)},
    {"parallelism": HUGE},
    {"rate": HUGE},
]:
    _add(39, "POST", ["/v2/flowControl/fk/pin"], params=params)
for params in [{"parallelism": "maybe"}, {"rate": "2"}]:
    _add(40, "POST", ["/v2/flowControl/fk/unpin"], params=params)
_add(42, "POST", ["/v2/globalParallelism"])
# Everywhere: no token, a wrong token.
for route, method, path in [
    (1, "POST", f"/v2/publish/{DEST}"),
    (6, "DELETE", "/v2/messages"),
    (26, "DELETE", "/v2/dlq"),
    (22, "DELETE", "/v2/queues/q1"),
    (9, "DELETE", "/v2/topics/grp"),
    (16, "DELETE", "/v2/schedules/sched1"),
    (34, "POST", "/v2/keys/rotate"),
]:
    CASES.append(Case(route, method, path, auth=False))

ROUTES_COVERED = {case.route for case in CASES}


def test_the_catalogue_covers_all_42_routes() -> None:
    assert set(range(1, 43)) == ROUTES_COVERED


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_malformed_request_is_4xx_json_and_changes_nothing(world: World, case: Case) -> None:
    path = case.path.replace("{endpoint}", world.endpoint.url).replace("{dlq_id}", world.dlq_id)
    params = {
        k: (v.replace("{dlq_id}", world.dlq_id) if isinstance(v, str) else v)
        for k, v in (case.params or {}).items()
    }
    headers = dict(case.headers or {})
    if not case.auth:
        headers["Authorization"] = "Bearer not-a-token"
    response = world.api.request(
        case.method, path, params=params or None, headers=headers or None, content=case.body
    )
    assert response.status_code < 500, f"{case.id}: {response.status_code} {response.text}"
    assert 400 <= response.status_code < 500, f"{case.id}: {response.status_code} {response.text}"
    error = response.json()["error"]
    assert isinstance(error, str) and error
    world.qstash.drain()
    assert _state(world.api) == world.baseline, case.id


def test_unknown_route_and_wrong_method_answer_json(world: World) -> None:
    unknown = world.api.request("GET", "/v2/nothing/here")
    assert unknown.status_code == 404
    assert "/v2/nothing/here" in unknown.json()["error"]
    wrong = world.api.request("PUT", "/v2/dlq")
    assert wrong.status_code == 405
    assert "PUT" in wrong.json()["error"]
    assert "DELETE" in wrong.headers["Allow"]


def test_oversized_json_body_on_a_management_route_is_412(world: World) -> None:
    huge = _json({"messageIds": ["msg_x"] * 200_000})
    response = world.api.request("DELETE", "/v2/messages", content=huge)
    assert response.status_code == 412
    assert "maximum" in response.json()["error"]
    assert _state(world.api) == world.baseline


def test_no_token_on_unknown_route_is_401_not_5xx(world: World) -> None:
    response = httpx2.get(world.qstash.url + "/v2/unknown")
    assert response.status_code == 401 and "token" in response.json()["error"]
