"""Durability: kill -9 the real server while deliveries are in flight; nothing acknowledged is lost.

The server runs as a subprocess (``python -m upstash_qstash.cli dev``) on a SQLite file and the
real clock. The destination holds its answers until the kill, so every delivery is in flight
then; the restarted server must deliver every acknowledged message at least once. The test
waits only on real events (requests arriving, the server announcing its URL).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx2

from upstash_qstash.server.settings import DEV_USERS
from upstash_qstash.testing.process import DevServerProcess
from upstash_qstash.testing.recorder import RecordedRequest, Recorder, Reply

TOKEN = DEV_USERS[0].token
N = 50


def _ids(requests: list[RecordedRequest]) -> set[str]:
    return {r.header("Upstash-Message-Id") or "" for r in requests}


def test_kill_9_during_deliveries_loses_no_acknowledged_message(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    release = threading.Event()

    def slow_until_released(request: RecordedRequest) -> Reply:
        # Before the kill every answer is held back long enough to still be in flight.
        return Reply(200) if release.is_set() else Reply(200, delay=2.0)

    with Recorder() as endpoint:
        endpoint.respond_using(slow_until_released)
        acknowledged: list[str] = []
        with DevServerProcess("--db", str(db)) as server:
            with httpx2.Client(
                base_url=server.url, headers={"Authorization": f"Bearer {TOKEN}"}
            ) as http:
                for i in range(N):
                    response = http.post(f"/v2/publish/{endpoint.url}/job/{i}", content=f"job {i}")
                    assert response.status_code == 200, response.text
                    acknowledged.append(response.json()["messageId"])
            # Wait until deliveries have reached the destination, then kill -9 mid-flight.
            endpoint.wait_for(10, timeout=20)
            server.kill()
        before_restart = len(endpoint.requests)
        assert before_restart < 2 * N
        release.set()
        with DevServerProcess("--db", str(db)) as restarted:
            deadline = time.monotonic() + 30
            seen: set[str] = set()
            count = before_restart
            while not set(acknowledged) <= seen:
                remaining = deadline - time.monotonic()
                assert remaining > 0, f"lost: {set(acknowledged) - seen}"
                requests = endpoint.wait_for(count + 1, timeout=remaining)
                seen = _ids(requests)
                count = len(requests)
            assert len(set(acknowledged)) == N
            # The restarted server knows about nothing still pending for these messages.
            with httpx2.Client(
                base_url=restarted.url, headers={"Authorization": f"Bearer {TOKEN}"}
            ) as http:
                states = http.get("/v2/events", params={"state": "DELIVERED", "count": 1000})
                delivered = {e["messageId"] for e in states.json()["events"]}
        # Messages answered only after the kill are logged DELIVERED by the new process.
        assert delivered <= set(acknowledged)
        assert len(delivered) > 0
