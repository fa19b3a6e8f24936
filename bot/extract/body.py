"""Find the article's body block by Korean prose density, and cut it into visual lines."""

from __future__ import annotations

import re

from bot.extract import rules
from bot.extract.document import Document, El
from bot.extract.lines import Line, lines_of

_HANGUL = re.compile(r"[가-힣]")
# A run of text that reads as a finished Korean sentence (…했다. / …이다”).
_SENTENCE = re.compile(r"[가-힣][^<>]{8,}?(?:다|요)[.”\"’」]")
# Less prose than this is a placeholder ("이 자료는 … 전재하여 제공합니다"), not an article body.
_MIN_PROSE = 80
_CONTAINER_TAGS = frozenset({"div", "article", "section", "td", "main", "span", "font", "body", "dd", "p"})


def _score_text(text: str, in_link: bool) -> float:
    length = len(text.strip())
    if not length:
        return 0.0
    if in_link:
        return -float(length)
    if length >= 15 and _SENTENCE.search(text) and len(_HANGUL.findall(text)) * 3 >= length:
        return float(length)
    return -0.3 * length


def find_body(doc: Document, *, min_prose: float = _MIN_PROSE) -> El | None:
    """The element holding the most prose net of links and chrome (None when the page has no prose)."""
    return locate_body(doc, min_prose=min_prose)[0]


def locate_body(doc: Document, *, min_prose: float = _MIN_PROSE) -> tuple[El | None, float]:
    """find_body, with the amount of sentence-like text the block holds (a cheap upper bound of
    prose_length, so that thin bodies are told apart without cutting every body into lines)."""
    scores: dict[int, float] = {}
    prose: dict[int, float] = {}

    def walk(el: El, in_link: bool) -> tuple[float, float]:
        total = 0.0
        good = 0.0
        for child in el.children:
            if isinstance(child, str):
                value = _score_text(child, in_link)
                total += value
                good += max(value, 0.0)
            elif child.chrome:
                total -= 0.5 * min(len(child.flat()), 400)
            else:
                t, g = walk(child, in_link or child.tag == "a")
                total += t
                good += g
        scores[el.index] = total
        prose[el.index] = good
        return total, good

    walk(doc.root, False)
    best: El | None = None
    best_score = 0.0
    for el in doc.elements:
        if el.chrome or el.tag not in _CONTAINER_TAGS:
            continue
        score = scores.get(el.index, 0.0)
        if score > best_score:
            best, best_score = el, score
    if best is None or prose.get(best.index, 0.0) < min_prose:
        return None, 0.0
    return best, prose.get(best.index, 0.0)


def prose_length(el: El) -> int:
    """Characters of finished Korean sentences in the block, placeholder notices left out."""
    total = 0
    for line in lines_of(el):
        text = line.text
        if len(text) >= 15 and _SENTENCE.search(text) and not rules.PLACEHOLDER.search(text):
            total += len(text)
    return total


# A page body with less prose than this is thin: a teaser, or a notice where the text should be.
THIN_BODY = 300


def is_placeholder(el: El) -> bool:
    """The block shows a notice where the text should be (a viewer loading, "see the attachment")."""
    return any(rules.PLACEHOLDER.search(line.text) for line in lines_of(el) if line.text)


def prefer_feed_body(page_body: El | None, feed_body: El | None) -> bool:
    """Whether the feed item's description should stand for the page's body: the page has none, or
    only a placeholder (정책브리핑 loads the document into a viewer and prints "불러오는 중") or a
    thin teaser, while the description carries clearly more prose (the full text). A feed's own
    teaser is shorter than the page it summarises, so a real body always wins."""
    if feed_body is None:
        return False
    if page_body is None:
        return True
    page = prose_length(page_body)
    return page < THIN_BODY and prose_length(feed_body) >= 2 * max(page, 1)


def body_lines(container: El, *, skip: tuple[El, ...] = ()) -> list[Line]:
    return lines_of(container, skip=skip)


def description_document(description_html: str) -> tuple[Document, El] | None:
    """The feed item's description as a body (정책브리핑 puts the document in an iframe)."""
    if not description_html.strip():
        return None
    doc = Document(f"<html><body><div>{description_html}</div></body></html>")
    body = find_body(doc, min_prose=1)  # the feed's own text: short is still the body
    return (doc, body) if body is not None else None
