"""Publication time: labelled visible dates, metadata, and the feed item, merged by precision."""

from __future__ import annotations

import re
from datetime import datetime

from bot.dates import parse_time
from bot.extract import rules
from bot.extract.document import Document, El, clean
from bot.model import KST, Entry

_ONLY_DATE = re.compile(r"^\W*(?:\d{2,4}\s*[-./년]\s*\d{1,2}\s*[-./월]\s*\d{1,2}[^\d:]{0,12}"
                        r"(?:(?:오전|오후)?\s*\d{1,2}\s*[:시]\s*\d{1,2}(?:\s*:\s*\d{2})?\s*분?)?\W*)$")
_WORD_SPLIT = re.compile(r"[\s_\-]+")
_WIDE_TAGS = frozenset({"html", "body", "#root", "table", "tbody", "tr", "ul", "dl", "ol"})


class Stamp:
    """A found time and whether it carried a clock time / seconds."""

    __slots__ = ("has_seconds", "has_time", "labelled", "value")

    def __init__(self, value: datetime, has_time: bool, has_seconds: bool, *, labelled: bool = True) -> None:
        self.value = value
        self.has_time = has_time
        self.has_seconds = has_seconds
        self.labelled = labelled
        """Said to be the publication time (입력/등록 label, metadata, feed) rather than guessed from a
        date-like block near the headline."""


def _stamp(text: str) -> Stamp | None:
    # Whether a clock time was read is the parser's to say: a time it could not attach to the
    # date (`2024/12/17 [10:31]` before brackets were read) must leave the time to other sources.
    parsed = parse_time(text)
    if parsed is None:
        return None
    return Stamp(parsed.value.astimezone(KST), parsed.has_time, parsed.has_seconds)


def _label_before(el: El) -> str:
    parent = el.parent
    if parent is None:
        return ""
    siblings = [c for c in parent.children if isinstance(c, El)]
    position = siblings.index(el)
    if position and siblings[position - 1].tag in ("dt", "th", "strong", "label", "span", "em", "b"):
        return siblings[position - 1].flat()
    return ""


def visible_published(doc: Document, title_el: El | None, date_el: El | None = None) -> Stamp | None:
    """The first publication date shown on the page (labelled anywhere, or a date block after the title)."""
    labelled: Stamp | None = None
    unlabelled: Stamp | None = None
    start = title_el.index if title_el is not None else 0
    elements = [date_el] if date_el is not None else doc.elements
    for el in elements:
        if (el.chrome and not el.byline) or el.tag in _WIDE_TAGS:
            continue
        raw = el.raw_text()
        if len(raw) > 400 or not rules.DATE_IN_TEXT.search(raw):
            continue
        text = el.flat()
        if not (6 <= len(text) <= 90):
            continue
        if any(isinstance(c, El) and c.tag not in ("i", "span", "em", "b", "strong", "br", "label", "small")
               and rules.DATE_IN_TEXT.search(c.flat()) for c in el.children):
            continue  # let the innermost element holding the date speak
        context = f"{_label_before(el)} {text}"
        before_date = context[: rules.DATE_IN_TEXT.search(context).start()]  # type: ignore[union-attr]
        if rules.NOT_PUBLISHED_LABEL.search(before_date):
            continue
        stamp = _machine_time(el, _stamp(text))
        if stamp is None:
            continue
        if rules.PUBLISHED_LABEL.search(before_date):
            if labelled is None:
                labelled = stamp
        elif unlabelled is None and (date_el is not None or el.index > start or _near(title_el, el)) and (
            _ONLY_DATE.match(text) or el.tag == "time" or "date" in el.names or "time" in el.names
        ) and (date_el is not None or not _beside_other_link(el)):
            stamp.labelled = date_el is not None  # an admin's date selector says what the date is
            unlabelled = stamp
    return labelled or unlabelled


def _machine_time(el: El, shown: Stamp | None) -> Stamp | None:
    """A `<time datetime="…">` says in its attribute what its text shows only in part (`2024년 12월
    6일` displayed, `2024-12-06T10:15:22+09:00` meant): the attribute wins when it adds a clock time
    to the same day."""
    if el.tag != "time" or not el.get("datetime"):
        return shown
    meant = _stamp(el.get("datetime"))
    if meant is None or not meant.has_time:
        return shown
    if shown is None or (not shown.has_time and shown.value.date() == meant.value.date()):
        return meant
    return shown


def _beside_other_link(el: El) -> bool:
    """A date set beside a link to another page (`<li><a>다른 기사</a><span class="date">…</span></li>`)
    dates that list item: related posts, recent posts, prev/next rows. The date inside the
    article's own permalink (`<a rel="bookmark"><time>…</time></a>`) is not beside a link."""
    node = el.parent
    for _ in range(2):
        if node is None or (node.tag in _WIDE_TAGS and node.tag != "tr"):
            return False
        for other in node.iter():
            # A headline, not a name or a section link (`환경부`, `홍길동 기자`) beside the date.
            if other.tag == "a" and not other.contains(el) and not el.contains(other) and len(other.flat()) >= 10:
                return True
        node = node.parent
    return False


def _near(title_el: El | None, el: El) -> bool:
    """A date in the headline's own header block (정책브리핑 puts `.info` above the `h1`), as opposed
    to a site clock in the page header far above it."""
    node = title_el.parent if title_el is not None else None
    for _ in range(2):
        if node is None or node.tag in ("body", "#root"):
            return False
        if node.contains(el):
            return True
        node = node.parent
    return False


def meta_published(doc: Document) -> Stamp | None:
    for key in rules.META_PUBLISHED:
        value = doc.meta.get(key)
        if value:
            found = _stamp(value)
            if found is not None:
                return found
    value = doc.jsonld_value("datePublished")
    if isinstance(value, str):
        return _stamp(value)
    return None


def merge_published(visible: Stamp | None, meta: Stamp | None, entry: Entry | None) -> datetime | None:
    """Visible time first; seconds and a missing clock time filled from metadata or the feed item."""
    feed = None
    if entry is not None and entry.published is not None:
        published = entry.published
        if published.tzinfo is None:
            published = published.replace(tzinfo=KST)
        feed = Stamp(published.astimezone(KST), True, published.second != 0)
    if visible is not None and not visible.labelled:
        # A date guessed from a date-like block yields to the publication time the page's metadata
        # or the feed item states, unless one of them agrees with its day.
        stated = [s for s in (meta, feed) if s is not None]
        if stated and all(s.value.date() != visible.value.date() for s in stated):
            visible = None
    if visible is None:
        if meta is not None:
            if meta.has_time or feed is None:
                return meta.value
            visible = meta
        else:
            return feed.value if feed is not None else None
    value = visible.value
    if not visible.has_time:
        for other in (meta, feed):
            if other is not None and other.has_time and other.value.date() == value.date():
                return other.value
        return value
    if not visible.has_seconds:
        for other in (meta, feed):
            if other is not None and other.value.replace(second=0, microsecond=0) == value:
                return other.value
    return value


def find_published(doc: Document, title_el: El | None, entry: Entry | None,
                   date_el: El | None = None) -> datetime | None:
    return merge_published(visible_published(doc, title_el, date_el), meta_published(doc), entry)


def text_of(el: El) -> str:
    return clean(el.flat())
