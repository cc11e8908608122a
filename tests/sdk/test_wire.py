"""The exact wire format of every SDK call, pinned with ``httpx2.MockTransport``.

Each case runs on ``Client`` and on ``AsyncClient`` and asserts method, path (with the query
string), every header the SDK sets, and the body. Regressions from other SDKs are at the end.
"""

from __future__ import annotations

import asyncio
import copy
import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx2
import pytest

from upstash_qstash import (
    AsyncClient,
    BadRequestError,
    BurstRateLimitError,
    Client,
    ConfigurationError,
    DailyLimitError,
    InternalServerError,
    NotFoundError,
    PublishResponse,
    RequestValidationError,
)

TOKEN = "test-token"
BASE = "http://qstash.test"
URL = "https://example.com/api"
IGNORED = {"host", "accept", "accept-encoding", "connection", "user-agent", "content-length"}


class Wire:
    """A fake QStash: records requests and answers from a script (then ``default``)."""

    def __init__(self) -> None:
        self.requests: list[httpx2.Request] = []
        self.replies: list[httpx2.Response | Exception] = []
        self.default: Any = {}

    def handler(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        self.requests.append(request)
        if self.replies:
            reply = self.replies.pop(0)
            if isinstance(reply, Exception):
                raise reply
            # A fresh copy: the scripted replies are shared by the sync and async runs.
            return httpx2.Response(reply.status_code, headers=reply.headers, content=reply.content)
        return httpx2.Response(200, json=self.default)

    def sync(self, retry: Any = None, **kwargs: Any) -> Client:
        transport = httpx2.MockTransport(self.handler)
        return Client(
            TOKEN, retry, base_url=BASE, http_client=httpx2.Client(transport=transport), **kwargs
        )

    def async_(self, retry: Any = None, **kwargs: Any) -> AsyncClient:
        transport = httpx2.MockTransport(self.handler)
        return AsyncClient(
            TOKEN,
            retry,
            base_url=BASE,
            http_client=httpx2.AsyncClient(transport=transport),
            **kwargs,
        )


def headers_of(request: httpx2.Request) -> dict[str, str]:
    return {k.lower(): v for k, v in request.headers.items() if k.lower() not in IGNORED}


def target_of(request: httpx2.Request) -> str:
    return request.url.raw_path.decode()


async def _drain(value: Any) -> Any:
    if inspect.isawaitable(value):
        return await value
    if hasattr(value, "__aiter__"):
        return [item async for item in value]
    return value


def run(mode: str, wire: Wire, call: Callable[[Any], Any], **client_kwargs: Any) -> Any:
    """Run ``call(client)`` on a sync or async client wired to ``wire``."""
    if mode == "sync":
        with wire.sync(**client_kwargs) as client:
            result = call(client)
            return list(result) if inspect.isgenerator(result) else result

    async def main() -> Any:
        async with wire.async_(**client_kwargs) as client:
            return await _drain(call(client))

    return asyncio.run(main())


@dataclass
class Case:
    name: str
    call: Callable[[Any], Any]
    method: str
    target: str
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None  # bytes for raw bodies, anything else is compared as JSON
    replies: list[Any] = field(default_factory=list)
    more: list[tuple[str, str]] = field(default_factory=list)  # later requests (method, target)
    check: Callable[[Any], None] | None = None


JSON = {"content-type": "application/json"}
MSG = {"messageId": "msg_1", "url": URL}
MESSAGE = {
    "messageId": "msg_1",
    "url": URL,
    "method": "POST",
    "maxRetries": 3,
    "notBefore": 1,
    "createdAt": 1,
    "body": "hi",
    "labels": ["a"],
}
SCHEDULE = {
    "scheduleId": "scd_1",
    "cron": "* * * * *",
    "destination": URL,
    "createdAt": 1,
    "method": "POST",
    "retries": 3,
    "isPaused": True,
}
QUEUE = {"name": "q", "parallelism": 2, "createdAt": 1, "updatedAt": 2, "lag": 0, "paused": False}
GROUP = {"name": "g", "createdAt": 1, "updatedAt": 1, "endpoints": [{"url": URL, "name": "e"}]}
FCKEY = {"flowControlKey": "k", "parallelismMax": 3, "isPaused": True}
EVENT = {"time": 5, "messageId": "msg_1", "state": "DELIVERED", "url": URL}


def ok(data: Any) -> httpx2.Response:
    return httpx2.Response(200, json=data)


def _expect(expected: Any) -> Callable[[Any], None]:
    def check(result: Any) -> None:
        assert result == expected

    return check


CASES: list[Case] = [
    Case(
        "publish_json-readme",
        lambda c: c.publish_json(
            {"url": URL, "body": {"hello": "world"}, "headers": {"test-header": "test-value"}}
        ),
        "POST",
        f"/v2/publish/{URL}",
        {**JSON, "upstash-forward-test-header": "test-value"},
        {"hello": "world"},
        [ok(MSG)],
        check=_expect(PublishResponse("msg_1", URL)),
    ),
    Case(
        "publish-every-option",
        lambda c: c.publish(
            url=URL + "?a=b",
            body=b"raw\x00",
            content_type="text/plain",
            method="put",
            delay=4,
            not_before=1_700_000_000,
            retries=0,
            retry_delay="1000 * (1 + retried)",
            timeout="30s",
            callback="https://cb.example/ok",
            failure_callback="https://cb.example/fail",
            callback_options={"method": "PUT", "retries": 1, "timeout": 5, "delay": "1m"},
            failure_callback_options={"retry_delay": "500", "retries": 2},
            headers={"Authorization": "Bearer x", "Upstash-Header-Forward": "true"},
            callback_headers={"X-Cb": "1"},
            failure_callback_headers={"X-Fail": "2"},
            deduplication_id="dedup-1",
            content_based_deduplication=True,
            flow_control={"key": "user-1", "parallelism": 2, "rate": 10, "period": "1m"},
            label=["billing", "eu"],
            redact={"body": True, "header": ["Authorization"]},
        ),
        "POST",
        f"/v2/publish/{URL}?a=b",
        {
            "content-type": "text/plain",
            "upstash-method": "PUT",
            "upstash-delay": "4s",
            "upstash-not-before": "1700000000",
            "upstash-retries": "0",
            "upstash-retry-delay": "1000 * (1 + retried)",
            "upstash-timeout": "30s",
            "upstash-callback": "https://cb.example/ok",
            "upstash-failure-callback": "https://cb.example/fail",
            "upstash-callback-method": "PUT",
            "upstash-callback-retries": "1",
            "upstash-callback-timeout": "5s",
            "upstash-callback-delay": "1m",
            "upstash-failure-callback-retries": "2",
            "upstash-failure-callback-retry-delay": "500",
            "upstash-forward-authorization": "Bearer x",
            "upstash-header-forward": "true",
            "upstash-callback-forward-x-cb": "1",
            "upstash-failure-callback-forward-x-fail": "2",
            "upstash-deduplication-id": "dedup-1",
            "upstash-content-based-deduplication": "true",
            "upstash-flow-control-key": "user-1",
            "upstash-flow-control-value": "parallelism=2, rate=10, period=1m",
            "upstash-label": "billing,eu",
            "upstash-redact-fields": "body,header[Authorization]",
        },
        b"raw\x00",
        [ok(MSG)],
    ),
    Case(
        "publish_json-readme-topic",
        lambda c: c.publish_json(
            {
                "topic": "my-topic",
                "body": {"key": "value"},
                "retries": 3,
                "delay": 4,
                "callback": "https://my-api.com/callback",
                "failure_callback": "https://my-api.com/failure_callback",
                "headers": {"test-header": "test-value"},
                "content_based_deduplication": True,
            }
        ),
        "POST",
        "/v2/publish/my-topic",
        {
            **JSON,
            "upstash-retries": "3",
            "upstash-delay": "4s",
            "upstash-callback": "https://my-api.com/callback",
            "upstash-failure-callback": "https://my-api.com/failure_callback",
            "upstash-forward-test-header": "test-value",
            "upstash-content-based-deduplication": "true",
        },
        {"key": "value"},
        [ok([{"messageId": "m1", "url": "https://a"}, {"messageId": "m2", "url": "https://b"}])],
        check=_expect([PublishResponse("m1", "https://a"), PublishResponse("m2", "https://b")]),
    ),
    Case(
        "publish-url-group-keyword",
        lambda c: c.publish(url_group="g", body="x", redact={"header": True}),
        "POST",
        "/v2/publish/g",
        {"upstash-redact-fields": "header"},
        b"x",
        [ok([])],
    ),
    Case(
        "enqueue",
        lambda c: c.enqueue(queue="q1", url=URL, body="x", retries=1),
        "POST",
        f"/v2/enqueue/q1/{URL}",
        {"upstash-retries": "1"},
        b"x",
        [ok(MSG)],
    ),
    Case(
        "enqueue_json",
        lambda c: c.enqueue_json({"queue": "q1", "url_group": "g", "body": [1, 2]}),
        "POST",
        "/v2/enqueue/q1/g",
        JSON,
        [1, 2],
        [ok([MSG])],
    ),
    Case(
        "batch",
        lambda c: c.batch(
            [
                {"url": URL, "body": "a", "retry_delay": "2000", "headers": {"X": "1"}},
                {"url_group": "g", "queue": "q", "body": b"b", "delay": "5s"},
            ]
        ),
        "POST",
        "/v2/batch",
        JSON,
        [
            {
                "destination": URL,
                "headers": {"Upstash-Retry-Delay": "2000", "Upstash-Forward-X": "1"},
                "body": "a",
            },
            {"destination": "g", "headers": {"Upstash-Delay": "5s"}, "body": "b", "queue": "q"},
        ],
        [ok([MSG, [MSG, MSG]])],
        check=lambda r: (
            (len(r) == 2 and isinstance(r[0], PublishResponse) and len(r[1]) == 2) or pytest.fail()
        ),
    ),
    Case(
        "batch_json-keeps-retry-delay",
        lambda c: c.batch_json([{"url": URL, "body": {"n": 1}, "retry_delay": "pow(2, retried)"}]),
        "POST",
        "/v2/batch",
        JSON,
        [
            {
                "destination": URL,
                "headers": {
                    "Content-Type": "application/json",
                    "Upstash-Retry-Delay": "pow(2, retried)",
                },
                "body": '{"n": 1}',
            }
        ],
        [ok([MSG])],
    ),
    # ------------------------------------------------------------ messages
    Case(
        "messages.get",
        lambda c: c.messages.get("msg_1"),
        "GET",
        "/v2/messages/msg_1",
        replies=[ok(MESSAGE)],
        check=lambda m: (m.body == b"hi" and m.labels == ("a",)) or pytest.fail(repr(m)),
    ),
    Case(
        "messages.cancel",
        lambda c: c.messages().cancel("msg_1"),
        "DELETE",
        "/v2/messages/msg_1",
        replies=[ok({"cancelled": 1})],
        check=lambda r: r.cancelled == 1 or pytest.fail(),
    ),
    Case(
        "messages.cancel_many",
        lambda c: c.messages.cancel_many(["a", "b"]),
        "DELETE",
        "/v2/messages?messageIds=a&messageIds=b",
        replies=[ok({"cancelled": 2})],
    ),
    Case(
        "messages.cancel_by_filter",
        lambda c: c.messages.cancel_by_filter(
            {"url_group": "g", "label": ["x", "y"]}, from_time=1, to_time=2, count=10
        ),
        "DELETE",
        "/v2/messages?topicName=g&label=x&label=y&fromDate=1&toDate=2&count=10",
        replies=[ok({"cancelled": 0})],
    ),
    Case(
        "messages.cancel_by_filter-all-fields",
        lambda c: c.messages.cancel_by_filter(
            url=URL,
            queue="q",
            host="example.com",
            path="/api",
            flow_control_key="k",
            schedule_id="s",
            caller_ip="1.2.3.4",
        ),
        "DELETE",
        "/v2/messages?url=https%3A%2F%2Fexample.com%2Fapi&queueName=q&host=example.com"
        "&path=%2Fapi&flowControlKey=k&scheduleId=s&callerIp=1.2.3.4",
        replies=[ok({"cancelled": 0})],
    ),
    Case(
        "messages.cancel_all",
        lambda c: c.messages.cancel_all(),
        "DELETE",
        "/v2/messages",
        replies=[ok({"cancelled": 7})],
    ),
    # ------------------------------------------------------------ URL groups
    Case(
        "topics().add_endpoints-readme",
        lambda c: c.topics().add_endpoints(
            "my-topic",
            [
                {"name": "endpoint1", "url": "https://example.com"},
                {"name": "endpoint2", "url": "https://somewhere-else.com"},
            ],
        ),
        "POST",
        "/v2/topics/my-topic/endpoints",
        JSON,
        {
            "endpoints": [
                {"name": "endpoint1", "url": "https://example.com"},
                {"name": "endpoint2", "url": "https://somewhere-else.com"},
            ]
        },
        [httpx2.Response(200)],
        check=_expect(None),
    ),
    Case(
        "url_groups.upsert_endpoints",
        lambda c: c.url_groups.upsert_endpoints("g", [{"url": URL}]),
        "POST",
        "/v2/topics/g/endpoints",
        JSON,
        {"endpoints": [{"url": URL}]},
        [httpx2.Response(200)],
    ),
    Case(
        "url_groups.remove_endpoints",
        lambda c: c.url_groups.remove_endpoints("g", [{"name": "e"}, {"url": URL}]),
        "DELETE",
        "/v2/topics/g/endpoints",
        JSON,
        {"endpoints": [{"name": "e"}, {"url": URL}]},
        [httpx2.Response(200)],
    ),
    Case(
        "url_groups.list",
        lambda c: c.url_groups.list(),
        "GET",
        "/v2/topics",
        replies=[ok([GROUP])],
        check=lambda r: r[0].endpoints[0].name == "e" or pytest.fail(),
    ),
    Case("url_groups.get", lambda c: c.topics.get("g"), "GET", "/v2/topics/g", replies=[ok(GROUP)]),
    Case(
        "url_groups.delete",
        lambda c: c.url_groups.delete("g"),
        "DELETE",
        "/v2/topics/g",
        replies=[httpx2.Response(200)],
    ),
    # ------------------------------------------------------------ schedules
    Case(
        "schedules().create-readme",
        lambda c: c.schedules().create({"destination": URL, "cron": "*/5 * * * *"}),
        "POST",
        f"/v2/schedules/{URL}",
        {"upstash-cron": "*/5 * * * *"},
        b"",
        [ok({"scheduleId": "scd_1"})],
        check=lambda r: r.schedule_id == "scd_1" or pytest.fail(),
    ),
    Case(
        "schedules.create_json-options",
        lambda c: c.schedules.create_json(
            destination="g",
            cron="CRON_TZ=Europe/Istanbul 0 9 * * *",
            body={"a": 1},
            schedule_id="daily",
            queue="q",
            retries=2,
            delay="10s",
            timeout=30,
            failure_callback="https://cb.example/f",
            label="nightly",
            flow_control={"key": "k", "rate": 5},
        ),
        "POST",
        "/v2/schedules/g",
        {
            "upstash-cron": "CRON_TZ=Europe/Istanbul 0 9 * * *",
            "upstash-schedule-id": "daily",
            "upstash-queue-name": "q",
            **JSON,
            "upstash-retries": "2",
            "upstash-delay": "10s",
            "upstash-timeout": "30s",
            "upstash-failure-callback": "https://cb.example/f",
            "upstash-label": "nightly",
            "upstash-flow-control-key": "k",
            "upstash-flow-control-value": "rate=5",
        },
        {"a": 1},
        [ok({"scheduleId": "daily"})],
    ),
    Case(
        "schedules.get",
        lambda c: c.schedules.get("scd_1"),
        "GET",
        "/v2/schedules/scd_1",
        replies=[ok(SCHEDULE)],
        check=lambda s: s.is_paused or pytest.fail(),
    ),
    Case("schedules.list", lambda c: c.schedules.list(), "GET", "/v2/schedules", replies=[ok([])]),
    Case(
        "schedules.delete",
        lambda c: c.schedules.delete("scd_1"),
        "DELETE",
        "/v2/schedules/scd_1",
        replies=[httpx2.Response(200)],
    ),
    Case(
        "schedules.pause",
        lambda c: c.schedules.pause("scd_1"),
        "PATCH",
        "/v2/schedules/scd_1/pause",
        replies=[httpx2.Response(200)],
    ),
    Case(
        "schedules.resume",
        lambda c: c.schedules.resume("scd_1"),
        "PATCH",
        "/v2/schedules/scd_1/resume",
        replies=[httpx2.Response(200)],
    ),
    # ------------------------------------------------------------ queues
    Case(
        "queues.upsert",
        lambda c: c.queues.upsert(queue="q", parallelism=2),
        "POST",
        "/v2/queues",
        JSON,
        {"queueName": "q", "parallelism": 2, "paused": False},
        [httpx2.Response(200)],
    ),
    Case(
        "queues.upsert-dict-defaults",
        lambda c: c.queues.upsert({"queue": "q", "paused": True}),
        "POST",
        "/v2/queues",
        JSON,
        {"queueName": "q", "parallelism": 1, "paused": True},
        [httpx2.Response(200)],
    ),
    Case(
        "queues.get",
        lambda c: c.queues.get("q"),
        "GET",
        "/v2/queues/q",
        replies=[ok(QUEUE)],
        check=lambda q: q.parallelism == 2 or pytest.fail(),
    ),
    Case("queues.list", lambda c: c.queues.list(), "GET", "/v2/queues", replies=[ok([QUEUE])]),
    Case(
        "queues.delete",
        lambda c: c.queues.delete("q"),
        "DELETE",
        "/v2/queues/q",
        replies=[httpx2.Response(200)],
    ),
    Case(
        "queues.pause",
        lambda c: c.queues.pause("q"),
        "POST",
        "/v2/queues/q/pause",
        replies=[httpx2.Response(200)],
    ),
    Case(
        "queues.resume",
        lambda c: c.queues.resume("q"),
        "POST",
        "/v2/queues/q/resume",
        replies=[httpx2.Response(200)],
    ),
    # ------------------------------------------------------------ DLQ
    Case(
        "dlq.list",
        lambda c: c.dlq.list(url_group="g", response_status=[500, 503], count=5, cursor="c1"),
        "GET",
        "/v2/dlq?topicName=g&responseStatus=500&responseStatus=503&count=5&cursor=c1",
        replies=[ok({"messages": [{**MESSAGE, "dlqId": "1-0", "responseStatus": 500}]})],
        check=lambda p: (p.cursor is None and p.messages[0].dlq_id == "1-0") or pytest.fail(),
    ),
    Case(
        "dlq.list-every-filter",
        lambda c: c.dlq.list(
            message_id="m",
            url=URL,
            queue="q",
            schedule_id="s",
            label="l",
            flow_control_key="k",
            caller_ip="ip",
            from_time=1,
            to_time=2,
        ),
        "GET",
        "/v2/dlq?messageId=m&url=https%3A%2F%2Fexample.com%2Fapi&queueName=q&scheduleId=s"
        "&label=l&flowControlKey=k&callerIp=ip&fromDate=1&toDate=2",
        replies=[ok({"messages": []})],
    ),
    Case(
        "dlq.iter-follows-cursor",
        lambda c: c.dlq.iter(label="l"),
        "GET",
        "/v2/dlq?label=l",
        replies=[
            ok({"messages": [{**MESSAGE, "dlqId": "1"}], "cursor": "next"}),
            ok({"messages": [{**MESSAGE, "dlqId": "2"}]}),
        ],
        more=[("GET", "/v2/dlq?label=l&cursor=next")],
        check=lambda r: [m.dlq_id for m in r] == ["1", "2"] or pytest.fail(),
    ),
    Case("dlq.get", lambda c: c.dlq.get("1-0"), "GET", "/v2/dlq/1-0", replies=[ok(MESSAGE)]),
    Case(
        "dlq.delete",
        lambda c: c.dlq.delete("1-0"),
        "DELETE",
        "/v2/dlq/1-0",
        replies=[httpx2.Response(200)],
    ),
    Case(
        "dlq.delete_many",
        lambda c: c.dlq.delete_many(["1-0", "2-0"]),
        "DELETE",
        "/v2/dlq?dlqIds=1-0&dlqIds=2-0",
        replies=[ok({"deleted": 2})],
        check=lambda r: r.deleted == 2 or pytest.fail(),
    ),
    Case(
        "dlq.delete_by_filter-all-pages",
        lambda c: c.dlq.delete_by_filter(queue="q"),
        "DELETE",
        "/v2/dlq?queueName=q",
        replies=[ok({"deleted": 100, "cursor": "c"}), ok({"deleted": 3})],
        more=[("DELETE", "/v2/dlq?queueName=q&cursor=c")],
        check=lambda r: r.deleted == 103 or pytest.fail(),
    ),
    Case(
        "dlq.retry",
        lambda c: c.dlq.retry("1-0"),
        "POST",
        "/v2/dlq/retry/1-0",
        replies=[httpx2.Response(201, json={"messageId": "msg_new"})],
        check=lambda r: r.message_id == "msg_new" or pytest.fail(),
    ),
    Case(
        "dlq.retry_many",
        lambda c: c.dlq.retry_many(["1-0"]),
        "POST",
        "/v2/dlq/retry?dlqIds=1-0",
        replies=[httpx2.Response(201, json={"cursor": "", "responses": [{"messageId": "n"}]})],
        check=lambda r: [x.message_id for x in r.responses] == ["n"] or pytest.fail(),
    ),
    Case(
        "dlq.retry_by_filter",
        lambda c: c.dlq.retry_by_filter(url=URL),
        "POST",
        "/v2/dlq/retry?url=https%3A%2F%2Fexample.com%2Fapi",
        replies=[
            httpx2.Response(201, json={"cursor": "c", "responses": [{"messageId": "a"}]}),
            httpx2.Response(201, json={"cursor": "", "responses": [{"messageId": "b"}]}),
        ],
        more=[("POST", "/v2/dlq/retry?url=https%3A%2F%2Fexample.com%2Fapi&cursor=c")],
        check=lambda r: [x.message_id for x in r.responses] == ["a", "b"] or pytest.fail(),
    ),
    # ------------------------------------------------------------ logs
    Case(
        "logs.list-every-filter",
        lambda c: c.logs.list(
            cursor="9",
            count=50,
            order="earliestFirst",
            message_id="m",
            message_ids=["m1", "m2"],
            state=["DELIVERED", "FAILED"],
            url=URL,
            url_group="g",
            queue="q",
            schedule_id="s",
            label=["a", "b"],
            host="h",
            path="/p",
            caller_ip="ip",
            flow_control_key="k",
            from_time=1,
            to_time=2,
        ),
        "GET",
        "/v2/logs?messageId=m&messageIds=m1&messageIds=m2&state=DELIVERED&state=FAILED"
        "&url=https%3A%2F%2Fexample.com%2Fapi&topicName=g&queueName=q&scheduleId=s&label=a"
        "&label=b&host=h&path=%2Fp&callerIp=ip&flowControlKey=k&fromDate=1&toDate=2&count=50"
        "&order=earliestFirst&cursor=9",
        replies=[ok({"logs": [EVENT], "cursor": "8"})],
        check=lambda p: (p.cursor == "8" and p.events[0].state == "DELIVERED") or pytest.fail(),
    ),
    Case(
        "logs.iter-follows-cursor",
        lambda c: c.logs.iter({"state": "FAILED"}),
        "GET",
        "/v2/logs?state=FAILED",
        replies=[ok({"logs": [EVENT], "cursor": "3"}), ok({"logs": [EVENT, EVENT]})],
        more=[("GET", "/v2/logs?state=FAILED&cursor=3")],
        check=lambda r: len(r) == 3 or pytest.fail(),
    ),
    # ------------------------------------------------------------ signing keys
    Case(
        "signing_keys.get",
        lambda c: c.signing_keys.get(),
        "GET",
        "/v2/keys",
        replies=[ok({"current": "sig_a", "next": "sig_b"})],
        check=lambda k: (k.current, k.next) == ("sig_a", "sig_b") or pytest.fail(),
    ),
    Case(
        "signing_keys.rotate",
        lambda c: c.keys.rotate(),
        "POST",
        "/v2/keys/rotate",
        replies=[ok({"current": "sig_b", "next": "sig_c"})],
    ),
    # ------------------------------------------------------------ flow control
    Case(
        "flow_control.list",
        lambda c: c.flow_control.list(search="user"),
        "GET",
        "/v2/flowControl?search=user",
        replies=[ok([FCKEY])],
        check=lambda r: r[0].parallelism_max == 3 or pytest.fail(),
    ),
    Case(
        "flow_control.get",
        lambda c: c.flow_control.get("user/1"),
        "GET",
        "/v2/flowControl/user%2F1",
        replies=[ok(FCKEY)],
        check=lambda k: k.is_paused or pytest.fail(),
    ),
    Case(
        "flow_control.pause",
        lambda c: c.flow_control.pause("k"),
        "POST",
        "/v2/flowControl/k/pause",
        replies=[httpx2.Response(200)],
    ),
    Case(
        "flow_control.resume",
        lambda c: c.flow_control.resume("k"),
        "POST",
        "/v2/flowControl/k/resume",
        replies=[httpx2.Response(200)],
    ),
    Case(
        "flow_control.pin",
        lambda c: c.flow_control.pin("k", parallelism=3, rate=20, period="2m"),
        "POST",
        "/v2/flowControl/k/pin?parallelism=3&rate=20&period=120",
        replies=[httpx2.Response(200)],
    ),
    Case(
        "flow_control.unpin",
        lambda c: c.flow_control.unpin("k", {"rate": True}),
        "POST",
        "/v2/flowControl/k/unpin?parallelism=false&rate=true",
        replies=[httpx2.Response(200)],
    ),
    Case(
        "flow_control.reset_rate",
        lambda c: c.flow_control.reset_rate("k"),
        "POST",
        "/v2/flowControl/k/resetRate",
        replies=[httpx2.Response(200)],
    ),
    Case(
        "flow_control.global_parallelism",
        lambda c: c.flow_control.global_parallelism(),
        "GET",
        "/v2/globalParallelism",
        replies=[ok({"parallelismMax": 500, "parallelismCount": 4})],
        check=lambda g: g.parallelism_count == 4 or pytest.fail(),
    ),
]

MODES = ["sync", "async"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_wire(case: Case, mode: str) -> None:
    wire = Wire()
    wire.replies = list(case.replies)
    result = run(mode, wire, case.call)
    first, *rest = wire.requests
    assert first.method == case.method
    assert target_of(first) == case.target
    assert headers_of(first) == {"authorization": f"Bearer {TOKEN}", **case.headers}
    if isinstance(case.body, bytes):
        assert first.content == case.body
    elif case.body is None:
        assert first.content == b""
    else:
        assert json.loads(first.content) == case.body
    assert [(r.method, target_of(r)) for r in rest] == case.more
    if case.check is not None:
        case.check(result)


def test_every_public_method_has_a_wire_case() -> None:
    covered = {c.name.split("-")[0].replace("()", "") for c in CASES}
    client = Client(TOKEN, base_url=BASE)
    expected = {
        n for n in dir(Client) if not n.startswith("_") and callable(getattr(Client, n))
    } - {"close"}
    for attr, facade in vars(client).items():
        if attr.startswith("_") or attr in ("topics", "keys"):
            continue
        expected |= {f"{attr}.{n}" for n in dir(facade) if not n.startswith("_")}
    client.close()
    covered = {name.replace("topics.", "url_groups.").replace("keys.", "keys.") for name in covered}
    assert expected - covered == set()


# ---------------------------------------------------------------- regressions


@pytest.mark.parametrize("mode", MODES)
def test_dedup_false_sends_nothing(mode: str) -> None:
    wire = Wire()
    wire.default = MSG
    run(mode, wire, lambda c: c.publish(url=URL, body="x", content_based_deduplication=False))
    assert "upstash-content-based-deduplication" not in headers_of(wire.requests[0])


@pytest.mark.parametrize("mode", MODES)
def test_callers_dict_is_not_mutated(mode: str) -> None:
    wire = Wire()
    wire.default = MSG
    request: dict[str, Any] = {
        "url": URL,
        "body": {"a": [1, 2]},
        "headers": {"x-h": "1"},
        "flow_control": {"key": "k", "parallelism": 1},
    }
    snapshot = copy.deepcopy(request)
    run(mode, wire, lambda c: c.publish_json(request))
    run(mode, wire, lambda c: c.publish_json(request))
    run(mode, wire, lambda c: c.batch_json([request]))
    assert request == snapshot
    first, second, _ = wire.requests
    assert first.content == second.content == b'{"a": [1, 2]}'
    assert headers_of(first) == headers_of(second)


SINGLE_ID_CALLS: list[tuple[str, Callable[[Any, str], Any]]] = [
    ("messages.get", lambda c, i: c.messages.get(i)),
    ("messages.cancel", lambda c, i: c.messages.cancel(i)),
    ("messages.cancel_many", lambda c, i: c.messages.cancel_many([i])),
    ("url_groups.get", lambda c, i: c.url_groups.get(i)),
    ("url_groups.delete", lambda c, i: c.url_groups.delete(i)),
    ("url_groups.add_endpoints", lambda c, i: c.url_groups.add_endpoints(i, [{"url": URL}])),
    ("url_groups.remove_endpoints", lambda c, i: c.url_groups.remove_endpoints(i, [{"url": URL}])),
    ("schedules.get", lambda c, i: c.schedules.get(i)),
    ("schedules.delete", lambda c, i: c.schedules.delete(i)),
    ("schedules.pause", lambda c, i: c.schedules.pause(i)),
    ("schedules.resume", lambda c, i: c.schedules.resume(i)),
    ("queues.get", lambda c, i: c.queues.get(i)),
    ("queues.delete", lambda c, i: c.queues.delete(i)),
    ("queues.pause", lambda c, i: c.queues.pause(i)),
    ("queues.resume", lambda c, i: c.queues.resume(i)),
    ("queues.upsert", lambda c, i: c.queues.upsert(queue=i)),
    ("dlq.get", lambda c, i: c.dlq.get(i)),
    ("dlq.delete", lambda c, i: c.dlq.delete(i)),
    ("dlq.delete_many", lambda c, i: c.dlq.delete_many([i])),
    ("dlq.retry", lambda c, i: c.dlq.retry(i)),
    ("dlq.retry_many", lambda c, i: c.dlq.retry_many([i])),
    ("flow_control.get", lambda c, i: c.flow_control.get(i)),
    ("flow_control.pause", lambda c, i: c.flow_control.pause(i)),
    ("flow_control.resume", lambda c, i: c.flow_control.resume(i)),
    ("flow_control.reset_rate", lambda c, i: c.flow_control.reset_rate(i)),
    ("flow_control.pin", lambda c, i: c.flow_control.pin(i, rate=1)),
    ("flow_control.unpin", lambda c, i: c.flow_control.unpin(i, rate=True)),
    ("enqueue", lambda c, i: c.enqueue(queue=i, url=URL)),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("bad", ["", "   "])
@pytest.mark.parametrize(("name", "call"), SINGLE_ID_CALLS, ids=[n for n, _ in SINGLE_ID_CALLS])
def test_empty_ids_send_nothing(
    name: str, call: Callable[[Any, str], Any], bad: str, mode: str
) -> None:
    wire = Wire()
    with pytest.raises(RequestValidationError):
        run(mode, wire, lambda c: call(c, bad))
    assert wire.requests == []


INVALID: list[tuple[str, Callable[[Any], Any], str]] = [
    ("url-and-group", lambda c: c.publish(url=URL, url_group="g"), "url"),
    ("no-destination", lambda c: c.publish(body="x"), "url"),
    ("relative-url", lambda c: c.publish(url="example.com"), "url"),
    ("bad-delay", lambda c: c.publish(url=URL, delay="5 minutes"), "delay"),
    ("negative-delay", lambda c: c.publish(url=URL, delay=-1), "delay"),
    ("bad-timeout", lambda c: c.publish(url=URL, timeout="soon"), "timeout"),
    ("fc-no-key", lambda c: c.publish(url=URL, flow_control={"rate": 1}), "flow_control.key"),
    ("fc-no-limit", lambda c: c.publish(url=URL, flow_control={"key": "k"}), "flow_control"),
    (
        "fc-bad-period",
        lambda c: c.publish(url=URL, flow_control={"key": "k", "rate": 1, "period": "x"}),
        "period",
    ),
    ("unknown-option", lambda c: c.publish(url=URL, retry=3), "retry"),
    ("bad-method", lambda c: c.publish(url=URL, method="FETCH"), "method"),
    (
        "bad-callback-option",
        lambda c: c.publish(url=URL, callback_options={"delay": "later"}),
        "callback_options.delay",
    ),
    ("body-type", lambda c: c.publish(url=URL, body={"a": 1}), "body"),
    ("json-body", lambda c: c.publish_json(url=URL, body={1, 2}), "body"),
    ("batch-empty", lambda c: c.batch([]), "items"),
    (
        "batch-item",
        lambda c: c.batch([{"url": URL}, {"url": URL, "url_group": "g"}]),
        "items[1].url",
    ),
    ("batch-binary", lambda c: c.batch([{"url": URL, "body": b"\xff"}]), "items[0].body"),
    ("schedule-cron", lambda c: c.schedules.create(destination=URL), "cron"),
    (
        "schedule-not-before",
        lambda c: c.schedules.create(destination=URL, cron="* * * * *", not_before=1),
        "not_before",
    ),
    (
        "endpoint-url",
        lambda c: c.url_groups.add_endpoints("g", [{"name": "e"}]),
        "endpoints[0].url",
    ),
    ("no-endpoints", lambda c: c.url_groups.add_endpoints("g", []), "endpoints"),
    ("cancel-no-filter", lambda c: c.messages.cancel_by_filter(), "filter"),
    ("cancel-bad-time", lambda c: c.messages.cancel_by_filter(from_time="yesterday"), "from_time"),
    ("dlq-delete-no-filter", lambda c: c.dlq.delete_by_filter(), "filter"),
    ("pin-nothing", lambda c: c.flow_control.pin("k"), "pin"),
    ("unpin-nothing", lambda c: c.flow_control.unpin("k"), "unpin"),
    ("queue-parallelism", lambda c: c.queues.upsert(queue="q", parallelism=0), "parallelism"),
    ("logs-order", lambda c: c.logs.list(order="random"), "order"),
    ("logs-iter-eager", lambda c: c.logs.iter(order="random"), "order"),
    ("dlq-iter-eager", lambda c: c.dlq.iter(count=0), "count"),
    ("logs-empty-list", lambda c: c.logs.list(label=[]), "label"),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("name", "call", "field_name"), INVALID, ids=[n for n, _, _ in INVALID])
def test_invalid_input_is_refused_before_io(
    name: str, call: Callable[[Any], Any], field_name: str, mode: str
) -> None:
    wire = Wire()
    with pytest.raises(RequestValidationError) as info:
        run(mode, wire, call)
    assert info.value.field == field_name
    assert field_name in str(info.value)
    assert wire.requests == []


# ---------------------------------------------------------------- retries to QStash


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def sync(self, seconds: float) -> None:
        self.calls.append(seconds)

    async def async_(self, seconds: float) -> None:
        self.calls.append(seconds)


def run_counting(
    mode: str, wire: Wire, call: Callable[[Any], Any], retry: Any, now: float = 1000.0
) -> Sleeps:
    """Run ``call`` with the driver's sleep (and clock) replaced, and return the sleeps."""
    sleeps = Sleeps()

    def patched(client: Any) -> Any:
        client._driver.sleep = sleeps.sync if mode == "sync" else sleeps.async_
        client._driver.now = lambda: now
        return call(client)

    run(mode, wire, patched, retry=retry)
    return sleeps


def _fail(status: int, **headers: str) -> httpx2.Response:
    return httpx2.Response(status, json={"error": f"status {status}"}, headers=headers)


@pytest.mark.parametrize("mode", MODES)
def test_400_is_not_retried(mode: str) -> None:
    wire = Wire()
    wire.replies = [_fail(400)]
    with pytest.raises(BadRequestError) as info:
        run_counting(mode, wire, lambda c: c.publish(url=URL), retry=None)
    assert len(wire.requests) == 1
    assert info.value.status_code == 400 and info.value.message == "status 400"
    assert json.loads(info.value.body) == {"error": "status 400"}


@pytest.mark.parametrize("mode", MODES)
def test_no_sleep_after_the_last_attempt(mode: str) -> None:
    wire = Wire()
    wire.replies = [_fail(503), _fail(503), _fail(503)]
    sleeps = Sleeps()

    def call(client: Any) -> Any:
        client._driver.sleep = sleeps.sync if mode == "sync" else sleeps.async_
        return client.queues.list()

    with pytest.raises(InternalServerError):
        run(mode, wire, call, retry={"attempts": 3, "backoff": lambda n: 100 * (n + 1)})
    assert len(wire.requests) == 3
    assert sleeps.calls == [0.1, 0.2]


@pytest.mark.parametrize("mode", MODES)
def test_partial_retry_config_merges_with_defaults(mode: str) -> None:
    wire = Wire()
    wire.replies = [_fail(500), _fail(502), ok([])]
    sleeps = run_counting(mode, wire, lambda c: c.queues.list(), retry={"attempts": 3})
    assert len(wire.requests) == 3
    # default backoff exp(n) * 50 ms
    assert sleeps.calls == pytest.approx([0.05, 0.1359140914])

    wire = Wire()
    wire.replies = [_fail(500)] * 5 + [ok([])]
    sleeps = run_counting(mode, wire, lambda c: c.queues.list(), retry={"backoff": lambda n: 1})
    assert len(wire.requests) == 6  # default attempts
    assert sleeps.calls == [0.001] * 5


@pytest.mark.parametrize("mode", MODES)
def test_retry_false_means_one_attempt(mode: str) -> None:
    wire = Wire()
    wire.replies = [_fail(500)]
    with pytest.raises(InternalServerError):
        run_counting(mode, wire, lambda c: c.queues.list(), retry=False)
    assert len(wire.requests) == 1


@pytest.mark.parametrize("mode", MODES)
def test_429_waits_for_the_reset_headers(mode: str) -> None:
    wire = Wire()
    wire.replies = [
        _fail(429, **{"Burst-RateLimit-Limit": "10", "Burst-RateLimit-Reset": "1003"}),
        _fail(429, **{"Retry-After": "2"}),
        ok([]),
    ]
    sleeps = run_counting(mode, wire, lambda c: c.queues.list(), retry=None, now=1000.0)
    assert sleeps.calls == [3.0, 2.0]
    assert len(wire.requests) == 3


@pytest.mark.parametrize("mode", MODES)
def test_rate_limit_errors_carry_the_limits(mode: str) -> None:
    wire = Wire()
    headers = {
        "Burst-RateLimit-Limit": "10",
        "Burst-RateLimit-Remaining": "0",
        "Burst-RateLimit-Reset": "1001",
    }
    wire.replies = [_fail(429, **headers)]
    with pytest.raises(BurstRateLimitError) as info:
        run_counting(mode, wire, lambda c: c.logs.list(), retry=False)
    assert (info.value.limit, info.value.remaining, info.value.reset) == ("10", "0", "1001")

    wire = Wire()
    wire.replies = [_fail(429, **{"RateLimit-Limit": "1000", "RateLimit-Remaining": "0"})]
    with pytest.raises(DailyLimitError) as daily:
        run_counting(mode, wire, lambda c: c.publish(url=URL), retry=False)
    assert daily.value.limit == "1000" and daily.value.status_code == 429


@pytest.mark.parametrize("mode", MODES)
def test_connection_errors_are_retried(mode: str) -> None:
    wire = Wire()
    wire.replies = [httpx2.ConnectError("refused"), ok({"current": "a", "next": "b"})]
    sleeps = run_counting(mode, wire, lambda c: c.signing_keys.get(), retry=None)
    assert len(wire.requests) == 2 and len(sleeps.calls) == 1


@pytest.mark.parametrize("mode", MODES)
def test_404_raises_not_found_with_the_server_message(mode: str) -> None:
    wire = Wire()
    wire.replies = [httpx2.Response(404, json={"error": "message msg_x not found"})]
    with pytest.raises(NotFoundError) as info:
        run(mode, wire, lambda c: c.messages.get("msg_x"))
    assert info.value.message == "message msg_x not found"
    assert len(wire.requests) == 1


# ---------------------------------------------------------------- configuration


def test_config_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QSTASH_TOKEN", "env-token")
    monkeypatch.setenv("QSTASH_URL", "http://127.0.0.1:8080/v2/publish/")
    client = Client()
    assert client.base_url == "http://127.0.0.1:8080"
    client.close()
    explicit = Client("arg-token", base_url="http://localhost:9/")
    assert explicit.base_url == "http://localhost:9"
    explicit.close()


def test_missing_token_names_argument_and_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QSTASH_TOKEN", raising=False)
    with pytest.raises(ConfigurationError, match=r"token.*QSTASH_TOKEN"):
        Client()
    with pytest.raises(ConfigurationError, match="QSTASH_TOKEN"):
        AsyncClient()


def test_env_token_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QSTASH_TOKEN", "from-env")
    wire = Wire()
    transport = httpx2.MockTransport(wire.handler)
    with Client(base_url=BASE, http_client=httpx2.Client(transport=transport)) as client:
        client.queues.list()
    assert wire.requests[0].headers["authorization"] == "Bearer from-env"


def test_injected_client_is_not_closed_but_own_client_is() -> None:
    wire = Wire()
    injected = httpx2.Client(transport=httpx2.MockTransport(wire.handler))
    with Client(TOKEN, base_url=BASE, http_client=injected) as client:
        client.queues.list()
    assert not injected.is_closed
    injected.close()
    own = Client(TOKEN, base_url=BASE)
    own.close()
    assert own._driver._client.is_closed

    async def main() -> None:
        async_injected = httpx2.AsyncClient(transport=httpx2.MockTransport(wire.handler))
        client = AsyncClient(TOKEN, base_url=BASE, http_client=async_injected)
        await client.aclose()
        assert not async_injected.is_closed
        await async_injected.aclose()
        mine = AsyncClient(TOKEN, base_url=BASE)
        await mine.aclose()
        assert mine._driver._client.is_closed

    asyncio.run(main())


def test_timeout_is_passed_to_every_request() -> None:
    seen: list[Any] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request.extensions["timeout"])
        return httpx2.Response(200, json=[])

    http = httpx2.Client(transport=httpx2.MockTransport(handler))
    with Client(TOKEN, base_url=BASE, http_client=http, timeout=3.5) as client:
        client.queues.list()
    assert seen == [{"connect": 3.5, "read": 3.5, "write": 3.5, "pool": 3.5}]


def test_iterators_check_their_options_when_created() -> None:
    wire = Wire()
    with wire.sync() as client, pytest.raises(RequestValidationError):
        client.dlq.iter(count=0)  # not iterated: the error comes from the call itself

    async def main() -> None:
        async with wire.async_() as client:
            with pytest.raises(RequestValidationError):
                client.logs.iter(state=[])

    asyncio.run(main())
    assert wire.requests == []


@pytest.mark.parametrize("mode", MODES)
def test_readme_retry_config(mode: str) -> None:
    wire = Wire()
    wire.replies = [_fail(502), _fail(502)]
    with pytest.raises(InternalServerError):
        run_counting(
            mode,
            wire,
            lambda c: c.publish_json({"url": URL, "body": {}}),
            retry={"attempts": 2, "backoff": lambda retry_count: (2**retry_count) * 20},
        )
    assert len(wire.requests) == 2
