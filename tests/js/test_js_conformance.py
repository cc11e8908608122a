"""The official npm client `@upstash/qstash` against the local server, unchanged.

The client's package is installed from the npm registry into tests/js/node_modules (by
`.ci/run`, or by this module on first use).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from upstash_qstash.testing.local import LocalQStash
from upstash_qstash.testing.recorder import Recorder

HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def node() -> str:
    node = shutil.which("node")
    npm = shutil.which("npm")
    assert node and npm, "Node.js and npm are needed for the npm-client conformance tests"
    if not (HERE / "node_modules" / "@upstash" / "qstash").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True, timeout=300)
    return node


def _run(node: str, script: str, env: dict[str, str]) -> list[dict[str, Any]]:
    result = subprocess.run(
        [node, script],
        cwd=HERE,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def test_npm_client_drives_every_resource(
    node: str, qstash: LocalQStash, endpoint: Recorder
) -> None:
    lines = _run(node, "conformance.mjs", {**qstash.env(), "DEST": endpoint.url})
    steps = {line["step"]: line for line in lines}
    failed = {name: line["error"] for name, line in steps.items() if not line["ok"]}
    assert failed == {}
    result = {name: line["result"] for name, line in steps.items()}

    assert result["publishJSON"]["messageId"].startswith("msg_")
    delayed = result["publishDelayed"]["messageId"]
    assert result["messagesGet"]["messageId"] == delayed
    assert result["messagesGet"]["url"] == f"{endpoint.url}/js/later"
    assert result["messagesCancel"] == {"cancelled": 1}
    assert len(result["batchJSON"]) == 2
    assert {e["name"]: e["url"] for e in result["urlGroupsGet"]["endpoints"]} == {
        "e1": f"{endpoint.url}/js/g1",
        "e2": f"{endpoint.url}/js/g2",
    }
    assert sorted(m["url"] for m in result["publishToGroup"]) == [
        f"{endpoint.url}/js/g1",
        f"{endpoint.url}/js/g2",
    ]
    assert [e["name"] for e in result["urlGroupsGetAfterRemove"]["endpoints"]] == ["e1"]
    assert result["queueGet"]["name"] == "js-queue" and result["queueGet"]["parallelism"] == 1
    assert result["queueGetPaused"]["paused"] is True
    assert result["schedulesGet"]["cron"] == "*/5 * * * *"
    assert result["schedulesGet"]["destination"] == f"{endpoint.url}/js/cron"
    assert result["schedulesGetPaused"]["isPaused"] is True
    assert result["flowControlGet"]["flowControlKey"] == "js-fc"
    pinned = result["flowControlGetPinned"]
    assert (pinned["parallelismMax"], pinned["rateMax"], pinned["ratePeriod"]) == (3, 20, 120)
    assert pinned["isPinnedParallelism"] is True and pinned["isPinnedRate"] is True
    assert "parallelismMax" in result["globalParallelism"]
    assert isinstance(result["dlqList"]["messages"], list)
    assert {"CREATED", "CANCELED"} <= {log["state"] for log in result["logs"]["logs"]}

    qstash.drain()
    paths = {r.path for r in endpoint.requests}
    assert {"/js/json", "/js/raw", "/js/b1", "/js/b2", "/js/g1", "/js/g2", "/js/queued"} <= paths
    assert "/js/later" not in paths
    raw = next(r for r in endpoint.requests if r.path == "/js/raw")
    assert raw.method == "PUT" and raw.body == b"raw text"
    sent = next(r for r in endpoint.requests if r.path == "/js/json")
    assert sent.header("X-From") == "js" and json.loads(sent.body) == {"hello": "js"}


def test_npm_receiver_verifies_our_deliveries(
    node: str, qstash: LocalQStash, endpoint: Recorder
) -> None:
    with qstash.client() as client:
        client.publish(url=endpoint.url + "/verify-me", body="é and bytes \x00\x01")
    qstash.drain()
    [delivery] = endpoint.wait_for(1)
    env = {
        **qstash.env(),
        "SIGNATURE": delivery.header("Upstash-Signature") or "",
        "BODY_BASE64": base64.b64encode(delivery.body).decode(),
        "URL": endpoint.url + "/verify-me",
    }
    assert _run(node, "verify.mjs", env) == [{"ok": True}]
    tampered = {**env, "BODY_BASE64": base64.b64encode(delivery.body + b"!").decode()}
    [answer] = _run(node, "verify.mjs", tampered)
    assert answer["ok"] is False


def test_npm_client_dev_mode_attaches_to_our_server(
    node: str, qstash: LocalQStash, endpoint: Recorder
) -> None:
    port = qstash.url.rsplit(":", 1)[1]
    env = {"QSTASH_DEV": "true", "QSTASH_DEV_PORT": port, "DEST": endpoint.url, "NODE_ENV": "test"}
    clean = {k: v for k, v in os.environ.items() if not k.startswith("QSTASH_")}
    result = subprocess.run(
        [node, "devmode.mjs"],
        cwd=HERE,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    [answer] = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert answer["ok"] is True, answer
    assert "already running" in result.stdout + result.stderr
    qstash.drain()
    [delivery] = endpoint.wait_for(1)
    assert delivery.path == "/dev-mode"
    assert delivery.header("Upstash-Message-Id") == answer["messageId"]
