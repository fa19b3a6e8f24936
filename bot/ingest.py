"""New entries -> article pages -> summaries -> one stored release and its deliveries each."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial

from bot.config import Config, FeedConfig
from bot.extract import extract
from bot.metrics import Metrics
from bot.model import SUMMARY_FIELDS, Entry, Summary
from bot.sources.errors import FetchError
from bot.sources.feed import ParsedFeed
from bot.sources.fetch import Fetcher
from bot.sources.links import is_http_url, normalise_link
from bot.sources.poller import is_private_host
from bot.store import Store, Target
from bot.worker import InThread, Offload

log = logging.getLogger("bot.ingest")

_EPOCH = datetime.fromtimestamp(0, UTC)


def release_key(feed: str, entry: Entry) -> str:
    """One release reached through two feeds with the same normalised link is one release."""
    if entry.link and is_http_url(entry.link):
        return normalise_link(entry.link)
    return f"{feed}:{entry.item_id}"


def backfill_split(entries: Sequence[Entry], keep: int) -> tuple[list[Entry], list[Entry]]:
    """On a feed's first poll: the newest `keep` entries (by published time, else feed order
    with the first item newest) to publish, and the rest to record as seen."""
    ranked = sorted(
        enumerate(entries),
        key=lambda pair: (pair[1].published or _EPOCH, -pair[0]),
        reverse=True,
    )
    chosen = {i for i, _ in ranked[: max(0, keep)]}
    publish = [e for i, e in enumerate(entries) if i in chosen]
    skip = [e for i, e in enumerate(entries) if i not in chosen]
    return publish, skip


def chronological(entries: Sequence[Entry]) -> list[Entry]:
    """Oldest first, so each channel gets releases in the order they were published.
    Feeds list newest first, so entries without a time keep reversed feed order."""
    indexed = list(enumerate(entries))
    return [
        e
        for _, e in sorted(
            indexed, key=lambda pair: (pair[1].published or _EPOCH, -pair[0])
        )
    ]


class Ingest:
    """Turns a feed's unseen entries into stored releases with their outbox rows."""

    def __init__(
        self,
        *,
        config: Config,
        store: Store,
        fetcher: Fetcher,
        metrics: Metrics,
        offload: Offload | None = None,
        on_recorded: Callable[[set[str]], None] = lambda targets: None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.store = store
        self.fetcher = fetcher
        self.metrics = metrics
        self.offload: Offload = offload or InThread()
        self.on_recorded = on_recorded
        self.clock = clock

    def targets(self, feed: FeedConfig) -> list[Target]:
        out = []
        for name in feed.publish:
            if name in self.config.channels:
                out.append(Target(name, "telegram"))
            elif name in self.config.rss:
                out.append(Target(name, "rss"))
        return out

    async def __call__(
        self, feed: FeedConfig, parsed: ParsedFeed, unseen: Sequence[Entry], first: bool
    ) -> None:
        publish: Sequence[Entry] = unseen
        if first:
            publish, skip = backfill_split(unseen, feed.backfill)
            if skip:
                self.store.releases.mark_seen(feed.name, skip, now=self.clock())
                log.info("feed %s: first poll, %d older entries recorded as seen (backfill %d)",
                         feed.name, len(skip), feed.backfill)
        ordered = chronological(publish)
        summaries = await asyncio.gather(*(self.summarise(feed, parsed, e) for e in ordered))
        targets = self.targets(feed)
        touched: set[str] = set()
        for entry, summary in zip(ordered, summaries, strict=True):
            release_id, added = self.store.releases.record(
                feed=feed.name, entry=entry, key=release_key(feed.name, entry), summary=summary,
                targets=targets, now=self.clock(),
            )
            touched.update(added)
            log.info("feed %s: release %d %r -> %s", feed.name, release_id, summary.title,
                     ", ".join(added) or "(already delivered everywhere)")
        if touched:
            self.on_recorded(touched)

    async def summarise(self, feed: FeedConfig, parsed: ParsedFeed, entry: Entry) -> Summary:
        existing = self.store.releases.release_id(release_key(feed.name, entry))
        if existing is not None:
            return self.store.releases.summary(existing)
        page: bytes | None = None
        url = entry.link or ""
        content_type = None
        if entry.link and is_http_url(entry.link):
            allow = self.config.poll.allow_private or is_private_host(feed.url)
            try:
                result = await self.fetcher.fetch(entry.link, allow_private=allow, accept="text/html,*/*")
                page, url, content_type = result.body, result.final_url, result.content_type
            except FetchError as exc:
                self.metrics.extraction_failures.labels(feed=feed.name, kind=exc.kind).inc()
                log.warning("feed %s: article %s not fetched (%s: %s); summarising from the feed item",
                            feed.name, entry.link, exc.kind, exc.message)
        job = partial(
            extract, page, url or entry.link or "", entry=entry, selectors=feed.extract,
            charset=feed.charset, content_type=content_type,
        )
        try:
            summary = await self.offload.run(job)
        except Exception:  # a page that breaks the extractor must not lose the release
            log.exception("feed %s: extraction failed for %s; using the feed item", feed.name, url)
            self.metrics.extraction_failures.labels(feed=feed.name, kind="extract").inc()
            summary = extract(None, url or entry.link or "", entry=entry)
        for name in summary.missing:
            if name in SUMMARY_FIELDS:
                self.metrics.extraction_missing.labels(field=name).inc()
        if entry.link and summary.url != entry.link:
            # Subscribers get the link the feed published, not a redirect hop.
            summary = dataclasses.replace(summary, url=entry.link)
        if feed.region:
            summary = dataclasses.replace(summary, region=feed.region)
        if not summary.source:
            summary = dataclasses.replace(summary, source=parsed.title or feed.name)
        return summary
