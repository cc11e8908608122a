"""Every script in ``examples/`` runs to completion against the local server."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from upstash_qstash.server.clock import SystemClock
from upstash_qstash.testing.local import LocalQStash
from upstash_qstash.testing.recorder import Recorder, Reply

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SCRIPTS = sorted(p.name for p in EXAMPLES.glob("*.py"))


@pytest.fixture(scope="module")
def live() -> Iterator[tuple[LocalQStash, Recorder]]:
    # The real clock: the receiver example checks signature times against the wall clock.
    with LocalQStash(clock=SystemClock()) as server, Recorder() as recorder:
        recorder.respond_using(
            lambda request: Reply(500) if request.path.startswith("/fail") else Reply(200)
        )
        yield server, recorder


def test_there_is_an_example_per_resource() -> None:
    assert set(SCRIPTS) >= {
        "publish.py",
        "async_publish.py",
        "url_groups.py",
        "schedules.py",
        "queues.py",
        "dlq.py",
        "logs.py",
        "signing_keys.py",
        "flow_control.py",
        "receiver.py",
    }


@pytest.fixture(scope="module")
def runs(live: tuple[LocalQStash, Recorder]) -> dict[str, tuple[int, str, str]]:
    """Every example started at once (they use separate names), then awaited."""
    server, recorder = live
    env = {
        **os.environ,
        **server.env(),
        "DESTINATION_URL": recorder.url + "/ok",
        "FAILING_URL": recorder.url + "/fail",
    }
    procs = {
        script: subprocess.Popen(
            [sys.executable, str(EXAMPLES / script)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for script in SCRIPTS
    }
    results: dict[str, tuple[int, str, str]] = {}
    for script, proc in procs.items():
        try:
            out, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        results[script] = (proc.returncode, out, err)
    return results


@pytest.mark.parametrize("script", SCRIPTS)
def test_example_runs(script: str, runs: dict[str, tuple[int, str, str]]) -> None:
    returncode, out, err = runs[script]
    assert returncode == 0, out + err
    assert out.strip(), "the example printed nothing"
