"""Tests for cron schedules with ``CRON_TZ=`` prefixes and Debian-cron DST behaviour."""

from __future__ import annotations

import dataclasses
import itertools
import math
import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from upstash_qstash.server.cron import (
    DESCRIPTORS,
    MAX_CRON_LENGTH,
    CronError,
    CronSchedule,
    parse_cron,
)

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> float:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC).timestamp()


def local(zone: ZoneInfo, year: int, month: int, day: int, hour: int = 0) -> float:
    return datetime(year, month, day, hour, tzinfo=zone).timestamp()


def as_utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def as_local(ts: float, zone: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(ts, zone)


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "expression", "fields", "timezone"),
    [
        ("*/10 * * * * ", "*/10 * * * *", "*/10 * * * *", None),
        ("  0   4\t* *  *\n", "0 4 * * *", "0 4 * * *", None),
        (
            "CRON_TZ=America/New_York 0 4 * * *",
            "CRON_TZ=America/New_York 0 4 * * *",
            "0 4 * * *",
            "America/New_York",
        ),
        (
            " CRON_TZ=Europe/Berlin   30  2 * * 1-5 ",
            "CRON_TZ=Europe/Berlin 30 2 * * 1-5",
            "30 2 * * 1-5",
            "Europe/Berlin",
        ),
        ("TZ=Asia/Tokyo 0 9 * * *", "TZ=Asia/Tokyo 0 9 * * *", "0 9 * * *", "Asia/Tokyo"),
        ("CRON_TZ=UTC * * * * *", "CRON_TZ=UTC * * * * *", "* * * * *", "UTC"),
        ("CRON_TZ=Etc/GMT+5 0 0 * * *", "CRON_TZ=Etc/GMT+5 0 0 * * *", "0 0 * * *", "Etc/GMT+5"),
        ("@yearly", "@yearly", "0 0 1 1 *", None),
        ("@annually", "@annually", "0 0 1 1 *", None),
        ("@monthly", "@monthly", "0 0 1 * *", None),
        ("@weekly", "@weekly", "0 0 * * 0", None),
        ("@daily", "@daily", "0 0 * * *", None),
        ("@midnight", "@midnight", "0 0 * * *", None),
        ("@hourly", "@hourly", "0 * * * *", None),
        (" @Daily ", "@Daily", "0 0 * * *", None),
        (
            "CRON_TZ=America/New_York @daily",
            "CRON_TZ=America/New_York @daily",
            "0 0 * * *",
            "America/New_York",
        ),
        ("0 0 ? * MON", "0 0 ? * MON", "0 0 * * MON", None),
        ("0 0 1 * ?", "0 0 1 * ?", "0 0 1 * *", None),
        ("0 12 * JAN-MAR mon-fri", "0 12 * JAN-MAR mon-fri", "0 12 * JAN-MAR mon-fri", None),
        ("0 0 L * *", "0 0 L * *", "0 0 L * *", None),
        ("0 0 * * 5L", "0 0 * * 5L", "0 0 * * 5L", None),
        ("0 0 * * MON#2", "0 0 * * MON#2", "0 0 * * MON#2", None),
        ("0,15,30,45 8-18/2 1,15 * 7", "0,15,30,45 8-18/2 1,15 * 7", None, None),
    ],
)
def test_parse_normalises(
    text: str, expression: str, fields: str | None, timezone: str | None
) -> None:
    schedule = parse_cron(text)
    assert schedule.expression == expression
    assert schedule.fields == (fields if fields is not None else expression)
    assert schedule.timezone == timezone


def test_descriptor_table() -> None:
    assert set(DESCRIPTORS) == {
        "@yearly",
        "@annually",
        "@monthly",
        "@weekly",
        "@daily",
        "@midnight",
        "@hourly",
    }
    for descriptor, fields in DESCRIPTORS.items():
        assert parse_cron(descriptor).fields == fields
        assert len(fields.split()) == 5


def test_schedule_is_immutable_and_comparable() -> None:
    schedule = parse_cron("CRON_TZ=America/New_York 0 4 * * *")
    assert isinstance(schedule, CronSchedule)
    with pytest.raises(dataclasses.FrozenInstanceError):
        schedule.expression = "* * * * *"  # type: ignore[misc]
    assert schedule == parse_cron("CRON_TZ=America/New_York  0 4 * * * ")
    assert hash(schedule) == hash(parse_cron("CRON_TZ=America/New_York 0 4 * * *"))
    assert schedule != parse_cron("0 4 * * *")
    assert "America/New_York" in repr(schedule)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "",
            "cron expression is empty; expected 5 fields (minute hour day-of-month month day-of-week)",
        ),
        ("   ", "cron expression is empty"),
        ("* * * *", "cron expression '* * * *' has 4 fields; expected 5"),
        ("*", "cron expression '*' has 1 field; expected 5"),
        ("* * * * * * *", "has 7 fields; expected 5"),
        (
            "0 * * * * *",
            "cron expression '0 * * * * *' has 6 fields; a seconds field is not supported",
        ),
        ("CRON_TZ=UTC */5 * * * * *", "has 6 fields; a seconds field is not supported"),
        (
            "60 * * * *",
            "invalid cron expression '60 * * * *': bad minute field '60' (allowed: 0-59)",
        ),
        ("* 24 * * *", "bad hour field '24' (allowed: 0-23)"),
        ("* * 0 * *", "bad day-of-month field '0'"),
        ("* * 32 * *", "bad day-of-month field '32'"),
        ("* * * 13 *", "bad month field '13' (allowed: 1-12 or JAN-DEC)"),
        ("* * * * 8", "bad day-of-week field '8'"),
        ("* * * * FUNDAY", "bad day-of-week field 'FUNDAY'"),
        ("*/0 * * * *", "bad minute field '*/0'"),
        ("5-1 * * * *", "bad minute field '5-1'"),
        ("a * * * *", "bad minute field 'a'"),
        ("-1 * * * *", "bad minute field '-1'"),
        ("1,,2 * * * *", "bad minute field '1,,2'"),
        ("? * * * *", "bad minute field '?'"),
        (
            "0 0 30 2 *",
            "invalid cron expression '0 0 30 2 *': day-of-month '30' never occurs in month '2'",
        ),
        ("0 0 31 4,6,9,11 *", "day-of-month '31' never occurs in month '4,6,9,11'"),
        ("@every 5m", "'@every' intervals are not supported in '@every 5m'; use a 5-field cron"),
        ("@every", "'@every' intervals are not supported"),
        ("CRON_TZ=UTC @every 1h", "'@every' intervals are not supported"),
        ("@reboot", "'@reboot' is not supported"),
        ("@fortnightly", "unknown cron descriptor '@fortnightly'; supported: @yearly, @annually"),
        ("@daily 0", "unexpected text after '@daily' in '@daily 0'"),
        (
            "CRON_TZ=Mars/Olympus_Mons 0 * * * *",
            "unknown time zone 'Mars/Olympus_Mons' in CRON_TZ=; use an IANA name",
        ),
        ("TZ=Nowhere 0 * * * *", "unknown time zone 'Nowhere' in TZ="),
        ("CRON_TZ=America 0 * * * *", "unknown time zone 'America'"),
        ("CRON_TZ=america/new_york 0 * * * *", "unknown time zone 'america/new_york'"),
        (
            "CRON_TZ=../../etc/passwd 0 * * * *",
            "invalid time zone name '../../etc/passwd' in CRON_TZ=",
        ),
        ("CRON_TZ=/etc/localtime 0 * * * *", "invalid time zone name '/etc/localtime'"),
        ("CRON_TZ=zone.tab 0 * * * *", "invalid time zone name 'zone.tab'"),
        ("CRON_TZ= 0 4 * * *", "CRON_TZ= needs a time zone name right after '='"),
        ("CRON_TZ=America/New_York", "has a time zone but no schedule"),
        (
            "cron_tz=UTC 0 * * * *",
            "unknown cron prefix 'cron_tz='; a time zone is given as CRON_TZ=<IANA zone>",
        ),
        ("FOO=bar 0 * * * *", "unknown cron prefix 'FOO='"),
        ("CRON_TZ=UTC CRON_TZ=UTC 0 * * * *", "has 6 fields"),
        ("CRON_TZ=UTC CRON_TZ=UTC * * * *", "bad minute field 'CRON_TZ=UTC'"),
    ],
)
def test_parse_errors(text: str, message: str) -> None:
    with pytest.raises(CronError) as info:
        parse_cron(text)
    assert message in str(info.value)


def test_cron_error_is_value_error() -> None:
    assert issubclass(CronError, ValueError)


def test_length_limit() -> None:
    assert MAX_CRON_LENGTH == 1000
    at_limit = "* * * * *" + " " * (MAX_CRON_LENGTH - 9)
    assert parse_cron(at_limit).expression == "* * * * *"
    with pytest.raises(CronError, match="1001 characters long; the maximum is 1000"):
        parse_cron(at_limit + " ")


def test_random_input_only_raises_cron_error() -> None:
    rng = random.Random(1)
    pieces = ["*", "*/5", "0", "59", "60", "1-5", "5-1", "L", "LW", "5L", "MON#2", "#", "/", "-",
              ",", "?", "@daily", "@every", "JAN", "SUN", "CRON_TZ=UTC", "TZ=Bad", "=", "7", "1,2",
              "*/0", "L/2", "1#", "W", "x"]  # fmt: skip
    for _ in range(3000):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(0, 7)))
        try:
            schedule = parse_cron(text)
        except CronError:
            continue
        start = utc(2026, 1, 1)
        first = schedule.next_after(start)
        assert first > start
        assert first % 60 == 0


# --------------------------------------------------------------------------- next_after (UTC)


def test_next_after_is_strictly_after() -> None:
    schedule = parse_cron("*/10 * * * *")
    noon = utc(2026, 5, 4, 12, 0)
    assert schedule.next_after(noon) == utc(2026, 5, 4, 12, 10)
    assert schedule.next_after(noon - 0.001) == noon
    assert schedule.next_after(noon - 60) == noon
    assert schedule.next_after(noon + 0.5) == utc(2026, 5, 4, 12, 10)
    assert schedule.next_after(utc(2026, 5, 4, 12, 5, 30)) == utc(2026, 5, 4, 12, 10)
    assert schedule.next_after(utc(2026, 5, 4, 23, 55)) == utc(2026, 5, 5, 0, 0)


def test_next_after_returns_float_whole_minutes() -> None:
    result = parse_cron("* * * * *").next_after(utc(2026, 5, 4, 12, 0, 17) + 0.25)
    assert isinstance(result, float)
    assert result == utc(2026, 5, 4, 12, 1)


def test_next_after_before_1970() -> None:
    assert parse_cron("0 0 1 1 *").next_after(-1.5) == utc(1970, 1, 1)
    assert parse_cron("0 0 1 1 *").next_after(utc(1969, 6, 1)) == utc(1970, 1, 1)


@pytest.mark.parametrize(
    ("text", "after", "expected"),
    [
        ("@yearly", utc(2026, 3, 1), utc(2027, 1, 1)),
        ("@monthly", utc(2026, 3, 1), utc(2026, 4, 1)),
        ("@weekly", utc(2026, 3, 4), utc(2026, 3, 8)),  # 2026-03-08 is a Sunday
        ("@daily", utc(2026, 3, 4, 10), utc(2026, 3, 5)),
        ("@hourly", utc(2026, 3, 4, 10, 30), utc(2026, 3, 4, 11)),
        ("0 0 L * *", utc(2026, 2, 1), utc(2026, 2, 28)),
        ("0 0 29 2 *", utc(2026, 1, 1), utc(2028, 2, 29)),
        ("0 0 * * MON#2", utc(2026, 3, 1), utc(2026, 3, 9)),
        ("0 9 * * mon-fri", utc(2026, 3, 6, 10), utc(2026, 3, 9, 9)),
        # Debian cron: restricted day-of-month and day-of-week fields are OR-ed.
        ("0 0 13 * FRI", utc(2026, 3, 1), utc(2026, 3, 6)),
        ("0 0 13 * FRI", utc(2026, 3, 12), utc(2026, 3, 13)),
        ("0 0 13 * *", utc(2026, 3, 1), utc(2026, 3, 13)),
        ("0 0 ? * FRI", utc(2026, 3, 7), utc(2026, 3, 13)),
        ("0 4 * * *", utc(2026, 1, 15), utc(2026, 1, 15, 4)),
        ("CRON_TZ=UTC 0 4 * * *", utc(2026, 1, 15), utc(2026, 1, 15, 4)),
        # the spec's example: 04:00 in New York is 09:00 UTC in winter, 08:00 in summer
        ("CRON_TZ=America/New_York 0 4 * * *", utc(2026, 1, 15), utc(2026, 1, 15, 9)),
        ("CRON_TZ=America/New_York 0 4 * * *", utc(2026, 7, 15), utc(2026, 7, 15, 8)),
        ("TZ=Asia/Kolkata 0 9 * * *", utc(2026, 7, 15), utc(2026, 7, 15, 3, 30)),
        ("CRON_TZ=Etc/GMT+5 0 0 * * *", utc(2026, 7, 15), utc(2026, 7, 15, 5)),
    ],
)
def test_next_after_examples(text: str, after: float, expected: float) -> None:
    assert as_utc(parse_cron(text).next_after(after)) == as_utc(expected)


def test_every_five_minutes_over_a_simulated_day() -> None:
    schedule = parse_cron("*/5 * * * *")
    start = utc(2026, 6, 1)
    end = start + 86400
    slots: list[float] = []
    t = start - 1  # include midnight itself
    while True:
        t = schedule.next_after(t)
        if t >= end:
            break
        slots.append(t)
    assert len(slots) == 288
    for slot in slots:
        moment = as_utc(slot)
        assert moment.minute % 5 == 0
        assert moment.second == 0
        assert moment.microsecond == 0
    assert all(b - a == 300 for a, b in itertools.pairwise(slots))
    assert slots[0] == start
    assert slots[-1] == end - 300
    assert list(schedule.slots_between(start - 1, end - 1)) == slots


def test_slots_between_bounds() -> None:
    schedule = parse_cron("0 * * * *")
    start = utc(2026, 6, 1)
    assert list(schedule.slots_between(start, start + 3 * 3600)) == [
        start + 3600,
        start + 7200,
        start + 10800,
    ]  # start excluded, end included
    assert list(schedule.slots_between(start - 0.5, start + 0.5)) == [start]
    assert list(schedule.slots_between(start, start + 3599)) == []
    assert list(schedule.slots_between(start, start)) == []
    assert list(schedule.slots_between(start, start - 7200)) == []


def test_slots_between_is_lazy() -> None:
    slots = parse_cron("* * * * *").slots_between(0, 1e11)  # thousands of years of minutes
    assert next(slots) == 60.0
    assert next(slots) == 120.0


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_next_after_rejects_non_finite_times(bad: float) -> None:
    schedule = parse_cron("* * * * *")
    with pytest.raises(CronError, match="finite"):
        schedule.next_after(bad)
    with pytest.raises(CronError, match="finite"):
        list(schedule.slots_between(bad, 0))


def test_next_after_out_of_range() -> None:
    schedule = parse_cron("* * * * *")
    with pytest.raises(CronError, match="out of range"):
        schedule.next_after(1e20)
    last_minute = utc(9999, 12, 31, 23, 59)
    with pytest.raises(CronError, match="has no slot after"):
        schedule.next_after(last_minute)
    assert list(schedule.slots_between(last_minute - 60, last_minute + 600)) == [last_minute]


# --------------------------------------------------------------------------- DST (New York, 2026)
# 2026-03-08 02:00 EST -> 03:00 EDT (07:00 UTC); 2026-11-01 02:00 EDT -> 01:00 EST (06:00 UTC).


def _by_local_date(slots: list[float], zone: ZoneInfo) -> Counter[date]:
    return Counter(as_local(slot, zone).date() for slot in slots)


def test_spring_forward_job_in_skipped_hour_runs_once_after_the_gap() -> None:
    schedule = parse_cron("CRON_TZ=America/New_York 30 2 * * *")
    slots = list(schedule.slots_between(utc(2026, 3, 6), utc(2026, 3, 11)))
    assert [as_utc(s) for s in slots] == [
        as_utc(utc(2026, 3, 6, 7, 30)),  # 02:30 EST
        as_utc(utc(2026, 3, 7, 7, 30)),  # 02:30 EST
        as_utc(utc(2026, 3, 8, 7, 0)),  # 02:30 does not exist: 03:00 EDT, right after the gap
        as_utc(utc(2026, 3, 9, 6, 30)),  # 02:30 EDT
        as_utc(utc(2026, 3, 10, 6, 30)),
    ]
    assert as_local(slots[2], NEW_YORK).isoformat() == "2026-03-08T03:00:00-04:00"
    assert set(_by_local_date(slots, NEW_YORK).values()) == {1}
    # stepping one slot at a time, as the engine does, gives the same instants
    assert schedule.next_after(utc(2026, 3, 8, 6, 59)) == utc(2026, 3, 8, 7, 0)
    assert schedule.next_after(utc(2026, 3, 8, 6, 59, 59) + 0.9) == utc(2026, 3, 8, 7, 0)
    assert schedule.next_after(utc(2026, 3, 8, 7, 0)) == utc(2026, 3, 9, 6, 30)
    assert schedule.next_after(utc(2026, 3, 8, 7, 15)) == utc(2026, 3, 9, 6, 30)


def test_fall_back_job_after_repeated_hour_runs_once() -> None:
    schedule = parse_cron("CRON_TZ=America/New_York 30 2 * * *")
    slots = list(schedule.slots_between(utc(2026, 10, 30), utc(2026, 11, 4)))
    assert [as_utc(s) for s in slots] == [
        as_utc(utc(2026, 10, 30, 6, 30)),  # 02:30 EDT
        as_utc(utc(2026, 10, 31, 6, 30)),  # 02:30 EDT
        as_utc(utc(2026, 11, 1, 7, 30)),  # 02:30 EST (02:xx happens once that night)
        as_utc(utc(2026, 11, 2, 7, 30)),
        as_utc(utc(2026, 11, 3, 7, 30)),
    ]
    assert set(_by_local_date(slots, NEW_YORK).values()) == {1}


def test_fall_back_job_in_repeated_hour_runs_once() -> None:
    schedule = parse_cron("CRON_TZ=America/New_York 30 1 * * *")
    slots = list(schedule.slots_between(utc(2026, 10, 31), utc(2026, 11, 3)))
    assert [as_utc(s) for s in slots] == [
        as_utc(utc(2026, 10, 31, 5, 30)),  # 01:30 EDT
        as_utc(utc(2026, 11, 1, 5, 30)),  # 01:30 EDT, the first pass; not again at 01:30 EST
        as_utc(utc(2026, 11, 2, 6, 30)),  # 01:30 EST
    ]
    assert as_local(slots[1], NEW_YORK).isoformat() == "2026-11-01T01:30:00-04:00"
    assert set(_by_local_date(slots, NEW_YORK).values()) == {1}


@pytest.mark.parametrize(
    "after",
    [
        utc(2026, 11, 1, 5, 30),  # the slot itself (01:30 EDT)
        utc(2026, 11, 1, 5, 45),  # 01:45 EDT
        utc(2026, 11, 1, 6, 0),  # 01:00 EST: second pass, before the wall-clock 01:30
        utc(2026, 11, 1, 6, 29, 59),  # 01:29:59 EST
        utc(2026, 11, 1, 6, 30),  # 01:30 EST
        utc(2026, 11, 1, 6, 59),
        utc(2026, 11, 1, 7, 0),  # 02:00 EST
    ],
)
def test_fall_back_next_after_from_inside_the_repeated_hour(after: float) -> None:
    schedule = parse_cron("CRON_TZ=America/New_York 30 1 * * *")
    assert schedule.next_after(after) == utc(2026, 11, 2, 6, 30)


def test_fall_back_stepping_minute_by_minute_never_fires_twice() -> None:
    schedule = parse_cron("CRON_TZ=America/New_York 30 1 * * *")
    seen = {
        schedule.next_after(t)
        for t in range(int(utc(2026, 11, 1, 4)), int(utc(2026, 11, 1, 8)), 60)
    }
    assert seen == {utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)}


def test_fixed_time_job_fires_once_per_local_day_all_year() -> None:
    for text in (
        "CRON_TZ=America/New_York 30 2 * * *",
        "CRON_TZ=America/New_York 30 1 * * *",
        "CRON_TZ=America/New_York 0 2 * * *",
        "CRON_TZ=Europe/Berlin 30 2 * * *",
    ):
        zone = ZoneInfo(text.split()[0].partition("=")[2])
        schedule = parse_cron(text)
        slots = list(
            schedule.slots_between(local(zone, 2025, 12, 31, 12), local(zone, 2026, 12, 31, 12))
        )
        per_day = _by_local_date(slots, zone)
        assert len(slots) == 365, text
        assert set(per_day.values()) == {1}, text
        assert min(per_day) == date(2026, 1, 1)
        assert max(per_day) == date(2026, 12, 31)


def test_wildcard_hour_jobs_follow_real_time_on_transition_days() -> None:
    every_five = parse_cron("CRON_TZ=America/New_York */5 * * * *")
    hourly = parse_cron("CRON_TZ=America/New_York 0 * * * *")
    for day, hours in ((date(2026, 3, 8), 23), (date(2026, 11, 1), 25), (date(2026, 6, 1), 24)):
        start = local(NEW_YORK, day.year, day.month, day.day) - 1
        end = local(NEW_YORK, *(day + timedelta(days=1)).timetuple()[:3]) - 1
        assert (end - start) == hours * 3600
        assert len(list(every_five.slots_between(start, end))) == hours * 12
        hourly_slots = list(hourly.slots_between(start, end))
        assert len(hourly_slots) == hours
        assert all(b - a == 3600 for a, b in itertools.pairwise(hourly_slots))
    fall_back_hours = [
        as_local(s, NEW_YORK).isoformat()
        for s in hourly.slots_between(utc(2026, 11, 1, 4, 30), utc(2026, 11, 1, 7, 30))
    ]
    assert fall_back_hours == [
        "2026-11-01T01:00:00-04:00",
        "2026-11-01T01:00:00-05:00",
        "2026-11-01T02:00:00-05:00",
    ]


def test_berlin_transitions_2026() -> None:
    # 2026-03-29 02:00 CET -> 03:00 CEST (01:00 UTC); 2026-10-25 03:00 CEST -> 02:00 CET.
    schedule = parse_cron("CRON_TZ=Europe/Berlin 30 2 * * *")
    assert schedule.next_after(utc(2026, 3, 28, 12)) == utc(2026, 3, 29, 1, 0)  # 03:00 CEST
    assert schedule.next_after(utc(2026, 3, 29, 1, 0)) == utc(2026, 3, 30, 0, 30)
    assert schedule.next_after(utc(2026, 10, 24, 12)) == utc(2026, 10, 25, 0, 30)  # 02:30 CEST
    assert schedule.next_after(utc(2026, 10, 25, 0, 30)) == utc(2026, 10, 26, 1, 30)
    assert schedule.next_after(utc(2026, 10, 25, 1, 0)) == utc(2026, 10, 26, 1, 30)  # 02:00 CET


def test_two_slots_inside_the_gap_fire_once() -> None:
    schedule = parse_cron("CRON_TZ=America/New_York 0,30 2 * * *")
    slots = list(schedule.slots_between(utc(2026, 3, 8), utc(2026, 3, 8, 23)))
    assert slots == [utc(2026, 3, 8, 7, 0)]
