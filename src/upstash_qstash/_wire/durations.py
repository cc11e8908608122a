"""QStash durations: ``50s``, ``10m``, ``1d10h30m`` on the wire, seconds in Python."""

from __future__ import annotations

import re

__all__ = ["DurationError", "format_duration", "parse_duration"]

_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_PART = re.compile(r"(\d+(?:\.\d+)?)([dhms])")
_WHOLE = re.compile(r"(?:\d+(?:\.\d+)?[dhms])+")


class DurationError(ValueError):
    """A duration string is not of the form ``<number><unit>...`` with units d, h, m, s."""


def parse_duration(text: str) -> float:
    """Parse ``"1d10h30m"``-style text into seconds; a bare integer counts as seconds."""
    value = text.strip()
    if value.isdigit():
        return float(int(value))
    if not value or not _WHOLE.fullmatch(value):
        raise DurationError(
            f"invalid duration {text!r}: expected a number followed by a unit (d, h, m, s), "
            "e.g. 50s, 10m or 1d10h30m"
        )
    return sum(float(n) * _UNITS[u] for n, u in _PART.findall(value))


def format_duration(value: int | float | str, *, field: str = "duration") -> str:
    """Render seconds (or an already formatted duration) as the wire form ``"<n>s"``."""
    if isinstance(value, bool):
        raise DurationError(f"{field}: expected seconds or a duration string, got a bool")
    if isinstance(value, str):
        parse_duration(value)
        return value.strip()
    if value < 0:
        raise DurationError(f"{field}: must not be negative, got {value}")
    if float(value).is_integer():
        return f"{int(value)}s"
    return f"{value}s"
