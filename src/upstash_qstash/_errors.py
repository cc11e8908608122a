"""The error tree shared by the SDK, the Receiver and the local server.

``status_error_class`` maps an HTTP status to the class the SDK raises; the local server
uses ``STATUS_PHRASES`` for its own error bodies, so both sides agree on the table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BurstRateLimitError",
    "ConfigurationError",
    "DailyLimitError",
    "InternalServerError",
    "NotFoundError",
    "PlanLimitError",
    "QStashError",
    "RateLimitError",
    "RequestValidationError",
    "SignatureError",
    "status_error_class",
]


class QStashError(Exception):
    """Root of every error this package raises."""


class ConfigurationError(QStashError):
    """A token, URL or signing key is missing or invalid."""


class RequestValidationError(QStashError, ValueError):
    """An argument was rejected before any request was sent.

    ``field`` names the offending argument (dotted for nested ones, e.g. ``flow_control.key``).
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


class SignatureError(QStashError):
    """An ``Upstash-Signature`` could not be verified; the message says which check failed."""


class APIConnectionError(QStashError):
    """QStash could not be reached (DNS, refused connection, reset, ...)."""


class APITimeoutError(APIConnectionError):
    """The request to QStash timed out."""


class APIStatusError(QStashError):
    """QStash answered with a non-2xx status."""

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: str = "",
    ) -> None:
        super().__init__(f"QStash answered {status_code}: {message}")
        self.status_code = status_code
        self.message = message
        self.headers: dict[str, str] = {k.lower(): v for k, v in (headers or {}).items()}
        self.body = body


class BadRequestError(APIStatusError):
    """400: QStash rejected the request's content."""


class AuthenticationError(APIStatusError):
    """401: the token is missing or wrong."""


class NotFoundError(APIStatusError):
    """404: the message, schedule, queue, URL group or DLQ entry does not exist."""


class PlanLimitError(APIStatusError):
    """412: a plan limit (body size, queues, schedules, parallelism) was exceeded."""


class RateLimitError(APIStatusError):
    """429: too many requests. ``limit``, ``remaining`` and ``reset`` come from the headers."""

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: str = "",
    ) -> None:
        super().__init__(status_code, message, headers=headers, body=body)
        prefix = self._header_prefix()
        self.limit: str | None = self.headers.get(f"{prefix}ratelimit-limit")
        self.remaining: str | None = self.headers.get(f"{prefix}ratelimit-remaining")
        self.reset: str | None = self.headers.get(f"{prefix}ratelimit-reset")

    def _header_prefix(self) -> str:
        return "burst-" if "burst-ratelimit-limit" in self.headers else ""


class DailyLimitError(RateLimitError):
    """429 with ``RateLimit-*`` headers: the daily message quota is used up."""

    def _header_prefix(self) -> str:
        return ""


class BurstRateLimitError(RateLimitError):
    """429 with ``Burst-RateLimit-*`` headers: too many requests in one second."""

    def _header_prefix(self) -> str:
        return "burst-"


class InternalServerError(APIStatusError):
    """5xx: QStash failed."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    404: NotFoundError,
    412: PlanLimitError,
}

STATUS_PHRASES: dict[int, str] = {
    400: "bad request",
    401: "unauthorized",
    404: "not found",
    405: "method not allowed",
    412: "plan limit exceeded",
    413: "payload too large",
    429: "too many requests",
}


def status_error_class(
    status: int, headers: Mapping[str, Any] | None = None
) -> type[APIStatusError]:
    """Return the exception class for a non-2xx ``status`` (headers decide the 429 kind)."""
    if status == 429:
        names = {k.lower() for k in (headers or {})}
        if "ratelimit-limit" in names:
            return DailyLimitError
        if "burst-ratelimit-limit" in names:
            return BurstRateLimitError
        return RateLimitError
    if status >= 500:
        return InternalServerError
    return _BY_STATUS.get(status, APIStatusError)
