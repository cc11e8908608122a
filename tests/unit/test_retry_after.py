"""Tests for destination-controlled retry timing (Retry-After and X-RateLimit-Reset*)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime

import pytest

from upstash_qstash._wire.retry_after import (
    MAX_RETRY_AFTER_SECONDS,
    RETRY_AFTER_HEADERS,
    parse_go_duration,
    retry_after_seconds,
)

# Sun, 06 Nov 1994 08:49:37 GMT, the example instant of RFC 9110
NOW = datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC).timestamp()


def after(value: str, name: str = "Retry-After", now: float = NOW) -> float | None:
    return retry_after_seconds({name: value}, now)


# --------------------------------------------------------------------------- formats


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", 0.0),
        ("1", 1.0),
        ("120", 120.0),
        ("007", 7.0),
        ("1.5", 1.5),
        ("0.25", 0.25),
        (".5", 0.5),
        ("2.", 2.0),
        ("+3", 3.0),
        ("86400", 86400.0),
        ("86400.0", 86400.0),
        ("  42  ", 42.0),
        ("\t42\r\n", 42.0),
        ("-0", 0.0),
    ],
)
def test_seconds(value: str, expected: float) -> None:
    result = after(value)
    assert result == expected
    assert result is not None and math.copysign(1.0, result) == 1.0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("6m5s", 365.0),
        ("1.5s", 1.5),
        ("300ms", 0.3),
        ("2h", 7200.0),
        ("1h30m", 5400.0),
        ("1h0m0s", 3600.0),
        ("0s", 0.0),
        ("24h", 86400.0),
        ("23h59m59.999s", 86399.999),
        ("500us", 0.0005),
        ("500\u00b5s", 0.0005),  # micro sign
        ("500\u03bcs", 0.0005),  # greek mu
        ("1500000ns", 0.0015),
        ("1m0.5s", 60.5),
        ("+5s", 5.0),
    ],
)
def test_go_durations(value: str, expected: float) -> None:
    assert after(value) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Sun, 06 Nov 1994 08:50:37 GMT", 60.0),  # IMF-fixdate (RFC 1123)
        ("Sun, 06 Nov 1994 08:49:37 GMT", 0.0),  # exactly now
        ("Sun, 06 Nov 1994 08:49:36 GMT", 0.0),  # in the past: retry now
        ("Sat, 01 Jan 1994 00:00:00 GMT", 0.0),  # long past
        ("Mon, 07 Nov 1994 08:49:37 GMT", 86400.0),  # exactly one day
        ("Sun, 06 Nov 1994 09:49:37 UTC", 3600.0),
        ("Sun, 06 Nov 1994 03:50:37 -0500", 60.0),  # numeric offset (RFC 1123 allows it)
        ("Sun, 06 Nov 1994 10:19:37 +0130", 0.0),
        ("Sun, 06 Nov 1994 10:20:37 +0130", 60.0),
        ("Sun, 6 Nov 1994 08:50:37 GMT", 60.0),
        ("sun, 06 nov 1994 08:50:37 gmt", 60.0),
        ("Sunday, 06-Nov-94 08:51:37 GMT", 120.0),  # RFC 850
        ("Sun Nov  6 08:52:37 1994", 180.0),  # asctime
        ("Sun Nov 6 08:52:37 1994", 180.0),
        ("Sun Nov 16 08:52:37 1994", None),  # ten days ahead: beyond a day
        ("Mon, 07 Nov 1994 08:49:38 GMT", None),  # one second beyond a day
    ],
)
def test_http_dates(value: str, expected: float | None) -> None:
    assert after(value) == expected


def test_http_date_relative_to_now() -> None:
    value = "Wed, 21 Oct 2026 07:28:00 GMT"
    target = datetime(2026, 10, 21, 7, 28, tzinfo=UTC).timestamp()
    assert after(value, now=target - 90) == 90.0
    assert after(value, now=target - 0.5) == 0.5
    assert after(value, now=target + 3600) == 0.0
    assert after(value, now=target - 86400) == 86400.0
    assert after(value, now=target - 86401) is None


def test_rfc850_two_digit_years_follow_rfc9110() -> None:
    # A two-digit year more than 50 years in the future means the previous century.
    now_2026 = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    assert after("Thursday, 01-Jan-26 00:01:00 GMT", now=now_2026) == 60.0
    assert after("Friday, 01-Jan-99 00:00:00 GMT", now=now_2026) == 0.0  # 1999, the past
    now_2090 = datetime(2090, 1, 1, tzinfo=UTC).timestamp()
    assert after("Sunday, 01-Jan-90 00:01:00 GMT", now=now_2090) == 60.0  # 2090


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "soon",
        "-1",
        "-0.5",
        "-5s",
        "-1h",
        "86400.001",
        "86401",
        "100000",
        "24h0m0.001s",
        "25h",
        "2562047h",
        "9" * 400,
        "1e3",
        "1_000",
        "0x10",
        "inf",
        "nan",
        "Infinity",
        "\uff11\uff12",  # full-width digits
        "\u0661",  # arabic-indic digit one
        "1 2",
        "5 s",
        "5S",
        "5sec",
        "1d",
        "s",
        ".s",
        "1..5s",
        "Sun, 06 Nov 1994 08:49:37",
        "Sun, 06 Nov 1994 08:49:37 EST",
        "Sun, 31 Feb 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:49:60 GMT",
        "Sun, 06 Nov 1994 08:49:37 +0099",
        "Sun, 06 Foo 1994 08:49:37 GMT",
        "Funday, 06-Nov-94 08:49:37 GMT",
        "1994-11-06T08:50:37Z",
        "x" * 1000,
    ],
)
def test_unusable_values_give_none(value: str) -> None:
    assert after(value) is None


def test_zero_means_retry_now() -> None:
    assert after("0") == 0.0
    assert after("0s") == 0.0
    assert after("0ms") == 0.0


def test_exactly_one_day_is_allowed() -> None:
    assert MAX_RETRY_AFTER_SECONDS == 86400.0
    assert after("86400") == 86400.0
    assert after("24h") == 86400.0
    assert after("1440m") == 86400.0
    assert after("86401") is None


# --------------------------------------------------------------------------- headers


def test_header_names_and_order() -> None:
    assert RETRY_AFTER_HEADERS == (
        "Retry-After",
        "X-RateLimit-Reset",
        "X-RateLimit-Reset-Requests",
        "X-RateLimit-Reset-Tokens",
    )


@pytest.mark.parametrize("name", RETRY_AFTER_HEADERS)
def test_each_header_is_used(name: str) -> None:
    assert retry_after_seconds({name: "7"}, NOW) == 7.0
    assert retry_after_seconds({name.lower(): "7"}, NOW) == 7.0
    assert retry_after_seconds({name.upper(): "7"}, NOW) == 7.0


def test_no_relevant_header() -> None:
    assert retry_after_seconds({}, NOW) is None
    assert (
        retry_after_seconds({"Content-Type": "text/plain", "X-RateLimit-Limit": "10"}, NOW) is None
    )
    assert retry_after_seconds({"Upstash-Retry-After": "5"}, NOW) is None
    assert retry_after_seconds({"X-RateLimit-Remaining": "0"}, NOW) is None


def test_precedence() -> None:
    headers = {
        "X-RateLimit-Reset-Tokens": "4",
        "X-RateLimit-Reset-Requests": "3",
        "X-RateLimit-Reset": "2",
        "Retry-After": "1",
    }
    assert retry_after_seconds(headers, NOW) == 1.0
    del headers["Retry-After"]
    assert retry_after_seconds(headers, NOW) == 2.0
    del headers["X-RateLimit-Reset"]
    assert retry_after_seconds(headers, NOW) == 3.0
    del headers["X-RateLimit-Reset-Requests"]
    assert retry_after_seconds(headers, NOW) == 4.0


def test_unusable_header_falls_through_to_the_next() -> None:
    assert retry_after_seconds({"Retry-After": "soon", "X-RateLimit-Reset": "5"}, NOW) == 5.0
    assert (
        retry_after_seconds({"Retry-After": "172800", "x-ratelimit-reset-tokens": "6m0s"}, NOW)
        == 360.0
    )
    assert (
        retry_after_seconds({"Retry-After": "-1", "X-RateLimit-Reset-Requests": "1s"}, NOW) == 1.0
    )
    assert retry_after_seconds({"Retry-After": "soon", "X-RateLimit-Reset": "later"}, NOW) is None


def test_openai_style_headers() -> None:
    headers = {
        "x-ratelimit-limit-requests": "60",
        "x-ratelimit-remaining-requests": "0",
        "x-ratelimit-reset-requests": "1s",
        "x-ratelimit-reset-tokens": "6m0s",
    }
    assert retry_after_seconds(headers, NOW) == 1.0


def test_epoch_style_reset_is_beyond_a_day_and_ignored() -> None:
    # GitHub-style X-RateLimit-Reset holds a Unix timestamp; read as seconds it is far
    # beyond one day, so it is ignored (the documented rule), and the backoff applies.
    assert retry_after_seconds({"X-RateLimit-Reset": str(int(NOW) + 60)}, NOW) is None


def test_first_value_wins_for_repeated_names() -> None:
    class Pairs(Mapping[str, str]):
        """A header container that may hold one name in several spellings."""

        def __init__(self, pairs: list[tuple[str, str]]) -> None:
            self._pairs = pairs

        def __getitem__(self, key: str) -> str:
            for name, value in self._pairs:
                if name == key:
                    return value
            raise KeyError(key)

        def __iter__(self) -> Iterator[str]:
            return (name for name, _ in self._pairs)

        def __len__(self) -> int:
            return len(self._pairs)

    headers = Pairs([("retry-after", "3"), ("Retry-After", "9")])
    assert retry_after_seconds(headers, NOW) == 3.0
    # a repeated name whose first value is unusable does not fall back to its second value
    headers = Pairs([("retry-after", "soon"), ("Retry-After", "9"), ("X-RateLimit-Reset", "4")])
    assert retry_after_seconds(headers, NOW) == 4.0


# --------------------------------------------------------------------------- parse_go_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("0", 0.0),
        ("+0", 0.0),
        ("-0", 0.0),
        ("5s", 5.0),
        ("30s", 30.0),
        ("1478s", 1478.0),
        ("-5s", -5.0),
        ("+5s", 5.0),
        ("1.5h", 5400.0),
        ("6m5s", 365.0),
        ("2h45m", 9900.0),
        ("3h30m10s", 12610.0),
        ("1h1m1s1ms1us1ns", 3661.001001001),
        ("300ms", 0.3),
        ("1.004s", 1.004),
        (".5s", 0.5),
        ("5.s", 5.0),
        ("100ns", 1e-7),
        ("100us", 1e-4),
        ("100\u00b5s", 1e-4),
        ("100\u03bcs", 1e-4),
        ("1.0000000000000000000000000001s", 1.0),
        ("0.000000001s", 1e-9),
        ("9223372036s", 9223372036.0),
        ("2562047h", 2562047 * 3600.0),
    ],
)
def test_parse_go_duration(text: str, seconds: float) -> None:
    assert parse_go_duration(text) == pytest.approx(seconds, rel=1e-15, abs=1e-18)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "invalid duration ''"),
        ("-", "invalid duration '-'"),
        ("+", "invalid duration '+'"),
        ("5", "missing unit"),
        ("1h5", "missing unit"),
        ("0.0", "missing unit"),
        ("s", "expected a number"),
        (".s", "expected a number"),
        ("1..5s", "missing unit"),
        ("5sec", "unknown unit 'sec' (use ns, us, µs, ms, s, m or h)"),
        ("1d", "unknown unit 'd'"),
        ("5S", "unknown unit 'S'"),
        ("5 s", "unknown unit ' s'"),
        (" 5s", "expected a number"),
        ("--5s", "expected a number"),
        ("3000000h", "out of range"),
        ("9223372037s", "out of range"),
        ("99999999999999999999ns", "out of range"),
        ("1" + "0" * 5000 + "s", "out of range"),
    ],
)
def test_parse_go_duration_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match="invalid duration") as info:
        parse_go_duration(text)
    assert message in str(info.value)


def test_parse_go_duration_long_fraction_is_cheap() -> None:
    assert parse_go_duration("1." + "9" * 5000 + "s") == pytest.approx(2.0)
