"""Admin alerts: one Telegram message per incident (failing feed, dead channel, bad reload), not per attempt."""

from __future__ import annotations

import asyncio
import html
import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime

from bot.config import Config
from bot.durations import format_duration
from bot.model import KST
from bot.publish.errors import DeliveryError, RateLimited, Transient
from bot.publish.telegram import Sender
from bot.status import TELEGRAM_TEXT_LIMIT
from bot.store import FeedState, Store

log = logging.getLogger("bot.alerts")

_TEXT_BUDGET = 3500
"""Characters of untrusted detail per alert: with escaping and the frame it stays under 4096."""
_SEND_ATTEMPTS = 4
_GAP = 1.05
"""Seconds between two alerts to one admin: Telegram allows about one message a second per chat."""


def _when(ts: float | None) -> str:
    return "never" if ts is None else datetime.fromtimestamp(ts, KST).strftime("%Y-%m-%d %H:%M KST")


def _esc(text: str, budget: int = 600) -> str:
    text = text if len(text) <= budget else text[: budget - 1] + "…"
    return html.escape(text, quote=False)


def feed_failing_text(state: FeedState, *, url: str, now: float) -> str:
    since = state.failing_since if state.failing_since is not None else now
    error = f"{state.error_kind}: {state.last_error}" if state.error_kind else (state.last_error or "?")
    return (
        f"⚠️ <b>pressbot</b>: feed <b>{_esc(state.feed, 100)}</b> has been failing for "
        f"{format_duration(round(now - since))} ({state.errors} errors in a row)\n"
        f"last error: {_esc(error)}\nlast success: {_when(state.last_success)}\n{_esc(url, 300)}"
    )


def feed_recovered_text(name: str) -> str:
    return f"✅ <b>pressbot</b>: feed <b>{_esc(name, 100)}</b> works again"


def channel_failed_text(channel: str, reason: str) -> str:
    return (
        f"⚠️ <b>pressbot</b>: posts to channel <b>{_esc(channel, 100)}</b> fail permanently: {_esc(reason)}\n"
        f"They are kept as failed deliveries; fix the cause, then /retry {_esc(channel, 100)}"
    )


def reload_failed_text(problems: str) -> str:
    return (
        "⚠️ <b>pressbot</b>: config reload failed; the running config is kept.\n"
        f"<pre>{_esc(problems, _TEXT_BUDGET)}</pre>"
    )


def reload_ok_text(description: str) -> str:
    return f"✅ <b>pressbot</b>: config reloaded: {_esc(description)}"


def combine(texts: Sequence[str], *, limit: int = TELEGRAM_TEXT_LIMIT) -> str:
    """Alerts found in one look, as one message (a network outage fails many feeds at once)."""
    out: list[str] = []
    used = 0
    for i, text in enumerate(texts):
        if used + len(text) + 2 > limit - 40:
            out.append(f"… and {len(texts) - i} more")
            break
        out.append(text)
        used += len(text) + 2
    return "\n\n".join(out)


def check_interval(threshold: float) -> float:
    """How often failing feeds are looked at: a fraction of the threshold, 1 s to 30 s."""
    return max(1.0, min(30.0, threshold / 4))


class Alerter:
    """Sends alerts to every admin through the sender (printed in a dry run) and logs them.

    What was alerted lives in the store (`feed_state.alerted`, `target_state.alerted`), so a
    restart does not repeat an alert; the poller clears a feed's flag when it succeeds again,
    which is how a recovery is noticed.
    """

    def __init__(
        self,
        *,
        get_config: Callable[[], Config],
        store: Store,
        sender: Sender,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.get_config = get_config
        self.store = store
        self.sender = sender
        self.clock = clock
        self.sent: list[str] = []
        """Every alert text, in order (what `/status` or a test may look at)."""
        self._alerted_feeds = {s.feed for s in store.feeds.all() if s.alerted}
        self._reload_problem: str | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._locks: dict[str | int, asyncio.Lock] = {}
        self._last_sent: dict[str | int, float] = {}

    # -- incidents -----------------------------------------------------------------------

    def event(self, kind: str, channel: str, detail: str) -> None:
        """The dispatcher's and reload's event hook (`App._delivery_event`)."""
        if kind == "permanent":
            self.channel_failed(channel, detail)
        elif kind == "reload_failed":
            self.reload_failed(detail)

    def channel_failed(self, channel: str, reason: str) -> None:
        if self.store.outbox.alerted(channel):
            log.debug("channel %s: permanent failure already alerted: %s", channel, reason)
            return
        self.store.outbox.set_alerted(channel, True)
        self.notify(channel_failed_text(channel, reason))

    def reload_failed(self, problems: str) -> None:
        if problems == self._reload_problem:
            return  # the same broken file again (e.g. a second SIGHUP): already told
        self._reload_problem = problems
        self.notify(reload_failed_text(problems))

    def reload_ok(self, description: str) -> None:
        if self._reload_problem is not None:
            self._reload_problem = None
            self.notify(reload_ok_text(description))

    def check(self) -> None:
        """One look at the feeds and channels: alert new incidents, note recoveries."""
        config = self.get_config()
        now = self.clock()
        threshold = config.alerts.feed_failing_after
        urls = {f.name: f.url for f in config.feeds if f.enabled}
        failing: list[str] = []
        recovered: list[str] = []
        for state in self.store.feeds.all():
            if state.feed not in urls:
                self._alerted_feeds.discard(state.feed)
                continue
            if state.alerted:
                self._alerted_feeds.add(state.feed)
            elif state.feed in self._alerted_feeds and state.errors == 0:
                self._alerted_feeds.discard(state.feed)
                recovered.append(feed_recovered_text(state.feed))
            elif (state.errors > 0 and not state.paused and state.failing_since is not None
                  and now - state.failing_since >= threshold):
                self.store.feeds.update(state.feed, alerted=True)
                self._alerted_feeds.add(state.feed)
                failing.append(feed_failing_text(state, url=urls[state.feed], now=now))
        for texts in (failing, recovered):
            if texts:
                self.notify(combine(texts))
        counts = self.store.outbox.counts()
        for channel in config.channels:
            c = counts.get(channel)
            if (c is None or c.failed == 0) and self.store.outbox.alerted(channel):
                # Its failures were retried (or resolved): the next one is a new incident.
                self.store.outbox.set_alerted(channel, False)

    async def run(self) -> None:
        while True:
            try:
                self.check()
            except Exception:  # a store hiccup must not end alerting for good
                log.exception("alerts: checking feeds failed")
            await asyncio.sleep(check_interval(self.get_config().alerts.feed_failing_after))

    # -- sending -------------------------------------------------------------------------

    def recipients(self) -> Sequence[str | int]:
        admins = self.get_config().telegram.admins
        if self.sender.dry_run and not admins:
            return ["admins"]
        return admins

    def notify(self, text: str) -> None:
        """Log the alert and send it to every admin in the background."""
        self.sent.append(text)
        log.warning("alert: %s", html.unescape(_strip_tags(text)).replace("\n", " | "))
        recipients = self.recipients()
        if not recipients:
            log.warning("alerts: telegram.admins is empty; the alert above goes to the log only")
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # called outside the event loop: the log line above is all there is
            return
        for chat in recipients:
            task = loop.create_task(self._send(chat, text), name=f"alert:{chat}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _send(self, chat: str | int, text: str) -> None:
        async with self._locks.setdefault(chat, asyncio.Lock()):
            wait = self._last_sent.get(chat, -_GAP) + _GAP - time.monotonic()
            if wait > 0 and not self.sender.dry_run:
                await asyncio.sleep(wait)
            await self._send_now(chat, text)
            self._last_sent[chat] = time.monotonic()

    async def _send_now(self, chat: str | int, text: str) -> None:
        for attempt in range(1, _SEND_ATTEMPTS + 1):
            try:
                await self.sender.send_text(chat, text, silent=False)
                return
            except RateLimited as exc:
                await asyncio.sleep(exc.retry_after)
            except Transient as exc:
                log.warning("alerts: sending to admin %s failed (attempt %d): %s", chat, attempt, exc.message)
                await asyncio.sleep(2.0 * attempt)
            except DeliveryError as exc:
                log.error("alerts: admin %s cannot be reached: %s (has this admin started the bot?)", chat, exc)
                return
        log.error("alerts: gave up sending an alert to admin %s", chat)

    async def close(self, timeout: float = 5.0) -> None:
        """Give alerts in flight a moment to go out, then cancel the rest."""
        tasks = list(self._tasks)
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=timeout)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)


def _strip_tags(text: str) -> str:
    for tag in ("<b>", "</b>", "<pre>", "</pre>"):
        text = text.replace(tag, "")
    return text

