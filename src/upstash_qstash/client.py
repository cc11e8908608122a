"""The synchronous client. Its async twin in ``async_client.py`` mirrors it method by method."""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Any, Unpack

import httpx2

from ._config import resolve_base_url, resolve_token
from ._ops import publish as publish_ops
from ._retry import RetryConfig, resolve_retry
from ._sync import SyncDriver
from .models import PublishResponse

__all__ = ["Client"]

DEFAULT_TIMEOUT = httpx2.Timeout(60.0, connect=5.0)


def _merge(request: Mapping[str, Any] | None, kwargs: Mapping[str, Any]) -> dict[str, Any]:
    if request is not None and not isinstance(request, dict):
        raise TypeError(f"expected a dict of options, got {type(request).__name__}")
    return {**(request or {}), **kwargs}


class Client:
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
        http_client: httpx2.Client | None = None,
    ) -> None:
        self._driver = SyncDriver(
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

    def publish(
        self,
        request: publish_ops.PublishRequest | None = None,
        /,
        **kwargs: Unpack[publish_ops.PublishRequest],
    ) -> PublishResponse | list[PublishResponse]:
        """Publish a raw body to a URL or URL group; a URL group answers one result per endpoint."""
        return self._driver.call(
            publish_ops.build_publish(_merge(request, kwargs)), publish_ops.parse_publish
        )

    def publish_json(
        self,
        request: publish_ops.PublishJSONRequest | None = None,
        /,
        **kwargs: Unpack[publish_ops.PublishJSONRequest],
    ) -> PublishResponse | list[PublishResponse]:
        """Publish ``body`` serialised as JSON (``Content-Type: application/json``)."""
        return self._driver.call(
            publish_ops.build_publish(_merge(request, kwargs), as_json=True),
            publish_ops.parse_publish,
        )

    def close(self) -> None:
        """Close the HTTP connections (not an injected ``http_client``)."""
        self._driver.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
