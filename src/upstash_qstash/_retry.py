"""Pure retry decisions for calls to QStash itself (not deliveries to your endpoints)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TypedDict

from ._errors import RequestValidationError

__all__ = [
    "DEFAULT_RETRY",
    "NO_RETRY",
    "RetryConfig",
    "RetryPolicy",
    "is_retryable_status",
    "resolve_retry",
]


class RetryConfig(TypedDict, total=False):
    """``attempts``: total tries (>= 1); ``backoff``: retry index -> milliseconds to wait."""

    attempts: int
    backoff: Callable[[int], float]


def _default_backoff(retry_count: int) -> float:
    return math.exp(retry_count) * 50


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int
    backoff: Callable[[int], float]

    def delay_seconds(
        self, retry_count: int, headers: Mapping[str, str] | None, now: float
    ) -> float:
        """Seconds before retry ``retry_count`` (0 for the first retry).

        A 429's reset headers win over the backoff when they give a usable time.
        """
        if headers:
            told = _reset_seconds(headers, now)
            if told is not None:
                return told
        return max(0.0, float(self.backoff(retry_count)) / 1000.0)


DEFAULT_RETRY = RetryPolicy(attempts=6, backoff=_default_backoff)
NO_RETRY = RetryPolicy(attempts=1, backoff=_default_backoff)
MAX_RESET_WAIT = 60.0


def resolve_retry(config: RetryConfig | bool | None) -> RetryPolicy:
    """``None``/``True`` -> defaults, ``False`` -> one attempt, a dict -> merged over defaults."""
    if config is None or config is True:
        return DEFAULT_RETRY
    if config is False:
        return NO_RETRY
    if not isinstance(config, Mapping):
        raise RequestValidationError(
            "retry", f"expected a dict, True/False or None, got {type(config).__name__}"
        )
    unknown = set(config) - {"attempts", "backoff"}
    if unknown:
        raise RequestValidationError(
            "retry", f"unknown keys {sorted(unknown)}; use 'attempts' and 'backoff'"
        )
    attempts = config.get("attempts", DEFAULT_RETRY.attempts)
    if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
        raise RequestValidationError("retry.attempts", f"must be an integer >= 1, got {attempts!r}")
    backoff = config.get("backoff", DEFAULT_RETRY.backoff)
    if not callable(backoff):
        raise RequestValidationError(
            "retry.backoff", "must be a function of the retry count returning milliseconds"
        )
    return RetryPolicy(attempts=attempts, backoff=backoff)


def is_retryable_status(status: int) -> bool:
    return status == 429 or status >= 500


def _reset_seconds(headers: Mapping[str, str], now: float) -> float | None:
    lowered = {k.lower(): v for k, v in headers.items()}
    retry_after = lowered.get("retry-after")
    if retry_after is not None:
        try:
            return _bounded(float(retry_after))
        except ValueError:
            try:
                return _bounded(parsedate_to_datetime(retry_after).timestamp() - now)
            except (TypeError, ValueError):
                pass
    for name in ("burst-ratelimit-reset", "ratelimit-reset"):
        value = lowered.get(name)
        if value is None:
            continue
        try:
            reset = float(value)
        except ValueError:
            continue
        # Reset headers carry a Unix timestamp (seconds, sometimes milliseconds).
        if reset > 1e11:
            reset /= 1000.0
        return _bounded(reset - now)
    return None


def _bounded(seconds: float) -> float | None:
    if math.isnan(seconds) or seconds > MAX_RESET_WAIT:
        return None
    return max(0.0, seconds)
