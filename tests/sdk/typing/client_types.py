"""Checked by ``mypy --strict`` in ``test_typing.py`` (never imported or run).

``assert_type`` pins what users' type checkers infer; a ``# type: ignore[code]`` line pins a
mistake the checker must catch (strict mode reports an ignore that is not needed).
"""

from __future__ import annotations

from typing import assert_type

from upstash_qstash import (
    AsyncClient,
    Client,
    EnqueueRequest,
    PublishRequest,
    PublishResponse,
    Receiver,
    ScheduleCreated,
)


def sync_forms(client: Client, request: PublishRequest, queued: EnqueueRequest) -> None:
    # A URL gets one answer; a URL group (or its old name, topic) one per endpoint.
    assert_type(client.publish({"url": "https://x", "body": "b"}), PublishResponse)
    assert_type(client.publish(url="https://x", body=b"b"), PublishResponse)
    assert_type(client.publish({"url_group": "g", "body": "b"}), list[PublishResponse])
    assert_type(client.publish(url_group="g"), list[PublishResponse])
    assert_type(client.publish_json({"topic": "t", "body": {"k": 1}}), list[PublishResponse])
    assert_type(client.publish_json(topic="t", body=[1]), list[PublishResponse])
    assert_type(client.publish_json(url="https://x", body=None), PublishResponse)
    assert_type(client.enqueue(queue="q", url="https://x"), PublishResponse)
    assert_type(client.enqueue_json({"queue": "q", "url_group": "g"}), list[PublishResponse])
    # A request built dynamically still type-checks, with the union as its answer.
    assert_type(client.publish(request), PublishResponse | list[PublishResponse])
    assert_type(client.enqueue(queued), PublishResponse | list[PublishResponse])
    # The original README's calls.
    retrying = Client("TOKEN", {"attempts": 2, "backoff": lambda retry_count: 2**retry_count})
    retrying.topics().add_endpoints("my-topic", [{"name": "e1", "url": "https://x"}])
    created = client.schedules().create({"destination": "https://x", "cron": "*/5 * * * *"})
    assert_type(created, ScheduleCreated)
    receiver = Receiver({"current_signing_key": "a", "next_signing_key": "b"})
    assert_type(receiver.verify({"signature": "s", "body": b"", "url": "https://x"}), bool)


def sync_mistakes(client: Client) -> None:
    client.publish({"url": "https://x", "retries": "3"})  # type: ignore[call-overload]
    client.publish(url="https://x", body={"k": 1})  # type: ignore[call-overload]
    client.publish(url="https://x", delay=[4])  # type: ignore[call-overload]
    client.publish_json(url="https://x", unknown=1)  # type: ignore[call-overload]
    client.schedules.create({"cron": 5})  # type: ignore[arg-type]


async def async_forms(client: AsyncClient) -> None:
    assert_type(await client.publish(url="https://x", body="b"), PublishResponse)
    assert_type(await client.publish({"topic": "t"}), list[PublishResponse])
    assert_type(await client.publish_json(url_group="g", body={}), list[PublishResponse])
    assert_type(await client.enqueue_json(queue="q", url="https://x"), PublishResponse)
