"""Hot reload of a running `pressbot run` subprocess: add and remove feeds, break and fix the file, SIGHUP."""

from __future__ import annotations

import asyncio
import os
import re
import signal
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path

import pytest

from bot.model import KST
from tests.fakes.botapi import BotApiDouble
from tests.fakes.botapi_model import retry_after
from tests.fakes.feedsite import FeedSite
from tests.support import FAKE_TOKEN, BotProcess

ADMIN = 111
NEWS = "@news"
EXTRA = "@extra"
T0 = 1_780_000_000  # item dates: one hour apart, newest last


def rss(site: FeedSite, feed: str, items: list[int]) -> str:
    body = []
    for n in items:
        link = site.url(f"/{feed}/{n}.html")
        when = format_datetime(datetime.fromtimestamp(T0 + n * 3600, KST))
        body.append(f"<item><title>{feed} release {n}</title><link>{link}</link><guid>{link}</guid>"
                    f"<pubDate>{when}</pubDate><description>{feed} 보도자료 {n}</description></item>")
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{feed} press</title>'
            f"<link>{site.url('/')}</link><description>{feed}</description>{''.join(body)}</channel></rss>")


def publish(site: FeedSite, feed: str, items: list[int]) -> None:
    """Serve the feed with these items and an article page for each."""
    for n in items:
        page = (f"<html><head><title>{feed} release {n}</title></head><body><article>"
                f"<h1>{feed} release {n}</h1><p>{feed} 지역에서 {n}번째 보도자료를 발표했다. "
                "자세한 내용은 다음과 같다.</p></article></body></html>")
        site.add(f"/{feed}/{n}.html", page, content_type="text/html; charset=utf-8")
    site.add(f"/{feed}.xml", rss(site, feed, items))


def config_text(tmp: Path, site: FeedSite, api: BotApiDouble, feeds: dict[str, int], *, extra: bool = False) -> str:
    """feeds: name -> backfill. With `extra`, a second channel that feed aa also publishes to."""
    entries = "".join(
        f"  - name: {name}\n    url: {site.url(f'/{name}.xml')}\n    backfill: {backfill}\n"
        f"    publish: [news{', extra' if extra and name == 'aa' else ''}]\n"
        for name, backfill in feeds.items()
    )
    channel = f'  extra:\n    chat_id: "{EXTRA}"\n    digest_after: 0\n' if extra else ""
    return f"""\
storage:
  path: {tmp}/store.sqlite3
telegram:
  token: ${{TELEGRAM_BOT_TOKEN}}
  api_base_url: {api.base_url}
  admins: [{ADMIN}]
  timeout: 5s
web:
  listen: ""
defaults:
  interval: 1s
channels:
  news:
    chat_id: "{NEWS}"
    digest_after: 0
{channel}feeds:
{entries}"""


@dataclass
class World:
    tmp: Path
    site: FeedSite
    api: BotApiDouble
    bot: BotProcess
    config: Path

    def write(self, feeds: dict[str, int], *, text: str | None = None, extra: bool = False) -> None:
        if text is None:
            text = config_text(self.tmp, self.site, self.api, feeds, extra=extra)
        self.config.write_text(text, encoding="utf-8")

    def posted(self, chat: str = NEWS) -> list[str]:
        """Article links of the posts in a channel, in order."""
        return [re.findall(r'href="([^"]+)"', m.html)[-1] for m in self.api.messages_for(chat)]

    def links(self, feed: str, *items: int) -> set[str]:
        return {self.site.url(f"/{feed}/{n}.html") for n in items}

    async def until(self, what: str, condition: Callable[[], bool], timeout: float = 30) -> None:
        """Wait for a condition on the double or the process output (checked on every change)."""
        async def check() -> None:
            while not condition():
                assert self.bot.proc is not None and self.bot.proc.returncode is None, self.bot.output()
                try:
                    await asyncio.wait_for(self.api.wait_for(lambda _d: condition(), timeout=0.25), 0.5)
                except TimeoutError:
                    continue

        try:
            await asyncio.wait_for(check(), timeout)
        except TimeoutError:
            pytest.fail(f"timed out waiting for {what}\n--- posted: {self.posted()}\n--- output:\n"
                        f"{self.bot.output()[-4000:]}")

    def reloads(self) -> int:
        return self.bot.output().count("config reloaded:")


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with FeedSite() as site, BotApiDouble(FAKE_TOKEN, chats=[NEWS, EXTRA]) as api:
        api.add_chat(ADMIN, "private")
        config = tmp_path / "config.yaml"
        bot = BotProcess(["run", "-c", str(config)], tmp_path, env={"TELEGRAM_BOT_TOKEN": FAKE_TOKEN})
        w = World(tmp_path, site, api, bot, config)
        try:
            yield w
        finally:
            await bot.kill()


async def test_reload_adds_removes_survives_a_broken_file_and_sighup(world: World) -> None:
    w = world
    publish(w.site, "aa", [1, 2])
    publish(w.site, "bb", [1])
    w.write({"aa": 1, "bb": 1})
    await w.bot.start()
    await w.until("the first posts", lambda: len(w.posted()) == 2)
    assert set(w.posted()) == w.links("aa", 2) | w.links("bb", 1)  # backfill 1: aa/1 only marked seen

    # Add a feed (backfill 2 of its 3 items); Telegram holds the channel back with a 429.
    w.api.inject("sendMessage", retry_after(4), chat=NEWS)
    publish(w.site, "cc", [1, 2, 3])
    w.write({"aa": 1, "bb": 1, "cc": 2})
    await w.until("the 429 on the added feed's first post", lambda: w.api.count_429 == 1)

    # Remove two feeds while the new feed's posts wait in the outbox: they are not lost,
    # and the removed feeds are polled no more.
    reloads = w.reloads()
    w.write({"aa": 1})
    await w.until("the removal reload", lambda: w.reloads() > reloads)
    assert len(w.posted()) == 2, "the reload was meant to happen while deliveries were held back"
    await w.until("the removed feed's pending posts", lambda: len(w.posted()) == 4)
    assert set(w.posted()[2:]) == w.links("cc", 2, 3)
    polls = {path: w.site.hits[path] for path in ("/bb.xml", "/cc.xml", "/aa.xml")}
    await w.until("three more polls of aa", lambda: w.site.hits["/aa.xml"] >= polls["/aa.xml"] + 3)
    assert w.site.hits["/bb.xml"] <= polls["/bb.xml"] + 1  # at most a poll already in flight at the reload
    assert w.site.hits["/cc.xml"] <= polls["/cc.xml"] + 1

    # Break the file: the bot keeps running on the old config and tells the admin once.
    w.write({}, text=config_text(w.tmp, w.site, w.api, {"aa": 1, "dd": 1}).replace("interval: 1s", "intervall: 1s"))
    await w.until("the admin alert", lambda: any("config reload failed" in t for t in w.api.texts(ADMIN)))
    alert = next(t for t in w.api.texts(ADMIN) if "config reload failed" in t)
    assert "intervall" in alert and "the running config is kept" in alert
    assert "config reload failed, keeping the running config" in w.bot.output()
    publish(w.site, "aa", [1, 2, 3])  # still polled on the old config
    await w.until("a new entry under the old config", lambda: len(w.posted()) == 5)
    assert w.posted()[-1] in w.links("aa", 3)

    # Fix it, adding a feed, a channel and a route to it: applied, and the admin hears that it is.
    publish(w.site, "dd", [7])
    w.write({"aa": 1, "dd": 1}, extra=True)
    await w.until("the fixed config's feed", lambda: len(w.posted()) == 6)
    assert w.posted()[-1] in w.links("dd", 7)
    publish(w.site, "aa", [1, 2, 3, 4])
    await w.until("a new entry on both routes", lambda: len(w.posted()) == 7 and len(w.posted(EXTRA)) == 1)
    assert w.posted()[-1] in w.links("aa", 4) and w.posted(EXTRA) == [w.site.url("/aa/4.html")]
    await w.until("the reload-ok note", lambda: any("config reloaded" in t for t in w.api.texts(ADMIN)))
    assert sum("config reload failed" in t for t in w.api.texts(ADMIN)) == 1

    # SIGHUP: a change the file watcher cannot see (same size, same mtime) is applied on the signal.
    publish(w.site, "ee", [4])
    stat = w.config.stat()
    w.config.write_text(w.config.read_text(encoding="utf-8").replace("/dd.xml", "/ee.xml"), encoding="utf-8")
    os.utime(w.config, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert w.config.stat().st_size == stat.st_size
    assert w.bot.proc is not None
    w.bot.proc.send_signal(signal.SIGHUP)
    await w.until("the SIGHUP reload's post", lambda: len(w.posted()) == 8)
    assert w.posted()[-1] in w.links("ee", 4)

    # Nothing was posted twice, and everything expected was posted.
    assert Counter(w.posted()).most_common(1)[0][1] == 1
    assert set(w.posted()) == (w.links("aa", 2, 3, 4) | w.links("bb", 1) | w.links("cc", 2, 3)
                               | w.links("dd", 7) | w.links("ee", 4))
    assert await w.bot.stop() == 0
    assert "stopped cleanly" in w.bot.output()
