"""The polling loop: each feed on its own schedule, failures backed off, new entries handed on."""

from __future__ import annotations

import asyncio
import hashlib
import heapq
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlsplit

from bot.config import Config, FeedConfig
from bot.metrics import Metrics
from bot.model import Entry
from bot.sources.board import parse_board
from bot.sources.errors import FeedError, FetchError, GoneError, RateLimitedError
from bot.sources.feed import ParsedFeed, parse_feed
from bot.sources.fetch import Fetcher, FetchResult
from bot.sources.schedule import LAUNCH_SPACING, backoff_delay, first_delay, next_delay
from bot.store import FeedState, Store
from bot.worker import InThread, Offload

log = logging.getLogger("bot.sources")

NewEntries = Callable[[FeedConfig, ParsedFeed, Sequence[Entry], bool], Awaitable[None]]
"""Called with the feed, its parsed document, the entries not seen before, and whether this
was the feed's first poll (the backfill rule applies)."""


@dataclass(frozen=True, slots=True)
class PollOutcome:
    feed: str
    ok: bool
    new: int = 0
    error: str | None = None
    next_poll: float | None = None


class Poller:
    """Schedules every enabled feed; one poll per feed at a time."""

    def __init__(
        self,
        *,
        config: Config,
        store: Store,
        fetcher: Fetcher,
        metrics: Metrics,
        on_entries: NewEntries,
        offload: Offload | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.store = store
        self.fetcher = fetcher
        self.metrics = metrics
        self.on_entries = on_entries
        self.offload: Offload = offload or InThread()
        self.clock = clock
        self.rng = random.Random()
        self._due: list[tuple[float, str]] = []
        self._next: dict[str, float] = {}
        """The one authoritative next poll time per feed; heap entries that differ are stale."""
        self._running: dict[str, asyncio.Task[PollOutcome]] = {}
        self._changed = asyncio.Event()
        self._stopping = False
        self._feeds: dict[str, FeedConfig] = {}
        self._feeds_of: Config | None = None

    # -- configuration -------------------------------------------------------------------

    def feeds(self) -> dict[str, FeedConfig]:
        # Asked once per poll: rebuilt only when the config changes, or a cycle costs O(feeds²).
        if self._feeds_of is not self.config:
            self._feeds = {f.name: f for f in self.config.feeds if f.enabled}
            self._feeds_of = self.config
        return self._feeds

    def update(self, config: Config) -> None:
        """Hot reload: new feeds are scheduled, removed ones are dropped, intervals take effect."""
        old = self.feeds()
        self.config = config
        new = self.feeds()
        now = self.clock()
        for name, feed in new.items():
            before = old.get(name)
            if before is None or before.url != feed.url or before.interval != feed.interval:
                self._schedule(name, now + first_delay(name, min(feed.interval, 5.0)))
        self._changed.set()

    def _schedule(self, name: str, at: float, *, persist: bool = True) -> None:
        self._next[name] = at
        heapq.heappush(self._due, (at, name))
        if persist:
            self.store.feeds.update(name, next_poll=at)
        self._changed.set()

    # -- the loop ------------------------------------------------------------------------

    async def run(self) -> None:
        now = self.clock()
        stored = self.store.feeds.next_polls()
        for name, feed in self.feeds().items():
            # A restart keeps the schedule the store remembers, so a crash loop cannot
            # hammer a server; a feed never polled starts at its spread-out offset.
            known = stored.get(name)
            at = known if known is not None else now + first_delay(name, feed.interval)
            self._schedule(name, min(at, now + feed.interval), persist=False)
        loop = asyncio.get_running_loop()
        next_launch = loop.time()
        while not self._stopping:
            self._changed.clear()
            now = self.clock()
            feeds = self.feeds()
            # At most `poll.concurrency` polls are under way: when everything is due at once
            # (after downtime) the rest wait in the heap, not as tasks holding parsed bodies.
            limit = self.config.poll.concurrency
            while self._due and self._due[0][0] <= now and len(self._running) < limit:
                started = loop.time()
                if started < next_launch:
                    break
                at, name = heapq.heappop(self._due)
                due = feeds.get(name)
                if due is None or self._next.get(name) != at or name in self._running:
                    continue  # removed or rescheduled by a reload, or still being polled
                task = asyncio.create_task(self._poll_and_reschedule(due), name=f"poll:{name}")
                self._running[name] = task
                task.add_done_callback(partial(self._finished, name))
                # No catching up after a late wake-up: that would be the burst again.
                next_launch = max(next_launch, started - LAUNCH_SPACING) + LAUNCH_SPACING
            timeout = None
            if self._due and len(self._running) < limit:
                timeout = max(0.0, self._due[0][0] - self.clock(), next_launch - loop.time())
            with suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), timeout)

    def _finished(self, name: str, _task: asyncio.Task[PollOutcome]) -> None:
        self._running.pop(name, None)
        self._changed.set()  # a slot is free

    async def stop(self) -> None:
        self._stopping = True
        self._changed.set()
        tasks = list(self._running.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def poll_all_once(self) -> list[PollOutcome]:
        """`run --once`: every enabled feed polled now, `poll.concurrency` at a time."""
        slots = asyncio.Semaphore(self.config.poll.concurrency)

        async def one(feed: FeedConfig) -> PollOutcome:
            async with slots:
                return await self.poll(feed)

        return list(await asyncio.gather(*(one(feed) for feed in self.feeds().values())))

    async def _poll_and_reschedule(self, feed: FeedConfig) -> PollOutcome:
        outcome = await self.poll(feed)
        if outcome.next_poll is not None and feed.name in self.feeds():
            self._schedule(feed.name, outcome.next_poll, persist=False)
        return outcome

    # -- one poll ------------------------------------------------------------------------

    async def poll(self, feed: FeedConfig) -> PollOutcome:
        state = self.store.feeds.get(feed.name)
        now = self.clock()
        if state.paused:
            self.store.feeds.update(feed.name, next_poll=now + feed.interval)
            return PollOutcome(feed.name, ok=True, next_poll=now + feed.interval)
        url = state.moved_to or feed.url
        same_url = state.url == url
        try:
            result = await self.fetcher.fetch(
                url,
                etag=state.etag if same_url else None,
                last_modified=state.last_modified if same_url else None,
                allow_private=True,  # the admin configured this URL; article links are checked
            )
            return await self._handle(feed, state, url, result, same_url=same_url)
        except (FetchError, FeedError) as exc:
            return self._failed(feed, state, exc)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug must not stop the other feeds
            log.exception("feed %s: unexpected error while polling %s", feed.name, url)
            return self._failed(feed, state, exc)

    async def _handle(
        self, feed: FeedConfig, state: FeedState, url: str, result: FetchResult, *, same_url: bool
    ) -> PollOutcome:
        now = self.clock()
        hint = result.max_age if self.config.poll.honor_cache_headers else None
        values: dict[str, object] = {"url": url}
        if result.moved_permanently_to:
            values["moved_to"] = result.moved_permanently_to
            log.warning(
                "feed %s: %s moved permanently to %s; polling the new address — update the config",
                feed.name, url, result.moved_permanently_to,
            )
        if result.not_modified:
            self.metrics.poll(feed.name, "not_modified")
            next_poll = now + next_delay(feed.interval, rng=self.rng, min_interval=hint)
            self.store.feeds.record_success(feed.name, now=now, next_poll=next_poll, **values)
            return PollOutcome(feed.name, ok=True, next_poll=next_poll)
        digest = hashlib.sha256(result.body).hexdigest()
        values.update(etag=result.etag, last_modified=result.last_modified, body_hash=digest)
        if same_url and digest == state.body_hash and state.initialised:
            self.metrics.poll(feed.name, "unchanged")
            next_poll = now + next_delay(feed.interval, rng=self.rng, min_interval=hint)
            self.store.feeds.record_success(feed.name, now=now, next_poll=next_poll, **values)
            return PollOutcome(feed.name, ok=True, next_poll=next_poll)
        # The identities the last document carried are all recorded: the parse can skip them.
        known = frozenset(json.loads(state.known_ids)) if state.known_ids and same_url else frozenset()
        parsed = await self._parse(feed, result, known=known)
        for warning in parsed.warnings:
            log.warning("feed %s: %s", feed.name, warning)
        if parsed.ttl is not None and self.config.poll.honor_cache_headers:
            hint = max(hint or 0.0, parsed.ttl)
        unseen = self.store.releases.unseen(feed.name, parsed.entries)
        first = not state.initialised
        self.metrics.poll(feed.name, "changed")
        if unseen:
            self.metrics.entries_found.labels(feed=feed.name).inc(len(unseen))
            await self.on_entries(feed, parsed, unseen, first)
        # Everything this document carried is now recorded (or was already).
        values["known_ids"] = json.dumps(sorted(parsed.known | {e.item_id for e in parsed.entries}),
                                         ensure_ascii=False)
        next_poll = self.clock() + next_delay(feed.interval, rng=self.rng, min_interval=hint)
        self.store.feeds.record_success(
            feed.name,
            now=self.clock(),
            next_poll=next_poll,
            initialised=True,
            entries_found=state.entries_found + len(unseen),
            **values,
        )
        log.info("feed %s: polled, %d entries, %d new", feed.name, len(parsed.entries) + len(parsed.known),
                 len(unseen))
        return PollOutcome(feed.name, ok=True, new=len(unseen), next_poll=next_poll)

    async def _parse(self, feed: FeedConfig, result: FetchResult, *, known: frozenset[str]) -> ParsedFeed:
        headers = {"content-type": result.content_type} if result.content_type else {}
        if feed.type == "html":
            assert feed.select is not None  # the config guarantees it
            job = partial(
                parse_board, result.body, url=result.final_url, select=feed.select,
                charset=feed.charset, feed_name=feed.name, content_type=result.content_type,
            )
        else:
            job = partial(
                parse_feed, result.body, url=result.final_url, headers=headers,
                charset=feed.charset, feed_name=feed.name, known=known,
            )
        # feedparser takes ~10 ms for a 100 KB feed and far more for a big one: off the loop.
        return await self.offload.run(job)

    def _failed(self, feed: FeedConfig, state: FeedState, exc: BaseException) -> PollOutcome:
        now = self.clock()
        kind = getattr(exc, "kind", "internal")
        message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        poll = self.config.poll
        retry_after = exc.retry_after if isinstance(exc, RateLimitedError) else None
        dead = isinstance(exc, GoneError) or (
            state.failing_since is not None and now - state.failing_since >= poll.dead_after
        )
        if dead:
            delay = poll.dead_interval
        else:
            delay = backoff_delay(
                feed.interval, state.errors + 1, max_backoff=poll.max_backoff, rng=self.rng,
                retry_after=retry_after,
            )
        new_state = self.store.feeds.record_failure(
            feed.name, now=now, kind=kind, message=message, next_poll=now + delay
        )
        if dead and not state.dead:
            self.store.feeds.update(feed.name, dead=True)
            log.error("feed %s: marked dead (%s); polled every %.0f s from now on", feed.name, message,
                      poll.dead_interval)
        self.metrics.poll(feed.name, "error")
        self.metrics.fetch_errors.labels(feed=feed.name, kind=kind).inc()
        log.warning(
            "feed %s: %s error (%d in a row): %s; next try in %.0f s",
            feed.name, kind, new_state.errors, message, delay,
        )
        return PollOutcome(feed.name, ok=False, error=f"{kind}: {message}", next_poll=now + delay)


def is_private_host(url: str) -> bool:
    """Loopback/private literal hosts, for the rule that a private feed may link to private pages."""
    import ipaddress

    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return not ipaddress.ip_address(host).is_global
    except ValueError:
        return False
