"""Durations ("30s", "5m", "1h30m") and sizes ("10MB") as admins write them in config.yaml."""

from __future__ import annotations

import math
import re

__all__ = ["format_duration", "format_size", "parse_duration", "parse_size"]

_DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h|d|w)")
_NUMBER = re.compile(r"[+]?(\d+(?:\.\d+)?|\.\d+)")

# Binary multiples: a body cap of "10MB" is what nginx and most admins mean by it (10 MiB).
_SIZE_UNITS = {
    "": 1,
    "b": 1,
    "k": 1024,
    "kb": 1024,
    "kib": 1024,
    "m": 1024**2,
    "mb": 1024**2,
    "mib": 1024**2,
    "g": 1024**3,
    "gb": 1024**3,
    "gib": 1024**3,
}
_SIZE = re.compile(r"(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)")

DURATION_HINT = "expected a duration like 30s, 5m, 1h or a number of seconds"
SIZE_HINT = "expected a size like 512KB, 10MB or a number of bytes"


def _got(value: object) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    return repr(value) if isinstance(value, int | float) else f"a {type(value).__name__}"


def parse_duration(value: object) -> float:
    """Seconds in `value`: a number of seconds, or units s/m/h/d (also ms, w) like "1h30m".

    Raises ValueError naming what was expected and what was given. Negative durations are refused.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str):
        seconds = _parse_duration_text(value)
    else:
        raise ValueError(f"{DURATION_HINT}, got {_got(value)}")
    if math.isnan(seconds) or math.isinf(seconds) or seconds < 0:
        raise ValueError(f"{DURATION_HINT}, got {_got(value)}")
    return seconds


def _parse_duration_text(value: str) -> float:
    text = value.strip().lower()
    if _NUMBER.fullmatch(text):
        return float(text)
    total = 0.0
    position = 0
    for match in _DURATION_PART.finditer(text):
        if text[position : match.start()].strip():
            break
        total += float(match.group(1)) * _DURATION_UNITS[match.group(2)]
        position = match.end()
    else:
        if position and not text[position:].strip():
            return total
    raise ValueError(f"{DURATION_HINT}, got {_got(value)}")


def parse_size(value: object) -> int:
    """Bytes in `value`: an integer, or a number with B/KB/MB/GB (binary multiples, KiB/MiB also read)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str):
        match = _SIZE.fullmatch(value.strip().lower())
        if match and match.group(2) in _SIZE_UNITS:
            return round(float(match.group(1)) * _SIZE_UNITS[match.group(2)])
    raise ValueError(f"{SIZE_HINT}, got {_got(value)}")


def format_duration(seconds: float) -> str:
    """The shortest unit form that parse_duration reads back: 90 -> "1m30s", 5400 -> "1h30m"."""
    if seconds < 0:
        return "-" + format_duration(-seconds)
    if seconds == 0:
        return "0s"
    if seconds < 1:
        return f"{round(seconds * 1000, 3):g}ms"
    parts: list[str] = []
    whole = int(seconds)
    fraction = round(seconds - whole, 3)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        count, whole = divmod(whole, size)
        if count:
            parts.append(f"{count}{unit}")
    if whole or fraction:
        parts.append(f"{whole + fraction:g}s")
    return "".join(parts)


def format_size(size: int) -> str:
    """A byte count in the largest binary unit that divides it: 10485760 -> "10MB"."""
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size and size % factor == 0:
            return f"{size // factor}{unit}"
    return f"{size}B"
