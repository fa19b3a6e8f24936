"""Parse every date form Korean press sources and their feeds write into an aware datetime."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo
from typing import NamedTuple

from bot.model import KST

__all__ = ["KST", "ParsedTime", "parse_datetime", "parse_time"]

_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, 1)}
_NAMED_ZONES = {
    "z": 0, "ut": 0, "utc": 0, "gmt": 0, "kst": 9 * 60, "jst": 9 * 60, "est": -5 * 60, "edt": -4 * 60,
}

# A zone written after a time: Z, +09:00, +0900, +09, or a name (KST, GMT, UTC).
_ZONE = r"(?P<zone>Z|[+-]\d{2}(?::?\d{2})?|UTC|UT|GMT|KST|JST|EST|EDT)?"
# Morning/afternoon markers before (Korean) or after (English) the clock time.
_TIME = (
    r"(?:(?P<ampm1>오전|오후|AM|PM|am|pm)\s*)?"
    r"(?P<hour>\d{1,2})\s*(?::|시)\s*(?P<minute>\d{1,2})?\s*분?"
    r"(?:\s*:\s*(?P<second>\d{1,2})(?:\.\d+)?|\s*(?P<second2>\d{1,2})\s*초)?"
    r"(?:\s*(?P<ampm2>AM|PM|am|pm))?"
)

# 2024년 11월 22일(금) 17:05 / 2022년06월07일 07시25분 / 2024년 11월 22일
_KOREAN = re.compile(
    r"(?P<year>\d{4}|\d{2})\s*년\s*(?P<month>\d{1,2})\s*월\s*(?P<day>\d{1,2})\s*일"
    r"(?:\s*\(?[월화수목금토일]\)?(?:요일)?)?"
    r"(?:[\s,]*[\[(]?" + _TIME + r"[\])]?)?"
)
# RFC 822 and its real-world defects: missing space after the comma, numeric month, double spaces.
_RFC822 = re.compile(
    r"(?:[A-Za-z]{3,9},?\s*)?(?P<day>\d{1,2})\s+(?P<month>[A-Za-z]{3,9}|\d{1,2})\.?\s+(?P<year>\d{4}|\d{2})"
    r"(?:\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?\s*" + _ZONE,
)
# 2024-11-17T14:30:00+09:00 / 2024-11-17 14:30 / 2024.11.20 오후 3:07 / 24-11-17 14:30 / 2024.11.20. /
# 2024/12/17 [10:31] / 2024.12.17 (10:31)
_NUMERIC = re.compile(
    r"(?<!\d)(?P<year>\d{4}|\d{2})\s*[-./]\s*(?P<month>\d{1,2})\s*[-./]\s*(?P<day>\d{1,2})(?!\d)\.?"
    r"(?:\s*\(?[월화수목금토일]\)?(?:요일)?)?"
    r"(?:(?:T|[\s,]+[\[(]?)" + _TIME + r"[\])]?)?\s*" + _ZONE,
)
# MM/DD/YYYY HH:MM:SS (the data.go.kr press-release API).
_US = re.compile(
    r"(?<!\d)(?P<month>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4})"
    r"(?:\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?\s*" + _ZONE,
)
_PATTERNS = (_KOREAN, _NUMERIC, _RFC822, _US)


def _year(text: str) -> int:
    value = int(text)
    return value + 2000 if len(text) == 2 else value


def _zone(text: str | None, default_tz: tzinfo) -> tzinfo:
    if not text:
        return default_tz
    key = text.lower()
    if key in _NAMED_ZONES:
        minutes = _NAMED_ZONES[key]
    else:
        sign = -1 if text[0] == "-" else 1
        digits = text[1:].replace(":", "")
        minutes = sign * (int(digits[:2]) * 60 + int(digits[2:4] or 0))
    if minutes == 9 * 60:
        return KST
    return timezone(timedelta(minutes=minutes))


def _build(groups: dict[str, str | None], default_tz: tzinfo) -> datetime | None:
    month_text = groups["month"] or ""
    month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text[:3].lower(), 0)
    hour = int(groups["hour"] or 0)
    ampm = (groups.get("ampm1") or groups.get("ampm2") or "").lower()
    if ampm in ("오후", "pm") and hour < 12:
        hour += 12
    elif ampm in ("오전", "am") and hour == 12:
        hour = 0
    try:
        return datetime(
            _year(groups["year"] or ""),
            month,
            int(groups["day"] or 0),
            hour,
            int(groups["minute"] or 0),
            int(groups["second"] or groups.get("second2") or 0),
            tzinfo=_zone(groups.get("zone"), default_tz),
        )
    except ValueError:
        return None


class ParsedTime(NamedTuple):
    """A parsed time and what the text gave of it: a clock time, seconds."""

    value: datetime
    has_time: bool
    has_seconds: bool


def parse_time(text: str, *, default_tz: tzinfo = KST) -> ParsedTime | None:
    """parse_datetime, saying whether the date came with a clock time and with seconds (a date
    alone is midnight; the caller may fill the time from another source)."""
    if not text or not isinstance(text, str):
        return None
    text = text[:300]
    for pattern in _PATTERNS:
        match = pattern.search(text)
        if match is None:
            continue
        groups = match.groupdict()
        found = _build(groups, default_tz)
        if found is not None:
            return ParsedTime(found, groups.get("hour") is not None,
                              bool(groups.get("second") or groups.get("second2")))
    return None


def parse_datetime(text: str, *, default_tz: tzinfo = KST) -> datetime | None:
    """The first date (with its time, if written) in `text`, aware; zone-less times are `default_tz`.

    Returns None when no valid date is found; never raises on garbage.
    """
    parsed = parse_time(text, default_tz=default_tz)
    return parsed.value if parsed is not None else None
