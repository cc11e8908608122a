import pytest

from upstash_qstash import Client
from upstash_qstash.testing import LocalQStash, Recorder, Reply


def test_a_flaky_endpoint_is_retried(
    qstash_client: Client, qstash_server: LocalQStash, qstash_recorder: Recorder
) -> None:
    qstash_recorder.respond_with(500, 500, then=200)  # fail twice, then succeed
    qstash_client.publish_json(url=qstash_recorder.url + "/work", body={"job": 1}, retries=3)

    qstash_server.advance(3600)  # runs both retries at their backoff times

    attempts = qstash_recorder.requests
    assert [a.reply.status for a in attempts] == [500, 500, 200]
    assert [a.header("Upstash-Retried") for a in attempts] == ["0", "1", "2"]
    assert all(a.verified for a in attempts)  # signatures are checked on arrival


@pytest.mark.qstash(default_retries=0)
def test_a_failing_endpoint_fills_the_dlq(
    qstash_client: Client, qstash_server: LocalQStash, qstash_recorder: Recorder
) -> None:
    qstash_recorder.respond_with(then=Reply(503, body="maintenance"))
    sent = qstash_client.publish_json(url=qstash_recorder.url + "/work", body={"job": 2})

    qstash_server.drain()  # deliver what is due now; no retries are left

    [dead] = qstash_client.dlq.list().messages
    assert dead.message_id == sent.message_id
    assert dead.response_status == 503
