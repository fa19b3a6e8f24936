"""Parse RSS 2.0 / Atom / RDF bytes into entries, safely (no entity expansion, no external fetches)."""

from __future__ import annotations

import html
import io
import re
import xml.sax
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from bot.dates import parse_datetime
from bot.encoding import decode_html
from bot.model import KST, Entry
from bot.sources.errors import FeedError
from bot.sources.feed_fast import read_fast
from bot.sources.links import entry_identity, is_http_url
from bot.sources.sanitize import clean_html, strip_tags

__all__ = ["ParsedFeed", "parse_feed"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedFeed:
    """What a feed (or board page) yielded: its channel fields and entries in feed order."""

    title: str | None
    link: str | None
    entries: tuple[Entry, ...]
    ttl: float | None = None
    """RSS `<ttl>` in seconds."""
    warnings: tuple[str, ...] = ()
    """Problems the parse survived, for the log and the feed's status."""
    known: frozenset[str] = frozenset()
    """Identities of entries left out of `entries` because the caller already knew them."""


_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_ROOT_NAME = re.compile(r"<([A-Za-z_][\w.:-]*)")
_ENTITY_DECL = re.compile(r"<!ENTITY", re.I)
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title", re.I | re.S)
_ENTRY_CLOSE = re.compile(r"</(?:[\w.-]+:)?(?:item|entry)\s*>")
# An error page served with status 200 often lacks <html>; these never start a feed.
_HTML_ROOTS = frozenset({"html", "head", "body", "meta", "title", "div", "p", "table", "script", "br", "h1", "center"})


def _prolog(text: str) -> tuple[int, tuple[int, int] | None]:
    """Where the root element starts, and the span of a DOCTYPE declaration if there is one.

    Walks the prolog by hand (declaration, comments, PIs, DOCTYPE with its internal subset and
    quoted strings) so that nothing inside a comment or a quoted value is mistaken for markup.
    """
    pos, n, doctype = 0, len(text), None
    while pos < n:
        while pos < n and text[pos] in " \t\r\n\ufeff":
            pos += 1
        if text.startswith("<?", pos):
            end = text.find("?>", pos)
            pos = n if end < 0 else end + 2
        elif text.startswith("<!--", pos):
            end = text.find("-->", pos + 4)
            pos = n if end < 0 else end + 3
        elif text[pos : pos + 9].upper() == "<!DOCTYPE":
            start, pos, depth, quote = pos, pos + 9, 0, ""
            while pos < n:
                ch = text[pos]
                if quote:
                    quote = "" if ch == quote else quote
                elif ch in "\"'":
                    quote = ch
                elif ch == "[":
                    depth += 1
                elif ch == "]":
                    depth -= 1
                elif ch == ">" and depth <= 0:
                    break
                pos += 1
            pos = min(pos + 1, n)
            doctype = (start, pos)
        else:
            break
    return pos, doctype


def _safe_text(body: bytes, *, headers: Mapping[str, str] | None, charset: str | None) -> str:
    """Decoded text with any DOCTYPE removed; refuses documents that declare entities."""
    content_type = None
    for key, value in (headers or {}).items():
        if key.lower() == "content-type":
            content_type = value
    text, _codec = decode_html(body, content_type=content_type, forced=charset)
    root, doctype = _prolog(text)
    if doctype is not None:
        declaration = text[doctype[0] : doctype[1]]
        if _ENTITY_DECL.search(declaration):
            raise FeedError(
                "refused: the DOCTYPE declares entities (an entity-expansion bomb or external entity); "
                "nothing was expanded or fetched",
                kind="unsafe",
            )
        if declaration[9:].lstrip().lower().startswith("html"):
            raise FeedError(_html_message(text), kind="not_a_feed")
        text = text[: doctype[0]] + text[doctype[1] :]
        root -= doctype[1] - doctype[0]
    if _ENTITY_DECL.search(text, root):
        # No parser honours a declaration after the root starts, but never hand one over.
        raise FeedError("refused: an <!ENTITY declaration appears inside the document", kind="unsafe")
    if not text[root:].strip():
        raise FeedError("empty body where a feed was expected", kind="not_a_feed")
    name = _ROOT_NAME.match(text, root)
    if name and name.group(1).lower() in _HTML_ROOTS:
        raise FeedError(_html_message(text), kind="not_a_feed")
    return text


def _html_message(text: str) -> str:
    found = _HTML_TITLE.search(text, 0, 20000)
    title = " ".join(strip_tags(found.group(1)).split())[:80] if found else ""
    return "got an HTML page, not a feed" + (f" (title: {title!r})" if title else "")


def _feedparser_input(text: str) -> bytes:
    """UTF-8 bytes with a declaration that says so: feedparser must not re-guess the charset."""
    decl = _XML_DECL.match(text)
    rest = text[decl.end() :] if decl else text.lstrip("\ufeff")
    return ('<?xml version="1.0" encoding="utf-8"?>' + rest).encode("utf-8", errors="replace")


def _malformed(exc: BaseException | None) -> str:
    if isinstance(exc, xml.sax.SAXParseException):
        return f"{exc.getMessage()} at line {exc.getLineNumber()}, column {exc.getColumnNumber()}"
    return str(exc) if exc is not None else "unknown error"


def _published(item: Mapping[str, Any]) -> datetime | None:
    # feedparser files pubDate / dc:date / Atom published under "published" or "updated";
    # Atom `updated` is a revision time, so it is only the last resort.
    for key in ("published", "updated", "created"):
        raw = item.get(key)
        if raw:
            found = parse_datetime(str(raw))
            if found is not None:
                return found.astimezone(KST)
            parsed = item.get(f"{key}_parsed")
            if parsed:
                year, month, day, hour, minute, second = parsed[:6]
                return datetime(year, month, day, hour, minute, second, tzinfo=UTC).astimezone(KST)
    return None


def _text_field(item: Mapping[str, Any], key: str) -> str:
    value = str(item.get(key) or "")
    detail = item.get(f"{key}_detail") or {}
    if "html" in str(detail.get("type", "")):
        value = strip_tags(value)
    return " ".join(value.split())


def _description(item: Mapping[str, Any]) -> str:
    contents = item.get("content") or []
    chosen: Mapping[str, Any] | None = None
    for content in contents:
        if content.get("value"):
            chosen = content
            break
    if chosen is None:
        detail = item.get("summary_detail") or {}
        chosen = {"value": item.get("summary") or "", "type": detail.get("type", "text/html")}
    value = str(chosen.get("value") or "")
    if "html" not in str(chosen.get("type", "text/html")):
        value = html.escape(value)
    return clean_html(value)


def _ttl(raw: object, warnings: list[str]) -> float | None:
    if raw in (None, ""):
        return None
    try:
        minutes = float(str(raw).strip())
    except ValueError:
        warnings.append(f"ignored <ttl> {str(raw)[:40]!r}: not a number of minutes")
        return None
    return minutes * 60 if minutes > 0 else None


def parse_feed(
    body: bytes,
    *,
    url: str,
    headers: Mapping[str, str] | None = None,
    charset: str | None = None,
    feed_name: str = "",
    known: Collection[str] = frozenset(),
) -> ParsedFeed:
    """Entries of an RSS 2.0, Atom or RDF document, in feed order.

    `charset` (an admin override) beats the BOM, XML declaration and Content-Type header.
    Entries whose identity (guid or link) is in `known` are only counted, in `ParsedFeed.known`:
    a changed feed usually carries one new item among fifty, and cleaning the descriptions
    and parsing the dates of the other forty-nine is most of the cost of a parse.
    Entities are never expanded and nothing is fetched. Raises FeedError when nothing usable
    can be read; problems it survives are listed in `warnings`.
    """
    if not body or not body.strip():
        raise FeedError("empty body where a feed was expected", kind="not_a_feed")
    text = _safe_text(body, headers=headers, charset=charset)
    data = _feedparser_input(text)
    warnings: list[str] = []
    fast = read_fast(data, known)
    if fast is not None:
        channel, items = fast
    else:
        channel, items = _read_with_feedparser(data, text, warnings)
    entries, skipped = _entries(items, url=url, feed_name=feed_name, warnings=warnings, known=known)
    link = channel.get("link")
    return ParsedFeed(
        title=_text_field(channel, "title") or None,
        link=urljoin(url, link) if link else None,
        entries=entries,
        ttl=_ttl(channel.get("ttl"), warnings),
        warnings=tuple(warnings),
        known=frozenset(skipped),
    )


def _read_with_feedparser(data: bytes, text: str, warnings: list[str]) -> tuple[Any, list[Any]]:
    """feedparser for everything the fast reader declines: it recovers entries from broken XML."""
    parsed = feedparser.parse(io.BytesIO(data), sanitize_html=False, resolve_relative_uris=False)
    items = list(parsed.entries)
    if parsed.bozo:
        problem = _malformed(parsed.get("bozo_exception"))
        if not items and not parsed.version:
            found = _ROOT_NAME.search(text)
            if found and found.group(1).lower() in _HTML_ROOTS:
                raise FeedError(_html_message(text), kind="not_a_feed")
            raise FeedError(f"malformed XML, no entries readable: {problem}")
        closed = len(_ENTRY_CLOSE.findall(text))
        if len(items) > closed:
            # The loose parser also returns the entry cut off by truncation, with a cut-off link.
            warnings.append(f"{len(items) - closed} unterminated entry at the end (truncated?) skipped")
            items = items[:closed]
        warnings.append(f"malformed XML (recovered {len(items)} entries): {problem}")
    elif not parsed.version and not items:
        found = _ROOT_NAME.search(text)
        root = found.group(1) if found else "?"
        raise FeedError(f"not an RSS, Atom or RDF document (root element <{root}>)", kind="not_a_feed")
    return parsed.feed, items


def _entries(
    items: list[Any], *, url: str, feed_name: str, warnings: list[str], known: Collection[str] = ()
) -> tuple[tuple[Entry, ...], list[str]]:
    out: list[Entry] = []
    skipped: list[str] = []
    seen: set[str] = set()
    anonymous = 0
    for item in items:
        guid = str(item.get("id") or "").strip() or None
        if guid and guid in known and guid not in seen:
            # The guid is the identity: a known entry costs not even its link.
            seen.add(guid)
            skipped.append(guid)
            continue
        title = _text_field(item, "title")
        raw_link = str(item.get("link") or "").strip()
        link = urljoin(url, raw_link) if raw_link else None
        if link and not is_http_url(link):
            warnings.append(f"entry {title[:60]!r}: link {raw_link[:80]!r} is not an http(s) URL, dropped")
            link = None
        if not guid and not link and not title:
            anonymous += 1
            continue
        if guid or link:
            # The identity needs no description: a known entry costs no cleaning at all.
            identity = entry_identity(guid, link, title, None)
            if identity in known and identity not in seen:
                seen.add(identity)
                skipped.append(identity)
                continue
        description = _description(item)
        identity = entry_identity(guid, link, title, description)
        if identity in seen:
            what = "guid" if guid else "link" if link else "content"
            warnings.append(f"duplicate {what} {identity[:100]!r}: kept the first entry")
            continue
        seen.add(identity)
        tags = item.get("tags") or []
        out.append(
            Entry(
                feed=feed_name,
                item_id=identity,
                link=link,
                title=title,
                published=_published(item),
                description_html=description,
                author=" ".join(str(item.get("author") or "").split()) or None,
                categories=tuple(str(t.get("term")).strip() for t in tags if t.get("term")),
            )
        )
    if anonymous:
        warnings.append(f"{anonymous} entries without guid, link or title skipped")
    return tuple(out), skipped
