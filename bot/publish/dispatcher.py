"""One worker per channel draining its outbox in order: paced, digested when backlogged, never lost."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.config import ChannelConfig, PaceConfig
from bot.metrics import Metrics
from bot.model import KST
from bot.publish.errors import DeliveryError, Permanent, Transient
from bot.publish.outcome import Batch, EventHook, Outcomes, summary_of
from bot.publish.pacing import Pacer
from bot.publish.render import render_digest, render_post
from bot.publish.telegram import Sender
from bot.store import Store

log = logging.getLogger(__name__)

CAPTION_LIMIT = 1024
PHOTO_TRIES = 3
"""After this many attempts a release goes out as text: a slow photo must not hold a channel forever."""
DIGEST_SCAN = 60
"""At most this many releases are considered for one digest message."""
ERROR_PAUSE = 5.0
# An idle channel looks at the store again this often: other processes change it too
# (`pressbot retry` from a shell, a resume written by another tool), without waking us.
IDLE_RECHECK = 15.0


@dataclass(frozen=True, slots=True)
class DrainResult:
    """What `drain` left behind."""

    pending: dict[str, int]
    """Active channels that still have deliveries pending or in flight, and how many."""
    failed: int
    """Deliveries that failed permanently while this dispatcher ran."""
    paused: dict[str, int] = field(default_factory=dict)
    """Paused channels and their pending deliveries (left alone on purpose)."""

    @property
    def complete(self) -> bool:
        return not self.pending and not self.failed


class _Worker:
    def __init__(self, name: str, previous: asyncio.Task[None] | None) -> None:
        self.name = name
        self.previous = previous
        self.wake = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.in_flight = False
        self.stopping = False


class Dispatcher:
    def __init__(
        self,
        *,
        store: Store,
        sender: Sender,
        channels: Mapping[str, ChannelConfig],
        pace: PaceConfig,
        metrics: Metrics,
        clock: Callable[[], float] = time.time,
        on_event: EventHook | None = None,
        backoff: tuple[float, float] = (1.0, 300.0),
    ) -> None:
        self._store = store
        self._outbox = store.outbox
        self._sender = sender
        self._channels = dict(channels)
        self._metrics = metrics
        self._clock = clock
        self._pacer = Pacer(pace, clock=clock)
        self._outcomes = Outcomes(
            outbox=store.outbox, pacer=self._pacer, metrics=metrics, clock=clock, on_event=on_event, backoff=backoff
        )
        self._workers: dict[str, _Worker] = {}
        self._retired: dict[str, _Worker] = {}
        self._changed = asyncio.Event()
        self._done = asyncio.Event()
        self._running = False
        self._stopping = False

    # -- lifecycle ------------------------------------------------------------------------

    async def run(self) -> None:
        """Drain every channel until `stop()`."""
        if self._running:
            raise RuntimeError("Dispatcher.run() is already running")
        self._running = True
        if self._stopping:
            return
        self._pacer.seed(self._outbox.recent_sends(self._clock() - 60.0))
        for name in self._channels:
            self._start(name)
        try:
            await self._done.wait()
        finally:
            tasks = [w.task for w in self._workers.values() if w.task is not None and not w.task.done()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    def wake(self, channel: str | None = None) -> None:
        """New deliveries were recorded (or a channel was resumed)."""
        for name, worker in self._workers.items():
            if channel is None or name == channel:
                worker.wake.set()

    def update_channels(self, channels: Mapping[str, ChannelConfig]) -> None:
        """Hot reload: new channels start; removed ones stop after their in-flight request."""
        self._channels = dict(channels)
        if not self._running or self._stopping:
            return
        for name, worker in list(self._workers.items()):
            if name not in self._channels:
                self._retire(worker)
                self._retired[name] = self._workers.pop(name)
        for name in self._channels:
            if name not in self._workers:
                self._start(name)
        self.wake()

    async def stop(self, grace: float) -> None:
        """Take no new work; in-flight requests get `grace` seconds; what is left stays pending."""
        self._stopping = True
        workers = [*self._workers.values(), *self._retired.values()]
        busy = [w.task for w in workers if w.task is not None and w.in_flight]
        for worker in workers:
            self._retire(worker)
        if busy:
            _, late = await asyncio.wait(busy, timeout=grace)
            for task in late:
                log.warning("stop: a request still in flight after %.1f s was cancelled; it stays "
                            "'sending' and is resolved on the next start", grace)
                task.cancel()
        await asyncio.gather(*(w.task for w in workers if w.task is not None), return_exceptions=True)
        self._done.set()
        self._changed.set()

    async def drain(self, timeout: float) -> DrainResult:
        """Wait until no active channel has anything pending, or `timeout` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            pending, paused = self._left()
            remaining = deadline - loop.time()
            if not pending or remaining <= 0 or self._done.is_set():
                return DrainResult(pending=pending, failed=self._outcomes.failures, paused=paused)
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    def _left(self) -> tuple[dict[str, int], dict[str, int]]:
        counts = self._outbox.counts()
        pending: dict[str, int] = {}
        paused: dict[str, int] = {}
        for name, cfg in self._channels.items():
            c = counts.get(name)
            left = 0 if c is None else c.pending + c.sending
            if not left:
                continue
            if cfg.paused or self._outbox.target_state(name)[0]:
                paused[name] = left
            else:
                pending[name] = left
        return pending, paused

    def _start(self, name: str) -> None:
        old = self._retired.pop(name, None)
        worker = _Worker(name, old.task if old is not None else None)
        worker.task = asyncio.create_task(self._work(worker), name=f"deliver:{name}")
        self._workers[name] = worker

    def _retire(self, worker: _Worker) -> None:
        worker.stopping = True
        worker.wake.set()
        if worker.task is not None and not worker.in_flight:
            worker.task.cancel()

    # -- the worker ----------------------------------------------------------------------

    async def _work(self, w: _Worker) -> None:
        if w.previous is not None:
            # A channel removed and added back: its old worker finishes its request first.
            await asyncio.wait([w.previous])
        while not (w.stopping or self._stopping):
            try:
                await self._step(w)
            except Exception:
                log.exception("channel %s: delivery worker error; trying again in %.0f s", w.name, ERROR_PAUSE)
                await self._rest(w, ERROR_PAUSE)

    async def _rest(self, w: _Worker, timeout: float | None) -> None:
        self._changed.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(w.wake.wait(), timeout)
        w.wake.clear()

    def _sendable(self, w: _Worker) -> tuple[ChannelConfig, str | int, int] | None:
        """(config, chat id, pending count) when the channel has work, else None."""
        cfg = self._channels.get(w.name)
        if cfg is None:
            w.stopping = True
            return None
        paused, migrated = self._outbox.target_state(w.name)
        count = self._outbox.count_pending(w.name)
        self._metrics.backlog.labels(w.name).set(count)
        self._metrics.failed.labels(w.name).set(self._outbox.count_failed(w.name))
        if cfg.paused or paused or count == 0:
            return None
        return cfg, migrated or cfg.chat_id, count

    async def _step(self, w: _Worker) -> None:
        found = self._sendable(w)
        if found is None:
            await self._rest(w, IDLE_RECHECK)
            return
        _, chat, _ = found
        wait = self._outbox.pending(w.name, limit=1)[0].next_attempt_at - self._clock()
        if wait > 0:
            await self._rest(w, wait)
            return
        paced = not self._sender.dry_run
        if paced:
            await self._pacer.acquire(str(chat))
        used = False
        try:
            # Waiting for the pace can take a minute: look again at what is there to send now.
            found = self._sendable(w)
            if found is None or found[1] != chat:
                return
            cfg, _, count = found
            batch = self._next_batch(cfg, count)
            if batch.deliveries[0].next_attempt_at > self._clock():
                return
            used = True
            await self._deliver(w, cfg, chat, batch)
        finally:
            if paced:
                if used:
                    self._pacer.done(str(chat))
                else:
                    self._pacer.cancel(str(chat))
            self._changed.set()

    def _next_batch(self, cfg: ChannelConfig, count: int) -> Batch:
        """The head delivery, or the oldest excess of a backlog as one digest message."""
        if cfg.digest_after <= 0 or count <= cfg.digest_after:
            return Batch(self._outbox.pending(cfg.name, limit=1), digest=False)
        rows = self._outbox.pending(cfg.name, limit=min(count - cfg.digest_after, DIGEST_SCAN))
        items = [(summary_of(d), summary_of(d).region) for d in rows]
        # The most releases that still fit one message (rendering is pure and cheap).
        lo, hi = 1, len(items)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if len(render_digest(items[:mid])) == 1:
                lo = mid
            else:
                hi = mid - 1
        return Batch(rows[:lo], digest=True)

    async def _deliver(self, w: _Worker, cfg: ChannelConfig, chat: str | int, batch: Batch) -> None:
        now = self._clock()
        silent = cfg.in_quiet_hours(datetime.fromtimestamp(now, KST))
        head = batch.deliveries[0]
        summary = summary_of(head)
        photo = (
            not batch.digest and cfg.photos and summary.image is not None
            and head.attempts < PHOTO_TRIES and head.id not in self._outcomes.text_only
        )  # fmt: skip
        try:
            if batch.digest:
                html = render_digest([(summary_of(d), summary_of(d).region) for d in batch.deliveries])[0]
            else:
                limit = CAPTION_LIMIT if photo else 4096
                html = render_post(summary, limit=limit, source=summary.source, region=summary.region)
        except Exception as exc:
            # Retrying cannot fix a release that cannot be rendered; it must not hold the channel.
            log.exception("channel %s: delivery %d cannot be rendered", w.name, head.id)
            self._outcomes.failed(w.name, chat, batch, Permanent(f"cannot render: {exc!r}"), photo=False)
            return
        self._outbox.mark_sending(batch.ids)
        w.in_flight = True
        try:
            if photo and summary.image is not None:
                message_id = await self._sender.send_photo(chat, summary.image, html, silent=silent)
            else:
                message_id = await self._sender.send_text(chat, html, silent=silent)
        except DeliveryError as exc:
            self._outcomes.failed(w.name, chat, batch, exc, photo=photo)
            return
        except Exception as exc:
            # A bug or an unexpected library error must not strand the delivery in 'sending'.
            log.exception("channel %s: delivery %d: unexpected error while sending", w.name, head.id)
            self._outcomes.failed(w.name, chat, batch, Transient(f"unexpected error: {exc!r}"), photo=photo)
            return
        finally:
            w.in_flight = False
        self._outcomes.sent(w.name, chat, batch, message_id, dry=self._sender.dry_run, silent=silent)
