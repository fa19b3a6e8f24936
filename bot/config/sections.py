"""Builders for the settings sections: storage, telegram, web, defaults, poll, alerts."""

from __future__ import annotations

import re

from bot.config.fields import Fields, describe, is_int
from bot.config.schema import (
    AlertsConfig,
    Defaults,
    PaceConfig,
    PollConfig,
    StorageConfig,
    TelegramConfig,
    WebConfig,
)
from bot.config.yamlsource import item_path

__all__ = ["alerts", "defaults", "poll", "storage", "telegram", "web"]

_TOKEN_SHAPE = re.compile(r"\d+:[A-Za-z0-9_-]+")
_WILDCARD_HOSTS = ("0.0.0.0", "::", "*")


def storage(f: Fields, raw: object) -> StorageConfig:
    section = f.mapping("storage", raw, ("path",))
    path = f.file_path("storage.path", section.get("path"), StorageConfig().path)
    assert path is not None
    return StorageConfig(path=path)


def telegram(f: Fields, raw: object) -> TelegramConfig:
    d = TelegramConfig()
    keys = ("token", "api_base_url", "admins", "pace", "timeout", "shutdown_grace")
    section = f.mapping("telegram", raw, keys)
    pace_raw = f.mapping(
        "telegram.pace", section.get("pace"), ("per_chat_per_second", "per_chat_per_minute", "global_per_second")
    )
    pace = PaceConfig(
        per_chat_per_second=f.positive(
            "telegram.pace.per_chat_per_second", pace_raw.get("per_chat_per_second"), d.pace.per_chat_per_second
        ),
        per_chat_per_minute=f.positive(
            "telegram.pace.per_chat_per_minute", pace_raw.get("per_chat_per_minute"), d.pace.per_chat_per_minute
        ),
        global_per_second=f.positive(
            "telegram.pace.global_per_second", pace_raw.get("global_per_second"), d.pace.global_per_second
        ),
    )
    api_base_url = f.url("telegram.api_base_url", section.get("api_base_url"), d.api_base_url)
    assert api_base_url is not None
    return TelegramConfig(
        token=_token(f, section.get("token")),
        api_base_url=api_base_url,
        admins=_admins(f, section.get("admins")),
        pace=pace,
        timeout=f.duration("telegram.timeout", section.get("timeout"), d.timeout),
        shutdown_grace=f.duration("telegram.shutdown_grace", section.get("shutdown_grace"), d.shutdown_grace),
    )


def _token(f: Fields, value: object) -> str:
    # Never echo the value: whatever is here may be a credential.
    path = "telegram.token"
    if value is None or value == "":
        f.warn(path, "no token: Telegram posts are printed (dry run)")
        return ""
    if not isinstance(value, str):
        f.error(path, "expected the bot token as text (from @BotFather), got a value of another kind")
        return ""
    token = value.strip()
    if not _TOKEN_SHAPE.fullmatch(token):
        f.warn(path, "this does not look like a bot token (digits, ':', then letters, as @BotFather gives it)")
    if path not in f.doc.from_env:
        f.warn(path, "the token is written in the file; read it from the environment: ${TELEGRAM_BOT_TOKEN}")
    return token


def _admins(f: Fields, value: object) -> tuple[int, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        f.error("telegram.admins", f"expected a list of Telegram user ids like [123456789], got {describe(value)}")
        return ()
    admins: list[int] = []
    for index, item in enumerate(value):
        if is_int(item) and isinstance(item, int) and item > 0:
            admins.append(item)
        else:
            f.error(
                item_path("telegram.admins", index),
                f"expected a Telegram user id (a positive whole number), got {describe(item)}",
            )
    return tuple(admins)


def web(f: Fields, raw: object) -> WebConfig:
    d = WebConfig()
    section = f.mapping("web", raw, ("listen", "base_url"))
    listen = section.get("listen")
    if listen is None:
        listen = d.listen
    if listen is False or listen == "":
        base_url = f.url("web.base_url", section.get("base_url"), "")
        return WebConfig(host="", port=0, base_url=(base_url or "").rstrip("/"), enabled=False)
    host, port = _listen(f, listen, d)
    base_url = f.url("web.base_url", section.get("base_url"), "")
    if not base_url:
        shown = "127.0.0.1" if host in _WILDCARD_HOSTS else (f"[{host}]" if ":" in host else host)
        base_url = f"http://{shown}:{port}"
        if host in _WILDCARD_HOSTS:
            f.warn(
                "web.listen",
                f"listening on every interface but web.base_url is not set: RSS self links "
                f"will say {base_url}; set web.base_url to the public address",
            )
    return WebConfig(host=host, port=port, base_url=base_url.rstrip("/"), enabled=True)


def _listen(f: Fields, value: object, d: WebConfig) -> tuple[str, int]:
    hint = 'expected host:port like 127.0.0.1:8080 (or "" to turn the web server off)'
    if is_int(value) and isinstance(value, int):
        host, port_text = d.host, str(value)
    elif isinstance(value, str):
        text = value.strip()
        match = re.fullmatch(r"\[([^\]]+)\]:(\d+)", text) or re.fullmatch(r"([^:\[\]\s]+):(\d+)", text)
        if match is None:
            f.error("web.listen", f"{hint}, got {describe(value)}")
            return d.host, d.port
        host, port_text = match.groups()
    else:
        f.error("web.listen", f"{hint}, got {describe(value)}")
        return d.host, d.port
    port = int(port_text)
    if port > 65535:
        f.error("web.listen", f"a port is at most 65535, got {port}")
        return host, d.port
    return host, port


def defaults(f: Fields, raw: object) -> Defaults:
    d = Defaults()
    section = f.mapping("defaults", raw, ("interval", "backfill"))
    return Defaults(
        interval=f.duration("defaults.interval", section.get("interval"), d.interval),
        backfill=f.integer("defaults.backfill", section.get("backfill"), d.backfill),
    )


def poll(f: Fields, raw: object) -> PollConfig:
    d = PollConfig()
    keys = (
        "concurrency",
        "per_host",
        "timeout",
        "max_bytes",
        "max_backoff",
        "max_redirects",
        "user_agent",
        "allow_private",
        "honor_cache_headers",
        "dead_after",
        "dead_interval",
        "workers",
    )
    s = f.mapping("poll", raw, keys)
    return PollConfig(
        concurrency=f.integer("poll.concurrency", s.get("concurrency"), d.concurrency, minimum=1),
        per_host=f.integer("poll.per_host", s.get("per_host"), d.per_host, minimum=1),
        timeout=f.duration("poll.timeout", s.get("timeout"), d.timeout),
        max_bytes=f.size("poll.max_bytes", s.get("max_bytes"), d.max_bytes),
        max_backoff=f.duration("poll.max_backoff", s.get("max_backoff"), d.max_backoff),
        max_redirects=f.integer("poll.max_redirects", s.get("max_redirects"), d.max_redirects),
        user_agent=f.text("poll.user_agent", s.get("user_agent"), d.user_agent) or d.user_agent,
        allow_private=f.boolean("poll.allow_private", s.get("allow_private"), d.allow_private),
        honor_cache_headers=f.boolean("poll.honor_cache_headers", s.get("honor_cache_headers"), d.honor_cache_headers),
        dead_after=f.duration("poll.dead_after", s.get("dead_after"), d.dead_after),
        dead_interval=f.duration("poll.dead_interval", s.get("dead_interval"), d.dead_interval),
        workers=f.integer("poll.workers", s.get("workers"), d.workers),
    )


def alerts(f: Fields, raw: object) -> AlertsConfig:
    d = AlertsConfig()
    section = f.mapping("alerts", raw, ("feed_failing_after",))
    return AlertsConfig(
        feed_failing_after=f.duration(
            "alerts.feed_failing_after", section.get("feed_failing_after"), d.feed_failing_after
        ),
    )
