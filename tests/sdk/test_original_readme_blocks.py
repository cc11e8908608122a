"""The original README's code blocks, run verbatim against the real local server.

Only the placeholders change: the token and ``https://my-api...``-style URLs become the local
server's token and loopback recorder URLs (tests never leave the machine), and ``req`` is a
request the recorder received. Every key, call shape and value is the README's.
"""

from __future__ import annotations

import pytest

from upstash_qstash import Client, PublishResponse, Receiver
from upstash_qstash.testing.local import LocalQStash
from upstash_qstash.testing.recorder import Recorder, Reply


@pytest.fixture
def readme_env(qstash: LocalQStash, monkeypatch: pytest.MonkeyPatch) -> str:
    """``QSTASH_URL`` points at the local server; the token placeholder is its token."""
    monkeypatch.setenv("QSTASH_URL", qstash.url)
    return qstash.token


def test_publish_a_json_message(readme_env: str, qstash: LocalQStash, endpoint: Recorder) -> None:
    QSTASH_TOKEN = readme_env
    with Client(QSTASH_TOKEN) as client:
        client.publish_json(
            {
                "url": endpoint.url + "/my-api",
                "body": {"hello": "world"},
                "headers": {
                    "test-header": "test-value",
                },
            }
        )
    qstash.drain()
    [req] = endpoint.wait_for(1)
    assert req.json() == {"hello": "world"}
    assert req.header("test-header") == "test-value"
    assert req.header("Content-Type") == "application/json"


def test_create_a_scheduled_message(
    readme_env: str, qstash: LocalQStash, endpoint: Recorder
) -> None:
    QSTASH_TOKEN = readme_env
    client = Client(QSTASH_TOKEN)
    schedules = client.schedules()
    created = schedules.create(
        {
            "destination": endpoint.url + "/my-api",
            "cron": "*/5 * * * *",
        }
    )
    assert client.schedules().get(created.schedule_id).cron == "*/5 * * * *"
    qstash.advance(5 * 60)
    assert len(endpoint.wait_for(1)) >= 1
    client.close()


def test_receiving_messages(readme_env: str, qstash: LocalQStash, endpoint: Recorder) -> None:
    with Client(readme_env) as client:
        client.publish({"url": endpoint.url + "/my-api", "body": "raw text"})
    qstash.drain()
    [req] = endpoint.wait_for(1)
    CURRENT_SIGNING_KEY, NEXT_SIGNING_KEY = qstash.current_signing_key, qstash.next_signing_key

    receiver = Receiver(
        {
            "current_signing_key": CURRENT_SIGNING_KEY,
            "next_signing_key": NEXT_SIGNING_KEY,
        }
    )

    verified = receiver.verify(
        {
            "signature": dict(req.headers)["Upstash-Signature"],
            "body": req.body,
            "url": endpoint.url + "/my-api",  # Optional
        }
    )
    assert verified is True


def test_additional_configuration_block(
    readme_env: str, qstash: LocalQStash, endpoint: Recorder
) -> None:
    """The whole "Additional configuration" block, delivered end to end.

    endpoint1 answers 200 (so the callback fires); endpoint2 always fails, so after the
    README's ``"retries": 3`` (four attempts) its failure callback fires. Nothing is delivered
    before the 4 s delay, and publishing the same content again is deduplicated.
    """
    endpoint.respond_using(
        lambda req: Reply(500) if req.path == "/somewhere-else" else Reply(200, body="ok")
    )
    example_com = endpoint.url + "/example"
    somewhere_else = endpoint.url + "/somewhere-else"
    callback_url = endpoint.url + "/callback"
    failure_callback_url = endpoint.url + "/failure_callback"
    QSTASH_TOKEN = readme_env

    client = Client(QSTASH_TOKEN)
    client.close()
    client = Client(
        QSTASH_TOKEN,
        {
            "attempts": 2,
            "backoff": lambda retry_count: (2**retry_count) * 20,
        },
    )

    # Create Topic
    topics = client.topics()
    topics.add_endpoints(
        "my-topic",
        [
            {"name": "endpoint1", "url": example_com},
            {"name": "endpoint2", "url": somewhere_else},
        ],
    )

    def publish() -> PublishResponse | list[PublishResponse]:
        return client.publish_json(
            {
                "topic": "my-topic",
                "body": {"key": "value"},
                "retries": 3,
                "delay": 4,
                "callback": callback_url,
                "failure_callback": failure_callback_url,
                "headers": {
                    "test-header": "test-value",
                },
                "content_based_deduplication": True,
            }
        )

    results = publish()
    assert isinstance(results, list) and len(results) == 2
    again = publish()
    assert isinstance(again, list)
    assert {r.message_id for r in again} == {r.message_id for r in results}
    assert all(r.deduplicated for r in again)

    qstash.advance(3)
    assert endpoint.requests == []
    qstash.advance(1)
    qstash.advance(24 * 3600)  # every retry of endpoint2, then its failure callback
    qstash.drain()

    paths = [r.path for r in endpoint.requests]
    assert paths.count("/example") == 1
    assert paths.count("/somewhere-else") == 4  # 1 + "retries": 3
    # The local server calls the callback on success and once more on the final failure
    # (the docs leave "every attempt" vs. "success + final failure" open).
    callbacks = {r.json()["url"]: r.json() for r in endpoint.requests if r.path == "/callback"}
    assert len(callbacks) == paths.count("/callback") == 2
    assert callbacks[example_com]["status"] == 200
    assert callbacks[somewhere_else]["status"] == 500
    assert callbacks[somewhere_else]["retried"] == callbacks[somewhere_else]["maxRetries"] == 3
    [failure] = [r.json() for r in endpoint.requests if r.path == "/failure_callback"]
    assert failure["status"] == 500 and failure["url"] == somewhere_else
    by_path = {r.path: r for r in endpoint.requests}
    for path in ("/example", "/somewhere-else"):
        assert by_path[path].json() == {"key": "value"}
        assert by_path[path].header("test-header") == "test-value"
    receiver = qstash.receiver()
    assert by_path["/example"].verify(receiver, url=example_com)
    client.close()
