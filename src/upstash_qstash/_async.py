"""The asynchronous driver: the only place the async SDK does I/O (send, sleep)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

import httpx2

from ._errors import APIConnectionError, APITimeoutError
from ._flow import Flow, call, repeat
from ._http import Request, Response, Sleep, TransportFailure
from ._retry import RetryPolicy

__all__ = ["AsyncDriver"]

T = TypeVar("T")
P = TypeVar("P")


class AsyncDriver:
    # Indirection points for tests that count sleeps or pin the time.
    sleep: Callable[[float], Awaitable[None]] = staticmethod(asyncio.sleep)
    now: Callable[[], float] = staticmethod(time.time)

    def __init__(
        self,
        *,
        base_url: str,
        token: str,
        retry: RetryPolicy,
        timeout: float | httpx2.Timeout,
        http_client: httpx2.AsyncClient | None,
    ) -> None:
        self.base_url = base_url
        self.retry = retry
        self._auth = f"Bearer {token}"
        self._owns_client = http_client is None
        self._client = (
            http_client if http_client is not None else httpx2.AsyncClient(timeout=timeout)
        )
        self._timeout = timeout

    async def _send(self, request: Request) -> Response | TransportFailure:
        headers = [("Authorization", self._auth), *request.headers]
        try:
            response = await self._client.request(
                request.method,
                self.base_url + request.path,
                params=list(request.query) or None,
                headers=headers,
                content=request.body,
                timeout=self._timeout,
            )
        except httpx2.TimeoutException as exc:
            return TransportFailure(APITimeoutError(f"request to QStash timed out: {exc}"))
        except httpx2.TransportError as exc:
            return TransportFailure(
                APIConnectionError(f"could not reach QStash at {self.base_url}: {exc}")
            )
        return Response(
            response.status_code,
            {k.lower(): v for k, v in response.headers.items()},
            response.content,
        )

    async def run(self, flow: Flow[T]) -> T:
        step = next(flow)
        while True:
            outcome: Response | TransportFailure | None
            if isinstance(step, Sleep):
                await self.sleep(step.seconds)
                outcome = None
            else:
                outcome = await self._send(step)
            try:
                step = flow.send(outcome)
            except StopIteration as stop:
                result: T = stop.value
                return result

    async def call(self, request: Request, parse: Callable[[Response], T]) -> T:
        return await self.run(call(request, parse, self.retry, self.now))

    async def collect(
        self,
        build: Callable[[str | None], Request],
        read: Callable[[Response], tuple[P, str | None]],
        combine: Callable[[list[P]], T],
    ) -> T:
        """Run a bulk operation page by page until the server returns no cursor."""
        return combine(await self.run(repeat(build, read, self.retry, self.now)))

    def iterate(
        self,
        build: Callable[[str | None], Request],
        parse: Callable[[Response], P],
        items: Callable[[P], tuple[list[T], str | None]],
    ) -> AsyncIterator[T]:
        """Items of every page, fetching the next page only when the previous one is used up.

        The first request is built (so the options are checked) before this returns.
        """
        return self._pages(build(None), build, parse, items)

    async def _pages(
        self,
        first: Request,
        build: Callable[[str | None], Request],
        parse: Callable[[Response], P],
        items: Callable[[P], tuple[list[T], str | None]],
    ) -> AsyncIterator[T]:
        request, seen = first, set[str]()
        while True:
            page_items, cursor = items(await self.call(request, parse))
            for item in page_items:
                yield item
            if not cursor or cursor in seen:
                return
            seen.add(cursor)
            request = build(cursor)

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()
