"""SQLite store: feed state, seen entries, releases and the outbox of deliveries."""

from __future__ import annotations

from pathlib import Path

from bot.store.db import Database, StoreError
from bot.store.feeds import FeedState, FeedStates
from bot.store.outbox import Outbox, TargetCounts
from bot.store.releases import Releases, StoredRelease, Target

__all__ = [
    "FeedState",
    "Store",
    "StoreError",
    "StoredRelease",
    "Target",
    "TargetCounts",
]


class Store:
    """The one store of a running pressbot: `feeds`, `releases` and `outbox` share a connection."""

    def __init__(self, path: Path) -> None:
        self.db = Database(path)
        self.feeds = FeedStates(self.db)
        self.releases = Releases(self.db)
        self.outbox = Outbox(self.db)

    def ping(self) -> bool:
        return self.db.ping()

    def close(self) -> None:
        self.db.close()
