"""parse_datetime: every date form Korean sources and feeds write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.dates import KST, parse_datetime

UTC = UTC


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fri,22 Nov 2024 10:00:00 +0900", datetime(2024, 11, 22, 10, 0, tzinfo=KST)),
        ("Mon, 28 Sep 2026 04:43:47 +09:00", datetime(2026, 9, 28, 4, 43, 47, tzinfo=KST)),
        ("Sun, 27 09 2026 23:56:13 +0900", datetime(2026, 9, 27, 23, 56, 13, tzinfo=KST)),
        ("Fri, 25 Sep 2026 14:18:05 KST", datetime(2026, 9, 25, 14, 18, 5, tzinfo=KST)),
        ("27 Sep  2026 19:32:00 GMT", datetime(2026, 9, 27, 19, 32, tzinfo=UTC)),
        ("2024-11-18T02:00:00Z", datetime(2024, 11, 18, 2, 0, tzinfo=UTC)),
        ("2024-11-19T00:30:12+00:00", datetime(2024, 11, 19, 0, 30, 12, tzinfo=UTC)),
        ("2026-09-27T19:00:00", datetime(2026, 9, 27, 19, 0, tzinfo=KST)),
        ("2024-11-17 14:30:00", datetime(2024, 11, 17, 14, 30, tzinfo=KST)),
        ("2024.11.20 15:07", datetime(2024, 11, 20, 15, 7, tzinfo=KST)),
        ("24-11-17 14:30", datetime(2024, 11, 17, 14, 30, tzinfo=KST)),
        ("2024년 11월 22일(금) 17:05", datetime(2024, 11, 22, 17, 5, tzinfo=KST)),
        ("2022년06월07일 07시25분", datetime(2022, 6, 7, 7, 25, tzinfo=KST)),
        ("입력 2024.11.20 오후 3:07", datetime(2024, 11, 20, 15, 7, tzinfo=KST)),
        ("입력 2024.11.20 오전 12:07", datetime(2024, 11, 20, 0, 7, tzinfo=KST)),
        ("2024.11.21", datetime(2024, 11, 21, tzinfo=KST)),
        ("2024. 11. 22.(금) 10:30", datetime(2024, 11, 22, 10, 30, tzinfo=KST)),
        ("04/30/2026 16:43:13", datetime(2026, 4, 30, 16, 43, 13, tzinfo=KST)),
    ],
)
def test_forms(text: str, expected: datetime) -> None:
    got = parse_datetime(text)
    assert got == expected
    assert got is not None and got.utcoffset() == expected.utcoffset()


def test_zone_less_time_uses_default_zone() -> None:
    other = timezone(timedelta(hours=-5))
    assert parse_datetime("2024-11-17 14:30", default_tz=other) == datetime(2024, 11, 17, 14, 30, tzinfo=other)


@pytest.mark.parametrize(
    "garbage", ["", "garbage", "11.22.(금)", "2024-13-45", "99:99", "\x00\xff", "2024-02-30 10:00"]
)
def test_garbage_gives_none(garbage: str) -> None:
    assert parse_datetime(garbage) is None


def test_clock_number_after_minutes_is_not_seconds() -> None:
    assert parse_datetime("2024.11.20 15:07 12명") == datetime(2024, 11, 20, 15, 7, tzinfo=KST)
