"""The official PyPI client (``qstash`` 3.4.0) against our server: messages, DLQ, logs, keys,
and its ``Receiver`` verifying our deliveries. Any missing key in our responses would make its
parsers raise ``KeyError``; an unknown log state would make ``LogState(...)`` raise."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from qstash import QStash, Receiver
from qstash.errors import QStashError
from qstash.log import LogState

from upstash_qstash.testing.local import LocalQStash
from upstash_qstash.testing.recorder import RecordedRequest, Recorder, Reply


@pytest.fixture
def official(qstash: LocalQStash) -> Iterator[QStash]:
    client = QStash(qstash.token, base_url=qstash.url, retry=False)
    yield client
    client.http._client.close()


def _later(official: QStash, endpoint: Recorder, n: int) -> list[str]:
    return [
        official.message.publish(url=f"{endpoint.url}/m{i}", body=f"b{i}", delay=3600).message_id  # type: ignore[union-attr]
        for i in range(n)
    ]


def test_message_get_cancel_cancel_many_cancel_all(
    qstash: LocalQStash, official: QStash, endpoint: Recorder
) -> None:
    ids = _later(official, endpoint, 6)
    got = official.message.get(ids[0])
    assert got.message_id == ids[0]
    assert got.url == f"{endpoint.url}/m0" and got.body == "b0"
    assert got.not_before == got.created_at + 3_600_000
    official.message.cancel(ids[0])
    with pytest.raises(QStashError):
        official.message.get(ids[0])
    with pytest.raises(QStashError):
        official.message.cancel(ids[0])
    assert official.message.cancel_many([ids[1], ids[2], "msg_unknown"]) == 2
    assert official.message.cancel_all() == 3
    assert official.message.cancel_all() == 0
    qstash.advance(7200)
    assert endpoint.requests == []


def test_dlq_list_get_delete_delete_many(
    qstash: LocalQStash, official: QStash, endpoint: Recorder
) -> None:
    def reply(request: RecordedRequest) -> Reply:
        return Reply(404, body="404 Not Found")

    endpoint.respond_using(reply)
    ids = [
        official.message.publish(
            url=f"{endpoint.url}/d{i}", body=f"d{i}", retries=0, label="lbl"
        ).message_id  # type: ignore[union-attr]
        for i in range(4)
    ]
    qstash.drain()
    page = official.dlq.list(count=3)
    assert [m.message_id for m in page.messages] == ids[:3]
    assert page.cursor is not None
    rest = official.dlq.list(cursor=page.cursor)
    assert [m.message_id for m in rest.messages] == ids[3:] and rest.cursor is None
    first = page.messages[0]
    assert first.response_status == 404
    assert first.response_body == "404 Not Found"
    assert first.body == "d0" and first.max_retries == 0
    filtered = official.dlq.list(filter={"message_id": ids[1], "response_status": 404})
    assert [m.message_id for m in filtered.messages] == [ids[1]]
    assert official.dlq.list(filter={"url": f"{endpoint.url}/d2"}).messages[0].message_id == ids[2]
    assert len(official.dlq.list(filter={"label": "lbl"}).messages) == 4
    one = official.dlq.get(first.dlq_id)
    assert one.dlq_id == first.dlq_id and one.message_id == ids[0]
    official.dlq.delete(first.dlq_id)
    with pytest.raises(QStashError):
        official.dlq.get(first.dlq_id)
    remaining = [m.dlq_id for m in official.dlq.list().messages]
    assert official.dlq.delete_many(remaining[:2]) == 2
    assert [m.message_id for m in official.dlq.list().messages] == ids[3:]


def test_log_list_with_filters(qstash: LocalQStash, official: QStash, endpoint: Recorder) -> None:
    endpoint.respond_with(500, then=200)
    a = official.message.publish(url=f"{endpoint.url}/a", body="a", retries=0).message_id  # type: ignore[union-attr]
    qstash.drain()
    b = official.message.publish(url=f"{endpoint.url}/b", body="b").message_id  # type: ignore[union-attr]
    c = _later(official, endpoint, 1)[0]
    official.message.cancel(c)
    qstash.drain()
    everything = official.log.list()
    assert everything.cursor is None
    assert {log.message_id for log in everything.logs} == {a, b, c}
    assert all(isinstance(log.state, LogState) for log in everything.logs)
    failed = official.log.list(filter={"state": LogState.FAILED})
    assert [log.message_id for log in failed.logs] == [a]
    assert [log.state for log in official.log.list(filter={"message_id": b}).logs] == [
        LogState.DELIVERED,
        LogState.ACTIVE,
        LogState.CREATED,
    ]
    cancelled = official.log.list(filter={"state": LogState.CANCELED})
    assert [log.message_id for log in cancelled.logs] == [c]
    by_url = official.log.list(filter={"url": f"{endpoint.url}/b"})
    assert {log.message_id for log in by_url.logs} == {b}
    many = official.log.list(filter={"message_ids": [a, c]})
    assert {log.message_id for log in many.logs} == {a, c}
    paged = official.log.list(count=2)
    assert len(paged.logs) == 2 and paged.cursor is not None
    nxt = official.log.list(count=2, cursor=paged.cursor)
    assert nxt.logs[0].time <= paged.logs[-1].time


def test_signing_keys_and_receiver_verify_our_deliveries(
    qstash: LocalQStash, official: QStash, endpoint: Recorder
) -> None:
    keys = official.signing_key.get()
    assert (keys.current, keys.next) == (qstash.current_signing_key, qstash.next_signing_key)
    url = f"{endpoint.url}/signed?x=1"
    official.message.publish_json(url=url, body={"hello": "world"})
    qstash.drain()
    [delivery] = endpoint.wait_for(1)
    receiver = Receiver(current_signing_key=keys.current, next_signing_key=keys.next)
    receiver.verify(
        signature=delivery.header("Upstash-Signature") or "",
        body=delivery.body.decode(),
        url=url,
    )
    rotated = official.signing_key.rotate()
    assert rotated.current == keys.next and rotated.next != keys.next
    official.message.publish(url=url, body="after rotation")
    qstash.drain()
    latest = endpoint.wait_for(2)[-1]
    Receiver(current_signing_key=rotated.current, next_signing_key=rotated.next).verify(
        signature=latest.header("Upstash-Signature") or "", body=latest.body.decode(), url=url
    )
    with pytest.raises(Exception, match=r"(?i)signature"):
        Receiver(current_signing_key=keys.current, next_signing_key=keys.current).verify(
            signature=latest.header("Upstash-Signature") or "", body=latest.body.decode(), url=url
        )


def test_dlq_entry_without_any_http_answer_still_parses(
    qstash: LocalQStash, official: QStash
) -> None:
    """A destination that refuses the connection gives no status; the DLQ entry must still
    carry ``responseStatus`` (0), which the official parser requires, and the logs the
    connection error."""
    with Recorder() as gone:
        url = f"{gone.url}/x"
    message_id = official.message.publish(url=url, body="b", retries=0).message_id  # type: ignore[union-attr]
    qstash.drain()

    (entry,) = official.dlq.list().messages
    assert entry.message_id == message_id
    assert entry.response_status == 0
    assert official.dlq.get(entry.dlq_id).response_status == 0
    states = {log.state for log in official.log.list(filter={"message_id": message_id}).logs}
    assert {LogState.ERROR, LogState.FAILED} <= states
