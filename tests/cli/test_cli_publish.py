"""``qstash publish`` end to end: the CLI publishes to the local server, which delivers."""

from __future__ import annotations

from pathlib import Path

from cli_support import Run, ok, ok_json

from upstash_qstash.testing.local import LocalQStash
from upstash_qstash.testing.recorder import Recorder, Reply


def test_publish_delivers_body_method_headers_and_labels(
    run: Run, qstash: LocalQStash, endpoint: Recorder
) -> None:
    out = ok(
        run(
            "publish",
            endpoint.url + "/hook",
            "--body",
            "hello",
            "--method",
            "put",
            "-H",
            "X-Trace: abc",
            "-H",
            "X-Trace: def",
            "--content-type",
            "text/plain",
            "--label",
            "billing",
        )
    )
    message_id = out.strip()
    assert message_id.startswith("msg_")
    qstash.drain()
    [request] = endpoint.wait_for(1)
    assert request.method == "PUT"
    assert request.path == "/hook"
    assert request.body == b"hello"
    assert request.header("X-Trace") == "abc, def"
    assert request.header("Content-Type") == "text/plain"
    assert request.header("Upstash-Message-Id") == message_id
    assert request.verify(qstash.receiver()) is not None
    logged = qstash.client().logs.list(message_id=message_id, state="DELIVERED")
    assert [e.labels for e in logged.events] == [("billing",)]


def test_delay_waits_on_the_server_clock(run: Run, qstash: LocalQStash, endpoint: Recorder) -> None:
    ok(run("publish", endpoint.url, "--body", "later", "--delay", "1m30s"))
    qstash.advance(89)
    assert endpoint.requests == []
    qstash.advance(2)
    assert [r.body for r in endpoint.wait_for(1)] == [b"later"]


def test_json_body_file_body_and_stdin(
    run: Run, qstash: LocalQStash, endpoint: Recorder, tmp_path: Path
) -> None:
    ok(run("publish", endpoint.url + "/json", "--json-body", '{"n": [1, 2]}'))
    payload = tmp_path / "payload.bin"
    payload.write_bytes(b"\x00\x01binary\xff")
    ok(run("publish", endpoint.url + "/file", "--body-file", str(payload)))
    ok(run("publish", endpoint.url + "/stdin", "--body-file", "-", input=b"from stdin"))
    qstash.drain()
    by_path = {r.path: r for r in endpoint.wait_for(3)}
    assert by_path["/json"].json() == {"n": [1, 2]}
    assert by_path["/json"].header("Content-Type") == "application/json"
    assert by_path["/file"].body == b"\x00\x01binary\xff"
    assert by_path["/stdin"].body == b"from stdin"


def test_json_output_is_the_api_response(run: Run, qstash: LocalQStash, endpoint: Recorder) -> None:
    data = ok_json(run("publish", endpoint.url, "--body", "x", "--delay", "1h", "--json"))
    assert set(data) >= {"messageId"}
    assert qstash.client().messages.get(data["messageId"]).text == "x"


def test_url_group_publish_prints_one_id_per_endpoint(
    run: Run, qstash: LocalQStash, endpoint: Recorder
) -> None:
    ok(run("url-groups", "add", "team", endpoint.url + "/a", endpoint.url + "/b"))
    lines = ok(run("publish", "team", "--body", "fan-out")).splitlines()
    assert len(lines) == 2
    ids = {line.split()[0]: line.split()[1] for line in lines}
    qstash.drain()
    delivered = {r.header("Upstash-Message-Id"): r.url for r in endpoint.wait_for(2)}
    assert delivered == ids


def test_queue_flag_enqueues(run: Run, qstash: LocalQStash, endpoint: Recorder) -> None:
    args = ("publish", endpoint.url, "--body", "q", "--queue", "jobs", "--delay", "10s")
    message_id = ok(run(*args)).strip()
    assert qstash.client().messages.get(message_id).queue == "jobs"
    assert qstash.client().queues.get("jobs").name == "jobs"
    qstash.advance(10)
    assert endpoint.wait_for(1)[0].header("Upstash-Message-Id") == message_id


def test_dedup_id_reports_the_duplicate(run: Run, qstash: LocalQStash, endpoint: Recorder) -> None:
    first = ok(run("publish", endpoint.url, "--body", "a", "--dedup-id", "order-7")).strip()
    second = ok(run("publish", endpoint.url, "--body", "a", "--dedup-id", "order-7")).strip()
    assert second == f"{first}  (deduplicated)"
    qstash.drain()
    qstash.advance(5)
    assert len(endpoint.requests) == 1


def test_retries_and_callbacks_reach_the_server(
    run: Run, qstash: LocalQStash, endpoint: Recorder
) -> None:
    endpoint.respond_using(lambda r: Reply(500 if r.path == "/fail" else 200))
    ok(
        run(
            "publish",
            endpoint.url + "/fail",
            "--body",
            "x",
            "--retries",
            "0",
            "--failure-callback",
            endpoint.url + "/failed",
        )
    )
    qstash.drain()
    qstash.advance(1)
    paths = [r.path for r in endpoint.wait_for(2)]
    assert paths == ["/fail", "/failed"]
    [entry] = qstash.client().dlq.list().messages
    assert entry.max_retries == 0


def test_flow_control_flags(run: Run, qstash: LocalQStash, endpoint: Recorder) -> None:
    ok(
        run(
            "publish",
            endpoint.url,
            "--body",
            "x",
            "--flow-key",
            "tenant-1",
            "--flow-parallelism",
            "2",
            "--flow-rate",
            "10",
            "--flow-period",
            "1m",
        )
    )
    key = qstash.client().flow_control.get("tenant-1")
    assert (key.parallelism_max, key.rate_max, key.rate_period) == (2, 10, 60)
    qstash.drain()
    assert len(endpoint.wait_for(1)) == 1


def test_explicit_token_and_url_win_over_the_environment(
    run: Run, qstash: LocalQStash, endpoint: Recorder
) -> None:
    env: dict[str, str | None] = {"QSTASH_TOKEN": "wrong", "QSTASH_URL": "http://127.0.0.1:9"}
    out = run(
        "publish",
        endpoint.url,
        "--body",
        "x",
        "--token",
        qstash.token,
        "--url",
        qstash.url,
        env=env,
    )
    message_id = ok(out).strip()
    qstash.drain()
    assert endpoint.wait_for(1)[0].header("Upstash-Message-Id") == message_id
