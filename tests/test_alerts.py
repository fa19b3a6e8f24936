"""Admin alerts: one message per incident to each admin, a note on recovery, printed in a dry run."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.admin import Alerter
from bot.admin.alerts import combine
from bot.config import Config, load_config_text
from bot.model import Entry, Summary
from bot.publish.telegram import DryRunSender, TelegramSender
from bot.store import Store, Target
from tests.fakes.botapi import BotApiDouble

ADMINS = (111, 222)

CONFIG = """
storage:
  path: store.sqlite3
telegram:
  token: ""
  admins: [111, 222]
web:
  listen: ""
alerts:
  feed_failing_after: 10m
channels:
  cn:
    chat_id: "@cn_press"
feeds:
  - name: cn-gov
    url: http://127.0.0.1:9/cn.xml
    publish: [cn]
  - name: bs-gov
    url: http://127.0.0.1:9/bs.xml
    publish: [cn]
"""


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Harness:
    api: BotApiDouble
    config: Config
    store: Store
    clock: Clock
    alerter: Alerter

    async def texts(self, admin: int) -> list[str]:
        await self.alerter.close()  # every alert in flight has been sent
        return self.api.texts(admin)


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    config = load_config_text(CONFIG, base_dir=tmp_path, env={})
    store = Store(config.storage.path)
    async with BotApiDouble() as api:
        for admin in ADMINS:
            api.add_chat(admin, "private")
        sender = TelegramSender(api.token, base_url=api.base_url, timeout=5)
        await sender.start()
        clock = Clock()
        alerter = Alerter(get_config=lambda: config, store=store, sender=sender, clock=clock)
        try:
            yield Harness(api, config, store, clock, alerter)
        finally:
            await alerter.close()
            await sender.close()
            store.close()


def fail(h: Harness, feed: str, message: str = "HTTP 503 from server") -> None:
    h.store.feeds.record_failure(feed, now=h.clock.now, kind="http", message=message, next_poll=h.clock.now + 60)


async def test_failing_feed_alerted_once_then_recovery_noted(harness: Harness) -> None:
    h = harness
    fail(h, "cn-gov", "HTTP 503 <Service Unavailable> & more")
    h.clock.now += 9 * 60
    h.alerter.check()
    assert await h.texts(111) == []  # not failing long enough yet
    for _ in range(5):  # five more failed polls and checks past the threshold: still one alert
        h.clock.now += 60
        fail(h, "cn-gov", "HTTP 503 <Service Unavailable> & more")
        h.alerter.check()
    for admin in ADMINS:
        texts = await h.texts(admin)
        assert len(texts) == 1, texts
        assert "feed cn-gov has been failing for 10m (2 errors in a row)" in texts[0]
        assert "http: HTTP 503 <Service Unavailable> & more" in texts[0]  # escaped on the way, intact on arrival
    assert h.store.feeds.get("cn-gov").alerted
    h.store.feeds.record_success("cn-gov", now=h.clock.now, next_poll=h.clock.now + 300)
    h.alerter.check()
    h.alerter.check()
    texts = await h.texts(111)
    assert len(texts) == 2 and texts[1] == "✅ pressbot: feed cn-gov works again"
    # A new failure is a new incident.
    fail(h, "cn-gov")
    h.clock.now += 11 * 60
    h.alerter.check()
    assert len(await h.texts(222)) == 3


async def test_feeds_failing_together_make_one_message(harness: Harness) -> None:
    h = harness
    fail(h, "cn-gov", "connection refused")
    fail(h, "bs-gov", "name not found")
    h.clock.now += 3600
    h.alerter.check()
    for feed in ("cn-gov", "bs-gov"):
        h.store.feeds.record_success(feed, now=h.clock.now, next_poll=h.clock.now + 300)
    h.alerter.check()
    texts = await h.texts(111)
    assert len(texts) == 2
    assert "feed cn-gov has been failing for 1h" in texts[0] and "feed bs-gov has been failing for 1h" in texts[0]
    assert "connection refused" in texts[0] and "name not found" in texts[0]
    assert texts[1] == "✅ pressbot: feed bs-gov works again\n\n✅ pressbot: feed cn-gov works again"


def test_combine_stays_within_telegram_limit() -> None:
    texts = [f"⚠️ feed f{i}: " + "x" * 500 for i in range(20)]
    combined = combine(texts)
    assert len(combined) <= 4096
    assert combined.endswith("more") and "f0:" in combined


async def test_paused_failing_feed_is_not_alerted(harness: Harness) -> None:
    h = harness
    fail(h, "bs-gov")
    h.store.feeds.set_paused("bs-gov", True)
    h.clock.now += 3600
    h.alerter.check()
    assert await h.texts(111) == []


async def test_alert_state_survives_a_restart(harness: Harness) -> None:
    h = harness
    fail(h, "cn-gov")
    h.clock.now += 3600
    h.alerter.check()
    assert len(await h.texts(111)) == 1
    # A new process (same store): the incident is not alerted again, its recovery still is.
    again = Alerter(get_config=lambda: h.config, store=h.store, sender=h.alerter.sender, clock=h.clock)
    fail(h, "cn-gov")
    again.check()
    h.store.feeds.record_success("cn-gov", now=h.clock.now, next_poll=h.clock.now + 300)
    again.check()
    await again.close()
    assert [t.split(":")[1].strip() for t in await h.texts(111)] == [
        "feed cn-gov has been failing for 1h (1 errors in a row)\nlast error", "feed cn-gov works again",
    ]


def add_failed(store: Store, n: int) -> None:
    summary = Summary(url=f"https://a.go.kr/{n}", title=f"t{n}")
    store.releases.record(
        feed="cn-gov", entry=Entry(feed="cn-gov", item_id=str(n), link=summary.url, title=summary.title),
        key=summary.url, summary=summary, targets=[Target("cn", "telegram")], now=0,
    )
    store.outbox.mark_failed([d.id for d in store.outbox.pending("cn")], reason="chat not found")


async def test_channel_failing_permanently_alerted_once_per_incident(harness: Harness) -> None:
    h = harness
    for n in range(3):  # three deliveries fail permanently, one after the other
        add_failed(h.store, n)
        h.alerter.event("permanent", "cn", "bad request: chat not found")
        h.alerter.check()
    texts = await h.texts(111)
    assert len(texts) == 1
    assert texts[0].startswith("⚠️ pressbot: posts to channel cn fail permanently: bad request: chat not found")
    assert "/retry cn" in texts[0]
    h.store.outbox.retry_failed("cn")
    h.alerter.check()  # nothing failed any more: the next failure is a new incident
    add_failed(h.store, 9)
    h.alerter.event("permanent", "cn", "forbidden: bot is not a member of the channel chat")
    texts = await h.texts(222)
    assert len(texts) == 2 and "forbidden: bot is not a member" in texts[1]


async def test_reload_failure_alerted_once_per_problem(harness: Harness) -> None:
    h = harness
    problem = "config.yaml:12: feeds[1].interval: expected a duration like 30s, 5m, 1h, got 'soon' <x>"
    h.alerter.event("reload_failed", "-", problem)
    h.alerter.event("reload_failed", "-", problem)  # a second SIGHUP on the same broken file
    h.alerter.reload_ok("ignored: nothing was failing")
    texts = await h.texts(111)
    assert len(texts) == 2
    assert texts[0] == "⚠️ pressbot: config reload failed; the running config is kept.\n" + problem
    assert texts[1].startswith("✅ pressbot: config reloaded")
    h.alerter.reload_ok("1 feed added")
    assert len(await h.texts(111)) == 2  # no failure outstanding: nothing to say


async def test_dry_run_prints_alerts_like_posts(tmp_path: Path) -> None:
    config = load_config_text(CONFIG.replace("admins: [111, 222]", "admins: []"), base_dir=tmp_path, env={})
    store = Store(config.storage.path)
    out = io.StringIO()
    alerter = Alerter(get_config=lambda: config, store=store, sender=DryRunSender(out))
    alerter.event("permanent", "cn", "forbidden: <bot> kicked")
    await alerter.close()
    store.close()
    printed = out.getvalue()
    assert printed.startswith("[dry run] would post to admins:\n")
    assert "channel <b>cn</b> fail permanently: forbidden: &lt;bot&gt; kicked" in printed
