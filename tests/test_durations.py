"""Durations and sizes as admins write them."""

from __future__ import annotations

import pytest

from bot.durations import format_duration, format_size, parse_duration, parse_size


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30s", 30.0),
        ("5m", 300.0),
        ("1h", 3600.0),
        ("1d", 86400.0),
        ("1h30m", 5400.0),
        ("1h 30m", 5400.0),
        ("1.5h", 5400.0),
        ("500ms", 0.5),
        ("1w", 604800.0),
        ("90", 90.0),
        (" 2m ", 120.0),
        ("5M", 300.0),
        (45, 45.0),
        (0.25, 0.25),
        (0, 0.0),
    ],
)
def test_parse_duration_reads_units_and_numbers(text: object, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["fast", "", "5x", "m", "1h30", "h1", "-5s", "1..5s", "5 m s"])
def test_parse_duration_names_what_it_expected_and_got(bad: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_duration(bad)
    assert str(caught.value) == f"expected a duration like 30s, 5m, 1h or a number of seconds, got {bad!r}"


@pytest.mark.parametrize(("bad", "shown"), [(True, "true"), (None, "nothing"), (-1, "-1"), ([1], "a list")])
def test_parse_duration_refuses_other_kinds(bad: object, shown: str) -> None:
    with pytest.raises(ValueError, match=f"got {shown}$"):
        parse_duration(bad)


def test_parse_duration_refuses_infinity_and_nan() -> None:
    for bad in (float("inf"), float("nan")):
        with pytest.raises(ValueError):
            parse_duration(bad)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (0.5, "500ms"),
        (1, "1s"),
        (1.5, "1.5s"),
        (90, "1m30s"),
        (300, "5m"),
        (3600, "1h"),
        (5400, "1h30m"),
        (86400, "1d"),
        (90061, "1d1h1m1s"),
        (-60, "-1m"),
    ],
)
def test_format_duration_is_short_and_reads_back(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text
    if seconds >= 0:
        assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("10MB", 10 * 1024 * 1024),
        ("512KB", 512 * 1024),
        ("1GB", 1024**3),
        ("100", 100),
        ("100B", 100),
        ("1.5MB", 1572864),
        ("10 mb", 10 * 1024 * 1024),
        ("2MiB", 2 * 1024 * 1024),
        ("4k", 4096),
        (4096, 4096),
    ],
)
def test_parse_size(text: object, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize(
    ("bad", "shown"), [("big", "'big'"), ("5TB", "'5TB'"), (-1, "-1"), (True, "true"), (1.5, "1.5")]
)
def test_parse_size_names_what_it_expected(bad: object, shown: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_size(bad)
    assert str(caught.value) == f"expected a size like 512KB, 10MB or a number of bytes, got {shown}"


def test_format_size_uses_the_largest_exact_unit() -> None:
    assert format_size(10 * 1024 * 1024) == "10MB"
    assert format_size(512 * 1024) == "512KB"
    assert format_size(1000) == "1000B"
    assert parse_size(format_size(3 * 1024**3)) == 3 * 1024**3
