"""Per-feed polling state: validators, last success, consecutive errors, schedule."""

from __future__ import annotations

from dataclasses import dataclass

from bot.store.db import Database


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedState:
    feed: str
    url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    known_ids: str | None = None
    """JSON list of the entry identities of the last parsed document (all recorded)."""
    initialised: bool = False
    last_poll: float | None = None
    last_success: float | None = None
    last_error: str | None = None
    error_kind: str | None = None
    errors: int = 0
    failing_since: float | None = None
    next_poll: float | None = None
    moved_to: str | None = None
    dead: bool = False
    paused: bool = False
    alerted: bool = False
    polls: int = 0
    entries_found: int = 0


_COLUMNS = tuple(FeedState.__dataclass_fields__)


class FeedStates:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, feed: str) -> FeedState:
        row = self.db.conn.execute("SELECT * FROM feed_state WHERE feed = ?", (feed,)).fetchone()
        if row is None:
            return FeedState(feed=feed)
        return _from_row(row)

    def next_polls(self) -> dict[str, float | None]:
        """Every feed's stored next poll time: what a (re)starting scheduler needs, and no more."""
        rows = self.db.conn.execute("SELECT feed, next_poll FROM feed_state").fetchall()
        return {str(feed): at for feed, at in rows}

    def all(self) -> list[FeedState]:
        rows = self.db.conn.execute("SELECT * FROM feed_state ORDER BY feed").fetchall()
        return [_from_row(r) for r in rows]

    def update(self, feed: str, **values: object) -> None:
        """Upsert the given columns of one feed's state."""
        unknown = set(values) - set(_COLUMNS)
        if unknown:
            raise KeyError(f"unknown feed_state columns: {sorted(unknown)}")
        cols = ["feed", *values]
        params = [feed, *(_to_sql(v) for v in values.values())]
        assignments = ", ".join(f"{c} = excluded.{c}" for c in values) or "feed = feed"
        self.db.conn.execute(
            f"INSERT INTO feed_state ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) "
            f"ON CONFLICT (feed) DO UPDATE SET {assignments}",
            params,
        )

    def record_success(self, feed: str, *, now: float, next_poll: float, **values: object) -> None:
        """One upsert per poll: a thousand 304s a cycle must cost the loop next to nothing."""
        unknown = set(values) - set(_COLUMNS)
        if unknown:
            raise KeyError(f"unknown feed_state columns: {sorted(unknown)}")
        fixed: dict[str, object] = {"last_poll": now, "last_success": now, "errors": 0, "failing_since": None,
                 "last_error": None, "error_kind": None, "dead": 0, "alerted": 0, "next_poll": next_poll}
        fixed.update({k: _to_sql(v) for k, v in values.items()})
        cols = list(fixed)
        assignments = ", ".join(f"{c} = excluded.{c}" for c in cols)
        self.db.conn.execute(
            f"INSERT INTO feed_state (feed, {', '.join(cols)}) VALUES (?{', ?' * len(cols)}) "
            f"ON CONFLICT (feed) DO UPDATE SET {assignments}, polls = polls + 1",
            [feed, *fixed.values()],
        )

    def record_failure(self, feed: str, *, now: float, kind: str, message: str, next_poll: float) -> FeedState:
        self.db.conn.execute(
            "INSERT INTO feed_state (feed) VALUES (?) ON CONFLICT (feed) DO NOTHING", (feed,)
        )
        self.db.conn.execute(
            "UPDATE feed_state SET last_poll = ?, errors = errors + 1, "
            "failing_since = COALESCE(failing_since, ?), last_error = ?, error_kind = ?, "
            "next_poll = ?, polls = polls + 1 WHERE feed = ?",
            (now, now, message, kind, next_poll, feed),
        )
        return self.get(feed)

    def set_paused(self, feed: str, paused: bool) -> None:
        self.update(feed, paused=paused)


def _to_sql(value: object) -> object:
    return int(value) if isinstance(value, bool) else value


def _from_row(row: object) -> FeedState:
    data = dict(row)  # type: ignore[call-overload]
    for flag in ("initialised", "dead", "paused", "alerted"):
        data[flag] = bool(data[flag])
    return FeedState(**{k: data[k] for k in _COLUMNS})
