"""Shared rig for the delivery tests: a real SQLite store, the Bot API double, PTB and a running Dispatcher."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bot.config import ChannelConfig, PaceConfig
from bot.metrics import Metrics
from bot.model import KST, Entry, Summary
from bot.publish.dispatcher import Dispatcher
from bot.publish.telegram import Sender, TelegramSender
from bot.store import Store, Target
from tests.fakes.botapi import BotApiDouble, FloodLimits, Posted, Window

FAST_PACE = PaceConfig(per_chat_per_second=20, per_chat_per_minute=1200, global_per_second=50)
FAST_LIMITS = FloodLimits(per_chat=Window(20, 1.0), per_group=Window(1200, 60.0), overall=Window(50, 1.0))
"""The double enforces exactly the pace the dispatcher is given: any overrun is a 429."""
FAST_BACKOFF = (0.05, 0.5)
TAG = re.compile(r"REL-[a-z0-9]+-\d{3}")


def titles(tag: str, n: int, start: int = 0) -> list[str]:
    return [f"REL-{tag}-{i:03d} 보도자료" for i in range(start, start + n)]


def add_releases(
    store: Store, targets: Sequence[str], tag: str, n: int, *, start: int = 0, image: str | None = None
) -> list[str]:
    """Record `n` releases, each with one delivery per target, as the ingest stage does."""
    now = datetime.now(KST)
    made = []
    for title in titles(tag, n, start):
        key = title.split()[0].lower()
        url = f"https://press.example.kr/{key}"
        summary = Summary(
            url=url, title=title, subtitle="부제", lead="도는 오늘 새 정책을 발표했다.", region="충남",
            source="충청남도", published=now, image=image,
        )  # fmt: skip
        entry = Entry(feed="feed", item_id=key, link=url, title=title)
        store.releases.record(
            feed="feed", entry=entry, key=url, summary=summary,
            targets=[Target(t, "telegram") for t in targets], now=now.timestamp(),
        )  # fmt: skip
        made.append(title)
    return made


def tags(text: str) -> list[str]:
    return TAG.findall(text)


def posted_tags(api: BotApiDouble, chat: str | int) -> list[str]:
    """Release tags in the order the double accepted them (a digest contributes several)."""
    return [t for m in api.messages_for(chat) for t in tags(m.text)]


def assert_once_in_order(api: BotApiDouble, chat: str | int, expected: Iterable[str], *, repeats: int = 0) -> None:
    want = [t.split()[0] for t in expected]
    got = posted_tags(api, chat)
    deduped = list(dict.fromkeys(got))
    assert deduped == want, f"{chat}: order or set differs:\n got {got}\nwant {want}"
    assert len(got) - len(deduped) <= repeats, f"{chat}: repeated posts: {got}"


def max_in_window(times: Sequence[float], length: float) -> int:
    times = sorted(times)
    best, j = 0, 0
    for i, t in enumerate(times):
        while j < len(times) and times[j] < t + length:
            j += 1
        best = max(best, j - i)
    return best


def assert_pace_kept(api: BotApiDouble, limits: FloodLimits) -> None:
    """No window of the double was exceeded and it never had to answer 429 by itself."""
    assert api.retry_after_ignored == 0
    refused = [r for r in api.requests if r.outcome == "429"]
    assert refused == [], f"the double refused for flood: {refused}"
    by_chat: dict[int, list[float]] = {}
    for m in api.messages:
        by_chat.setdefault(m.chat_id, []).append(m.at)
    for chat_times in by_chat.values():
        for w in (limits.per_chat, limits.per_group):
            if w is not None:
                assert max_in_window(chat_times, w.seconds) <= w.count
    if limits.overall is not None:
        assert max_in_window([m.at for m in api.messages], limits.overall.seconds) <= limits.overall.count


def channel(name: str, chat_id: str | int | None = None, **kw: object) -> ChannelConfig:
    """A channel posting to `@name`; digests off unless asked for (they have their own tests)."""
    kw.setdefault("digest_after", 0)
    return ChannelConfig(name=name, chat_id=chat_id if chat_id is not None else f"@{name}", **kw)  # type: ignore[arg-type]


@dataclass
class Rig:
    api: BotApiDouble
    store: Store
    sender: Sender
    dispatcher: Dispatcher
    metrics: Metrics
    events: list[tuple[str, str, str]] = field(default_factory=list)
    task: asyncio.Task[None] | None = None

    def messages(self, chat: str | int) -> list[Posted]:
        return self.api.messages_for(chat)

    def states(self, target: str) -> list[str]:
        rows = self.store.db.conn.execute(
            "SELECT state FROM deliveries WHERE target = ? ORDER BY id", (target,)
        ).fetchall()
        return [r[0] for r in rows]


@asynccontextmanager
async def double(*chats: str, limits: FloodLimits = FAST_LIMITS) -> AsyncIterator[BotApiDouble]:
    async with BotApiDouble(chats=chats, limits=limits) as api:
        yield api


@asynccontextmanager
async def running(
    api: BotApiDouble,
    db: Path,
    channels: Sequence[ChannelConfig],
    *,
    pace: PaceConfig = FAST_PACE,
    timeout: float = 2.0,
    sender: Sender | None = None,
    start: bool = True,
) -> AsyncIterator[Rig]:
    """A Dispatcher on the store at `db`, sending through PTB to the double; stopped on exit."""
    store = Store(db)
    store.outbox.recover()
    real = sender is None
    sender = sender or TelegramSender(api.token, base_url=api.base_url, timeout=timeout)
    await sender.start()
    metrics = Metrics()
    rig = Rig(api=api, store=store, sender=sender, dispatcher=None, metrics=metrics)  # type: ignore[arg-type]
    rig.dispatcher = Dispatcher(
        store=store, sender=sender, channels={c.name: c for c in channels}, pace=pace, metrics=metrics,
        on_event=lambda *e: rig.events.append(e), backoff=FAST_BACKOFF,
    )  # fmt: skip
    if start:
        rig.task = asyncio.create_task(rig.dispatcher.run())
    try:
        yield rig
    finally:
        await rig.dispatcher.stop(1.0)
        if rig.task is not None:
            await rig.task
        if real:
            await sender.close()
        store.close()
