"""Turn an HTML board list page (no feed) into entries with admin-given CSS selectors."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from bot.dates import parse_datetime
from bot.encoding import decode_html
from bot.model import KST, BoardSelectors, Entry
from bot.sources.errors import FeedError
from bot.sources.feed import ParsedFeed
from bot.sources.links import is_http_url, normalise_link

__all__ = ["parse_board"]

# Boards write today's rows as a bare time and this year's as month-day.
_TIME_ONLY = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")
_MONTH_DAY = re.compile(r"^\s*(\d{1,2})\s*[-./]\s*(\d{1,2})\.?\s*$")
_HREF_ATTRS = ("href", "data-href", "data-url")


def _select(node: LexborNode | LexborHTMLParser, selector: str, what: str) -> list[LexborNode]:
    try:
        return node.css(selector)
    except (SelectolaxError, ValueError) as exc:
        raise FeedError(f"{what} selector {selector!r} is not valid CSS: {exc}", kind="selector") from exc


def _text(node: LexborNode | None) -> str:
    return " ".join(node.text(deep=True).split()) if node is not None else ""


def _href(node: LexborNode) -> str | None:
    candidates = [node] if node.tag == "a" or node.attrs.get("href") else []
    candidates += node.css("a[href]")
    for candidate in candidates:
        for name in _HREF_ATTRS:
            value = (candidate.attrs.get(name) or "").strip()
            if value:
                return value
    return None


def board_date(text: str, *, now: datetime) -> datetime | None:
    """A board's date cell as an aware time: full dates, and the short forms boards use for
    recent rows (`14:30` = today, `11-22` = this year's date, last year's if that is ahead)."""
    found = parse_datetime(text)
    if found is not None:
        return found
    local = now.astimezone(KST)
    time_only = _TIME_ONLY.match(text)
    if time_only:
        hour, minute, second = (int(g or 0) for g in time_only.groups())
        if hour < 24 and minute < 60 and second < 60:
            return local.replace(hour=hour, minute=minute, second=second, microsecond=0)
    month_day = _MONTH_DAY.match(text)
    if month_day:
        month, day = int(month_day.group(1)), int(month_day.group(2))
        for year in (local.year, local.year - 1):
            try:
                candidate = datetime(year, month, day, tzinfo=KST)
            except ValueError:
                return None
            if candidate <= local + timedelta(days=1):
                return candidate
    return None


def parse_board(
    body: bytes,
    *,
    url: str,
    select: BoardSelectors,
    charset: str | None = None,
    feed_name: str = "",
    content_type: str | None = None,
    now: datetime | None = None,
) -> ParsedFeed:
    """Entries from the rows of a board list page, in page order; identity = normalised link.

    `select.row` picks the rows; within a row `select.link` the link (an `a` or an element
    holding one), `select.title` the title (default: the link's text) and `select.date` the
    date (Korean forms understood). `now` anchors bare times and month-days (default: now).
    Raises FeedError when the page is empty or the row selector matches nothing.
    """
    if not body or not body.strip():
        raise FeedError("empty body where a board page was expected", kind="not_a_feed")
    text, _codec = decode_html(body, content_type=content_type, forced=charset)
    tree = LexborHTMLParser(text)
    rows = _select(tree, select.row, "row")
    if not rows:
        raise FeedError(f"row selector {select.row!r} matched nothing on {url}", kind="selector")
    moment = now or datetime.now(KST)
    warnings: list[str] = []
    entries: list[Entry] = []
    seen: set[str] = set()
    no_link = 0
    for number, row in enumerate(rows, 1):
        links = _select(row, select.link, "link")
        raw = _href(links[0]) if links else None
        if not raw:
            no_link += 1
            continue
        link = urljoin(url, raw)
        if not is_http_url(link):
            warnings.append(f"row {number}: link {raw[:80]!r} is not an http(s) URL, skipped")
            continue
        identity = normalise_link(link)
        if identity in seen:
            warnings.append(f"row {number}: duplicate link {link[:100]!r}, kept the first row")
            continue
        seen.add(identity)
        titles = _select(row, select.title, "title") if select.title else links
        title = _text(titles[0]) if titles else ""
        published = None
        if select.date:
            dates = _select(row, select.date, "date")
            date_text = _text(dates[0]) if dates else ""
            published = board_date(date_text, now=moment) if date_text else None
            if published is None:
                warnings.append(f"row {number}: no date read from {date_text[:40]!r} ({select.date!r})")
        if not title:
            warnings.append(f"row {number}: empty title ({select.title or select.link!r})")
        entries.append(Entry(feed=feed_name, item_id=identity, link=link, title=title, published=published))
    if no_link:
        warnings.append(f"{no_link} of {len(rows)} rows without a link ({select.link!r}) skipped")
    page_title = tree.css_first("title")
    return ParsedFeed(
        title=_text(page_title) or None, link=url, entries=tuple(entries), ttl=None, warnings=tuple(warnings)
    )
