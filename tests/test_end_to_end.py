"""`pressbot run` as a subprocess against a loopback feed site and the Telegram Bot API double."""

from __future__ import annotations

import re
from collections import Counter
from html import unescape
from pathlib import Path

import aiohttp
import feedparser
import pytest

from bot.extract import extract
from tests.fakes.botapi import BotApiDouble
from tests.fakes.botapi_model import retry_after, status
from tests.fakes.feedsite import FeedSite
from tests.support import CORPUS, FAKE_TOKEN, BotProcess, free_port, labels, serve_corpus, write_config

FEEDS = {
    "regional": ("regional_news_rss.xml", ["news", "all"]),
    "gov": ("gov_press_euckr.xml", ["gov", "all"]),
    "briefing": ("briefing_atom.xml", ["gov", "all"]),
}
CHATS = {"news": "@news", "gov": "@gov"}


def config_text(tmp: Path, site: FeedSite, api: BotApiDouble, port: int, *, broken: bool = True) -> str:
    feeds = []
    if broken:
        feeds.append(f"  - name: broken\n    url: {site.url('/feeds/broken.xml')}\n    publish: [news]\n")
    for name, (file, targets) in FEEDS.items():
        feeds.append(
            f"  - name: {name}\n    url: {site.url('/feeds/' + file)}\n    publish: [{', '.join(targets)}]\n"
        )
    return f"""\
storage:
  path: {tmp}/store.sqlite3
telegram:
  token: ${{TELEGRAM_BOT_TOKEN}}
  api_base_url: {api.base_url}
  timeout: 5s
web:
  listen: 127.0.0.1:{port}
defaults:
  interval: 1s
  backfill: 100
channels:
  news:
    chat_id: "@news"
    digest_after: 0
  gov:
    chat_id: "@gov"
    digest_after: 0
rss:
  all:
    path: /rss/all.xml
    title: 지역 보도자료
feeds:
{''.join(feeds)}"""


def links_in(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', html)]


def expected_per_chat(mapping: dict[str, str]) -> dict[str, set[str]]:
    """Which loopback article URLs each chat must get, from the feeds that list them."""
    out: dict[str, set[str]] = {"news": set(), "gov": set()}
    for _name, (file, targets) in FEEDS.items():
        text = (CORPUS / "feeds" / file).read_bytes().decode("cp949", errors="replace")
        for corpus_url, local in mapping.items():
            if corpus_url.replace("&", "&amp;") in text or corpus_url in text:
                for t in targets:
                    if t in out:
                        out[t].add(local)
    return out


@pytest.fixture
async def world(tmp_path: Path):  # type: ignore[no-untyped-def]
    async with FeedSite() as site, BotApiDouble(FAKE_TOKEN, chats=list(CHATS.values())) as api:
        mapping = serve_corpus(site)
        site.status("/feeds/broken.xml", 500)
        yield site, api, mapping


async def test_end_to_end(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    site, api, mapping = world
    port = free_port()
    config = write_config(tmp_path / "config.yaml", config_text(tmp_path, site, api, port))
    # Telegram misbehaves at first: two 502s and a 429 on one channel delay, but lose nothing.
    api.inject("sendMessage", status(502), status(502), retry_after(2), chat="@news")
    bot = BotProcess(["run", "-c", str(config)], tmp_path, env={"TELEGRAM_BOT_TOKEN": FAKE_TOKEN})
    await bot.start()
    try:
        expected = expected_per_chat(mapping)
        assert len(expected["news"]) == 9 and len(expected["gov"]) == 11

        def delivered(d: BotApiDouble) -> bool:
            return all(len(d.messages_for(CHATS[c])) >= len(urls) for c, urls in expected.items())

        await api.wait_for(delivered, timeout=120)

        # The right messages reached the right chats, each exactly once.
        for channel, urls in expected.items():
            posted = [links_in(m.html)[-1] for m in api.messages_for(CHATS[channel])]
            assert Counter(posted) == Counter(urls), channel
        assert api.retry_after_ignored == 0

        # Their fields are what the extractor reads from the page (the seed page checked against its labels).
        by_url = {mapping[lab["url"]]: lab for lab in labels()}
        for message in api.messages_for("@news") + api.messages_for("@gov"):
            url = links_in(message.html)[-1]
            label = by_url[url]
            assert label["title"] in message.text
            summary = extract((CORPUS / label["file"]).read_bytes(), label["url"])
            for value in (summary.subtitle, summary.quote, summary.speaker):
                if value:
                    assert value.split(" / ")[0][:30] in message.text
        seed = next(m for m in api.messages_for("@news") if "p01" in by_url[links_in(m.html)[-1]]["file"])
        p01 = next(lab for lab in labels() if lab["file"].endswith("p01_sisapick.html"))
        for field in ("title", "quote", "speaker"):
            assert p01[field] in seed.text
        assert p01["subtitle"].split(" / ")[0] in seed.text
        assert "℃" not in seed.text and "최종편집" not in seed.text  # weather widget and site clock stay out

        # The RSS output lists every release once and parses cleanly.
        async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/rss/all.xml") as resp:
            assert resp.status == 200
            body = await resp.read()
        parsed = feedparser.parse(body)
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        assert sorted(e.link for e in parsed.entries) == sorted(set(mapping.values()))

        # A broken feed did not stop the others; it is reported.
        assert "broken" in bot.output()

        # A release published later is posted once.
        new_url = site.url("/regional/news/articleView.html?idxno=99999")
        site.add("/regional/news/articleView.html?idxno=99999",
                 (CORPUS / "pages" / "p03_jblocal.html").read_bytes(), content_type="text/html; charset=utf-8")
        feed_path = "/feeds/regional_news_rss.xml"
        feed = (CORPUS / "feeds" / "regional_news_rss.xml").read_text(encoding="utf-8")
        feed = feed.replace("http://press.test", site.url("")).replace(
            "<item>",
            "<item><title>새 보도자료: 완주군 후속 발표</title>"
            f"<link>{new_url.replace('&', '&amp;')}</link><guid>new-99999</guid>"
            "<pubDate>2024-11-25 09:00:00</pubDate><description>후속</description></item><item>",
            1,
        )
        site.set(feed_path, feed, content_type="application/xml")
        await api.wait_for(lambda d: len(d.messages_for("@news")) >= 10, timeout=60)
        polls = len(site.requests_for(feed_path))
        await site.wait_for(feed_path, polls + 3)
        assert [links_in(m.html)[-1] for m in api.messages_for("@news")].count(new_url) == 1

        assert await bot.stop() == 0
    finally:
        await bot.kill()

    # After a restart nothing is posted again.
    before = {c: len(api.messages_for(chat)) for c, chat in CHATS.items()}
    await bot.start()
    try:
        for file, _ in FEEDS.values():
            path = f"/feeds/{file}"
            await site.wait_for(path, len(site.requests_for(path)) + 3)
        after = {c: len(api.messages_for(chat)) for c, chat in CHATS.items()}
        assert after == before
        assert await bot.stop() == 0
    finally:
        await bot.kill()
    assert FAKE_TOKEN not in bot.output()
