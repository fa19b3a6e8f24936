"""The headline as displayed in the article header, chosen among heading-like elements."""

from __future__ import annotations

import re
from functools import lru_cache

from bot.extract import rules
from bot.extract.document import Document, El, clean
from bot.model import Entry

_LABEL_TITLE = re.compile(r"^\s*(?:제\s*목|title)\s*[:：]?\s*$", re.I)
_BRACKET_ONLY = re.compile(r"^\s*[\[【(].{1,20}[\]】)]\s*$")
_WORD_SPLIT = re.compile(r"[\s_\-]+")
_TITLE_PARTS = re.compile(r"\s(?:[-|–:<>]{1,2})\s|::")
_TITLE_SUFFIX = re.compile(r"\s*(?:\s[-|–:<>]{1,2}\s|::|\s\|\s?)\s*.*$")


def _own_text(el: El) -> str:
    """Text without child elements that only hold a category label (`[인구정책과]`)."""
    parts: list[str] = []
    for child in el.children:
        if isinstance(child, str):
            parts.append(child)
        elif child.tag == "br":
            parts.append(" ")
        else:
            text = child.flat()
            words = set(_WORD_SPLIT.split(child.names))
            if _BRACKET_ONLY.match(text) or words & {"cate", "category", "section", "sec", "label"}:
                continue
            parts.append(" " + _own_text(child) + " ")
    return clean("".join(parts))


def _candidates(doc: Document) -> list[tuple[El, str, int]]:
    out: list[tuple[El, str, int]] = []
    for el in doc.elements:
        if el.chrome:
            continue
        tag = el.tag
        base = 0
        if tag in ("th", "dt", "td") and _LABEL_TITLE.match(el.flat()):
            # Board views: a 제목 label cell followed by the value cell (old table CMSs set the
            # label in a td too).
            value = _next_element(el)
            # A list table's header row (`<th>제목</th><th>글쓴이</th>`) labels the column below,
            # not the cell beside it: only a value cell (td/dd) next to the label is the headline,
            # and a headline is longer than a column name.
            if value is not None and value.tag in ("td", "dd"):
                text = _own_text(value)
                if len(text) >= 4:
                    out.append((value, text, 50))
            continue
        if tag == "h1":
            base = 30
        elif tag in ("h2", "h3", "h4"):
            base = 20
        elif tag == "font" and _large_font(el.get("size")):
            base = 20  # table-era pages set the headline in <font size="4"> instead of a heading
        names = el.names
        if tag in _HEADING_TAGS and el.parent is not None and _title_named(el.parent.names):
            base = max(base, 25)  # the heading in a title-named box (`div.view_title > h4`) is the headline
        if names:
            if _title_words(names) and not (tag not in _HEADING_TAGS and _holds_heading(el)):
                # (the box itself, around the heading and the byline, is not the headline)
                base = max(base, 25)
            if _subtitle_hinted(names):
                base -= 20
        if base <= 0:
            continue
        text = _own_text(el)
        if 4 <= len(text) <= 200:
            out.append((el, text, base))
    return out


_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4"})


def _large_font(size: str) -> bool:
    size = size.strip()
    if size.startswith("+"):
        return size[1:].isdigit() and int(size[1:]) >= 1
    return size.isdigit() and int(size) >= 4


@lru_cache(maxsize=4096)
def _title_words(names: str) -> bool:
    """Whether a class/id string holds a headline word (sites repeat the same names: cached)."""
    return bool((set(_WORD_SPLIT.split(names)) | set(names.split())) & rules.TITLE_WORDS)


@lru_cache(maxsize=4096)
def _subtitle_hinted(names: str) -> bool:
    return any(hint in names for hint in rules.SUBTITLE_HINTS)


def _title_named(names: str) -> bool:
    """Named as the headline's box (`view_title`, `tit_area`), not a deck's or a section's (`sub_title`)."""
    return bool(names) and _title_words(names) and not _subtitle_hinted(names)


def _holds_heading(el: El) -> bool:
    return any(x.tag in _HEADING_TAGS and len(x.flat()) >= 4 for x in el.iter() if x is not el)


def _next_element(el: El) -> El | None:
    parent = el.parent
    if parent is None:
        return None
    siblings = [c for c in parent.children if isinstance(c, El)]
    position = siblings.index(el)
    return siblings[position + 1] if position + 1 < len(siblings) else None


def find_title(doc: Document, entry: Entry | None) -> tuple[str | None, El | None]:
    """The headline and its element; falls back to metadata and the feed item without an element."""
    refs_exact = [clean(x) for x in (entry.title if entry else "", doc.meta.get("og:title", ""),
                                     doc.meta.get("twitter:title", ""), _jsonld_headline(doc)) if x]
    page_title = doc.page_title
    best: tuple[tuple[int, int], int, El, str] | None = None
    for el, text, base in _candidates(doc):
        score = base
        if entry is not None and text == clean(entry.title):
            score = 100
        elif text in refs_exact:
            score = 90
        elif len(text) >= 10 and text in page_title:
            score = 80
        # Among equals a headline is longer than a section label ("보도자료") above it.
        # The key, not the bare score, is what is compared: else a later copy of the headline (a
        # board list under the article) would beat the header's own heading on its length bonus.
        key = (score + min(len(text), 60) // 15, -el.index)
        if best is None or key > best[0]:
            best = (key, score, el, text)
    if best is not None and best[1] >= 90:
        return best[3], best[2]
    # Without a feed item or metadata, the <title> tag's parts (`제목 - 매체명`) are the reference.
    segments = [] if best is not None and best[1] >= 80 else [
        part for part in (clean(x) for x in _TITLE_PARTS.split(page_title)) if len(part) >= 10]
    written = _written_as(doc, refs_exact + segments)
    if written is not None:
        return written
    if best is not None and best[1] >= 20:
        return best[3], best[2]
    for ref in refs_exact:
        return ref, None
    if page_title:
        return _TITLE_SUFFIX.sub("", page_title) or page_title, None
    return None, None


def _in_link(el: El) -> bool:
    node: El | None = el
    while node is not None:
        if node.tag == "a":
            return True
        node = node.parent
    return False


def _written_as(doc: Document, refs: list[str]) -> tuple[str, El] | None:
    """The element that shows the headline the feed or the metadata states, when no heading-like
    element does: old table layouts set it as `<font size=4><b>…</b></font>` in a bare cell. Its
    place matters beyond the text: the deck, the date and the photo are looked for after it."""
    for ref in refs:
        for el in doc.elements:
            if el.chrome or not any(isinstance(c, str) and c.strip() for c in el.children):
                continue
            if el.flat() == ref and not _in_link(el):
                return ref, el
    return None


def _jsonld_headline(doc: Document) -> str:
    value = doc.jsonld_value("headline")
    return value if isinstance(value, str) else ""
