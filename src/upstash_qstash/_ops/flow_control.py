"""Flow-control keys: inspect, pause, resume, pin and unpin limits, reset the rate."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from .._errors import RequestValidationError
from .._http import Request, Response
from .._wire.durations import DurationError, parse_duration
from ..models import (
    FlowControlKey,
    GlobalParallelism,
    parse_flow_control_key,
    parse_flow_control_keys,
    parse_global_parallelism,
)
from .common import check_keys, positive_int, segment

__all__ = [
    "PinRequest",
    "UnpinRequest",
    "build_get",
    "build_global_parallelism",
    "build_list",
    "build_pause",
    "build_pin",
    "build_reset_rate",
    "build_resume",
    "build_unpin",
    "parse_get",
    "parse_global",
    "parse_list",
]


class PinRequest(TypedDict, total=False):
    """Limits to fix on a key, ignoring what new messages carry (``period``: seconds or ``"1m"``)."""

    parallelism: int
    rate: int
    period: int | str


class UnpinRequest(TypedDict, total=False):
    """Which pinned limits to release."""

    parallelism: bool
    rate: bool


def _path(key: str, action: str = "") -> str:
    return f"/v2/flowControl/{segment('key', key)}" + (f"/{action}" if action else "")


def build_list(search: str | None = None) -> Request:
    if search is not None and not isinstance(search, str):
        raise RequestValidationError("search", f"must be a string, got {search!r}")
    return Request("GET", "/v2/flowControl", query=(("search", search),) if search else ())


def build_get(key: str) -> Request:
    return Request("GET", _path(key))


def build_pause(key: str) -> Request:
    return Request("POST", _path(key, "pause"))


def build_resume(key: str) -> Request:
    return Request("POST", _path(key, "resume"))


def build_reset_rate(key: str) -> Request:
    return Request("POST", _path(key, "resetRate"))


def build_pin(key: str, options: Mapping[str, Any]) -> Request:
    check_keys(options, PinRequest.__annotations__)
    query: list[tuple[str, str]] = []
    for name in ("parallelism", "rate"):
        value = positive_int(options, name)
        if value is not None:
            query.append((name, str(value)))
    period = options.get("period")
    if period is not None:
        try:
            if isinstance(period, bool) or not isinstance(period, int | str):
                raise DurationError(f"expected seconds or a duration, got {period!r}")
            seconds = parse_duration(period) if isinstance(period, str) else float(period)
        except DurationError as exc:
            raise RequestValidationError("period", str(exc)) from None
        if seconds < 1 or not float(seconds).is_integer():
            raise RequestValidationError("period", f"must be whole seconds >= 1, got {period!r}")
        query.append(("period", str(int(seconds))))
    if not query:
        raise RequestValidationError("pin", "give parallelism, rate and/or period to pin")
    return Request("POST", _path(key, "pin"), query=tuple(query))


def build_unpin(key: str, options: Mapping[str, Any]) -> Request:
    check_keys(options, UnpinRequest.__annotations__)
    flags: list[tuple[str, str]] = []
    for name in ("parallelism", "rate"):
        value = options.get(name, False)
        if not isinstance(value, bool):
            raise RequestValidationError(name, f"must be True or False, got {value!r}")
        flags.append((name, "true" if value else "false"))
    if not any(v == "true" for _, v in flags):
        raise RequestValidationError("unpin", "give parallelism=True and/or rate=True")
    return Request("POST", _path(key, "unpin"), query=tuple(flags))


def build_global_parallelism() -> Request:
    return Request("GET", "/v2/globalParallelism")


def parse_get(response: Response) -> FlowControlKey:
    return parse_flow_control_key(response.json())


def parse_list(response: Response) -> list[FlowControlKey]:
    return parse_flow_control_keys(response.json())


def parse_global(response: Response) -> GlobalParallelism:
    return parse_global_parallelism(response.json())
