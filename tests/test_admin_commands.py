"""Admin commands through the Bot API double's getUpdates: from an admin, and from a stranger."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.admin import COMMANDS, AdminActions, AdminBot, parse_command, preview_post
from bot.config import Config, load_config_text
from bot.extract import extract
from bot.model import Entry, Summary
from bot.publish.render import render_post
from bot.status import build_status
from bot.store import Store, Target
from tests.fakes.botapi import BotApiDouble
from tests.fakes.feedsite import FeedSite
from tests.support import CORPUS, labels

ADMIN = 111
STRANGER = 999

CONFIG = """
storage:
  path: store.sqlite3
telegram:
  token: ""
  admins: [111]
web:
  listen: ""
channels:
  cn:
    chat_id: "@cn_press"
  bs:
    chat_id: "@bs_press"
feeds:
  - name: cn-gov
    url: http://127.0.0.1:9/cn.xml
    interval: 3m
    publish: [cn]
  - name: bs-gov
    url: http://127.0.0.1:9/bs.xml
    publish: [bs]
"""


@dataclass
class Harness:
    api: BotApiDouble
    config: Config
    store: Store
    woken: list[str] = field(default_factory=list)

    async def ask(self, text: str, *, user: int = ADMIN) -> str:
        """Send `text` as `user` and return the bot's next reply in that chat."""
        before = len(self.api.texts(user))
        self.api.push_update(text, from_id=user)
        await self.api.wait_for(lambda d: len(d.texts(user)) > before, timeout=10)
        return self.api.texts(user)[-1]


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    config = load_config_text(CONFIG, base_dir=tmp_path, env={})
    store = Store(config.storage.path)
    async with BotApiDouble() as api:
        h = Harness(api, config, store)
        actions = AdminActions(
            get_config=lambda: config, store=store,
            status=lambda: build_status(config, store, now=time.time()),
            wake=h.woken.append, preview=preview_post,
        )
        bot = AdminBot(token=api.token, base_url=api.base_url, timeout=5, admins=lambda: config.telegram.admins,
                       actions=actions, long_poll=1)
        await bot.start()
        task = asyncio.create_task(bot.run())
        try:
            yield h
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await bot.close()
            store.close()


def add_delivery(store: Store, n: int, target: str = "cn") -> int:
    summary = Summary(url=f"https://a.go.kr/{n}", title=f"보도자료 {n}")
    store.releases.record(
        feed="cn-gov", entry=Entry(feed="cn-gov", item_id=str(n), link=summary.url, title=summary.title),
        key=summary.url, summary=summary, targets=[Target(target, "telegram")], now=time.time(),
    )
    return store.outbox.pending(target)[-1].id


def test_parse_command() -> None:
    c = parse_command("/Pause@pressbot_bot   cn-gov ")
    assert c is not None and (c.name, c.arg) == ("pause", "cn-gov")
    c = parse_command("/retry")
    assert c is not None and (c.name, c.arg) == ("retry", "")
    assert parse_command("hello /status") is None


async def test_commands_are_registered(harness: Harness) -> None:
    assert [c["command"] for c in harness.api.commands] == [name for name, _ in COMMANDS]


async def test_status_shows_failing_feed_backlog_and_failures(harness: Harness) -> None:
    now = time.time()
    harness.store.feeds.record_success("cn-gov", now=now - 7200, next_poll=now)
    harness.store.feeds.record_failure("bs-gov", now=now, kind="http", message="HTTP 503 <oops>", next_poll=now + 60)
    add_delivery(harness.store, 1)
    failed = add_delivery(harness.store, 2)
    harness.store.outbox.mark_failed([failed], reason="forbidden: bot is not a member")
    reply = await harness.ask("/status")
    assert "! bs-gov [failing] 1 errors" in reply
    assert "HTTP 503 <oops>" in reply  # sent as plain text: nothing to escape, nothing lost
    assert "- cn-gov ok" in reply
    assert "- cn: backlog 1, failed 1" in reply
    assert "- bs: backlog 0, failed 0" in reply


async def test_stranger_is_ignored_and_logged(harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.admin")
    harness.api.push_update("/retry", from_id=STRANGER)
    harness.api.push_update("/pause cn-gov", from_id=STRANGER)
    reply = await harness.ask("/feeds")  # answered after both stranger updates were consumed
    assert "cn-gov [new] every 3m → cn" in reply
    assert harness.api.texts(STRANGER) == []
    assert not harness.store.feeds.get("cn-gov").paused
    ignored = [r.getMessage() for r in caplog.records if "not in telegram.admins" in r.getMessage()]
    assert len(ignored) == 2 and all(str(STRANGER) in m for m in ignored)


async def test_pause_and_resume_a_feed(harness: Harness) -> None:
    reply = await harness.ask("/pause cn-gov")
    assert "feed cn-gov paused" in reply
    assert harness.store.feeds.get("cn-gov").paused
    assert "[paused]" in await harness.ask("/status")
    assert "feed cn-gov resumed" in await harness.ask("/resume cn-gov")
    assert not harness.store.feeds.get("cn-gov").paused


async def test_pause_and_resume_a_channel_wakes_it(harness: Harness) -> None:
    add_delivery(harness.store, 1, "bs")
    reply = await harness.ask("/pause bs")
    assert "channel bs paused" in reply and "1 pending" in reply
    assert harness.store.outbox.target_state("bs") == (True, None)
    assert harness.woken == []
    assert "channel bs resumed" in await harness.ask("/resume channel bs")
    assert harness.store.outbox.target_state("bs") == (False, None)
    assert harness.woken == ["bs"]


async def test_pause_unknown_name_lists_the_known_ones(harness: Harness) -> None:
    reply = await harness.ask("/pause nowhere")
    assert "no feed or channel named 'nowhere'" in reply
    assert "feeds: cn-gov, bs-gov" in reply and "channels: cn, bs" in reply


async def test_retry_requeues_failed_deliveries_and_wakes(harness: Harness) -> None:
    ids = [add_delivery(harness.store, n) for n in (1, 2)]
    harness.store.outbox.mark_failed(ids, reason="chat not found")
    assert "2 failed deliveries queued again" in await harness.ask("/retry")
    assert [d.id for d in harness.store.outbox.pending("cn")] == ids
    assert harness.store.outbox.failed() == []
    assert set(harness.woken) == {"cn", "bs"}
    assert "no failed deliveries for cn" in await harness.ask("/retry cn")
    assert "no channel named 'zz'" in await harness.ask("/retry zz")


async def test_unknown_command_and_plain_text_get_help(harness: Harness) -> None:
    reply = await harness.ask("/frobnicate")
    assert reply.startswith("Unknown command /frobnicate")
    assert "/pause" in reply and "/preview" in reply
    assert "pressbot admin commands" in await harness.ask("hello?")


async def test_preview_failure_is_explained(harness: Harness) -> None:
    assert "Usage: /preview URL" in await harness.ask("/preview")
    reply = await harness.ask("/preview http://127.0.0.1:9/x")
    assert reply.startswith("preview of http://127.0.0.1:9/x failed: ")
    assert "not an http(s) URL" in await harness.ask("/preview file:///etc/passwd")


async def test_preview_shows_the_post_exactly_as_posted(harness: Harness) -> None:
    seed = next(lab for lab in labels() if lab["file"].endswith("p01_sisapick.html"))
    page = (CORPUS / seed["file"]).read_bytes()
    async with FeedSite() as site:
        site.add("/news/58213", page, content_type=f"text/html; charset={seed['charset']}")
        url = site.url("/news/58213")
        await harness.ask(f"/preview {url}")
    sent = harness.api.messages_for(ADMIN)[-1]
    expected = render_post(extract(page, url, content_type=f"text/html; charset={seed['charset']}"))
    assert sent.html == expected
    assert seed["title"] in sent.text and seed["speaker"] in sent.text
