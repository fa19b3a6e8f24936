"""What each answer from Telegram does to the outbox, the pacer, the metrics and the admins' alerts."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.metrics import Metrics
from bot.model import Delivery, Summary
from bot.publish.errors import DeliveryError, Migrated, Permanent, RateLimited
from bot.publish.pacing import Pacer
from bot.store.outbox import Outbox

log = logging.getLogger("bot.publish.dispatcher")

EventHook = Callable[[str, str, str], None]


@dataclass(frozen=True, slots=True)
class Batch:
    """What one message carries: a single delivery, or the oldest part of a backlog as a digest."""

    deliveries: Sequence[Delivery]
    digest: bool

    @property
    def ids(self) -> list[int]:
        return [d.id for d in self.deliveries]


def summary_of(delivery: Delivery) -> Summary:
    if delivery.summary is None:
        raise ValueError(f"delivery {delivery.id}: no summary stored with its release")
    return delivery.summary


def backoff_delay(
    attempt: int, base: float, cap: float, rand: Callable[[float, float], float] = random.uniform
) -> float:
    """Exponential backoff with full jitter: anywhere in [0, min(cap, base * 2^(attempt-1))]."""
    return rand(0.0, min(cap, base * 2 ** min(attempt - 1, 60)))


class Outcomes:
    def __init__(
        self,
        *,
        outbox: Outbox,
        pacer: Pacer,
        metrics: Metrics,
        clock: Callable[[], float],
        on_event: EventHook | None,
        backoff: tuple[float, float],
    ) -> None:
        self._outbox = outbox
        self._pacer = pacer
        self._metrics = metrics
        self._clock = clock
        self._on_event = on_event
        self._backoff = backoff
        self.failures = 0
        """Deliveries that failed permanently since this process started."""
        self.text_only: set[int] = set()
        """Deliveries whose photo post Telegram refused: they go out as text."""

    def sent(
        self, channel: str, chat: str | int, batch: Batch, message_id: int, *, dry: bool, silent: bool
    ) -> None:
        """Telegram accepted the message: every delivery in it is sent, with its id."""
        now = self._clock()
        self._outbox.mark_sent(
            batch.ids, message_id=message_id, chat_id=str(chat), now=now, dry_run=dry, digest=batch.digest
        )
        self._metrics.deliveries.labels(channel, "dry_run" if dry else "sent").inc(len(batch.ids))
        for d in batch.deliveries:
            published = summary_of(d).published
            if published is not None and not dry:
                self._metrics.publish_delay.observe(max(0.0, now - published.timestamp()))
            self.text_only.discard(d.id)
        quiet = " silently" if silent else ""
        head = batch.deliveries[0]
        if batch.digest:
            log.info("channel %s: digest of %d (deliveries %d..%d, first %r) sent%s as message %d",
                     channel, len(batch.ids), head.id, batch.ids[-1], summary_of(head).title, quiet, message_id)
        else:
            log.info("channel %s: delivery %d %r sent%s as message %d",
                     channel, head.id, summary_of(head).title, quiet, message_id)

    def failed(self, channel: str, chat: str | int, batch: Batch, exc: DeliveryError, *, photo: bool) -> None:
        """Act on a classified failure: wait, follow, fall back to text, give up, or retry later."""
        now = self._clock()
        ids = batch.ids
        head = batch.deliveries[0]
        what = f"channel {channel}: delivery {head.id} {summary_of(head).title!r}"
        if batch.digest:
            what += f" (digest of {len(ids)})"
        if isinstance(exc, RateLimited):
            self._pacer.note_retry_after(str(chat), exc.retry_after)
            self._outbox.release(ids, note=str(exc), next_attempt_at=now + exc.retry_after)
            self._metrics.telegram_429.labels(channel).inc()
            self._metrics.deliveries.labels(channel, "rate_limited").inc(len(ids))
            log.warning("%s: 429, this chat waits %.0f s", what, exc.retry_after)
        elif isinstance(exc, Migrated):
            new_id = str(exc.new_chat_id)
            self._outbox.follow_migration(channel, new_id)
            self._outbox.release(ids, note=str(exc), next_attempt_at=0.0)
            log.warning("%s: chat %s migrated to %s; sending there from now on", what, chat, new_id)
            self.event("migrated", channel, new_id)
        elif isinstance(exc, Permanent) and photo:
            # Whatever Telegram disliked about the photo post, the text post may still go.
            self.text_only.add(head.id)
            self._outbox.mark_retry(ids, error=exc.reason, next_attempt_at=0.0)
            self._metrics.deliveries.labels(channel, "photo_rejected").inc()
            log.warning("%s: photo post refused (%s); posting it as text", what, exc.reason)
        elif isinstance(exc, Permanent):
            self._outbox.mark_failed(ids, reason=exc.reason)
            self.failures += len(ids)
            self._metrics.deliveries.labels(channel, "failed").inc(len(ids))
            log.error("%s failed permanently: %s", what, exc.reason)
            self.event("permanent", channel, exc.reason)
        else:
            attempt = head.attempts + 1
            delay = backoff_delay(attempt, *self._backoff)
            self._outbox.mark_retry(ids, error=f"{exc} (attempt {attempt})", next_attempt_at=now + delay)
            self._metrics.deliveries.labels(channel, "retry").inc(len(ids))
            log.warning("%s: attempt %d failed (%s); retrying in %.1f s", what, attempt, exc, delay)

    def event(self, kind: str, channel: str, detail: str) -> None:
        if self._on_event is None:
            return
        try:
            self._on_event(kind, channel, detail)
        except Exception:
            log.exception("channel %s: the %s event handler failed", channel, kind)
