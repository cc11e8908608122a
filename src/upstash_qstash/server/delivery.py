"""Outbound HTTP to destinations, behind a small interface (aiohttp by default)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Protocol

import aiohttp

__all__ = ["AiohttpDeliverer", "Deliverer", "DeliveryRequest", "DeliveryResult"]


@dataclass(slots=True)
class DeliveryRequest:
    url: str
    method: str
    headers: list[tuple[str, str]]
    body: bytes
    timeout: float


@dataclass(slots=True)
class DeliveryResult:
    status: int | None
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class Deliverer(Protocol):
    async def deliver(self, request: DeliveryRequest) -> DeliveryResult: ...

    async def close(self) -> None: ...


class AiohttpDeliverer:
    """Sends deliveries over one pooled aiohttp session; never raises for network trouble."""

    def __init__(
        self, *, max_connections: int = 256, max_response_bytes: int = 10 * 1024 * 1024
    ) -> None:
        self._max_connections = max_connections
        self._max_response_bytes = max_response_bytes
        self._session: aiohttp.ClientSession | None = None

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._max_connections, force_close=False),
                auto_decompress=False,
                skip_auto_headers=("User-Agent", "Content-Type", "Accept", "Accept-Encoding"),
            )
        return self._session

    async def deliver(self, request: DeliveryRequest) -> DeliveryResult:
        session = self._get_session()
        try:
            async with session.request(
                request.method,
                request.url,
                headers=request.headers,
                data=request.body
                if request.body or request.method not in ("GET", "HEAD")
                else None,
                timeout=aiohttp.ClientTimeout(total=request.timeout),
                allow_redirects=False,
            ) as response:
                body = await response.content.read(self._max_response_bytes)
                return DeliveryResult(response.status, list(response.headers.items()), body)
        except TimeoutError:
            return DeliveryResult(None, error=f"request timed out after {request.timeout:g}s")
        except aiohttp.ClientError as exc:
            return DeliveryResult(None, error=f"{type(exc).__name__}: {exc}")
        except (OSError, ValueError) as exc:
            return DeliveryResult(None, error=f"{type(exc).__name__}: {exc}")

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
            await asyncio.sleep(0)
