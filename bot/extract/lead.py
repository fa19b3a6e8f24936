"""Deck lines at the top of the body, the subtitle element, and the lead sentence."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from bot.extract import rules
from bot.extract.document import El, clean
from bot.extract.lines import Line

_QUOTES = re.compile(r"[‘’“”\"'「」]")
_DECK_MAX = 200


def _norm(text: str) -> str:
    return _QUOTES.sub("", unicodedata.normalize("NFC", clean(text))).replace(" ", "")


@lru_cache(maxsize=4096)
def caption_named(names: str) -> bool:
    """class/id names of a caption element (figcaption-like boxes, photo-table caption cells)."""
    return bool(names) and (any(h in names for h in rules.CAPTION_HINTS) or bool(rules.CAPTION_NAME.search(names)))


def is_caption_line(line: Line) -> bool:
    if line.caption:
        return True
    block: El | None = line.block
    for _ in range(3):
        if block is None:
            break
        if block.tag in ("figcaption", "caption") or caption_named(block.names):
            return True
        block = block.parent
    if rules.CAPTION_LINE.match(line.text) or rules.CAPTION_ANYWHERE.match(line.text):
        return True
    return in_photo_box(line)


_PARAGRAPH_TAGS = frozenset({"p", "div", "li", "table", "td", "section", "article"})
_PHOTO_BOX_MAX = 400


_WORD_SPLIT = re.compile(r"[\s_\-]+")


@lru_cache(maxsize=4096)
def _photo_named(names: str) -> bool:
    """Names of a photo's own box, also written in camelCase (`photoBox`, `imgArea` are lowercased
    to `photobox`, `imgarea` before they reach here: a word at either end counts)."""
    for word in _WORD_SPLIT.split(names):
        if word in rules.PHOTO_BOX_WORDS or any(
                word.startswith(w) or word.endswith(w) for w in rules.PHOTO_BOX_WORDS if w != "pic"):  # topic
            return True
    return False


def photo_box(el: El, container: El | None = None) -> El | None:
    """The nearest box (el or up to two levels up, inside `container`) named as a photo's own box
    (`div.photo`, `.img_box`) and holding exactly one image and no more text than a caption."""
    node: El | None = el
    for _ in range(3):
        if node is None or node is container or node.tag in ("body", "#root"):
            return None
        if node.names and _photo_named(node.names):
            if len(node.flat()) > _PHOTO_BOX_MAX:
                return None
            images = sum(1 for x in node.iter() if x.tag == "img")
            return node if images == 1 else None
        node = node.parent
    return None


def in_photo_box(line: Line) -> bool:
    """Text set in the same small box as one photo (`<div><img><br><em>캡션</em></div>`) is its caption;
    in a box named as the photo's (`<div class="photo"><img><p>…있다.</p></div>`) even a sentence."""
    block = line.block
    if line.image is not None or block.tag == "img":
        return False
    if photo_box(block) is not None:
        return True
    if len(block.flat()) > _PHOTO_BOX_MAX or rules.SENTENCE_END.search(line.text):
        return False
    images = 0
    for el in block.iter():
        if el.tag == "img":
            images += 1
        elif el is not block and el.tag in _PARAGRAPH_TAGS:
            return False
    return images == 1


def in_table(line: Line, container: El) -> bool:
    block: El | None = line.block
    while block is not None and block is not container:
        if block.tag == "table":
            return True
        block = block.parent
    return False


def _is_sentence(text: str) -> bool:
    return bool(rules.SENTENCE_END.search(text)) or text.rstrip().endswith("다")


def deck_text(line: str) -> str:
    """A deck line without its markers: `- 부제 -` -> `부제`."""
    text = clean(line)
    previous = None
    while previous != text:
        previous = text
        text = rules.DECK_MARKER_STRIP.sub("", text).strip()
    return text


def split_top(lines: list[Line], container: El, title: str | None) -> tuple[list[str], int]:
    """Deck lines before the lead (marker-stripped) and the index of the lead line (-1 if none)."""
    deck: list[str] = []
    title_key = _norm(title) if title else ""
    note: El | None = None
    summary: El | None = None
    for i, line in enumerate(lines):
        text = line.text
        if line.image is not None or not text or is_caption_line(line):
            continue
        if note is not None and note.contains(line.block):
            continue
        if rules.EDITOR_NOTE.match(text):
            box = _box_of(line, container)
            note = box if box is not container else None  # in a <br>-only body the note is its line
            continue
        if rules.SUMMARY_LABEL.match(text):
            summary = line.block if line.block is not container else None
            continue
        if summary is not None and summary.contains(line.block) and not _is_sentence(text) and len(text) <= _DECK_MAX:
            deck.append(deck_text(text))  # a line of the labelled summary box
            continue
        if in_table(line, container) and not _is_sentence(text):
            continue  # HWP header tables (보도일시/담당자) and photo tables at the top
        if rules.EMBARGO.search(text) and len(text) < 120:
            continue
        if title_key and _norm(text) == title_key:
            continue
        marked = bool(rules.DECK_LINE.match(text)) and text.lstrip()[:1] in rules.DECK_OPENERS
        set_off = line.bold or line.centred
        if not _is_sentence(text) and len(text) <= _DECK_MAX and (marked or set_off):
            cleaned = deck_text(text)
            if cleaned:
                deck.append(cleaned)
            continue
        if _is_sentence(text) or len(text) > 40:
            return deck, i
        if not deck:
            continue  # short labels before the text (bylines, "보도자료") are not the lead
        return deck, i
    return deck, -1


def _box_of(line: Line, container: El) -> El:
    """The box a marked line opens: its block, or the wrapper around it that starts with it
    (`<div class="note"><p>[편집자주] …</p><p>…</p></div>`)."""
    box = line.block
    head = line.text[:10]
    for _ in range(2):
        parent = box.parent
        if parent is None or parent is container or parent.contains(container) or not parent.flat().startswith(head):
            break
        box = parent
    return box


def strip_prefix(text: str) -> str:
    """Remove list markers and the dateline/byline prefix of the first paragraph."""
    previous = None
    text = clean(text)
    while previous != text:
        previous = text
        text = rules.LIST_MARKER.sub("", text, count=1)
        for pattern in rules.DATELINES:
            text = pattern.sub("", text, count=1)
    return text.strip()


def first_sentence(text: str) -> str:
    match = rules.SENTENCE_END.search(text) or rules.SENTENCE_END_LOOSE.search(text)
    return text[: match.end()].strip() if match else text.strip()


def lead_of(lines: list[Line], start: int) -> str | None:
    for line in lines[max(start, 0):] if start >= 0 else []:
        if line.image is not None or not line.text or is_caption_line(line):
            continue
        text = strip_prefix(line.text)
        if text:
            return first_sentence(text)
    return None
