"""Page -> Summary: title, subtitle, key quote and speaker, lead, publication time, photo, region."""

from __future__ import annotations

import re

from bot.encoding import decode_html
from bot.extract import rules
from bot.extract.body import (
    THIN_BODY,
    description_document,
    is_placeholder,
    locate_body,
    prefer_feed_body,
    prose_length,
)
from bot.extract.document import Document, El, clean
from bot.extract.image import find_caption, first_photo, hero_before, image_src, mark_captions, resolve
from bot.extract.lead import in_table, is_caption_line, lead_of, split_top, strip_prefix
from bot.extract.lines import Line, lines_of
from bot.extract.published import find_published
from bot.extract.quote import key_quote
from bot.extract.region import find_region
from bot.extract.subtitle import find_subtitle_element, subtitle_from_element
from bot.extract.title import find_title
from bot.model import SUMMARY_FIELDS, Entry, ExtractSelectors, Summary

__all__ = ["extract"]

_SUBJECT = re.compile(r"^(?P<subject>[^“”\"‘’,.]{2,40}?)(?:\([^()]{0,20}\))?(?:은|는|이|가)\s")
_TITLE_SUBJECT = re.compile(r"^(?P<subject>[가-힣A-Za-z·\s]{2,20}?)\s*[,·]")


def _issuer(lead: str | None, title: str | None) -> str | None:
    """The body the release is about: the lead's subject (`경상북도 보건환경연구원은`), else the
    headline's topic before its comma (`경북도, …`)."""
    for text, pattern in ((lead, _SUBJECT), (title, _TITLE_SUBJECT)):
        if text:
            match = pattern.match(text)
            if match:
                subject = match.group("subject").strip()
                if len(subject.split()) <= 3:
                    return subject
    return None


def _source(doc: Document) -> str | None:
    site = doc.meta.get("og:site_name")
    if site:
        return clean(site)
    publisher = doc.jsonld_value("publisher")
    if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
        return clean(publisher["name"])
    name = doc.meta.get("application-name")
    return clean(name) if name else None


def _override(doc: Document, selector: str | None, field: str) -> El | None:
    if not selector:
        return None
    try:
        return doc.first(selector)
    except ValueError as error:
        raise ValueError(f"extract.{field}: {error}") from None


def _open_quote(text: str) -> bool:
    return text.count("“") > text.count("”") or text.count('"') % 2 == 1


def _paragraphs(lines: list[Line]) -> list[str]:
    """The body's text paragraphs. A quote opened and not closed on a line split by <br> alone
    (same block) goes on in the next line: old boards wrap a long quote with a hard break."""
    out: list[str] = []
    previous: Line | None = None
    for line in lines:
        if not line.text or line.image is not None or is_caption_line(line):
            continue
        if previous is not None and previous.block is line.block and out and _open_quote(out[-1]):
            out[-1] = f"{out[-1]} {line.text}"
        else:
            out.append(line.text)
        previous = line
    return out


def _verbatim(value: str | None, page_text: str) -> str | None:
    if value and clean(value) in page_text:
        return value
    return None


def _from_entry(url: str, entry: Entry) -> Summary:
    found = description_document(entry.description_html)
    subtitle = lead = quote = speaker = region = None
    if found is not None:
        _doc, body = found
        lines = lines_of(body)
        deck, start = split_top(lines, body, entry.title)
        subtitle = " / ".join(deck) or None
        lead = lead_of(lines, start)
        paragraphs = _paragraphs(lines)
        issuer = _issuer(strip_prefix(lines[start].text) if start >= 0 else None, entry.title)
        best = key_quote(paragraphs, issuer)
        if best is not None:
            quote, speaker = best.text, best.speaker
        region = find_region(issuer, entry.author, [entry.title, *(paragraphs[:3])])
    return _finish(Summary(url=url, title=entry.title, subtitle=subtitle, quote=quote, speaker=speaker,
                           lead=lead, published=entry.published, region=region, source=entry.author))


def _finish(summary: Summary) -> Summary:
    missing = tuple(name for name in SUMMARY_FIELDS if getattr(summary, name) in (None, ""))
    return Summary(**{**{f: getattr(summary, f) for f in summary.__slots__}, "missing": missing})


def extract(
    page: bytes | None,
    url: str,
    *,
    entry: Entry | None = None,
    selectors: ExtractSelectors | None = None,
    charset: str | None = None,
    content_type: str | None = None,
) -> Summary:
    """Extract the summary of one article page; pure and deterministic. Fields not found are None."""
    if page is None:
        if entry is None:
            return _finish(Summary(url=url, title=""))
        return _from_entry(url, entry)
    html, _codec = decode_html(page, content_type=content_type, forced=charset)
    sel = selectors or ExtractSelectors()
    doc = Document(html, prune=not any((sel.title, sel.subtitle, sel.body, sel.date, sel.image)))

    title_el = _override(doc, sel.title, "title")
    title = title_el.flat() if title_el is not None else None
    if title_el is None:
        title, title_el = find_title(doc, entry)

    body_override = _override(doc, sel.body, "body")
    body, body_prose = (body_override, float(THIN_BODY)) if body_override is not None else locate_body(doc)
    sub_el = _override(doc, sel.subtitle, "subtitle") or find_subtitle_element(doc, title_el, title, body)
    skip = tuple(el for el in (title_el, sub_el) if el is not None)
    use_feed_body = False
    if body_override is None and entry is not None and entry.description_html.strip() and (
            body is None or (body_prose < THIN_BODY and prose_length(body) < THIN_BODY)):
        found = description_document(entry.description_html)
        feed_body = found[1] if found is not None else None
        if prefer_feed_body(body, feed_body):
            body, use_feed_body = feed_body, True
    if (body is not None and not use_feed_body and body_prose < THIN_BODY and prose_length(body) == 0
            and is_placeholder(body)):
        body = None  # only "문서 뷰어를 불러오는 중입니다": no lead rather than the notice as one
    lines = lines_of(body, skip=skip, keep_chrome=body.chrome) if body is not None else []
    mark_captions(lines, title)

    deck, start = split_top(lines, body, title) if body is not None else ([], -1)
    subtitle = subtitle_from_element(sub_el) if sub_el is not None else (" / ".join(deck) or None)
    lead = lead_of(lines, start)

    date_el = _override(doc, sel.date, "date")
    published = find_published(doc, title_el, entry, date_el)

    image = caption = None
    img_el = _override(doc, sel.image, "image")
    if img_el is not None and img_el.tag != "img":
        img_el = next((e for e in img_el.iter() if e.tag == "img"), None)
    if img_el is None and not use_feed_body:
        start_index = title_el.index if title_el is not None else (body.index if body is not None else 0)
        img_el = (hero_before(title_el, body) if title_el is not None else None) or first_photo(
            doc.elements, start_index, body)
    if img_el is not None:
        src = image_src(img_el)
        if src:
            image = resolve(url, src)
            caption = find_caption(img_el, body, lines)

    paragraphs = _paragraphs([line for line in lines if body is None or not in_table(line, body)
                              or rules.SENTENCE_END.search(line.text)])
    lead_line = strip_prefix(lines[start].text) if 0 <= start < len(lines) else None
    issuer = _issuer(lead_line, title)
    page_text = clean(" ".join(paragraphs))
    best = key_quote(paragraphs, issuer)
    quote = speaker = None
    if best is not None:
        quote = _verbatim(best.text, page_text)
        speaker = _verbatim(best.speaker, page_text) if quote else None
        if speaker is None:
            quote = None
    source = _source(doc)
    region = find_region(issuer, " ".join(filter(None, (source, url))), [title or "", lead or "", *paragraphs[:4]],
                         doc.page_text)
    return _finish(Summary(url=url, title=title or (entry.title if entry else ""), subtitle=subtitle,
                           quote=quote, speaker=speaker, lead=lead, published=published, image=image,
                           caption=caption, region=region, source=source))
