"""Summary -> Telegram HTML: one post read at a glance, or digest messages, always within Telegram's limits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.model import Summary
from bot.publish.tghtml import (
    RAW_LIMIT_BYTES,
    clean_field,
    cut_at_word,
    escape,
    hashtag,
    safe_url,
    split_sentences,
    telegram_length,
    utf16_len,
)

__all__ = ["CAPTION_LIMIT", "TEXT_LIMIT", "render_digest", "render_post", "telegram_length", "utf16_len"]

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
LINK_TEXT = "원문 보기"
_TRIM_ORDER = ("lead", "quote", "subtitle")
"""Least important first: what goes, sentence by sentence, when a post is too long."""
_QUOTE_MARKS = "\"'“”‘’「」『』"


@dataclass(frozen=True, slots=True)
class _Post:
    """The displayable parts of a post, as plain text (escaped only when marked up)."""

    title: str
    subtitle: tuple[str, ...]
    lead: tuple[str, ...]
    quote: tuple[str, ...]
    speaker: str
    meta: str
    url: str | None

    def markup(self) -> str:
        head = [f"<b>{escape(self.title)}</b>"] if self.title else []
        if self.subtitle:
            head.append(escape(" ".join(self.subtitle)))
        blocks = ["\n".join(head)]
        if self.lead:
            blocks.append(escape(" ".join(self.lead)))
        if self.quote:
            said = f"<i>“{escape(' '.join(self.quote))}”</i>"
            blocks.append(f"{said} — {escape(self.speaker)}" if self.speaker else said)
        footer = [escape(self.meta)] if self.meta else []
        if self.url:
            footer.append(f'<a href="{escape(self.url)}">{LINK_TEXT}</a>')
        blocks.append("\n".join(footer))
        return "\n\n".join(block for block in blocks if block)


def render_post(
    summary: Summary, *, limit: int = TEXT_LIMIT, source: str | None = None, region: str | None = None
) -> str:
    """The post for one release: bold title, subtitle, lead, “quote” — speaker, '#region · source', link.

    `region` and `source` override the summary's. Over `limit` (4096 for text, 1024 for a caption),
    the lead, then the quote, then the subtitle lose sentences from their end, then the region line
    goes; the title and link always stay (the title is cut at a word boundary with … if it must).
    """
    tag = hashtag(region or summary.region)
    origin = clean_field(source or summary.source)
    quote = clean_field(summary.quote).strip(_QUOTE_MARKS + " ")
    post = _Post(
        title=clean_field(summary.title),
        subtitle=tuple(split_sentences(clean_field(summary.subtitle))),
        lead=tuple(split_sentences(clean_field(summary.lead))),
        quote=tuple(split_sentences(quote)),
        speaker=clean_field(summary.speaker),
        meta=" · ".join(part for part in (tag, origin) if part),
        url=safe_url(summary.url),
    )
    if not post.title and not post.url:
        raise ValueError(f"render_post: release {summary.url!r} has neither a title nor an http(s) link")
    return _fit(post, limit)


def _fits(markup: str, limit: int) -> bool:
    return telegram_length(markup) <= limit and len(markup.encode("utf-8")) <= RAW_LIMIT_BYTES


def _fit(post: _Post, limit: int) -> str:
    for name in _TRIM_ORDER:
        while not _fits(post.markup(), limit) and getattr(post, name):
            post = replace(post, **{name: getattr(post, name)[:-1]})
    if not _fits(post.markup(), limit):
        post = replace(post, meta="")
    markup = post.markup()
    if _fits(markup, limit):
        return markup
    overhead = telegram_length(replace(post, title="x").markup()) - 1
    post = replace(post, title=cut_at_word(post.title, limit - overhead))
    markup = post.markup()
    if not post.title or not _fits(markup, limit):
        raise ValueError(f"render_post: a limit of {limit} cannot hold the title and link of {post.url!r}")
    return markup


def render_digest(summaries: Sequence[tuple[Summary, str | None]], *, limit: int = TEXT_LIMIT) -> list[str]:
    """Digest messages for a backlog: a bold '보도자료 N건' header, then one line per release
    (linked title and region hashtag), split over as many messages as needed, each within `limit`.
    Each item's region (the tuple's second element) overrides the summary's."""
    if not summaries:
        return []
    widest_header = telegram_length(_header(len(summaries), len(summaries), len(summaries))) + 2
    lines = [_digest_line(summary, region, limit - widest_header) for summary, region in summaries]
    pages: list[list[str]] = [[]]
    for line in lines:
        page = pages[-1]
        if page and not _fits(_page([*page, line], len(summaries), len(summaries), len(summaries)), limit):
            pages.append([line])
        else:
            page.append(line)
    return [_page(page, len(page), number, len(pages)) for number, page in enumerate(pages, start=1)]


def _header(count: int, number: int, pages: int) -> str:
    marker = f" ({number}/{pages})" if pages > 1 else ""
    return f"<b>보도자료 {count}건</b>{marker}"


def _page(lines: list[str], count: int, number: int, pages: int) -> str:
    return "\n".join([_header(count, number, pages), "", *lines])


def _digest_line(summary: Summary, region: str | None, budget: int) -> str:
    tag = hashtag(region or summary.region)
    url = safe_url(summary.url)
    title = clean_field(summary.title) or (url or "")
    suffix = f" {tag}" if tag else ""
    room = budget - len("• ") - len(suffix)
    title = cut_at_word(title, max(room, 1))
    shown = f'<a href="{escape(url)}">{escape(title)}</a>' if url else escape(title)
    return f"• {shown}{escape(suffix)}"
