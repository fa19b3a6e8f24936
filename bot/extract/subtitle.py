"""The deck (부제) element that belongs to the headline."""

from __future__ import annotations

from bot.extract import rules
from bot.extract.document import Document, El, clean
from bot.extract.lead import deck_text

_HEADINGS = frozenset({"h2", "h3", "h4", "h5"})
_MAX = 300


def _deck_lines(el: El) -> list[str]:
    return [t for t in (deck_text(x) for x in el.text().split("\n")) if t]


def find_subtitle_element(doc: Document, title_el: El | None, title: str | None) -> El | None:
    """A subtitle-classed element after the headline, or the heading right after it."""
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
    return None


def _contains_title(el: El, title_el: El | None) -> bool:
    return title_el is not None and el.contains(title_el)


def subtitle_from_element(el: El) -> str | None:
    lines = _deck_lines(el)
    return " / ".join(lines) if lines else None
