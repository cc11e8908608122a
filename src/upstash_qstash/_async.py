"""The asynchronous driver: the only place the async SDK does I/O (send, sleep)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TypeVar

import httpx2

from ._errors import APIConnectionError, APITimeoutError
from ._flow import Flow, send
from ._http import Request, Response, Sleep, TransportFailure
from ._retry import RetryPolicy

__all__ = ["AsyncDriver"]

T = TypeVar("T")


class AsyncDriver:
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

    async def run(self, flow: Flow) -> Response:
        step = next(flow)
        while True:
            outcome: Response | TransportFailure | None
            if isinstance(step, Sleep):
                await asyncio.sleep(step.seconds)
                outcome = None
            else:
                outcome = await self._send(step)
            try:
                step = flow.send(outcome)
            except StopIteration as stop:
                result: Response = stop.value
                return result

    async def call(self, request: Request, parse: Callable[[Response], T]) -> T:
        return parse(await self.run(send(request, self.retry, time.time)))

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()
