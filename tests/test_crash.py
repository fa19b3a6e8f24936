"""A SIGKILL in the middle of a burst costs nothing but time: all 30 arrive, at most one twice."""

from __future__ import annotations

import re
import signal
from collections import Counter
from pathlib import Path

from tests.fakes.botapi import BotApiDouble
from tests.fakes.botapi_model import FloodLimits, Window
from tests.fakes.feedsite import FeedSite
from tests.support import FAKE_TOKEN, BotProcess, write_config

BURST = 30

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head>
<body><article><h1>{title}</h1>
<p>충청남도는 {n}일 도청에서 지역 보도자료 {n}번을 발표했다.</p>
<p>김철수 충남도지사는 “보도자료 {n}번은 도민 모두를 위한 것”이라고 말했다.</p>
</article></body></html>"""


def burst_feed(site: FeedSite) -> str:
    items = []
    for n in range(1, BURST + 1):
        path = f"/chungnam/press/{n}.html"
        title = f"충남도 보도자료 {n:02d}호"
        site.add(path, PAGE.format(title=title, n=n), content_type="text/html; charset=utf-8")
        items.append(
            f"<item><title>{title}</title><link>{site.url(path)}</link><guid>burst-{n}</guid>"
            f"<pubDate>2024-11-20 09:{n:02d}:00</pubDate><description>보도자료 {n}</description></item>"
        )
    # Feeds list newest first.
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>충남 보도자료</title>'
        f"<link>{site.url('/')}</link><description>burst</description>{''.join(reversed(items))}"
        "</channel></rss>"
    )


async def test_sigkill_mid_burst_loses_nothing_and_repeats_at_most_one(tmp_path: Path) -> None:
    limits = FloodLimits(per_chat=Window(10, 1.0), per_group=Window(600, 60.0), overall=Window(30, 1.0))
    async with FeedSite() as site, BotApiDouble(FAKE_TOKEN, chats=["@burst"], limits=limits) as api:
        site.add("/feed.xml", burst_feed(site), content_type="application/rss+xml; charset=utf-8")
        config = write_config(tmp_path / "config.yaml", f"""\
storage:
  path: {tmp_path}/store.sqlite3
telegram:
  token: ${{TELEGRAM_BOT_TOKEN}}
  api_base_url: {api.base_url}
  pace: {{per_chat_per_second: 10, per_chat_per_minute: 600, global_per_second: 25}}
web:
  listen: ""
defaults:
  interval: 1s
  backfill: {BURST}
channels:
  burst:
    chat_id: "@burst"
    digest_after: 0
feeds:
  - name: chungnam
    url: {site.url('/feed.xml')}
    publish: [burst]
""")
        bot = BotProcess(["run", "-c", str(config)], tmp_path, env={"TELEGRAM_BOT_TOKEN": FAKE_TOKEN})
        await bot.start()
        try:
            await api.wait_for(lambda d: len(d.messages_for("@burst")) >= 10, timeout=60)
            await bot.stop(signal.SIGKILL)
            killed_at = len(api.messages_for("@burst"))
            assert killed_at < BURST, "the kill must land in the middle of the burst"

            await bot.start()
            titles = lambda d: {re.search(r"보도자료 (\d\d)호", m.text).group(1)  # type: ignore[union-attr]  # noqa: E731
                                for m in d.messages_for("@burst")}
            await api.wait_for(lambda d: len(titles(d)) == BURST, timeout=60)
            polls = len(site.requests_for("/feed.xml"))
            await site.wait_for("/feed.xml", polls + 2)
            assert await bot.stop() == 0
        finally:
            await bot.kill()

        numbers = [re.search(r"보도자료 (\d\d)호", m.text).group(1)  # type: ignore[union-attr]
                   for m in api.messages_for("@burst")]
        repeats = {n: c for n, c in Counter(numbers).items() if c > 1}
        assert sorted(set(numbers)) == [f"{n:02d}" for n in range(1, BURST + 1)]
        assert sum(c - 1 for c in repeats.values()) <= 1, repeats
        assert api.retry_after_ignored == 0
        print(f"crash test: killed after {killed_at} posts; {len(numbers)} posts in all, repeats {repeats}")
