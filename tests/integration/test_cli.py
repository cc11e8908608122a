"""`qstash dev` as a user runs it: the console script in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from upstash_qstash.server.settings import DEV_USERS
from upstash_qstash.testing.process import DevServerProcess

SCRIPT = str(Path(sys.executable).with_name("qstash"))


@pytest.fixture
def dev_server(tmp_path: Path) -> Iterator[DevServerProcess]:
    with DevServerProcess("--db", str(tmp_path / "dev.db"), command=[SCRIPT]) as server:
        yield server


def test_dev_prints_the_default_user_env_and_serves_keys(dev_server: DevServerProcess) -> None:
    env = dev_server.env
    user = DEV_USERS[0]
    assert env["QSTASH_TOKEN"] == user.token
    assert env["QSTASH_CURRENT_SIGNING_KEY"] == user.current_signing_key
    assert env["QSTASH_NEXT_SIGNING_KEY"] == user.next_signing_key
    assert env["QSTASH_URL"].startswith("http://127.0.0.1:")
    keys = httpx2.get(
        env["QSTASH_URL"] + "/v2/keys", headers={"Authorization": f"Bearer {user.token}"}
    )
    assert keys.json() == {"current": user.current_signing_key, "next": user.next_signing_key}
    assert dev_server.stop() == 0  # SIGTERM is a clean shutdown


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--port", "abc"], "--port"),
        (["--port", "70000"], "--port"),
        (["--in-memory", "--db", "x.db"], "either --db or --in-memory"),
        (["--max-body-size", "0"], "--max-body-size"),
    ],
)
def test_bad_flags_fail_with_a_clear_message(
    args: list[str], expected: str, tmp_path: Path
) -> None:
    result = subprocess.run(
        [SCRIPT, "dev", *args], capture_output=True, text=True, timeout=30, cwd=tmp_path
    )
    assert result.returncode != 0
    assert expected in result.stderr
    assert not (tmp_path / "x.db").exists()


def test_port_in_use_is_reported(dev_server: DevServerProcess) -> None:
    env = dev_server.env
    port = env["QSTASH_URL"].rsplit(":", 1)[1]
    result = subprocess.run(
        [SCRIPT, "dev", "--port", port, "--in-memory"],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ},
    )
    assert result.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_dev_server_process_reports_a_server_that_does_not_start() -> None:
    with pytest.raises(RuntimeError, match="exited before announcing its URL") as caught:
        DevServerProcess("--in-memory", "--db", "x.db", command=[SCRIPT]).start()
    assert "either --db or --in-memory" in str(caught.value)


def test_without_the_server_extra_the_command_says_what_to_install() -> None:
    code = "import sys; sys.modules['click'] = None; from upstash_qstash.cli import main; main()"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 1
    assert "pip install 'upstash-qstash[server]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_without_the_server_extra_the_server_import_says_what_to_install() -> None:
    code = "import sys; sys.modules['aiohttp'] = None; import upstash_qstash.server"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 1
    assert "needs the [server] extra: pip install 'upstash-qstash[server]'" in result.stderr
