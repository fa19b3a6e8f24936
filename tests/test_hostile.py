"""Hostile feeds served over loopback: fetched with the real Fetcher, parsed with parse_feed."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sources.errors import FeedError
from bot.sources.feed import ParsedFeed, parse_feed
from bot.sources.fetch import Fetcher
from tests.fakes.feedsite import FeedSite

FEEDS = Path(__file__).parent / "fixtures" / "feeds"


@pytest.fixture
async def site() -> AsyncIterator[FeedSite]:
    async with FeedSite() as fake:
        yield fake


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher(user_agent="pressbot/test", timeout=5.0) as client:
        yield client


async def fetch_and_parse(site: FeedSite, fetcher: Fetcher, path: str) -> ParsedFeed:
    result = await fetcher.fetch(site.url(path), allow_private=True)
    headers = {"Content-Type": result.content_type or ""}
    return parse_feed(result.body, url=result.final_url, headers=headers, feed_name="hostile")


async def test_billion_laughs_is_refused_unexpanded(site: FeedSite, fetcher: Fetcher) -> None:
    site.add("/bomb.xml", (FEEDS / "hostile_billion_laughs.xml").read_bytes())
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(FeedError) as caught:
            await fetch_and_parse(site, fetcher, "/bomb.xml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.kind == "unsafe" and "entit" in str(caught.value)
    assert peak < 5 * 1024 * 1024  # 10^9 "lol"s expanded would be gigabytes
    assert time.monotonic() - started < 5


async def test_external_entities_are_never_fetched(site: FeedSite, fetcher: Fetcher) -> None:
    template = (FEEDS / "hostile_xxe.xml").read_text(encoding="utf-8")
    site.add("/xxe.xml", template.replace("__XXE_URL__", site.url("/xxe-target")))
    site.add("/xxe-target/secret", "SECRET", content_type="text/plain")
    site.add("/xxe-target/dtd", '<!ENTITY leak "LEAKED">', content_type="application/xml-dtd")
    with pytest.raises(FeedError) as caught:
        await fetch_and_parse(site, fetcher, "/xxe.xml")
    assert caught.value.kind == "unsafe"
    assert site.hits["/xxe-target/secret"] == 0 and site.hits["/xxe-target/dtd"] == 0


async def test_external_dtd_without_entities_is_stripped_not_fetched(site: FeedSite, fetcher: Fetcher) -> None:
    body = (
        '<?xml version="1.0"?>\n<!DOCTYPE rss SYSTEM "' + site.url("/evil.dtd") + '">\n'
        '<rss version="2.0"><channel><title>dtd</title><item><title>항목</title>'
        "<link>http://press.test/dtd/1</link></item></channel></rss>"
    )
    site.add("/dtd.xml", body)
    site.add("/evil.dtd", '<!ENTITY x "y">', content_type="application/xml-dtd")
    feed = await fetch_and_parse(site, fetcher, "/dtd.xml")
    assert [e.title for e in feed.entries] == ["항목"]
    assert site.hits["/evil.dtd"] == 0


async def test_truncated_feed_keeps_complete_entries(site: FeedSite, fetcher: Fetcher) -> None:
    site.add("/cut.xml", (FEEDS / "hostile_truncated.xml").read_bytes())
    feed = await fetch_and_parse(site, fetcher, "/cut.xml")
    assert [e.item_id for e in feed.entries] == ["cut-1", "cut-2"]  # the cut-off third is not trusted
    assert any(w.startswith("malformed XML (recovered 2 entries)") and "line" in w for w in feed.warnings)
    assert any("unterminated entry" in w for w in feed.warnings)


async def test_malformed_feed_recovers_readable_entries(site: FeedSite, fetcher: Fetcher) -> None:
    site.add("/bad.xml", (FEEDS / "hostile_malformed.xml").read_bytes())
    feed = await fetch_and_parse(site, fetcher, "/bad.xml")
    assert [e.item_id for e in feed.entries] == ["bad-1", "bad-2"]
    assert feed.entries[1].link == "http://press.test/bad/2?a=1&b=2"
    assert any("undefined entity" in w for w in feed.warnings)


async def test_unreadable_bytes_are_a_malformed_error(site: FeedSite, fetcher: Fetcher) -> None:
    site.add("/garbage.xml", (FEEDS / "hostile_garbage.xml").read_bytes())
    with pytest.raises(FeedError) as caught:
        await fetch_and_parse(site, fetcher, "/garbage.xml")
    assert caught.value.kind == "malformed" and "line 1" in str(caught.value)


async def test_html_error_page_with_status_200_is_not_a_feed(site: FeedSite, fetcher: Fetcher) -> None:
    site.add("/feed.xml", (FEEDS / "hostile_html_error.html").read_bytes(), content_type="text/html")
    with pytest.raises(FeedError) as caught:
        await fetch_and_parse(site, fetcher, "/feed.xml")
    assert caught.value.kind == "not_a_feed" and "서비스 점검 중입니다" in str(caught.value)
    site.add("/bare.xml", "<body><p>Error 500</p></body>", content_type="text/html")
    with pytest.raises(FeedError) as bare:
        await fetch_and_parse(site, fetcher, "/bare.xml")
    assert bare.value.kind == "not_a_feed"


@pytest.mark.parametrize("body", [b"", b"   \r\n  ", b"\xef\xbb\xbf"])
async def test_empty_body_is_not_a_feed(site: FeedSite, fetcher: Fetcher, body: bytes) -> None:
    site.add("/empty.xml", body)
    with pytest.raises(FeedError) as caught:
        await fetch_and_parse(site, fetcher, "/empty.xml")
    assert caught.value.kind == "not_a_feed" and "empty" in str(caught.value)


async def test_scripts_handlers_and_script_urls_are_removed(site: FeedSite, fetcher: Fetcher) -> None:
    site.add("/scripts.xml", (FEEDS / "hostile_scripts.xml").read_bytes())
    feed = await fetch_and_parse(site, fetcher, "/scripts.xml")
    first, second = feed.entries
    html = first.description_html
    assert html == '<div><p>전문</p><img alt="d"><a>vb</a><p>끝</p></div>'  # content:encoded beats description
    assert first.link == site.url("/scripts/1")
    assert second.link is None and second.item_id == "s-2"
    assert any("javascript:alert('link')" in w and "not an http(s) URL" in w for w in feed.warnings)
    description_only = (FEEDS / "hostile_scripts.xml").read_text(encoding="utf-8").split("<content:encoded>")[0]
    site.add("/desc.xml", description_only + "</item></channel></rss>")
    cleaned = (await fetch_and_parse(site, fetcher, "/desc.xml")).entries[0].description_html
    for bad in ("<script", "onclick", "onerror", "javascript:", "JaVaScRiPt", "<iframe", "<style", "alert("):
        assert bad not in cleaned
    assert '<a href="/ok">정상 링크</a>' in cleaned and '<img src="/p.jpg">' in cleaned


async def test_euckr_feed_served_with_a_lying_header(site: FeedSite, fetcher: Fetcher) -> None:
    body = (FEEDS / "charset_euckr_header_says_utf8.xml").read_bytes()
    site.add("/euckr.xml", body, content_type="application/rss+xml; charset=utf-8")
    feed = await fetch_and_parse(site, fetcher, "/euckr.xml")
    assert feed.entries[0].title == "똠양꿍 축제에 샾 매장 참여…됬다"
    site.add("/nodecl.xml", (FEEDS / "charset_euckr_bare.xml").read_bytes(), content_type="text/xml")
    assert (await fetch_and_parse(site, fetcher, "/nodecl.xml")).title == "서초구 보도자료"
