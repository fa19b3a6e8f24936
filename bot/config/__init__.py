"""The admin's config.yaml as validated, frozen records: `load_config(path) -> Config`."""

from bot.config.diff import ConfigDiff, diff
from bot.config.loader import load_config, load_config_text
from bot.config.problems import ConfigError, Problem, Severity
from bot.config.schema import (
    REGIONS,
    RESERVED_PATHS,
    AlertsConfig,
    ChannelConfig,
    Config,
    Defaults,
    FeedConfig,
    FeedType,
    PaceConfig,
    PollConfig,
    RssConfig,
    StorageConfig,
    TelegramConfig,
    WebConfig,
)
from bot.config.summary import summarize

__all__ = [
    "REGIONS",
    "RESERVED_PATHS",
    "AlertsConfig",
    "ChannelConfig",
    "Config",
    "ConfigDiff",
    "ConfigError",
    "Defaults",
    "FeedConfig",
    "FeedType",
    "PaceConfig",
    "PollConfig",
    "Problem",
    "RssConfig",
    "Severity",
    "StorageConfig",
    "TelegramConfig",
    "WebConfig",
    "diff",
    "load_config",
    "load_config_text",
    "summarize",
]
