"""Find the article's body block by Korean prose density, and cut it into visual lines."""

from __future__ import annotations

import re

from bot.extract.document import Document, El, Line, lines_of

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
        return None
    return best


def body_lines(container: El, *, skip: tuple[El, ...] = ()) -> list[Line]:
    return lines_of(container, skip=skip)


def description_document(description_html: str) -> tuple[Document, El] | None:
    """The feed item's description as a body (정책브리핑 puts the document in an iframe)."""
    if not description_html.strip():
        return None
    doc = Document(f"<html><body><div>{description_html}</div></body></html>")
    body = find_body(doc, min_prose=1)  # the feed's own text: short is still the body
    return (doc, body) if body is not None else None
