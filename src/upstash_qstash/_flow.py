"""Multi-step logic as generators that the sync and async drivers step through."""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

from ._errors import status_error_class
from ._http import Request, Response, Sleep, TransportFailure
from ._retry import RetryPolicy, is_retryable_status

__all__ = ["Flow", "error_for", "send"]

Flow = Generator[Request | Sleep, Response | TransportFailure | None, Response]


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


def send(request: Request, policy: RetryPolicy, now: Callable[[], float]) -> Flow:
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


def parse_with(
    flow: Flow, parse: Callable[[Response], Any]
) -> Generator[Request | Sleep, Any, Any]:
    response = yield from flow
    return parse(response)
