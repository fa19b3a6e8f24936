"""Builders for the publishing targets: Telegram `channels` and `rss` outputs."""

from __future__ import annotations

import re
from datetime import time

from bot.config.fields import Fields, describe, is_int
from bot.config.schema import RESERVED_PATHS, ChannelConfig, RssConfig
from bot.config.yamlsource import child_path

__all__ = ["channels", "rss"]

_USERNAME = re.compile(r"@[A-Za-z0-9_]+")
_NUMERIC_ID = re.compile(r"-?\d+")
_QUIET = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")


def channels(f: Fields, raw: object) -> dict[str, ChannelConfig]:
    result: dict[str, ChannelConfig] = {}
    keys = ("chat_id", "digest_after", "photos", "quiet_hours", "paused")
    for name, value in f.named("channels", raw, what="Telegram channels").items():
        path = child_path("channels", name)
        section = f.mapping(path, value, keys, what="a mapping with at least chat_id")
        if value is not None and not isinstance(value, dict):
            continue
        d = ChannelConfig(name=name, chat_id=0)
        result[name] = ChannelConfig(
            name=name,
            chat_id=_chat_id(f, path, section),
            digest_after=f.integer(f"{path}.digest_after", section.get("digest_after"), d.digest_after),
            photos=f.boolean(f"{path}.photos", section.get("photos"), d.photos),
            quiet_hours=_quiet_hours(f, f"{path}.quiet_hours", section.get("quiet_hours")),
            paused=f.boolean(f"{path}.paused", section.get("paused"), d.paused),
        )
    return result


def _chat_id(f: Fields, path: str, section: dict[str, object]) -> str | int:
    value = f.required(path, section, "chat_id")
    if value is None:
        return ""
    if is_int(value) and isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        if _USERNAME.fullmatch(text):
            return text
        if _NUMERIC_ID.fullmatch(text):
            return int(text)
        hint = f' (did you mean "@{text}"?)' if re.fullmatch(r"[A-Za-z0-9_]+", text) else ""
        f.error(f"{path}.chat_id", f"expected @username or a numeric chat id, got {text!r}{hint}")
        return text
    f.error(f"{path}.chat_id", f"expected @username or a numeric chat id, got {describe(value)}")
    return ""


def _quiet_hours(f: Fields, path: str, value: object) -> tuple[time, time] | None:
    if value is None or value == "":
        return None
    match = _QUIET.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        f.error(path, f"expected a range like 22:00-07:00 (Korea time), got {describe(value)}")
        return None
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    if h1 > 24 or h2 > 24 or m1 > 59 or m2 > 59 or (h1 == 24 and m1) or (h2 == 24 and m2):
        f.error(path, f"expected times between 00:00 and 24:00, got {value!r}")
        return None
    start, end = time(h1 % 24, m1), time(h2 % 24, m2)
    if start == end:
        f.error(path, f"the range {value!r} is empty: start and end must differ")
        return None
    return start, end


def rss(f: Fields, raw: object) -> dict[str, RssConfig]:
    result: dict[str, RssConfig] = {}
    keys = ("path", "title", "description", "limit", "file")
    used: dict[str, str] = {}
    for name, value in f.named("rss", raw, what="RSS outputs").items():
        path = child_path("rss", name)
        section = f.mapping(path, value, keys)
        if value is not None and not isinstance(value, dict):
            continue
        served = _rss_path(f, path, section.get("path"), used)
        title = f.text(f"{path}.title", section.get("title"), name) or name
        result[name] = RssConfig(
            name=name,
            path=served,
            title=title,
            description=f.text(f"{path}.description", section.get("description"), title) or title,
            limit=f.integer(
                f"{path}.limit", section.get("limit"), RssConfig(name="", path="", title="").limit, minimum=1
            ),
            file=f.file_path(f"{path}.file", section.get("file"), None),
        )
    return result


def _rss_path(f: Fields, output: str, value: object, used: dict[str, str]) -> str:
    path = f"{output}.path"
    if value is None:
        f.error(path, f"missing (required): where to serve it, e.g. /rss/{output.split('.', 1)[1]}.xml", key=True)
        return ""
    served = f.text(path, value, "")
    if not served.startswith("/"):
        f.error(path, f"an rss path must start with '/', got {served!r}")
    elif any(char.isspace() or char in "?#" for char in served):
        f.error(path, f"an rss path cannot contain spaces, '?' or '#', got {served!r}")
    elif served in RESERVED_PATHS:
        f.error(path, f"{served} is reserved for the server itself")
    elif served in used:
        f.error(path, f"{served} is already served by {used[served]}")
    else:
        used[served] = output
    return served
