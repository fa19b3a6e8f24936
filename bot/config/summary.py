"""The one-screen summary `pressbot check` prints for a valid config (never the token)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from bot.config.diff import ConfigDiff, diff
from bot.config.schema import ChannelConfig, Config
from bot.durations import format_duration, format_size

__all__ = ["ConfigDiff", "diff", "summarize"]


def summarize(cfg: Config) -> str:
    enabled = sum(1 for feed in cfg.feeds if feed.enabled)
    lines = [
        f"{cfg.path}: OK: {_count(len(cfg.feeds), 'feed')} ({enabled} enabled), "
        f"{_count(len(cfg.channels), 'channel')}, {_count(len(cfg.rss), 'RSS output')}, "
        f"{_count(len(cfg.warnings), 'warning')}",
        "",
        f"storage   {cfg.storage.path}",
        f"web       {_web(cfg)}",
        f"telegram  {_telegram(cfg)}",
        f"polling   every {format_duration(cfg.defaults.interval)} by default, backfill {cfg.defaults.backfill}, "
        f"{cfg.poll.concurrency} at once ({cfg.poll.per_host} per host), timeout {format_duration(cfg.poll.timeout)}, "
        f"max {format_size(cfg.poll.max_bytes)}",
    ]
    if cfg.feeds:
        lines += ["", f"feeds ({len(cfg.feeds)}):"]
        lines += _table(
            [
                (
                    feed.name,
                    feed.type,
                    f"every {format_duration(feed.interval)}",
                    feed.region or "-",
                    "-> " + ", ".join(feed.publish) + ("" if feed.enabled else "  [disabled]"),
                )
                for feed in cfg.feeds
            ]
        )
    if cfg.channels:
        lines += ["", f"channels ({len(cfg.channels)}):"]
        lines += _table([_channel(channel) for channel in cfg.channels.values()])
    if cfg.rss:
        lines += ["", f"RSS outputs ({len(cfg.rss)}):"]
        lines += _table(
            [
                (
                    rss.name,
                    cfg.rss_url(rss.name) if cfg.web.enabled else "(web server off)",
                    f"last {rss.limit}",
                    f"file {rss.file}" if rss.file else "",
                )
                for rss in cfg.rss.values()
            ]
        )
    if cfg.warnings:
        lines += ["", f"warnings ({len(cfg.warnings)}):"]
        lines += [f"  {problem}" for problem in cfg.warnings]
    return "\n".join(lines)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _web(cfg: Config) -> str:
    if not cfg.web.enabled:
        return "off (web.listen is empty)"
    return f"listening on {cfg.web.listen}, public address {cfg.web.base_url}"


def _telegram(cfg: Config) -> str:
    t = cfg.telegram
    mode = "DRY RUN: no token, posts are printed" if t.dry_run else f"token set, Bot API at {t.api_base_url}"
    admins = _count(len(t.admins), "admin")
    pace = (
        f"pace {t.pace.per_chat_per_second:g}/s and {t.pace.per_chat_per_minute:g}/min per chat, "
        f"{t.pace.global_per_second:g}/s overall"
    )
    return f"{mode}; {admins}; {pace}"


def _channel(channel: ChannelConfig) -> tuple[str, ...]:
    digest = f"digest after {channel.digest_after}" if channel.digest_after else "no digests"
    quiet = "quiet " + "-".join(t.strftime("%H:%M") for t in channel.quiet_hours) if channel.quiet_hours else ""
    return (
        channel.name,
        str(channel.chat_id),
        digest,
        "photos" if channel.photos else "text only",
        quiet,
        "[paused]" if channel.paused else "",
    )


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  " + "  ".join(cell + " " * (width - _width(cell)) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def _width(text: str) -> int:
    """Terminal columns: Hangul and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
