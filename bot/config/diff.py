"""What changed between two configs, so a reload applies only that (and says what needs a restart)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from bot.config.schema import Config

__all__ = ["ConfigDiff", "diff"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigDiff:
    feeds_added: tuple[str, ...] = ()
    feeds_removed: tuple[str, ...] = ()
    feeds_changed: tuple[str, ...] = ()
    """Same name, any field different (interval, url, publish, enabled, selectors...)."""
    channels_added: tuple[str, ...] = ()
    channels_removed: tuple[str, ...] = ()
    channels_changed: tuple[str, ...] = ()
    rss_added: tuple[str, ...] = ()
    rss_removed: tuple[str, ...] = ()
    rss_changed: tuple[str, ...] = ()
    storage_changed: bool = False
    web_changed: bool = False
    telegram_changed: bool = False
    """Anything under telegram:, admins included."""
    admins_changed: bool = False
    """telegram.admins: applied without a restart."""
    telegram_restart: bool = False
    """Something under telegram: other than admins changed (token, base URL, pace, timeouts)."""
    poll_changed: bool = False
    alerts_changed: bool = False

    @property
    def restart_needed(self) -> tuple[str, ...]:
        """Sections whose change the running process cannot apply: restart pressbot for them."""
        reasons: list[str] = []
        if self.storage_changed:
            reasons.append("storage")
        if self.web_changed:
            reasons.append("web")
        if self.telegram_restart:
            reasons.append("telegram")
        return tuple(reasons)

    def __bool__(self) -> bool:
        return self.describe() != "nothing changed"

    def describe(self) -> str:
        """One line for the log: `feeds +a -b ~c; channels ~x; telegram (restart needed)`."""
        parts: list[str] = []
        for label, added, removed, changed in (
            ("feeds", self.feeds_added, self.feeds_removed, self.feeds_changed),
            ("channels", self.channels_added, self.channels_removed, self.channels_changed),
            ("rss", self.rss_added, self.rss_removed, self.rss_changed),
        ):
            names = [f"+{n}" for n in added] + [f"-{n}" for n in removed] + [f"~{n}" for n in changed]
            if names:
                parts.append(f"{label} {' '.join(names)}")
        restart = self.restart_needed
        for label, flag in (
            ("storage", self.storage_changed),
            ("web", self.web_changed),
            ("telegram", self.telegram_restart),
            ("telegram.admins", self.admins_changed),
            ("poll", self.poll_changed),
            ("alerts", self.alerts_changed),
        ):
            if flag:
                parts.append(f"{label} (restart needed)" if label in restart else label)
        return "; ".join(parts) or "nothing changed"


def _named(old: Mapping[str, object], new: Mapping[str, object]) -> tuple[tuple[str, ...], ...]:
    added = tuple(name for name in new if name not in old)
    removed = tuple(name for name in old if name not in new)
    changed = tuple(name for name in new if name in old and old[name] != new[name])
    return added, removed, changed


def diff(old: Config, new: Config) -> ConfigDiff:
    """Differences from `old` to `new`, by name for feeds, channels and rss outputs."""
    feeds = _named({f.name: f for f in old.feeds}, {f.name: f for f in new.feeds})
    channels = _named(old.channels, new.channels)
    rss = _named(old.rss, new.rss)
    besides_admins = replace(old.telegram, admins=new.telegram.admins) != new.telegram
    return ConfigDiff(
        feeds_added=feeds[0],
        feeds_removed=feeds[1],
        feeds_changed=feeds[2],
        channels_added=channels[0],
        channels_removed=channels[1],
        channels_changed=channels[2],
        rss_added=rss[0],
        rss_removed=rss[1],
        rss_changed=rss[2],
        storage_changed=old.storage != new.storage,
        web_changed=old.web != new.web,
        telegram_changed=old.telegram != new.telegram,
        admins_changed=old.telegram.admins != new.telegram.admins,
        poll_changed=old.poll != new.poll,
        alerts_changed=old.alerts != new.alerts,
        telegram_restart=besides_admins,
    )
