"""Read config.yaml into a validated Config, or a ConfigError listing every problem with file and line."""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from pathlib import Path

from bot.config import feeds as feeds_section
from bot.config import outputs, sections
from bot.config.fields import Fields, describe, unknown_key
from bot.config.problems import ConfigError, Problem
from bot.config.schema import Config, FeedConfig
from bot.config.yamlsource import child_path, read_yaml

__all__ = ["SECTIONS", "load_config", "load_config_text"]

SECTIONS = ("storage", "telegram", "web", "defaults", "poll", "alerts", "channels", "rss", "feeds")


def load_config(path: str | Path, *, env: Mapping[str, str] | None = None) -> Config:
    """Load and validate the file at `path`; `env` (default os.environ) answers `${VAR}`."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError([Problem(file=file, line=None, path="", message="no such file")]) from None
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise ConfigError([Problem(file=file, line=line, path="", message="the file is not UTF-8 text")]) from None
    except OSError as exc:
        raise ConfigError([Problem(file=file, line=None, path="", message=f"cannot read: {exc.strerror}")]) from None
    absolute = Path(path).absolute()
    return _load(text, file=file, config_path=absolute, base_dir=absolute.parent, env=env)


def load_config_text(
    text: str, *, file: str = "config.yaml", base_dir: Path, env: Mapping[str, str] | None = None
) -> Config:
    """Validate config text as if read from `base_dir / file` (tests, and reload of text already read)."""
    return _load(text, file=file, config_path=base_dir / file, base_dir=base_dir, env=env)


def _load(text: str, *, file: str, config_path: Path, base_dir: Path, env: Mapping[str, str] | None) -> Config:
    doc = read_yaml(text, file=file, env=os.environ if env is None else env)
    f = Fields(doc, base_dir=base_dir)
    config = _build(f, doc.data, config_path) if not _fatal(f) else None
    problems = _scrub(sorted(f.problems, key=lambda p: (p.line is None, p.line or 0)), config)
    if config is None or any(p.severity == "error" for p in problems):
        raise ConfigError(problems)
    return dataclasses.replace(config, warnings=tuple(problems))


def _fatal(f: Fields) -> bool:
    """A syntax error leaves nothing trustworthy to validate; stop at it."""
    return any(p.path == "" and p.message.startswith("YAML syntax error") for p in f.problems)


def _build(f: Fields, data: object, config_path: Path) -> Config | None:
    if data is None:
        f.error("", f"the file is empty: expected sections such as {', '.join(SECTIONS)}")
        return None
    if not isinstance(data, dict):
        f.error("", f"expected a mapping of sections ({', '.join(SECTIONS)}), got {describe(data)}")
        return None
    for key in data:
        if key not in SECTIONS:
            f.error(key, unknown_key(key, SECTIONS), key=True)
    defaults = sections.defaults(f, data.get("defaults"))
    channels = outputs.channels(f, data.get("channels"))
    rss = outputs.rss(f, data.get("rss"))
    for name in rss:
        if name in channels:
            f.error(
                child_path("rss", name),
                f"'{name}' is also a channel name; publish lists could not tell them apart: rename one",
                key=True,
            )
    # Names as written, even of outputs that failed validation: one mistake should not cascade into
    # "no channel named ..." on every feed that publishes to it.
    targets = [*_names(data.get("channels"), channels), *_names(data.get("rss"), rss)]
    feeds = feeds_section.feeds(f, data.get("feeds"), defaults, targets)
    config = Config(
        path=config_path,
        storage=sections.storage(f, data.get("storage")),
        telegram=sections.telegram(f, data.get("telegram")),
        web=sections.web(f, data.get("web")),
        defaults=defaults,
        poll=sections.poll(f, data.get("poll")),
        alerts=sections.alerts(f, data.get("alerts")),
        channels=channels,
        rss=rss,
        feeds=feeds,
    )
    _check_routes(f, config, data.get("feeds"))
    return config


def _names(raw: object, built: Mapping[str, object]) -> list[str]:
    return [str(name) for name in raw] if isinstance(raw, dict) else list(built)


def _check_routes(f: Fields, config: Config, raw_feeds: object) -> None:
    """Cross-section findings: targets nothing feeds, RSS nobody can fetch, names that collide."""
    for name, output in config.rss.items():
        if not config.web.enabled and output.file is None:
            message = "the web server is off and no file is set: nobody can read this output"
            f.warn(child_path("rss", name), message, key=True)
        elif not config.web.enabled and not config.web.base_url:
            # RSS needs absolute self and channel links; with no server of ours, only the admin
            # knows where the file is served from.
            f.error(child_path("rss", name), "the web server is off: set web.base_url to the public "
                    "address the file is served from (its atom:link rel=\"self\" needs it)", key=True)
    for index, feed in enumerate(config.feeds):
        if feed.name in config.channels:
            f.warn(f"feeds[{index}].name", f"'{feed.name}' is also a channel name: /pause {feed.name} pauses both")
    if not raw_feeds:
        return  # "no feeds" has been said once; a warning per channel would only repeat it
    enabled: list[FeedConfig] = [feed for feed in config.feeds if feed.enabled]
    used = {target for feed in enabled for target in feed.publish}
    for name in config.channels:
        if name not in used:
            f.warn(child_path("channels", name), "no enabled feed publishes to this channel", key=True)
    for name in config.rss:
        if name not in used:
            f.warn(child_path("rss", name), "no enabled feed publishes to this rss output", key=True)


def _scrub(problems: list[Problem], config: Config | None) -> list[Problem]:
    """Belt and braces: no message may carry the bot token, however it got there."""
    token = config.telegram.token if config else ""
    if not token:
        return problems
    pattern = re.compile(re.escape(token))
    return [dataclasses.replace(p, message=pattern.sub("<token>", p.message)) for p in problems]
