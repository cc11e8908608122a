"""Multi-step logic as generators that the sync and async drivers step through.

A flow yields a :class:`Request` (and is sent back the :class:`Response` or a
:class:`TransportFailure`) or a :class:`Sleep` (and is sent ``None``); its return value is the
result of the whole operation. The same flow runs under ``_sync`` and ``_async``.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TypeVar

from ._errors import status_error_class
from ._http import Request, Response, Sleep, TransportFailure
from ._retry import RetryPolicy, is_retryable_status

__all__ = ["Flow", "call", "error_for", "repeat", "send"]

T = TypeVar("T")
P = TypeVar("P")

Flow = Generator[Request | Sleep, Response | TransportFailure | None, T]


def error_for(response: Response) -> Exception:
    """The exception for a non-2xx ``response``, carrying status, headers and body."""
    text = response.text
    message = text
    try:
        data = response.json()
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        message = data["error"]
    cls = status_error_class(response.status, response.headers)
    return cls(
        response.status, message or f"status {response.status}", headers=response.headers, body=text
    )


def send(request: Request, policy: RetryPolicy, now: Callable[[], float]) -> Flow[Response]:
    """Send ``request``, retrying connection failures, 429 and 5xx; never sleeps after the last try."""
    for attempt in range(policy.attempts):
        last = attempt == policy.attempts - 1
        outcome = yield request
        if isinstance(outcome, TransportFailure):
            if last:
                raise outcome.error
            yield Sleep(policy.delay_seconds(attempt, None, now()))
            continue
        assert outcome is not None
        if 200 <= outcome.status < 300:
            return outcome
        if last or not is_retryable_status(outcome.status):
            raise error_for(outcome)
        yield Sleep(
            policy.delay_seconds(attempt, outcome.headers if outcome.status == 429 else None, now())
        )
    raise AssertionError("unreachable: attempts >= 1")


def call(
    request: Request,
    parse: Callable[[Response], T],
    policy: RetryPolicy,
    now: Callable[[], float],
) -> Flow[T]:
    """One request (with retries), its response parsed."""
    response = yield from send(request, policy, now)
    return parse(response)


def repeat(
    build: Callable[[str | None], Request],
    read: Callable[[Response], tuple[P, str | None]],
    policy: RetryPolicy,
    now: Callable[[], float],
) -> Flow[list[P]]:
    """Call ``build(cursor)`` until the answer carries no cursor; the parsed pages in order.

    Used by bulk operations that the server performs a page at a time (DLQ delete/retry by
    filter). A cursor seen twice stops the loop rather than spinning forever.
    """
    results: list[P] = []
    cursor: str | None = None
    seen: set[str] = set()
    while True:
        response = yield from send(build(cursor), policy, now)
        page, cursor = read(response)
        results.append(page)
        if not cursor or cursor in seen:
            return results
        seen.add(cursor)
