"""Memory: our SDK next to the official PyPI `qstash` client, and the local server's footprint.

Run by hand: `uv run python benchmarks/memory.py [--messages 10000]`.

1. SDK: in a fresh interpreter each, the peak RSS and the import time of importing the
   package and creating a client (ours: `upstash_qstash.Client`; official: `qstash.QStash`),
   then the RSS after 1,000 publishes against the same local server.
2. Server: the RSS (VmRSS / VmHWM from /proc) of `qstash dev` on a SQLite file when idle and
   after it has accepted `--messages` delayed messages (kept in the database, not in memory).
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx2

from upstash_qstash.testing.process import DevServerProcess

CLIENT_SCRIPT = r"""
import json, resource, sys, time
which, url, token, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
t0 = time.perf_counter()
if which == "ours":
    from upstash_qstash import Client
    client = Client(token, base_url=url)
    publish = lambda i: client.publish_json(url="http://127.0.0.1:9/x", body={"i": i}, delay=86400)
else:
    from qstash import QStash
    client = QStash(token, base_url=url)
    publish = lambda i: client.message.publish_json(url="http://127.0.0.1:9/x", body={"i": i}, delay=86400)
import_ms = (time.perf_counter() - t0) * 1000
rss_import = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
for i in range(n):
    publish(i)
rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"import_ms": import_ms, "rss_import_kb": rss_import, "rss_after_kb": rss_after}))
"""


def proc_memory(pid: int) -> dict[str, int]:
    out: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    return out


def client_memory(which: str, url: str, token: str, n: int) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, "-c", CLIENT_SCRIPT, which, url, token, str(n)],
        capture_output=True,
        text=True,
        check=True,
    )
    data: dict[str, float] = json.loads(result.stdout)
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--publishes", type=int, default=1_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = DevServerProcess("--db", str(Path(tmp) / "mem.db")).start()
        try:
            pid = server.process.pid
            token = server.env["QSTASH_TOKEN"]
            idle = proc_memory(pid)
            clients = {
                which: min(
                    (client_memory(which, server.url, token, args.publishes) for _ in range(3)),
                    key=lambda r: r["rss_after_kb"],
                )
                for which in ("ours", "official")
            }
            with httpx2.Client(
                base_url=server.url, headers={"Authorization": f"Bearer {token}"}
            ) as http:
                for i in range(args.messages):
                    http.post(
                        "/v2/publish/http://127.0.0.1:9/x",
                        content=json.dumps({"i": i}),
                        headers={"Upstash-Delay": "1d"},
                    ).raise_for_status()
            loaded = proc_memory(pid)
        finally:
            server.stop()
    print(f"python {platform.python_version()}, {platform.machine()}")
    print("| client | import + client (ms) | peak RSS after import (MiB) | after publishes (MiB) |")
    print("|---|---|---|---|")
    for which, r in clients.items():
        print(
            f"| {which} | {r['import_ms']:.0f} | {r['rss_import_kb'] / 1024:.1f} "
            f"| {r['rss_after_kb'] / 1024:.1f} |"
        )
    print()
    print("| server | RSS (MiB) | peak RSS (MiB) |")
    print("|---|---|---|")
    print(f"| idle | {idle['VmRSS'] / 1024:.1f} | {idle['VmHWM'] / 1024:.1f} |")
    print(
        f"| after {args.messages} pending messages (+{len(clients) * 3 * args.publishes} "
        f"from the client runs) | {loaded['VmRSS'] / 1024:.1f} | {loaded['VmHWM'] / 1024:.1f} |"
    )


if __name__ == "__main__":
    main()
