"""Failures: one ``Error: ...`` line, exit 1 for QStash's answers, exit 2 for bad flags."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import Run, failed, invoke, ok

from upstash_qstash.testing.local import LocalQStash
from upstash_qstash.testing.recorder import Recorder


def test_missing_token_names_the_flag_and_the_variable(run: Run, qstash: LocalQStash) -> None:
    line = failed(run("keys", env={"QSTASH_TOKEN": None}), 1)
    assert "--token" in line and "QSTASH_TOKEN" in line
    assert "--token" in failed(run("keys", env={"QSTASH_TOKEN": ""}), 1)


def test_wrong_token_is_the_servers_401(run: Run) -> None:
    line = failed(run("keys", "--token", "not-a-token"), 1)
    assert "401" in line


def test_unknown_ids_report_the_servers_message(run: Run) -> None:
    line = failed(run("messages", "get", "msg_missing"), 1)
    assert line == (
        "Error: QStash answered 404: message 'msg_missing' not found "
        "(it may have been delivered already)"
    )
    for args in (
        ("messages", "cancel", "msg_missing"),
        ("schedules", "get", "scd_missing"),
        ("schedules", "delete", "scd_missing"),
        ("dlq", "get", "dlq_missing"),
        ("flow-control", "get", "no-such-key"),
    ):
        assert "404" in failed(run(*args), 1), args


def test_unreachable_server_is_one_line(run: Run) -> None:
    line = failed(run("keys", "--url", "http://127.0.0.1:9"), 1)
    assert line.startswith("Error: could not reach QStash at http://127.0.0.1:9")


def test_dev_help_names_its_environment_variable_and_default_file(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    from upstash_qstash.server.settings import default_db_path

    shown = " ".join(ok(run("dev", "--help")).split())
    assert "env var: QSTASH_DEV_PORT" in shown
    assert "upstash-qstash/dev.db under $XDG_DATA_HOME, or ~/.local/share when that is unset" in (
        shown
    )
    monkeypatch.setenv("XDG_DATA_HOME", "/data")
    assert default_db_path() == "/data/upstash-qstash/dev.db"


BAD_FLAGS = [
    (["--delay", "abc"], "--delay"),
    (["--delay", "-5s"], "--delay"),
    (["--timeout", "soon"], "--timeout"),
    (["-H", "no-colon"], "Name: value"),
    (["-H", ": empty-name"], "Name: value"),
    (["-H", "Bad Name: x"], "not a valid header name"),
    (["--json-body", "{bad"], "not valid JSON"),
    (["--retries", "-1"], "--retries"),
    (["--retries", "many"], "--retries"),
    (["--method", "FETCH"], "--method"),
    (["--callback", "ftp://example"], "--callback"),
    (["--failure-callback", "nope"], "--failure-callback"),
    (["--body", "a", "--json-body", "1"], "only one of --body, --json-body"),
    (["--flow-rate", "3"], "need --flow-key"),
    (["--flow-key", "k"], "--flow-parallelism or --flow-rate"),
    (["--flow-key", "k", "--flow-parallelism", "0"], "--flow-parallelism"),
    (["--body-file", "/no/such/file"], "--body-file"),
    (["--url", "ftp://qstash"], "--url"),
]


@pytest.mark.parametrize(("flags", "expected"), BAD_FLAGS, ids=[" ".join(f) for f, _ in BAD_FLAGS])
def test_bad_publish_flags_are_usage_errors_and_send_nothing(
    qstash: LocalQStash, endpoint: Recorder, flags: list[str], expected: str
) -> None:
    # QStash's URL points at a recorder: any request the CLI sent would be recorded there.
    env = {"QSTASH_URL": endpoint.url, "QSTASH_TOKEN": qstash.token}
    line = failed(invoke(env, ("publish", "http://127.0.0.1:1/hook", *flags)), 2)
    assert expected in line
    assert endpoint.requests == []


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["publish", "ftp://host/x"], "URL_OR_GROUP"),
        (["publish", "a/b"], "URL_OR_GROUP"),
        (["schedules", "create", "http://127.0.0.1:1"], "--cron"),
        (["url-groups", "add", "team", "not-a-url"], "URL..."),
        (["url-groups", "add", "team"], "URL..."),
        (["messages", "cancel"], "message ids or --all"),
        (["messages", "cancel", "msg_1", "--all"], "message ids or --all"),
        (["queues", "upsert", "q", "--parallelism", "0"], "--parallelism"),
        (["logs", "--state", "LOST"], "--state"),
        (["logs", "--count", "0"], "--count"),
        (["dlq", "list", "--status", "99"], "--status"),
    ],
)
def test_bad_arguments_of_other_commands(
    qstash: LocalQStash, endpoint: Recorder, args: list[str], expected: str
) -> None:
    env = {"QSTASH_URL": endpoint.url, "QSTASH_TOKEN": qstash.token}
    assert expected in failed(invoke(env, tuple(args)), 2)
    assert endpoint.requests == []


def test_sdk_validation_errors_are_usage_errors(run: Run, qstash: LocalQStash) -> None:
    """An empty id is refused by the SDK before any request; the CLI reports it as usage."""
    failed(run("messages", "get", " "), 2)


def test_bad_flags_do_not_change_the_server(run: Run, qstash: LocalQStash) -> None:
    failed(run("publish", "http://127.0.0.1:1", "--delay", "abc"), 2)
    failed(run("schedules", "create", "http://127.0.0.1:1", "--cron", "* * * * *", "-H", "x"), 2)
    client = qstash.client()
    assert client.logs.list().events == []
    assert client.schedules.list() == []


def test_server_rejections_are_exit_1(run: Run, qstash: LocalQStash) -> None:
    line = failed(run("schedules", "create", "http://127.0.0.1:1", "--cron", "not a cron"), 1)
    assert "400" in line
    assert qstash.client().schedules.list() == []


def test_dev_and_management_commands_share_one_entry_point(run: Run) -> None:
    listed = ok(run("--help"))
    for name in (
        "dev",
        "publish",
        "messages",
        "schedules",
        "url-groups",
        "queues",
        "dlq",
        "logs",
        "keys",
        "flow-control",
    ):
        assert f"  {name} " in listed


def test_console_script_exit_codes_and_stderr(qstash: LocalQStash, endpoint: Recorder) -> None:
    """The installed ``qstash`` script in a real process: output, exit codes, one-line errors."""
    script = str(Path(sys.executable).with_name("qstash"))
    env = {**os.environ, **qstash.env()}

    def script_run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [script, *args], capture_output=True, text=True, env=env, timeout=30, check=False
        )

    published = script_run("publish", endpoint.url, "--body", "from the shell")
    assert (published.returncode, published.stderr) == (0, "")
    qstash.drain()
    assert endpoint.wait_for(1)[0].header("Upstash-Message-Id") == published.stdout.strip()

    missing = script_run("messages", "get", "msg_missing")
    assert missing.returncode == 1
    assert missing.stdout == ""
    assert missing.stderr.splitlines() == [
        "Error: QStash answered 404: message 'msg_missing' not found "
        "(it may have been delivered already)"
    ]

    bad = script_run("publish", endpoint.url, "--delay", "soon")
    assert bad.returncode == 2
    assert "Invalid value for '--delay'" in bad.stderr
    assert len(endpoint.requests) == 1


def test_importing_the_cli_does_not_load_the_sdk_client() -> None:
    code = (
        "import sys, upstash_qstash.cli; "
        "print(sorted(m for m in ('upstash_qstash.client', 'httpx2', 'aiohttp') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
