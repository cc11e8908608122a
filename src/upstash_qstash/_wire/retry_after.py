"""Destination-controlled retry timing (spec section 13.5).

When a delivery fails and the destination's response carries ``Retry-After``,
``X-RateLimit-Reset``, ``X-RateLimit-Reset-Requests`` or ``X-RateLimit-Reset-Tokens``,
that value decides when the next retry happens instead of the default backoff. A value is
one of:

* seconds: ``120``, ``1.5`` (``0`` means retry now);
* an HTTP date: ``Sun, 06 Nov 1994 08:49:37 GMT`` (also the obsolete RFC 850 and asctime
  forms), taken relative to ``now``; a date in the past means retry now;
* a Go duration: ``6m5s``, ``1.5s``, ``300ms``, ``2h`` (units ns, us, µs, ms, s, m, h).

Values that cannot be parsed, negative values and values beyond one day are ignored, so
the default backoff applies. Pure functions: the caller passes the current time.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from fractions import Fraction
from typing import Final

__all__ = [
    "MAX_RETRY_AFTER_SECONDS",
    "RETRY_AFTER_HEADERS",
    "parse_go_duration",
    "retry_after_seconds",
]

MAX_RETRY_AFTER_SECONDS: Final = 86400.0
"""Longest wait a destination may ask for; longer values are ignored."""

RETRY_AFTER_HEADERS: Final = (
    "Retry-After",
    "X-RateLimit-Reset",
    "X-RateLimit-Reset-Requests",
    "X-RateLimit-Reset-Tokens",
)
"""The headers consulted, in order of precedence."""

_LOWER_NAMES: Final = tuple(name.lower() for name in RETRY_AFTER_HEADERS)
_MAX_VALUE_LENGTH: Final = 100

_SECONDS: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")

_MONTHS: Final = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")  # fmt: skip
_MONTH: Final = "(" + "|".join(_MONTHS) + ")"
_SHORT_DAY: Final = "(?:mon|tue|wed|thu|fri|sat|sun)"
_LONG_DAY: Final = "(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_TIME: Final = r"([0-9]{2}):([0-9]{2}):([0-9]{2})"
# IMF-fixdate / RFC 1123: "Sun, 06 Nov 1994 08:49:37 GMT" (also UTC or a numeric offset)
_RFC1123: Final = re.compile(
    rf"{_SHORT_DAY}, ([0-9]{{1,2}}) {_MONTH} ([0-9]{{4}}) {_TIME} (GMT|UTC|[+-][0-9]{{4}})",
    re.IGNORECASE,
)
# RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
_RFC850: Final = re.compile(
    rf"{_LONG_DAY}, ([0-9]{{2}})-{_MONTH}-([0-9]{{2}}) {_TIME} GMT", re.IGNORECASE
)
# asctime: "Sun Nov  6 08:49:37 1994"
_ASCTIME: Final = re.compile(
    rf"{_SHORT_DAY} {_MONTH} +([0-9]{{1,2}}) {_TIME} ([0-9]{{4}})", re.IGNORECASE
)

_NANOSECONDS_PER_UNIT: Final[dict[str, int]] = {
    "ns": 1,
    "us": 1_000,
    "\u00b5s": 1_000,  # MICRO SIGN
    "\u03bcs": 1_000,  # GREEK SMALL LETTER MU
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}
_MAX_NANOSECONDS: Final = 2**63 - 1  # Go's time.Duration is an int64 of nanoseconds
_DIGITS: Final = frozenset("0123456789")
_MAX_FRACTION_DIGITS: Final = 30  # more digits cannot change the nanosecond value


def retry_after_seconds(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds to wait before the next retry, as asked for by the destination.

    ``headers`` are the failed response's headers (names are matched case-insensitively;
    for repeated names the first value counts) and ``now`` is the current Unix time in
    seconds, used for HTTP dates. The headers of :data:`RETRY_AFTER_HEADERS` are tried in
    order and the first usable value wins; a header whose value is unparseable, negative
    or beyond :data:`MAX_RETRY_AFTER_SECONDS` is skipped. Returns ``None`` when no header
    gives a usable value, meaning that the default backoff applies.
    """
    found: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower()
        if key in _LOWER_NAMES and key not in found:
            found[key] = value
    for key in _LOWER_NAMES:
        raw = found.get(key)
        if raw is None:
            continue
        seconds = _parse_value(raw, now)
        if seconds is not None:
            return seconds
    return None


def parse_go_duration(text: str) -> float:
    """Parse a Go duration string (``time.ParseDuration``) into seconds.

    Examples: ``"6m5s"`` is 365.0, ``"1.5s"`` 1.5, ``"300ms"`` 0.3, ``"-2h"`` -7200.0 and
    ``"0"`` 0.0. Units are ns, us (or µs/μs), ms, s, m and h; every number needs a unit,
    except a bare ``0``. Raises :class:`ValueError` for anything else, including values
    beyond the range of Go's ``time.Duration`` (about 292 years).
    """
    rest = text
    negative = False
    if rest[:1] in ("+", "-"):
        negative = rest[0] == "-"
        rest = rest[1:]
    if rest == "0":
        return 0.0
    if not rest:
        raise ValueError(f"invalid duration {text!r}")
    total = Fraction(0)
    while rest:
        end = _skip_digits(rest, 0)
        whole = rest[:end]
        fraction = ""
        if end < len(rest) and rest[end] == ".":
            frac_end = _skip_digits(rest, end + 1)
            fraction = rest[end + 1 : frac_end]
            end = frac_end
        if not whole and not fraction:
            raise ValueError(f"invalid duration {text!r}: expected a number")
        unit_end = end
        while unit_end < len(rest) and rest[unit_end] != "." and rest[unit_end] not in _DIGITS:
            unit_end += 1
        unit = rest[end:unit_end]
        if not unit:
            raise ValueError(f"invalid duration {text!r}: missing unit")
        scale = _NANOSECONDS_PER_UNIT.get(unit)
        if scale is None:
            raise ValueError(
                f"invalid duration {text!r}: unknown unit {unit!r} (use ns, us, µs, ms, s, m or h)"
            )
        if len(whole.lstrip("0")) > 19:
            raise ValueError(f"invalid duration {text!r}: out of range")
        value = Fraction(int(whole or "0"))
        if fraction:
            digits = fraction[:_MAX_FRACTION_DIGITS]
            value += Fraction(int(digits), 10 ** len(digits))
        total += value * scale
        if total > _MAX_NANOSECONDS:
            raise ValueError(f"invalid duration {text!r}: out of range")
        rest = rest[unit_end:]
    seconds = float(total / 1_000_000_000)
    return -seconds if negative and seconds else seconds


def _skip_digits(text: str, start: int) -> int:
    index = start
    while index < len(text) and text[index] in _DIGITS:
        index += 1
    return index


def _parse_value(raw: str, now: float) -> float | None:
    text = raw.strip()
    if not text or len(text) > _MAX_VALUE_LENGTH:
        return None
    seconds: float | None
    if _SECONDS.fullmatch(text):
        seconds = float(text)
    else:
        moment = _parse_http_date(text, now)
        if moment is not None:
            seconds = max(0.0, moment - now)
        else:
            try:
                seconds = parse_go_duration(text)
            except ValueError:
                return None
    if not math.isfinite(seconds) or seconds < 0 or seconds > MAX_RETRY_AFTER_SECONDS:
        return None
    return seconds + 0.0  # turn -0.0 into 0.0


def _parse_http_date(text: str, now: float) -> float | None:
    """Unix seconds of an HTTP date (RFC 9110 section 5.6.7 forms), or ``None``."""
    offset = timedelta(0)
    if match := _RFC1123.fullmatch(text):
        day, month, year, hour, minute, second, zone = match.groups()
        if zone[0] in "+-":
            if int(zone[3:5]) > 59:
                return None
            sign = -1 if zone[0] == "-" else 1
            offset = sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5]))
        full_year = int(year)
    elif match := _RFC850.fullmatch(text):
        day, month, year, hour, minute, second = match.groups()
        full_year = _expand_two_digit_year(int(year), now)
    elif match := _ASCTIME.fullmatch(text):
        month, day, hour, minute, second, year = match.groups()
        full_year = int(year)
    else:
        return None
    try:
        moment = datetime(
            full_year,
            _MONTHS.index(month.lower()) + 1,
            int(day),
            int(hour),
            int(minute),
            int(second),
            tzinfo=timezone(offset) if offset else UTC,
        )
    except ValueError:  # e.g. 31 Feb, hour 24, second 60, offset of 24h or more
        return None
    return moment.timestamp()


def _expand_two_digit_year(year: int, now: float) -> int:
    # RFC 9110: a two-digit year that would be more than 50 years in the future is in the past.
    try:
        current = datetime.fromtimestamp(now, UTC).year
    except (OverflowError, OSError, ValueError):
        current = 2000
    full = current - current % 100 + year
    if full > current + 50:
        full -= 100
    return full
