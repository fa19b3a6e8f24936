"""The status snapshot of feeds, channels and RSS outputs, as JSON-able data and as short text."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot import __version__
from bot.config import Config, FeedConfig
from bot.model import KST
from bot.store import FeedState, Store

__all__ = ["FEED_STATES", "TELEGRAM_TEXT_LIMIT", "build_status", "format_status"]

FEED_STATES = ("ok", "failing", "dead", "paused", "new", "disabled")
TELEGRAM_TEXT_LIMIT = 4096
_ERROR_CHARS = 160
_OK_LISTED = 15
"""Up to this many healthy feeds are named one by one; beyond it they are counted."""


def iso(timestamp: float | None) -> str | None:
    """Unix seconds as ISO 8601 in Korea time, e.g. 2026-08-12T09:30:00+09:00."""
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, KST).isoformat(timespec="seconds")


def feed_state(feed: FeedConfig, state: FeedState) -> str:
    if not feed.enabled:
        return "disabled"
    if state.paused:
        return "paused"
    if state.dead:
        return "dead"
    if state.errors > 0:
        return "failing"
    if state.last_poll is None:
        return "new"
    return "ok"


def build_status(
    config: Config,
    store: Store,
    *,
    now: float,
    dispatcher_state: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything `/status` shows, read from the config and the store.

    `dispatcher_state` is what only the running process knows: `"dry_run"` (bool) overrides
    the config's view, and `"channels"` maps a channel name to extra JSON-able fields
    (e.g. a 429 wait) merged into that channel's entry. `now` (Unix seconds) is the
    caller's clock, kept in the contract for ages derived from it; the snapshot shows stored times.
    """
    extra = dispatcher_state or {}
    states = {s.feed: s for s in store.feeds.all()}
    feeds = []
    for feed in config.feeds:
        s = states.get(feed.name) or FeedState(feed=feed.name)
        feeds.append({
            "name": feed.name,
            "state": feed_state(feed, s),
            "last_success": iso(s.last_success),
            "last_error": s.last_error,
            "errors": s.errors,
            "url": feed.url,
            "last_poll": iso(s.last_poll),
            "next_poll": iso(s.next_poll),
            "moved_to": s.moved_to,
            "error_kind": s.error_kind,
        })
    counts = store.outbox.counts()
    channel_extra: Mapping[str, Mapping[str, Any]] = extra.get("channels", {})
    channels = []
    for name, channel in config.channels.items():
        c = counts.get(name)
        paused, migrated = store.outbox.target_state(name)
        entry: dict[str, Any] = {
            "name": name,
            "backlog": (c.pending + c.sending) if c else 0,
            "failed": c.failed if c else 0,
            "sent": c.sent if c else 0,
            "paused": channel.paused or paused,
            "chat_id": str(migrated or channel.chat_id),
        }
        entry.update(channel_extra.get(name, {}))
        channels.append(entry)
    rss = []
    for name, output in config.rss.items():
        total, _ = store.releases.rss_version(name)
        rss.append({"name": name, "path": output.path, "items": min(total, output.limit)})
    dry_run = extra.get("dry_run")
    return {
        "feeds": feeds,
        "channels": channels,
        "rss": rss,
        "dry_run": bool(config.telegram.dry_run if dry_run is None else dry_run),
        "version": __version__,
    }


def _short(text: str | None, limit: int = _ERROR_CHARS) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _when(value: str | None) -> str:
    # "2026-08-12T09:30:00+09:00" -> "08-12 09:30": the admin reads it in Korea time anyway.
    return "never" if not value else f"{value[5:10]} {value[11:16]}"


def format_status(status: Mapping[str, Any], *, limit: int = TELEGRAM_TEXT_LIMIT) -> str:
    """A compact plain-text status (for `pressbot status` and Telegram `/status`) within `limit` chars.

    Problem feeds come first with their last error; healthy feeds are named when few and
    counted when many; whatever does not fit is summarised as "… and N more".
    """
    feeds: list[Mapping[str, Any]] = list(status.get("feeds", ()))
    by_state: dict[str, list[Mapping[str, Any]]] = {s: [] for s in FEED_STATES}
    for feed in feeds:
        by_state.setdefault(str(feed["state"]), []).append(feed)
    mode = " (dry run)" if status.get("dry_run") else ""
    tally = ", ".join(f"{len(v)} {k}" for k, v in by_state.items() if v) or "none"
    head = [f"pressbot {status.get('version', '?')}{mode}", f"Feeds: {len(feeds)} ({tally})"]

    problems = [
        f"! {f['name']} [{f['state']}] {f['errors']} errors, last ok {_when(f['last_success'])}: "
        f"{_short(f['last_error']) or '-'}" + (f" (moved to {f['moved_to']})" if f.get("moved_to") else "")
        for f in by_state["dead"] + by_state["failing"]
    ]
    others = [f"- {f['name']} [{f['state']}]" for s in ("paused", "new", "disabled") for f in by_state[s]]
    ok = by_state["ok"]
    if len(ok) <= _OK_LISTED:
        others += [f"- {f['name']} ok, last {_when(f['last_success'])}" for f in ok]

    tail = ["Channels:"]
    for c in status.get("channels", ()):
        flags = " paused" if c.get("paused") else ""
        tail.append(
            f"- {c['name']}: backlog {c['backlog']}, failed {c['failed']}, sent {c.get('sent', 0)}{flags}"
        )
    if len(tail) == 1:
        tail.append("- none")
    rss = list(status.get("rss", ()))
    if rss:
        tail.append("RSS: " + ", ".join(f"{r['name']} {r['path']} ({r['items']} items)" for r in rss))

    budget = limit - sum(len(line) + 1 for line in head + tail) - 40
    body: list[str] = []
    lines = problems + others
    for i, line in enumerate(lines):
        if budget - len(line) - 1 < 0:
            body.append(f"… and {len(lines) - i} more feeds")
            break
        body.append(line)
        budget -= len(line) + 1
    text = "\n".join(head + body + tail)
    # A pathological number of channels or outputs: cut hard rather than exceed Telegram's limit.
    return text if len(text) <= limit else text[: limit - 1] + "…"
