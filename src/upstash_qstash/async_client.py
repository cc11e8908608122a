"""The asynchronous client, the twin of ``client.py`` (a test keeps them identical)."""

from __future__ import annotations

from types import TracebackType
from typing import Unpack

import httpx2

from ._async import AsyncDriver
from ._config import resolve_base_url, resolve_token
from ._ops import publish as publish_ops
from ._retry import RetryConfig, resolve_retry
from .client import DEFAULT_TIMEOUT, _merge
from .models import PublishResponse

__all__ = ["AsyncClient"]


class AsyncClient:
    """QStash client.

    ``Client("TOKEN")``, ``Client("TOKEN", {"attempts": 2, "backoff": lambda n: ...})`` or
    ``Client()`` with ``QSTASH_TOKEN`` (and optionally ``QSTASH_URL``) in the environment.
    ``retry`` configures calls to QStash itself, not deliveries to your endpoints.
    """

    def __init__(
        self,
        token: str | None = None,
        retry: RetryConfig | bool | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx2.Timeout = DEFAULT_TIMEOUT,
        http_client: httpx2.AsyncClient | None = None,
    ) -> None:
        self._driver = AsyncDriver(
            base_url=resolve_base_url(base_url),
            token=resolve_token(token),
            retry=resolve_retry(retry),
            timeout=timeout,
            http_client=http_client,
        )

    @property
    def base_url(self) -> str:
        """The QStash URL this client talks to."""
        return self._driver.base_url

    async def publish(
        self,
        request: publish_ops.PublishRequest | None = None,
        /,
        **kwargs: Unpack[publish_ops.PublishRequest],
    ) -> PublishResponse | list[PublishResponse]:
        """Publish a raw body to a URL or URL group; a URL group answers one result per endpoint."""
        return await self._driver.call(
            publish_ops.build_publish(_merge(request, kwargs)), publish_ops.parse_publish
        )

    async def publish_json(
        self,
        request: publish_ops.PublishJSONRequest | None = None,
        /,
        **kwargs: Unpack[publish_ops.PublishJSONRequest],
    ) -> PublishResponse | list[PublishResponse]:
        """Publish ``body`` serialised as JSON (``Content-Type: application/json``)."""
        return await self._driver.call(
            publish_ops.build_publish(_merge(request, kwargs), as_json=True),
            publish_ops.parse_publish,
        )

    async def close(self) -> None:
        """Close the HTTP connections (not an injected ``http_client``)."""
        await self._driver.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
