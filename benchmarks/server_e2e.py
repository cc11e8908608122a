"""End-to-end throughput and latency of the local server (run by hand, not by pytest).

    uv run python benchmarks/server_e2e.py [--messages 3000] [--concurrency 32]

Starts ``qstash dev`` as a subprocess on a SQLite file (the real clock), publishes messages
to a local aiohttp endpoint with an aiohttp client, and reports:

* publish rate (acknowledged publishes per second),
* delivery rate (messages delivered per second, first publish to last delivery),
* delivery latency p50/p99 (publish sent -> request at the endpoint),
* the raw loopback rate of the same aiohttp client against the same endpoint (the ceiling),
* sequential publishes per second with the official ``qstash`` client and with our ``Client``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import web

from upstash_qstash.testing.process import DevServerProcess

TOKEN = "eyJVc2VySUQiOiJkZWZhdWx0VXNlciIsIlBhc3N3b3JkIjoiZGVmYXVsdFBhc3N3b3JkIn0="


class Endpoint:
    """Counts requests and notes when each numbered message arrived."""

    def __init__(self) -> None:
        self.arrived: dict[int, float] = {}
        self.count = 0
        self.expected = 0
        self.done = asyncio.Event()
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        now = time.perf_counter()
        self.count += 1
        if request.headers.get("Upstash-Message-Id") and body.isdigit():
            self.arrived.setdefault(int(body), now)
        if self.expected and len(self.arrived) >= self.expected:
            self.done.set()
        return web.Response(text="ok")

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


async def run_pool(n: int, concurrency: int, one: object) -> float:
    """Run ``one(i)`` for i in range(n) with ``concurrency`` workers; returns seconds taken."""
    counter = iter(range(n))

    async def worker() -> None:
        for i in counter:
            await one(i)  # type: ignore[operator]

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - start


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def end_to_end(server_url: str, n: int, concurrency: int) -> dict[str, float]:
    endpoint = Endpoint()
    await endpoint.start()
    sent: dict[int, float] = {}
    headers = {"Authorization": f"Bearer {TOKEN}"}
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:
        # Warm up both connections and the server.
        for _i in range(50):
            async with session.post(f"{server_url}/v2/publish/{endpoint.url}/warm", data=b"w") as r:
                await r.read()
        await asyncio.sleep(0.5)
        endpoint.expected = n

        async def publish(i: int) -> None:
            sent[i] = time.perf_counter()
            async with session.post(
                f"{server_url}/v2/publish/{endpoint.url}/m", data=str(i).encode()
            ) as response:
                await response.read()
                assert response.status == 200, response.status

        first = time.perf_counter()
        publish_seconds = await run_pool(n, concurrency, publish)
        await asyncio.wait_for(endpoint.done.wait(), timeout=300)
        last = max(endpoint.arrived.values())
        latencies = [(endpoint.arrived[i] - sent[i]) * 1000 for i in range(n)]

        # The ceiling: the same client straight at the same endpoint.
        async def direct(i: int) -> None:
            async with session.post(f"{endpoint.url}/direct", data=b"x") as response:
                await response.read()

        raw_seconds = await run_pool(n, concurrency, direct)
    await endpoint.stop()
    return {
        "publish_per_s": n / publish_seconds,
        "delivered_per_s": n / (last - first),
        "latency_p50_ms": pct(latencies, 0.50),
        "latency_p99_ms": pct(latencies, 0.99),
        "latency_mean_ms": statistics.fmean(latencies),
        "raw_loopback_per_s": n / raw_seconds,
    }


def sequential_clients(server_url: str, n: int, rounds: int = 2) -> dict[str, float]:
    """Publishes per second, one at a time, with the official client and with ours.

    The two run in turns (the database grows as they go); the best round of each counts.
    """
    from upstash_qstash import Client

    destination = "http://127.0.0.1:9/never"  # delayed a day: this measures publishing only
    best: dict[str, float] = {}

    def measure(name: str, publish: object) -> None:
        start = time.perf_counter()
        for i in range(n):
            publish(i)  # type: ignore[operator]
        best[name] = max(best.get(name, 0.0), n / (time.perf_counter() - start))

    ours = Client(TOKEN, base_url=server_url)
    try:
        from qstash import QStash

        official: QStash | None = QStash(TOKEN, base_url=server_url)
    except ImportError:
        official = None
    for _ in range(rounds):
        if official is not None:
            measure(
                "official_qstash_publish_per_s",
                lambda i: official.message.publish(url=destination, body=str(i), delay="1d"),
            )
        measure(
            "our_client_publish_per_s",
            lambda i: ours.publish(url=destination, body=str(i), delay=86400),
        )
    ours.close()
    if official is not None:
        official.http._client.close()
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--sequential", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = DevServerProcess("--db", str(Path(tmp) / "bench.db")).start()
        url = server.url
        try:
            results = asyncio.run(end_to_end(url, args.messages, args.concurrency))
            results.update(sequential_clients(url, args.sequential))
        finally:
            server.stop()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"messages: {args.messages}, concurrency: {args.concurrency}, db: SQLite file (WAL)")
    for key, value in results.items():
        print(f"{key:32s} {value:10.1f}")


if __name__ == "__main__":
    main()
