"""Outbox operations: claim, mark sent / retry / failed, crash recovery, pacing history."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from bot.model import Delivery, Summary
from bot.store.db import Database


@dataclass(frozen=True, slots=True, kw_only=True)
class TargetCounts:
    target: str
    pending: int = 0
    sending: int = 0
    sent: int = 0
    failed: int = 0


class Outbox:
    def __init__(self, db: Database) -> None:
        self.db = db

    def recover(self) -> int:
        """After a crash: deliveries left `sending` go back to pending (retried once more).

        This is the only window in which a post can repeat: at most one per chat,
        because a chat has at most one request in flight.
        """
        cur = self.db.conn.execute(
            "UPDATE deliveries SET state = 'pending', last_error = 'interrupted while sending' "
            "WHERE state = 'sending'"
        )
        return cur.rowcount

    def pending(self, target: str, limit: int = 1000) -> list[Delivery]:
        rows = self.db.conn.execute(
            "SELECT d.*, r.summary FROM deliveries d JOIN releases r ON r.id = d.release_id "
            "WHERE d.target = ? AND d.state = 'pending' ORDER BY d.id LIMIT ?",
            (target, limit),
        ).fetchall()
        return [_delivery(r) for r in rows]

    def count_pending(self, target: str) -> int:
        row = self.db.conn.execute(
            "SELECT COUNT(*) FROM deliveries WHERE target = ? AND state = 'pending'", (target,)
        ).fetchone()
        return int(row[0])

    def has_pending(self) -> bool:
        row = self.db.conn.execute(
            "SELECT 1 FROM deliveries WHERE state IN ('pending', 'sending') LIMIT 1"
        ).fetchone()
        return row is not None

    def mark_sending(self, ids: Sequence[int]) -> None:
        with self.db.transaction() as conn:
            conn.executemany(
                "UPDATE deliveries SET state = 'sending', attempts = attempts + 1 WHERE id = ?",
                [(i,) for i in ids],
            )

    def mark_sent(
        self,
        ids: Sequence[int],
        *,
        message_id: int | None,
        chat_id: str,
        now: float,
        dry_run: bool = False,
        digest: bool = False,
    ) -> None:
        with self.db.transaction() as conn:
            conn.executemany(
                "UPDATE deliveries SET state = 'sent', message_id = ?, chat_id = ?, sent_at = ?, "
                "last_error = NULL, dry_run = ?, digest = ? WHERE id = ?",
                [(message_id, chat_id, now, int(dry_run), int(digest), i) for i in ids],
            )
            if not dry_run:
                conn.execute("INSERT INTO sends (chat, at) VALUES (?, ?)", (chat_id, now))

    def mark_retry(self, ids: Sequence[int], *, error: str, next_attempt_at: float) -> None:
        with self.db.transaction() as conn:
            conn.executemany(
                "UPDATE deliveries SET state = 'pending', last_error = ?, next_attempt_at = ? WHERE id = ?",
                [(error, next_attempt_at, i) for i in ids],
            )

    def release(self, ids: Sequence[int], *, note: str, next_attempt_at: float) -> None:
        """Back to pending without counting the attempt (rate limited, chat migrated)."""
        with self.db.transaction() as conn:
            conn.executemany(
                "UPDATE deliveries SET state = 'pending', attempts = MAX(attempts - 1, 0), last_error = ?, "
                "next_attempt_at = ? WHERE id = ? AND state = 'sending'",
                [(note, next_attempt_at, i) for i in ids],
            )

    def count_failed(self, target: str) -> int:
        row = self.db.conn.execute(
            "SELECT COUNT(*) FROM deliveries WHERE target = ? AND state = 'failed'", (target,)
        ).fetchone()
        return int(row[0])

    def mark_failed(self, ids: Sequence[int], *, reason: str) -> None:
        with self.db.transaction() as conn:
            conn.executemany(
                "UPDATE deliveries SET state = 'failed', last_error = ? WHERE id = ?",
                [(reason, i) for i in ids],
            )

    def retry_failed(self, target: str | None = None) -> int:
        """An admin's /retry: failed deliveries become pending again."""
        sql = "UPDATE deliveries SET state = 'pending', next_attempt_at = 0 WHERE state = 'failed'"
        params: tuple[str, ...] = ()
        if target is not None:
            sql += " AND target = ?"
            params = (target,)
        return self.db.conn.execute(sql, params).rowcount

    def failed(self, target: str | None = None, limit: int = 50) -> list[Delivery]:
        sql = (
            "SELECT d.*, r.summary FROM deliveries d JOIN releases r ON r.id = d.release_id "
            "WHERE d.state = 'failed'"
        )
        params: list[object] = []
        if target is not None:
            sql += " AND d.target = ?"
            params.append(target)
        sql += " ORDER BY d.id LIMIT ?"
        params.append(limit)
        return [_delivery(r) for r in self.db.conn.execute(sql, params).fetchall()]

    def counts(self) -> dict[str, TargetCounts]:
        rows = self.db.conn.execute(
            "SELECT target, state, COUNT(*) FROM deliveries GROUP BY target, state"
        ).fetchall()
        acc: dict[str, dict[str, int]] = {}
        for target, state, n in rows:
            acc.setdefault(target, {})[state] = n
        return {t: TargetCounts(target=t, **v) for t, v in acc.items()}

    def recent_sends(self, since: float) -> list[tuple[str, float]]:
        """Accepted messages since a time, oldest first: pacing history after a restart."""
        self.db.conn.execute("DELETE FROM sends WHERE at < ?", (since - 3600,))
        rows = self.db.conn.execute(
            "SELECT chat, at FROM sends WHERE at >= ? ORDER BY at", (since,)
        ).fetchall()
        return [(str(c), float(a)) for c, a in rows]

    def follow_migration(self, target: str, chat_id: str) -> None:
        self.db.conn.execute(
            "INSERT INTO target_state (name, chat_id) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET chat_id = excluded.chat_id",
            (target, chat_id),
        )

    def target_state(self, target: str) -> tuple[bool, str | None]:
        """(paused, migrated chat id) of a channel."""
        row = self.db.conn.execute(
            "SELECT paused, chat_id FROM target_state WHERE name = ?", (target,)
        ).fetchone()
        return (False, None) if row is None else (bool(row[0]), row[1])

    def alerted(self, target: str) -> bool:
        """Whether the admins were told of this channel's permanent failures (one alert per incident)."""
        row = self.db.conn.execute("SELECT alerted FROM target_state WHERE name = ?", (target,)).fetchone()
        return bool(row[0]) if row is not None else False

    def set_alerted(self, target: str, alerted: bool) -> None:
        self.db.conn.execute(
            "INSERT INTO target_state (name, alerted) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET alerted = excluded.alerted",
            (target, int(alerted)),
        )

    def set_paused(self, target: str, paused: bool) -> None:
        self.db.conn.execute(
            "INSERT INTO target_state (name, paused) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET paused = excluded.paused",
            (target, int(paused)),
        )


def _delivery(row: object) -> Delivery:
    data = dict(row)  # type: ignore[call-overload]
    return Delivery(
        id=data["id"],
        release_id=data["release_id"],
        target=data["target"],
        state=data["state"],
        attempts=data["attempts"],
        next_attempt_at=data["next_attempt_at"],
        last_error=data["last_error"],
        message_id=data["message_id"],
        summary=Summary.from_json(json.loads(data["summary"])),
    )
