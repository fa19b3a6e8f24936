"""Builder for `feeds:`: each source with its effective interval, targets and selectors."""

from __future__ import annotations

import codecs
from collections.abc import Sequence
from functools import cache
from typing import Any

from bot.config.fields import Fields, describe
from bot.config.schema import REGION_ALIASES, REGIONS, Defaults, FeedConfig, FeedType
from bot.config.yamlsource import child_path, item_path
from bot.model import BoardSelectors, ExtractSelectors

__all__ = ["FEED_KEYS", "css_problem", "feeds"]

FEED_KEYS = (
    "name",
    "url",
    "type",
    "region",
    "interval",
    "backfill",
    "publish",
    "charset",
    "extract",
    "select",
    "enabled",
)
_EXTRACT_KEYS = ("title", "subtitle", "body", "date", "image")
_SELECT_KEYS = ("row", "link", "title", "date")
_TYPES: tuple[FeedType, ...] = ("feed", "html")


def feeds(f: Fields, raw: object, defaults: Defaults, targets: Sequence[str]) -> tuple[FeedConfig, ...]:
    """Every feed that could be read; `targets` are the channel and rss names a feed may publish to."""
    if raw is None:
        f.warn("feeds", "no feeds: nothing will be polled")
        return ()
    if not isinstance(raw, list):
        f.error("feeds", f"expected a list of feeds (each starting with '- name:'), got {describe(raw)}")
        return ()
    result: list[FeedConfig] = []
    names: dict[str, str] = {}
    urls: dict[str, str] = {}
    for index, item in enumerate(raw):
        path = item_path("feeds", index)
        feed = _feed(f, path, item, defaults, targets)
        if feed is None:
            continue
        if feed.name in names:
            f.error(
                f"{path}.name",
                f"duplicate feed name '{feed.name}' (also {names[feed.name]}, "
                f"line {f.line(names[feed.name] + '.name')})",
            )
            continue
        names[feed.name] = path
        if feed.url in urls:
            f.warn(f"{path}.url", f"the same URL as {urls[feed.url]}: it will be polled twice")
        urls.setdefault(feed.url, path)
        result.append(feed)
    if not raw:
        f.warn("feeds", "no feeds: nothing will be polled")
    return tuple(result)


def _feed(f: Fields, path: str, item: object, defaults: Defaults, targets: Sequence[str]) -> FeedConfig | None:
    if not isinstance(item, dict):
        f.error(path, f"expected a feed (a mapping with name, url, publish), got {describe(item)}")
        return None
    s = f.mapping(path, item, FEED_KEYS)
    name_value = f.required(path, s, "name")
    name = f.text(f"{path}.name", name_value, "")
    if name_value is not None and not name:
        f.error(f"{path}.name", "the name is empty")
    elif name and not f.check_name(f"{path}.name", name):
        name = ""
    url = f.url(f"{path}.url", s.get("url"), None) or ""
    feed_type = _type(f, f"{path}.type", s.get("type"))
    # Every field is read even when the name is missing, so that all of this feed's problems are reported.
    feed = FeedConfig(
        name=name,
        url=url,
        type=feed_type,
        region=_region(f, f"{path}.region", s.get("region")),
        interval=f.duration(f"{path}.interval", s.get("interval"), defaults.interval),
        backfill=f.integer(f"{path}.backfill", s.get("backfill"), defaults.backfill),
        publish=_publish(f, f"{path}.publish", s, targets),
        charset=_charset(f, f"{path}.charset", s.get("charset")),
        extract=_extract(f, f"{path}.extract", s.get("extract")),
        select=_select(f, path, s.get("select"), feed_type),
        enabled=f.boolean(f"{path}.enabled", s.get("enabled"), True),
    )
    return feed if name else None


def _type(f: Fields, path: str, value: object) -> FeedType:
    if value is None:
        return "feed"
    for known in _TYPES:
        if value == known:
            return known
    f.error(path, f"expected feed (RSS/Atom/RDF) or html (a board list page), got {describe(value)}")
    return "feed"


def _region(f: Fields, path: str, value: object) -> str | None:
    text = f.optional_text(path, value)
    if text is None or text in REGIONS:
        return text
    if text in REGION_ALIASES:
        return REGION_ALIASES[text]
    f.error(path, f"unknown region {text!r} (expected one of: {', '.join(REGIONS)})")
    return None


def _publish(f: Fields, path: str, section: dict[str, object], targets: Sequence[str]) -> tuple[str, ...]:
    known = f"known: {', '.join(targets)}" if targets else "none yet: add one under channels: or rss:"
    value = section.get("publish")
    if value is None:
        f.error(path, f"missing (required): the channel and rss names to publish to ({known})", key=True)
        return ()
    if not isinstance(value, list):
        f.error(path, f"expected a list of channel or rss names like [chungnam, all], got {describe(value)}")
        return ()
    if not value:
        f.error(path, f"empty publish list: name at least one channel or rss output ({known})")
        return ()
    result: list[str] = []
    for index, item in enumerate(value):
        at = item_path(path, index)
        if not isinstance(item, str):
            f.error(at, f"expected a channel or rss name, got {describe(item)}")
        elif item not in targets:
            f.error(at, f"no channel or rss output named '{item}' ({known})")
        elif item in result:
            f.warn(at, f"'{item}' is listed twice; it is published to once")
        else:
            result.append(item)
    return tuple(result)


def _charset(f: Fields, path: str, value: object) -> str | None:
    text = f.optional_text(path, value)
    if text is None:
        return None
    try:
        codecs.lookup(text)
    except LookupError:
        f.error(path, f"unknown charset {text!r} (for example utf-8, euc-kr, cp949)")
        return None
    return text.lower()


def _extract(f: Fields, path: str, value: object) -> ExtractSelectors | None:
    if value is None:
        return None
    s = f.mapping(path, value, _EXTRACT_KEYS, what=f"a mapping of CSS selectors ({', '.join(_EXTRACT_KEYS)})")
    selectors = {key: _selector(f, child_path(path, key), s.get(key)) for key in _EXTRACT_KEYS}
    if isinstance(value, dict) and not value:
        f.warn(path, "no selectors given: the extractor's own rules are used")
        return None
    return ExtractSelectors(**selectors)


def _select(f: Fields, feed_path: str, value: object, feed_type: FeedType) -> BoardSelectors | None:
    path = f"{feed_path}.select"
    if value is None:
        if feed_type == "html":
            f.error(path, "missing (required for type: html): CSS selectors {row, link, title, date}", key=True)
        return None
    if feed_type != "html":
        f.error(path, "select is only read for type: html (set type: html, or remove select)", key=True)
        return None
    s = f.mapping(path, value, _SELECT_KEYS, what=f"a mapping of CSS selectors ({', '.join(_SELECT_KEYS)})")
    if not isinstance(value, dict):
        return None
    row = _selector(f, f"{path}.row", f.required(path, s, "row"))
    link = _selector(f, f"{path}.link", f.required(path, s, "link"))
    title = _selector(f, f"{path}.title", s.get("title"))
    date = _selector(f, f"{path}.date", s.get("date"))
    if row is None or link is None:
        return None
    return BoardSelectors(row=row, link=link, title=title, date=date)


def _selector(f: Fields, path: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        f.error(path, f'expected a CSS selector like "td.title a", got {describe(value)}')
        return None
    problem = css_problem(value.strip())
    if problem:
        f.error(path, f"{problem}: {value.strip()!r}")
        return None
    return value.strip()


def css_problem(selector: str) -> str | None:
    """Why `selector` is not a CSS selector the HTML parser accepts, or None."""
    try:
        _probe().css(selector)
    except Exception:  # selectolax raises its own error type for a selector it cannot parse
        return "not a valid CSS selector"
    return None


@cache
def _probe() -> Any:
    from selectolax.lexbor import LexborHTMLParser

    return LexborHTMLParser("<p></p>")
