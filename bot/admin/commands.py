"""What the Telegram admin commands do: parse a message, act on the store, word the reply."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.config import Config
from bot.durations import format_duration
from bot.status import TELEGRAM_TEXT_LIMIT, format_status
from bot.store import Store

log = logging.getLogger("bot.admin")

COMMANDS: tuple[tuple[str, str], ...] = (
    ("status", "Feeds OK and failing, backlog per channel, failed deliveries"),
    ("feeds", "Every feed with its state, interval and targets"),
    ("pause", "Pause a feed or a channel: /pause NAME"),
    ("resume", "Resume a feed or a channel: /resume NAME"),
    ("retry", "Queue failed deliveries again: /retry [CHANNEL]"),
    ("preview", "Show the post an article page would give: /preview URL"),
    ("help", "The commands"),
)
"""Registered with setMyCommands, in the order Telegram's menu shows them."""

HELP = "pressbot admin commands:\n" + "\n".join(f"/{name} — {text}" for name, text in COMMANDS)


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    """Lower case, without the slash and without a `@botname` suffix."""
    arg: str


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    html: bool = False
    """True when `text` is Telegram HTML (everything untrusted in it escaped)."""


def parse_command(text: str) -> Command | None:
    """`/pause@pressbot_bot  chungnam` -> Command("pause", "chungnam"); None for plain text."""
    text = text.strip()
    if not text.startswith("/"):
        return None
    head, _, rest = text.partition(" ")
    if "\n" in head:
        head, _, more = head.partition("\n")
        rest = more + " " + rest
    name = head[1:].split("@", 1)[0].lower()
    return Command(name, " ".join(rest.split()))


def clip(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_feeds(config: Config, status: Mapping[str, Any], *, limit: int = TELEGRAM_TEXT_LIMIT) -> str:
    """One line per configured feed: state, interval, targets and, when failing, the last error."""
    states = {f["name"]: f for f in status.get("feeds", ())}
    lines = [f"Feeds ({len(config.feeds)}):"]
    for i, feed in enumerate(config.feeds):
        info = states.get(feed.name, {})
        state = info.get("state", "new")
        line = f"- {feed.name} [{state}] every {format_duration(feed.interval)} → {', '.join(feed.publish)}"
        if state in ("failing", "dead") and info.get("last_error"):
            line += f"\n    {info.get('errors', 0)} errors: {' '.join(str(info['last_error']).split())[:160]}"
        if sum(len(x) + 1 for x in lines) + len(line) + 40 > limit:
            lines.append(f"… and {len(config.feeds) - i} more")
            break
        lines.append(line)
    if not config.feeds:
        lines.append("- none")
    return "\n".join(lines)


Previewer = Callable[[str], Awaitable[str]]
"""URL -> the post's Telegram HTML exactly as it would be posted; raises with a readable message."""


class AdminActions:
    """Carries out one admin command against the running process and returns the reply."""

    def __init__(
        self,
        *,
        get_config: Callable[[], Config],
        store: Store,
        status: Callable[[], dict[str, Any]],
        wake: Callable[[str], None],
        preview: Previewer,
    ) -> None:
        self.get_config = get_config
        self.store = store
        self.status = status
        self.wake = wake
        self.preview = preview

    async def handle(self, command: Command) -> Reply:
        config = self.get_config()
        match command.name:
            case "status":
                return Reply(format_status(self.status()))
            case "feeds":
                return Reply(format_feeds(config, self.status()))
            case "pause" | "resume":
                return Reply(self.pause(config, command.arg, paused=command.name == "pause"))
            case "retry":
                return Reply(self.retry(config, command.arg))
            case "preview":
                return await self.preview_reply(command.arg)
            case "start" | "help":
                return Reply(HELP)
            case _:
                return Reply(f"Unknown command /{command.name}.\n\n{HELP}")

    def pause(self, config: Config, arg: str, *, paused: bool) -> str:
        verb = "pause" if paused else "resume"
        kind, name = _split_kind(arg)
        feeds = [f.name for f in config.feeds]
        channels = list(config.channels)
        if not name:
            return f"Usage: /{verb} NAME (a feed or a channel)\nfeeds: {_names(feeds)}\nchannels: {_names(channels)}"
        is_feed = name in feeds and kind in (None, "feed")
        is_channel = name in channels and kind in (None, "channel")
        if is_feed and is_channel:
            return f"{name} is both a feed and a channel: /{verb} feed {name} or /{verb} channel {name}"
        if is_feed:
            self.store.feeds.set_paused(name, paused)
            log.info("admin: feed %s %s", name, "paused" if paused else "resumed")
            return f"feed {name} {'paused: it is not polled until /resume' if paused else 'resumed'}"
        if is_channel:
            self.store.outbox.set_paused(name, paused)
            if not paused:
                self.wake(name)
            backlog = self.store.outbox.count_pending(name)
            log.info("admin: channel %s %s", name, "paused" if paused else "resumed")
            if paused:
                return f"channel {name} paused: new posts wait in its queue ({backlog} pending) until /resume"
            return f"channel {name} resumed ({backlog} pending)"
        return f"no feed or channel named {name!r}\nfeeds: {_names(feeds)}\nchannels: {_names(channels)}"

    def retry(self, config: Config, arg: str) -> str:
        channel = arg or None
        if channel is not None and channel not in config.channels:
            return f"no channel named {channel!r} (known: {_names(list(config.channels))})"
        count = self.store.outbox.retry_failed(channel)
        for name in [channel] if channel else list(config.channels):
            self.wake(name)
        log.info("admin: %d failed deliveries queued again%s", count, f" for {channel}" if channel else "")
        where = f" for {channel}" if channel else ""
        return f"{count} failed deliveries queued again{where}" if count else f"no failed deliveries{where}"

    async def preview_reply(self, url: str) -> Reply:
        if not url:
            return Reply("Usage: /preview URL")
        try:
            post = await self.preview(url)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the admin reads the reason; the loop goes on
            reason = getattr(exc, "message", None) or str(exc) or type(exc).__name__
            kind = getattr(exc, "kind", None)
            return Reply(clip(f"preview of {url} failed: {kind + ': ' if kind else ''}{reason}"))
        return Reply(post, html=True)


def _split_kind(arg: str) -> tuple[str | None, str]:
    first, _, rest = arg.partition(" ")
    if first.lower() in ("feed", "channel") and rest:
        return first.lower(), rest.strip()
    return None, arg.strip()


def _names(names: Sequence[str]) -> str:
    return ", ".join(names) or "none"


async def preview_post(url: str) -> str:
    """Fetch a page, extract it off the loop and render the post exactly as the dispatcher would."""
    from bot.extract import extract
    from bot.preview import fetch_page
    from bot.publish.render import render_post
    from bot.sources.links import is_http_url

    if not is_http_url(url):
        raise ValueError("not an http(s) URL")
    body, final_url, content_type = await fetch_page(url)
    loop = asyncio.get_running_loop()
    summary = await loop.run_in_executor(None, lambda: extract(body, final_url, content_type=content_type))
    return render_post(summary)
