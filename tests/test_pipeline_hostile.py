"""Hostile sources through the whole pipeline: each is reported, nothing hostile is published,
and the good feed beside them still gets through."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from bot.app import App
from bot.config import load_config_text
from bot.ingest import Ingest
from bot.metrics import Metrics
from bot.model import Entry
from bot.sources.feed import ParsedFeed
from bot.sources.fetch import Fetcher
from bot.store import Store
from tests.fakes.feedsite import FeedSite
from tests.support import serve_corpus

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"

HOSTILE = {
    "bomb": "hostile_billion_laughs.xml",
    "xxe": "hostile_xxe.xml",
    "truncated": "hostile_truncated.xml",
    "scripts": "hostile_scripts.xml",
    "garbage": "hostile_garbage.xml",
}


def config_for(tmp: Path, site: FeedSite, feeds: dict[str, str]) -> str:
    lines = "".join(
        f"  - name: {name}\n    url: {url}\n    publish: [news, all]\n" for name, url in feeds.items()
    )
    return f"""\
storage:
  path: {tmp}/store.sqlite3
web:
  listen: ""
  base_url: https://feeds.example.org
defaults:
  backfill: 100
poll:
  timeout: 2s
  max_bytes: 1MB
  workers: 0
channels:
  news:
    chat_id: "@news"
    digest_after: 0
rss:
  all:
    path: /rss/all.xml
    file: {tmp}/all.xml
feeds:
{lines}"""


async def test_hostile_feeds_are_reported_and_the_good_one_is_published(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with FeedSite() as site:
        serve_corpus(site)
        feeds = {"good": site.url("/feeds/regional_news_rss.xml")}
        for name, file in HOSTILE.items():
            site.add(f"/hostile/{file}", (FIXTURES / file).read_bytes(), content_type="application/xml")
            feeds[name] = site.url(f"/hostile/{file}")
        site.add("/hostile/error.html", (FIXTURES / "hostile_html_error.html").read_bytes(),
                 content_type="text/html")
        feeds["html"] = site.url("/hostile/error.html")
        site.add("/hostile/empty.xml", b"", content_type="application/xml")
        feeds["empty"] = site.url("/hostile/empty.xml")
        site.trickle("/hostile/trickle.xml", 10, 0.2)
        feeds["trickle"] = site.url("/hostile/trickle.xml")
        site.huge("/hostile/huge.xml", 1024**3)
        feeds["huge"] = site.url("/hostile/huge.xml")
        site.status("/hostile/gone.xml", 410)
        feeds["gone"] = site.url("/hostile/gone.xml")
        site.redirect("/hostile/moved.xml", site.url("/feeds/gov_press_euckr.xml"), status=301)
        feeds["moved"] = site.url("/hostile/moved.xml")

        config = load_config_text(config_for(tmp_path, site, feeds), file="config.yaml", base_dir=tmp_path, env={})
        out = io.StringIO()
        caplog.set_level(logging.WARNING)
        async with App(config, out=out) as app:
            result = await app.run_once(timeout=30)
            status = {f["name"]: f for f in app.status()["feeds"]}

    posted = out.getvalue()
    # The good feed (9 releases) and the moved one (4 releases) got through.
    assert posted.count("[dry run] would post to @news") >= 9 + 4, posted[-2000:]
    assert result.ok or "failed" not in result.message

    # Each hostile source is reported with what went wrong, in the log and in the status.
    expect = {"bomb": "unsafe", "xxe": "unsafe", "html": "not_a_feed", "empty": "not_a_feed",
              "trickle": "timeout", "huge": "too_large", "gone": "gone", "garbage": "malformed"}
    for name, kind in expect.items():
        assert status[name]["state"] in ("failing", "dead"), (name, status[name])
        assert status[name]["error_kind"] == kind, (name, status[name])
        assert f"feed {name}:" in caplog.text
    assert status["gone"]["state"] == "dead"
    assert status["moved"]["moved_to"] == site.url("/feeds/gov_press_euckr.xml")
    assert "moved permanently" in caplog.text
    assert status["good"]["state"] == "ok"
    assert status["truncated"]["state"] == "ok"  # what could be read was kept

    # Nothing hostile reached a post or the RSS output.
    rss = (tmp_path / "all.xml").read_text(encoding="utf-8")
    for text in (posted, rss):
        assert "<script" not in text.lower()
        assert "javascript:" not in text.lower()
        assert "onerror" not in text.lower()
        assert "lol" not in text  # the bomb's entity never expanded into anything published


async def test_article_links_to_private_addresses_are_refused_from_a_public_feed(tmp_path: Path) -> None:
    async with FeedSite() as site:
        site.add("/secret.html", "<html><body><h1>내부 관리자 페이지</h1></body></html>", content_type="text/html")
        config = load_config_text(
            config_for(tmp_path, site, {"public": "https://press.example.org/rss.xml"}),
            file="config.yaml", base_dir=tmp_path, env={},
        )
        store = Store(config.storage.path)
        async with Fetcher(timeout=2) as fetcher:
            ingest = Ingest(config=config, store=store, fetcher=fetcher, metrics=Metrics())
            entry = Entry(feed="public", item_id="x", link=site.url("/secret.html"), title="공개 보도자료")
            summary = await ingest.summarise(config.feeds[0], ParsedFeed(title=None, link=None, entries=(),
                                                                        ttl=None, warnings=()), entry)
        store.close()
    assert site.requests_for("/secret.html") == []  # never fetched
    assert summary.title == "공개 보도자료"  # summarised from the feed item instead
