"""The deck (부제) element that belongs to the headline."""

from __future__ import annotations

import re

from bot.extract import rules
from bot.extract.document import Document, El, clean
from bot.extract.lead import deck_text

_HANGUL = re.compile(r"[가-힣]")
_HEADINGS = frozenset({"h2", "h3", "h4", "h5"})
_MAX = 300


def _deck_lines(el: El) -> list[str]:
    return [t for t in (deck_text(x) for x in el.text().split("\n")) if t and not rules.SUMMARY_LABEL.match(t)]


def find_subtitle_element(doc: Document, title_el: El | None, title: str | None,
                          body: El | None = None) -> El | None:
    """A subtitle-classed element after the headline, the heading right after it, or a marked deck
    line (`- … -`, `▶ …`) as the first text after it, above the body."""
    start = title_el.index if title_el is not None else 0
    title_key = clean(title or "")
    for el in doc.elements[start + 1:] if title_el is not None else doc.elements:
        if el.chrome or el.index <= start:
            continue
        names = el.names
        near = title_el is not None and el.index - start <= rules.SUBTITLE_NEAR_REACH
        if names and (any(hint in names for hint in rules.SUBTITLE_HINTS)
                      or (near and rules.SUBTITLE_NEAR.search(names))):
            text = el.flat()
            if text and text != title_key and len(text) <= _MAX and not _contains_title(el, title_el):
                return el
    if title_el is not None and title_el.parent is not None:
        siblings = [c for c in title_el.parent.children if isinstance(c, El)]
        position = siblings.index(title_el)
        following = siblings[position + 1] if position + 1 < len(siblings) else None
        if following is not None and following.tag in _HEADINGS and not following.chrome:
            text = following.flat()
            if text and len(text) <= _MAX:
                return following
    return _marked_line_after(doc, title_el, body) if title_el is not None else None


def _marked_line_after(doc: Document, title_el: El, body: El | None) -> El | None:
    """Pages without a deck element (table layouts, `<font><b>- 부제 -</b></font>` in the cell
    under the headline's) still mark the deck as such; only the very first text after the
    headline qualifies, and only above the body (a deck inside the body is read with the body)."""
    for el in doc.elements[title_el.end + 1:]:
        if body is not None and el.index >= body.index:
            return None
        if el.chrome or not any(isinstance(c, str) and c.strip() for c in el.children):
            continue
        text = el.flat()
        marked = bool(rules.DECK_LINE.match(text)) and text[:1] in rules.DECK_OPENERS
        # A deck says something in words: `- 2024.11.12 -` or `▶ 09:30` under a headline is a stamp.
        worded = len(_HANGUL.findall(text)) >= 4
        return el if marked and worded and len(text) <= _MAX and not rules.SENTENCE_END.search(text) else None
    return None


def _contains_title(el: El, title_el: El | None) -> bool:
    return title_el is not None and el.contains(title_el)


def subtitle_from_element(el: El) -> str | None:
    lines = _deck_lines(el)
    return " / ".join(lines) if lines else None
