"""Publishes per second: our SDK vs the official PyPI ``qstash`` client (run by hand).

    uv run python benchmarks/sdk_publish.py [--messages 2000] [--concurrency 64] [--rounds 3]

Starts ``qstash dev --in-memory`` as a subprocess (the real clock) and publishes JSON messages
to a loopback URL with each client, in the same run against the same server:

* sync: one client, one publish after the other;
* async: one client, ``--concurrency`` publishes in flight (an ``asyncio.Semaphore``).

Messages carry a one-hour delay so no delivery competes with the publishes being measured;
the server is stopped before any falls due. Rounds alternate between the clients, and the best
round of each is reported (the least disturbed by the rest of the machine).

A last table measures each sync client's own cost per publish without a network: ours with an
``httpx2.MockTransport``, the official one with its (private) ``httpx.Client`` replaced by one on
an ``httpx.MockTransport``. This isolates what the SDK adds from what the server costs.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import httpx2
import qstash

from upstash_qstash import AsyncClient, Client
from upstash_qstash.testing.process import DevServerProcess

TOKEN = "eyJVc2VySUQiOiJkZWZhdWx0VXNlciIsIlBhc3N3b3JkIjoiZGVmYXVsdFBhc3N3b3JkIn0="
DESTINATION = "http://127.0.0.1:9/bench"
BODY = {"hello": "world", "n": 1}


def rate_sync(publish: Callable[[], Any], n: int) -> float:
    publish()  # warm the connection
    start = time.perf_counter()
    for _ in range(n):
        publish()
    return n / (time.perf_counter() - start)


async def rate_async(publish: Callable[[], Awaitable[Any]], n: int, concurrency: int) -> float:
    await publish()
    gate = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with gate:
            await publish()

    start = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(n)))
    return n / (time.perf_counter() - start)


def ours_sync(url: str, n: int) -> float:
    with Client(TOKEN, base_url=url) as client:
        return rate_sync(lambda: client.publish_json(url=DESTINATION, body=BODY, delay="1h"), n)


def official_sync(url: str, n: int) -> float:
    client = qstash.QStash(TOKEN, base_url=url)
    return rate_sync(lambda: client.message.publish_json(url=DESTINATION, body=BODY, delay="1h"), n)


def ours_async(url: str, n: int, concurrency: int) -> float:
    async def main() -> float:
        async with AsyncClient(TOKEN, base_url=url) as client:
            return await rate_async(
                lambda: client.publish_json(url=DESTINATION, body=BODY, delay="1h"),
                n,
                concurrency,
            )

    return asyncio.run(main())


def official_async(url: str, n: int, concurrency: int) -> float:
    async def main() -> float:
        client = qstash.AsyncQStash(TOKEN, base_url=url)
        return await rate_async(
            lambda: client.message.publish_json(url=DESTINATION, body=BODY, delay="1h"),
            n,
            concurrency,
        )

    return asyncio.run(main())


def _reply2(request: httpx2.Request) -> httpx2.Response:
    return httpx2.Response(200, json={"messageId": "msg_1", "url": DESTINATION})


def _reply1(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"messageId": "msg_1", "url": DESTINATION})


def overhead(n: int) -> dict[str, float]:
    """Publishes per second with the network replaced by an in-memory transport."""
    ours = Client(
        TOKEN,
        base_url="http://qstash.test",
        http_client=httpx2.Client(transport=httpx2.MockTransport(_reply2)),
    )
    official = qstash.QStash(TOKEN, base_url="http://qstash.test")
    official.http._client = httpx.Client(transport=httpx.MockTransport(_reply1))
    rates = {
        "ours": rate_sync(lambda: ours.publish_json(url=DESTINATION, body=BODY, delay="1h"), n),
        "official": rate_sync(
            lambda: official.message.publish_json(url=DESTINATION, body=BODY, delay="1h"), n
        ),
    }
    ours.close()
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    server = DevServerProcess("--in-memory").start()
    url = server.url
    try:
        best: dict[str, float] = {}
        runs: list[tuple[str, Callable[[], float]]] = [
            ("ours sync", lambda: ours_sync(url, args.messages)),
            ("official sync", lambda: official_sync(url, args.messages)),
            ("ours async", lambda: ours_async(url, args.messages, args.concurrency)),
            ("official async", lambda: official_async(url, args.messages, args.concurrency)),
        ]
        for _ in range(args.rounds):
            for name, run in runs:
                best[name] = max(best.get(name, 0.0), run())
    finally:
        server.stop()
    print(
        f"python {platform.python_version()}, {platform.machine()}, "
        f"qstash {qstash.__version__ if hasattr(qstash, '__version__') else '?'}, "
        f"{args.messages} messages x {args.rounds} rounds, async concurrency {args.concurrency}"
    )
    print("| mode | ours (publishes/s) | official qstash (publishes/s) | ratio |")
    print("|---|---|---|---|")
    for mode in ("sync", "async"):
        ours, theirs = best[f"ours {mode}"], best[f"official {mode}"]
        print(f"| {mode} | {ours:,.0f} | {theirs:,.0f} | {ours / theirs:.2f}x |")
    cost = {"ours": 0.0, "official": 0.0}
    for _ in range(args.rounds):
        for name, rate in overhead(args.messages * 2).items():
            cost[name] = max(cost[name], rate)
    print()
    print("| client cost, no network | ours | official qstash | ratio |")
    print("|---|---|---|---|")
    print(
        f"| sync publishes/s (us each) | {cost['ours']:,.0f} ({1e6 / cost['ours']:.0f}) "
        f"| {cost['official']:,.0f} ({1e6 / cost['official']:.0f}) "
        f"| {cost['ours'] / cost['official']:.2f}x |"
    )


if __name__ == "__main__":
    main()
