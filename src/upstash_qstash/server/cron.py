"""Cron schedules (spec section 7.2): five fields, UTC unless ``CRON_TZ=<zone>`` says otherwise.

Matching is done by :mod:`cronsim`, which mimics Debian (Vixie) cron, and the time-zone
prefix is handled here with :mod:`zoneinfo`. Debian cron's daylight-saving rules apply to
jobs with a fixed minute *and* hour (neither field starts with ``*``):

* spring forward: a slot inside the skipped hour fires once, at the first valid moment
  after the gap (``30 2 * * *`` in America/New_York fires at 03:00 EDT that day);
* fall back: a slot inside the repeated hour fires once, on its first occurrence
  (``30 1 * * *`` fires at 01:30 EDT and not again at 01:30 EST).

Jobs whose minute or hour field starts with ``*`` (``*/5 * * * *``, ``0 * * * *``) follow
real elapsed time: they run in every real hour, so 23 or 25 hours' worth on those days.

Everything here is a pure function of its arguments: the caller supplies the time as Unix
seconds and gets Unix seconds back.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError

__all__ = ["DESCRIPTORS", "MAX_CRON_LENGTH", "CronError", "CronSchedule", "parse_cron"]

MAX_CRON_LENGTH: Final = 1000
"""Longest accepted cron expression, in characters."""

DESCRIPTORS: Final[dict[str, str]] = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
"""The ``@`` shorthands that are accepted, and the five fields each one stands for."""

_FIELDS: Final = (
    ("minute", "0-59"),
    ("hour", "0-23"),
    ("day-of-month", "1-31, L or LW"),
    ("month", "1-12 or JAN-DEC"),
    ("day-of-week", "0-7 or SUN-SAT, with optional L or #n"),
)
_FIELD_LAYOUT: Final = "minute hour day-of-month month day-of-week"
_CRONSIM_FIELD_INDEX: Final = {f"Bad {name}": index for index, (name, _) in enumerate(_FIELDS)}
_TZ_KEYS: Final = ("CRON_TZ", "TZ")
_ZONE_NAME: Final = re.compile(r"[A-Za-z0-9_+\-]+(?:/[A-Za-z0-9_+\-]+)*")
# Any fixed instant works: constructing CronSim only validates the fields.
_VALIDATION_TIME: Final = datetime(2000, 1, 1, tzinfo=UTC)
# A cap on consecutive slots that fall at or before the start instant. They only occur
# inside a repeated (fall-back) hour, so at most one slot per minute of that hour.
_MAX_STALE_SLOTS: Final = 10_000


class CronError(ValueError):
    """A cron expression is invalid, or a schedule cannot produce a next slot."""


@dataclass(frozen=True, slots=True)
class CronSchedule:
    """A parsed cron schedule; build one with :func:`parse_cron`."""

    expression: str
    """The normalised text (trimmed, single spaces), as stored and returned in ``cron``."""

    fields: str
    """The five fields that are evaluated (descriptors such as ``@daily`` expanded)."""

    timezone: str | None
    """The IANA zone from a ``CRON_TZ=``/``TZ=`` prefix, or ``None`` for UTC."""

    _zone: tzinfo = field(repr=False, compare=False)

    def next_after(self, t: float) -> float:
        """Unix seconds of the first slot strictly after ``t`` (Unix seconds).

        Raises :class:`CronError` if there is no slot after ``t`` (cronsim gives up after
        50 years without a match, and datetimes end in the year 9999).
        """
        for slot in self._slots_after(t):
            return slot
        raise CronError(f"cron expression {self.expression!r} has no slot after {t}")

    def slots_between(self, start: float, end: float) -> Iterator[float]:
        """Unix seconds of every slot in the interval ``(start, end]``, in order."""
        for slot in self._slots_after(start):
            if slot > end:
                return
            yield slot

    def _slots_after(self, t: float) -> Iterator[float]:
        if not math.isfinite(t):
            raise CronError(f"time must be a finite number of seconds, got {t}")
        try:
            start = datetime.fromtimestamp(t, self._zone)
        except (OverflowError, OSError, ValueError):
            raise CronError(f"time {t} is out of range") from None
        iterator = CronSim(self.fields, start)
        last = t
        stale = 0
        while True:
            try:
                slot = next(iterator).timestamp()
            except (StopIteration, OverflowError):
                return
            # cronsim maps fixed-time slots in a repeated hour to their first occurrence,
            # so when ``t`` lies in the second pass of that hour the iterator can yield
            # instants at or before ``t``; skipping them makes such a slot fire once.
            # Slots moved to the end of a skipped hour can coincide; they fire once too.
            if slot > last:
                stale = 0
                last = slot
                yield slot
            else:
                stale += 1
                if stale > _MAX_STALE_SLOTS:  # pragma: no cover - defensive
                    return


def parse_cron(expr: str) -> CronSchedule:
    """Parse and validate a cron expression, raising :class:`CronError`.

    Accepts five fields (``minute hour day-of-month month day-of-week``) or one of the
    descriptors in :data:`DESCRIPTORS`, optionally preceded by ``CRON_TZ=<IANA zone>``
    (or ``TZ=<zone>``). Seconds fields, ``@every`` and ``@reboot`` are rejected.
    """
    if len(expr) > MAX_CRON_LENGTH:
        raise CronError(
            f"cron expression is {len(expr)} characters long; the maximum is {MAX_CRON_LENGTH}"
        )
    tokens = expr.split()
    if not tokens:
        raise CronError(f"cron expression is empty; expected 5 fields ({_FIELD_LAYOUT})")
    normalised = " ".join(tokens)

    zone_name: str | None = None
    zone: tzinfo = UTC
    if "=" in tokens[0]:
        zone_name, zone = _parse_prefix(tokens[0])
        tokens = tokens[1:]
        if not tokens:
            raise CronError(
                f"cron expression {normalised!r} has a time zone but no schedule; "
                f"expected 5 fields ({_FIELD_LAYOUT}) after it"
            )

    if tokens[0].startswith("@"):
        fields = _expand_descriptor(tokens, normalised)
    else:
        fields = _check_fields(tokens, normalised)

    try:
        CronSim(fields, _VALIDATION_TIME)
    except CronSimError as exc:
        raise CronError(_describe_cronsim_error(str(exc), fields, normalised)) from None
    return CronSchedule(normalised, fields, zone_name, zone)


def _parse_prefix(token: str) -> tuple[str, tzinfo]:
    key, _, name = token.partition("=")
    if key not in _TZ_KEYS:
        raise CronError(
            f"unknown cron prefix {key + '='!r}; a time zone is given as "
            "CRON_TZ=<IANA zone>, e.g. 'CRON_TZ=America/New_York 0 4 * * *'"
        )
    if not name:
        raise CronError(
            f"{key}= needs a time zone name right after '=', e.g. 'CRON_TZ=America/New_York'"
        )
    if len(name) > 100 or not _ZONE_NAME.fullmatch(name) or ".." in name:
        raise CronError(f"invalid time zone name {name!r} in {key}=")
    try:
        return name, ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise CronError(
            f"unknown time zone {name!r} in {key}=; use an IANA name such as "
            "'America/New_York', 'Europe/Berlin' or 'UTC'"
        ) from None


def _expand_descriptor(tokens: list[str], normalised: str) -> str:
    descriptor = tokens[0].lower()
    if descriptor == "@every":
        raise CronError(
            f"'@every' intervals are not supported in {normalised!r}; "
            "use a 5-field cron such as '*/5 * * * *' (every 5 minutes)"
        )
    if descriptor == "@reboot":
        raise CronError("'@reboot' is not supported: a schedule needs a time to run at")
    fields = DESCRIPTORS.get(descriptor)
    if fields is None:
        raise CronError(
            f"unknown cron descriptor {tokens[0]!r}; supported: {', '.join(DESCRIPTORS)}"
        )
    if len(tokens) > 1:
        raise CronError(
            f"unexpected text after {tokens[0]!r} in {normalised!r}: "
            "a descriptor replaces all 5 fields"
        )
    return fields


def _check_fields(tokens: list[str], normalised: str) -> str:
    count = len(tokens)
    if count == 6:
        raise CronError(
            f"cron expression {normalised!r} has 6 fields; a seconds field is not supported "
            f"(the resolution is one minute): use 5 fields ({_FIELD_LAYOUT})"
        )
    if count != 5:
        raise CronError(
            f"cron expression {normalised!r} has {count} "
            f"field{'' if count == 1 else 's'}; expected 5 ({_FIELD_LAYOUT})"
        )
    # Quartz/robfig-style '?' ("no specific value") in the day fields means '*'.
    fields = [
        "*" if token == "?" and index in (2, 4) else token for index, token in enumerate(tokens)
    ]
    return " ".join(fields)


def _describe_cronsim_error(message: str, fields: str, normalised: str) -> str:
    index = _CRONSIM_FIELD_INDEX.get(message)
    if index is None:
        return f"invalid cron expression {normalised!r}: {message}"
    name, allowed = _FIELDS[index]
    parts = fields.split()
    value = parts[index]
    if name == "day-of-month" and _valid_with_any_month(parts):
        return (
            f"invalid cron expression {normalised!r}: day-of-month {value!r} never occurs "
            f"in month {parts[3]!r}"
        )
    return (
        f"invalid cron expression {normalised!r}: bad {name} field {value!r} (allowed: {allowed})"
    )


def _valid_with_any_month(parts: list[str]) -> bool:
    try:
        CronSim(" ".join([*parts[:3], "*", parts[4]]), _VALIDATION_TIME)
    except CronSimError:
        return False
    return True
