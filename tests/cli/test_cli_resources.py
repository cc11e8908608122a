"""Every management command group, end to end: each effect is checked through the server."""

from __future__ import annotations

from cli_support import Run, failed, ok, ok_json

from upstash_qstash.testing.local import LocalQStash
from upstash_qstash.testing.recorder import Recorder


def test_messages_get_and_cancel(run: Run, qstash: LocalQStash, endpoint: Recorder) -> None:
    ids = [
        ok(run("publish", endpoint.url, "--body", f"m{i}", "--delay", "1h")).strip()
        for i in range(3)
    ]
    shown = ok(run("messages", "get", ids[0]))
    assert f"message id:  {ids[0]}" in shown
    assert "body:        m0" in shown
    assert ok_json(run("messages", "get", ids[1], "--json"))["messageId"] == ids[1]

    assert ok(run("messages", "cancel", ids[0])).strip() == "Cancelled 1 message."
    assert ok_json(run("messages", "cancel", ids[1], ids[2], "--json")) == {"cancelled": 2}
    assert "not found" in failed(run("messages", "get", ids[0]), 1)
    qstash.advance(3601)
    assert endpoint.requests == []


def test_messages_cancel_all(run: Run, qstash: LocalQStash, endpoint: Recorder) -> None:
    for i in range(2):
        ok(run("publish", endpoint.url, "--body", f"m{i}", "--delay", "1h"))
    assert ok(run("messages", "cancel", "--all")).strip() == "Cancelled 2 messages."
    qstash.advance(3601)
    assert endpoint.requests == []


def test_schedules_lifecycle(run: Run, qstash: LocalQStash, endpoint: Recorder) -> None:
    schedule_id = ok(
        run("schedules", "create", endpoint.url + "/tick", "--cron", "* * * * *", "--body", "t")
    ).strip()
    assert schedule_id.startswith("scd_")
    listed = ok(run("schedules", "list"))
    assert schedule_id in listed and "* * * * *" in listed
    assert ok(run("schedules", "get", schedule_id)).count(f"schedule id: {schedule_id}") == 1

    qstash.advance(60)
    assert [r.body for r in endpoint.wait_for(1)] == [b"t"]

    assert ok(run("schedules", "pause", schedule_id)).strip() == f"Paused schedule {schedule_id}."
    assert ok_json(run("schedules", "get", schedule_id, "--json"))["isPaused"] is True
    qstash.advance(120)
    assert len(endpoint.requests) == 1

    ok(run("schedules", "resume", schedule_id))
    qstash.advance(60)
    assert len(endpoint.wait_for(2)) == 2

    replaced = ok(
        run(
            "schedules", "create", endpoint.url, "--cron", "0 * * * *", "--schedule-id", schedule_id
        )
    ).strip()
    assert replaced == schedule_id
    assert qstash.client().schedules.get(schedule_id).cron == "0 * * * *"

    ok(run("schedules", "delete", schedule_id))
    assert qstash.client().schedules.list() == []
    assert ok(run("schedules", "list")).strip() == "No schedules."


def test_schedule_with_queue_and_json_body(
    run: Run, qstash: LocalQStash, endpoint: Recorder
) -> None:
    created = ok_json(
        run(
            "schedules",
            "create",
            endpoint.url,
            "--cron",
            "*/5 * * * *",
            "--json-body",
            '{"job": "report"}',
            "--queue",
            "reports",
            "--retries",
            "1",
            "--json",
        )
    )
    found = qstash.client().schedules.get(created["scheduleId"])
    assert (found.queue, found.retries) == ("reports", 1)
    qstash.advance(300)
    assert endpoint.wait_for(1)[0].json() == {"job": "report"}


def test_url_groups_add_get_remove_delete(
    run: Run, qstash: LocalQStash, endpoint: Recorder
) -> None:
    a, b = endpoint.url + "/a", endpoint.url + "/b"
    assert ok(run("url-groups", "add", "team", a, b)).strip() == "Added 2 endpoints to team."
    shown = ok(run("url-groups", "get", "team"))
    assert a in shown and b in shown
    assert "team" in ok(run("url-groups", "list"))
    assert [g["name"] for g in ok_json(run("url-groups", "list", "--json"))] == ["team"]

    ok(run("url-groups", "remove", "team", a))
    assert [e.url for e in qstash.client().url_groups.get("team").endpoints] == [b]
    ok(run("publish", "team", "--body", "only-b"))
    qstash.drain()
    assert [r.path for r in endpoint.wait_for(1)] == ["/b"]

    ok(run("url-groups", "delete", "team"))
    assert qstash.client().url_groups.list() == []
    assert "Error: " in failed(run("url-groups", "get", "team"), 1)


def test_queues_upsert_keeps_unspecified_settings(
    run: Run, qstash: LocalQStash, endpoint: Recorder
) -> None:
    ok(run("queues", "upsert", "jobs", "--parallelism", "3"))
    assert ok_json(run("queues", "get", "jobs", "--json"))["parallelism"] == 3
    assert ok(run("queues", "upsert", "jobs", "--paused")).strip() == (
        "Queue jobs: parallelism 3, paused."
    )
    queue = qstash.client().queues.get("jobs")
    assert (queue.parallelism, queue.paused) == (3, True)

    ok(run("publish", endpoint.url, "--body", "waiting", "--queue", "jobs"))
    qstash.drain()
    assert endpoint.requests == []
    listed = ok(run("queues", "list"))
    assert "jobs" in listed and "yes" in listed

    ok(run("queues", "resume", "jobs"))
    qstash.drain()
    assert [r.body for r in endpoint.wait_for(1)] == [b"waiting"]
    ok(run("queues", "pause", "jobs"))
    assert qstash.client().queues.get("jobs").paused is True

    ok(run("queues", "delete", "jobs"))
    assert qstash.client().queues.list() == []
    assert "not found" in failed(run("queues", "get", "jobs"), 1).lower()


def test_new_queue_defaults(run: Run, qstash: LocalQStash) -> None:
    assert ok(run("queues", "upsert", "fresh")).strip() == "Queue fresh: parallelism 1, active."
    queue = qstash.client().queues.get("fresh")
    assert (queue.parallelism, queue.paused) == (1, False)


def _dead_letter(run: Run, qstash: LocalQStash, endpoint: Recorder, count: int) -> list[str]:
    endpoint.respond_with(*([500] * count), then=200)
    ids = [
        ok(run("publish", endpoint.url, "--body", f"d{i}", "--retries", "0")).strip()
        for i in range(count)
    ]
    qstash.drain()
    endpoint.wait_for(count)
    return ids


def test_dlq_list_get_retry_delete(run: Run, qstash: LocalQStash, endpoint: Recorder) -> None:
    message_ids = _dead_letter(run, qstash, endpoint, 3)
    page = ok_json(run("dlq", "list", "--json"))
    entries = {m["messageId"]: m["dlqId"] for m in page["messages"]}
    assert set(entries) == set(message_ids)
    table = ok(run("dlq", "list"))
    assert all(m in table for m in message_ids) and "500" in table
    one = ok(run("dlq", "list", "--message-id", message_ids[0]))
    assert message_ids[0] in one and message_ids[1] not in one

    first = entries[message_ids[0]]
    shown = ok(run("dlq", "get", first))
    assert f"dlq id:           {first}" in shown and "response status:  500" in shown

    new_id = ok(run("dlq", "retry", first)).strip()
    assert new_id.startswith("msg_") and new_id != message_ids[0]
    qstash.drain()
    retried = endpoint.wait_for(4)[-1]
    assert (retried.body, retried.header("Upstash-Message-Id")) == (b"d0", new_id)

    rest = [entries[m] for m in message_ids[1:]]
    assert ok(run("dlq", "delete", *rest)).strip() == "Deleted 2 DLQ entries."
    assert qstash.client().dlq.list().messages == []
    assert ok(run("dlq", "list")).strip() == "The DLQ is empty."


def test_dlq_retry_many(run: Run, qstash: LocalQStash, endpoint: Recorder) -> None:
    _dead_letter(run, qstash, endpoint, 2)
    dlq_ids = [m.dlq_id for m in qstash.client().dlq.list().messages]
    new_ids = ok(run("dlq", "retry", *dlq_ids)).split()
    assert len(new_ids) == 2
    qstash.drain()
    assert {r.header("Upstash-Message-Id") for r in endpoint.wait_for(4)[2:]} == set(new_ids)
    assert qstash.client().dlq.list().messages == []


def test_logs_filters(run: Run, qstash: LocalQStash, endpoint: Recorder) -> None:
    delivered = ok(run("publish", endpoint.url, "--body", "x")).strip()
    qstash.drain()
    endpoint.wait_for(1)
    qstash.advance(1)
    waiting = ok(run("publish", endpoint.url, "--body", "y", "--delay", "1h")).strip()
    events = ok_json(run("logs", "--message-id", delivered, "--json"))["logs"]
    assert {e["state"] for e in events} >= {"CREATED", "DELIVERED"}
    assert {e["messageId"] for e in events} == {delivered}
    table = ok(run("logs", "--state", "delivered"))
    assert delivered in table and waiting not in table
    assert len(ok_json(run("logs", "--count", "1", "--json"))["logs"]) == 1
    assert ok_json(run("logs", "--oldest-first", "--json"))["logs"][0]["messageId"] == delivered
    newest = ok_json(run("logs", "--json"))["logs"][0]
    assert (newest["messageId"], newest["state"]) == (waiting, "CREATED")


def test_keys_show_and_rotate(run: Run, qstash: LocalQStash) -> None:
    current, upcoming = qstash.current_signing_key, qstash.next_signing_key
    assert ok(run("keys")).split() == ["current:", current, "next:", upcoming]
    rotated = ok_json(run("keys", "--rotate", "--json"))
    assert rotated["current"] == upcoming and rotated["next"] != upcoming
    keys = qstash.client().keys.get()
    assert (keys.current, keys.next) == (rotated["current"], rotated["next"])


def test_flow_control_pause_resume_reset(run: Run, qstash: LocalQStash, endpoint: Recorder) -> None:
    def publish(body: str) -> None:
        ok(
            run(
                "publish",
                endpoint.url,
                "--body",
                body,
                "--flow-key",
                "tenant",
                "--flow-rate",
                "1",
                "--flow-period",
                "1h",
            )
        )

    publish("first")
    qstash.drain()
    endpoint.wait_for(1)
    listed = ok(run("flow-control", "list"))
    assert "tenant" in listed and "1/1 per 3600s" in listed
    assert ok_json(run("flow-control", "get", "tenant", "--json"))["rateCount"] == 1

    ok(run("flow-control", "reset-rate", "tenant"))
    assert qstash.client().flow_control.get("tenant").rate_count == 0

    ok(run("flow-control", "pause", "tenant"))
    assert qstash.client().flow_control.get("tenant").is_paused is True
    publish("second")
    qstash.advance(1)
    assert len(endpoint.requests) == 1
    shown = ok(run("flow-control", "get", "tenant")).split()
    assert shown[shown.index("paused:") + 1] == "yes"
    assert shown[shown.index("waiting:") + 1] == "1"

    ok(run("flow-control", "resume", "tenant"))
    qstash.drain()
    assert [r.body for r in endpoint.wait_for(2)] == [b"first", b"second"]
    assert "tenant" not in ok(run("flow-control", "list", "--search", "other"))


def test_every_one_resource_action_confirms_what_it_did(
    run: Run, qstash: LocalQStash, endpoint: Recorder
) -> None:
    """The pause/resume/delete/reset-rate commands share one implementation; pin each line."""
    client = qstash.client()
    schedule_id = client.schedules.create(destination=endpoint.url, cron="0 0 * * *").schedule_id
    client.queues.upsert(queue="jobs", parallelism=1)
    client.url_groups.add_endpoints("team", [{"url": endpoint.url}])
    client.publish(url=endpoint.url, body="x", flow_control={"key": "tenant", "parallelism": 1})
    qstash.drain()
    expected = [
        (("schedules", "pause", schedule_id), f"Paused schedule {schedule_id}."),
        (("schedules", "resume", schedule_id), f"Resumed schedule {schedule_id}."),
        (("schedules", "delete", schedule_id), f"Deleted schedule {schedule_id}."),
        (("queues", "pause", "jobs"), "Paused queue jobs."),
        (("queues", "resume", "jobs"), "Resumed queue jobs."),
        (("queues", "delete", "jobs"), "Deleted queue jobs."),
        (("url-groups", "delete", "team"), "Deleted URL group team."),
        (("flow-control", "pause", "tenant"), "Paused flow-control key tenant."),
        (("flow-control", "resume", "tenant"), "Resumed flow-control key tenant."),
        (("flow-control", "reset-rate", "tenant"), "Reset the rate of flow-control key tenant."),
    ]
    for args, line in expected:
        assert ok(run(*args)).strip() == line
        assert "--json" not in ok(run(*args[:2], "--help"))
    assert client.schedules.list() == []
    assert client.queues.list() == []
    assert "not found" in failed(run("schedules", "pause", schedule_id), 1).lower()
