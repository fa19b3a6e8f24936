"""The validated configuration as frozen records; the one place every default lives."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import Literal

from bot import __version__
from bot.config.problems import Problem
from bot.model import KST, BoardSelectors, ExtractSelectors

__all__ = [
    "REGIONS",
    "REGION_ALIASES",
    "RESERVED_PATHS",
    "AlertsConfig",
    "ChannelConfig",
    "Config",
    "Defaults",
    "FeedConfig",
    "FeedType",
    "PaceConfig",
    "PollConfig",
    "RssConfig",
    "StorageConfig",
    "TelegramConfig",
    "WebConfig",
]

REGIONS = (
    "서울",
    "부산",
    "대구",
    "인천",
    "광주",
    "대전",
    "울산",
    "세종",
    "경기",
    "강원",
    "충북",
    "충남",
    "전북",
    "전남",
    "경북",
    "경남",
    "제주",
)
"""The 17 시·도 by their short names, the form `feeds[].region` and Summary.region use."""

REGION_ALIASES: Mapping[str, str] = {
    "서울시": "서울",
    "서울특별시": "서울",
    "부산시": "부산",
    "부산광역시": "부산",
    "대구시": "대구",
    "대구광역시": "대구",
    "인천시": "인천",
    "인천광역시": "인천",
    "광주시": "광주",
    "광주광역시": "광주",
    "대전시": "대전",
    "대전광역시": "대전",
    "울산시": "울산",
    "울산광역시": "울산",
    "세종시": "세종",
    "세종특별자치시": "세종",
    "경기도": "경기",
    "강원도": "강원",
    "강원특별자치도": "강원",
    "충청북도": "충북",
    "충청남도": "충남",
    "전라북도": "전북",
    "전북특별자치도": "전북",
    "전라남도": "전남",
    "경상북도": "경북",
    "경상남도": "경남",
    "제주도": "제주",
    "제주특별자치도": "제주",
}
"""Full names admins may write instead; they are stored as the short name."""

RESERVED_PATHS = ("/healthz", "/status", "/metrics")
"""Web paths the server itself answers; an RSS output cannot take them."""

FeedType = Literal["feed", "html"]


@dataclass(frozen=True, slots=True, kw_only=True)
class StorageConfig:
    path: Path = Path("data/pressbot.sqlite3")
    """The SQLite file; relative paths are resolved against the config file's folder by the loader."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PaceConfig:
    """Telegram's flood limits, kept with a margin: a drained backlog should see no 429 at all."""

    per_chat_per_second: float = 1.0
    per_chat_per_minute: float = 20.0
    global_per_second: float = 25.0


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class TelegramConfig:
    token: str = ""
    api_base_url: str = "https://api.telegram.org/bot"
    admins: tuple[int, ...] = ()
    pace: PaceConfig = field(default_factory=PaceConfig)
    timeout: float = 30.0
    """Seconds per Bot API request."""
    shutdown_grace: float = 5.0
    """Seconds in-flight requests may take to finish after SIGTERM."""

    @property
    def dry_run(self) -> bool:
        """No token: posts are printed instead of sent."""
        return not self.token

    def __repr__(self) -> str:
        # The token is a credential: it must never reach a log line, a traceback or `pressbot check`.
        token = "<unset>" if self.dry_run else "<set>"
        return (
            f"TelegramConfig(token={token}, api_base_url={self.api_base_url!r}, admins={self.admins!r}, "
            f"pace={self.pace!r}, timeout={self.timeout!r}, shutdown_grace={self.shutdown_grace!r})"
        )

    __str__ = __repr__


@dataclass(frozen=True, slots=True, kw_only=True)
class WebConfig:
    host: str = "127.0.0.1"
    port: int = 8080
    base_url: str = "http://127.0.0.1:8080"
    """Public address of this server, without a trailing slash."""
    enabled: bool = True

    @property
    def listen(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}" if self.enabled else ""

    def url_for(self, path: str) -> str:
        """The public URL of a path served here, e.g. an RSS output's `atom:link rel="self"`."""
        return self.base_url + path


@dataclass(frozen=True, slots=True, kw_only=True)
class Defaults:
    interval: float = 300.0
    backfill: int = 1
    """On a feed's first poll publish only its newest N entries; the rest are recorded as seen."""


_DEFAULTS = Defaults()


@dataclass(frozen=True, slots=True, kw_only=True)
class PollConfig:
    concurrency: int = 32
    per_host: int = 4
    timeout: float = 20.0
    """Total seconds per request (connect + headers + body), so a trickling server cannot hold a slot."""
    max_bytes: int = 10 * 1024 * 1024
    max_backoff: float = 6 * 3600.0
    max_redirects: int = 5
    user_agent: str = f"pressbot/{__version__}"
    allow_private: bool = False
    """Allow article links to private or loopback addresses even when the feed's host is public."""
    honor_cache_headers: bool = True
    """Cache-Control max-age and RSS <ttl> act as a lower bound on a feed's interval."""
    dead_after: float = 3 * 86400.0
    dead_interval: float = 86400.0
    workers: int = 1
    """Worker processes for feed parsing and extraction (keeps the event loop free); 0 = in-process."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertsConfig:
    feed_failing_after: float = 3600.0


@dataclass(frozen=True, slots=True, kw_only=True)
class ChannelConfig:
    name: str
    chat_id: str | int
    """`@username` or a numeric chat id."""
    digest_after: int = 10
    """A pending queue longer than this is posted as digests; 0 turns digests off."""
    photos: bool = False
    quiet_hours: tuple[time, time] | None = None
    """(start, end) in Korea time; the range may cross midnight."""
    paused: bool = False

    def in_quiet_hours(self, now: datetime) -> bool:
        """Whether `now` (read as Korea time when naive) falls in [start, end)."""
        if self.quiet_hours is None:
            return False
        start, end = self.quiet_hours
        local = now.replace(tzinfo=KST) if now.tzinfo is None else now.astimezone(KST)
        moment = local.time().replace(tzinfo=None)
        if start <= end:
            return start <= moment < end
        return moment >= start or moment < end


@dataclass(frozen=True, slots=True, kw_only=True)
class RssConfig:
    name: str
    path: str
    """Served at web.base_url + path; starts with '/'."""
    title: str
    description: str = ""
    limit: int = 100
    file: Path | None = None
    """Optional on-disk copy (written atomically), resolved against the config file's folder."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedConfig:
    name: str
    url: str
    type: FeedType = "feed"
    region: str | None = None
    """One of REGIONS; None leaves the region to the extractor."""
    interval: float = _DEFAULTS.interval
    """Seconds between polls, already resolved from defaults.interval."""
    backfill: int = _DEFAULTS.backfill
    publish: tuple[str, ...] = ()
    """Channel and RSS output names."""
    charset: str | None = None
    """Forces the charset of the feed and of its article pages."""
    extract: ExtractSelectors | None = None
    select: BoardSelectors | None = None
    """Set exactly when type == "html"."""
    enabled: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    path: Path
    """The config file (absolute when loaded from disk)."""
    storage: StorageConfig = field(default_factory=StorageConfig)
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    web: WebConfig = field(default_factory=WebConfig)
    defaults: Defaults = field(default_factory=Defaults)
    poll: PollConfig = field(default_factory=PollConfig)
    alerts: AlertsConfig = field(default_factory=AlertsConfig)
    channels: Mapping[str, ChannelConfig] = field(default_factory=dict)
    rss: Mapping[str, RssConfig] = field(default_factory=dict)
    feeds: tuple[FeedConfig, ...] = ()
    warnings: tuple[Problem, ...] = ()

    def feed(self, name: str) -> FeedConfig | None:
        return next((feed for feed in self.feeds if feed.name == name), None)

    @property
    def targets(self) -> tuple[str, ...]:
        """Every name a feed may publish to: channels, then RSS outputs."""
        return (*self.channels, *self.rss)

    def rss_url(self, name: str) -> str:
        return self.web.url_for(self.rss[name].path)
