"""Fetcher against a real loopback server: validators, gzip, limits, redirects, status codes, guard."""

from __future__ import annotations

import asyncio
import gzip
import socket
import time
import tracemalloc
from collections.abc import AsyncIterator
from email.utils import formatdate

import pytest

from bot.sources.errors import (
    BlockedError,
    ConnectError,
    DNSError,
    FetchTimeout,
    GoneError,
    HTTPStatusError,
    ProtocolError,
    RateLimitedError,
    TooLargeError,
    TooManyRedirects,
)
from bot.sources.fetch import Fetcher, check_address
from tests.fakes.feedsite import FeedSite

FEED = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title></channel></rss>'
UA = "pressbot/test (+https://example.invalid/pressbot)"


@pytest.fixture
async def site() -> AsyncIterator[FeedSite]:
    async with FeedSite() as fake:
        yield fake


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher(user_agent=UA, timeout=5.0, max_bytes=1024 * 1024) as client:
        yield client


async def test_conditional_get_with_etag_answers_304(site: FeedSite, fetcher: Fetcher) -> None:
    site.add("/feed.xml", FEED, headers={"Cache-Control": "public, max-age=600"})
    first = await fetcher.fetch(site.url("/feed.xml"), allow_private=True)
    assert first.status == 200 and first.body == FEED.encode()
    assert first.etag and first.last_modified and first.max_age == 600.0
    assert not first.not_modified and first.moved_permanently_to is None

    second = await fetcher.fetch(
        site.url("/feed.xml"), etag=first.etag, last_modified=first.last_modified, allow_private=True
    )
    assert second.not_modified and second.status == 304 and second.body == b""
    assert second.etag == first.etag and second.last_modified == first.last_modified
    seen = site.requests_for("/feed.xml")[1].headers
    assert seen["If-None-Match"] == first.etag
    assert seen["If-Modified-Since"] == first.last_modified
    assert seen["User-Agent"] == UA
    assert "application/rss+xml" in seen["Accept"]

    site.set("/feed.xml", FEED.replace("<title>t", "<title>changed"))
    third = await fetcher.fetch(site.url("/feed.xml"), etag=first.etag, allow_private=True)
    assert third.status == 200 and b"changed" in third.body and third.etag != first.etag


async def test_if_modified_since_alone_answers_304(site: FeedSite, fetcher: Fetcher) -> None:
    site.add("/lm.xml", FEED)
    with_lm = await fetcher.fetch(site.url("/lm.xml"), allow_private=True)
    answer = await fetcher.fetch(site.url("/lm.xml"), last_modified=with_lm.last_modified, allow_private=True)
    assert answer.not_modified and "If-None-Match" not in site.requests_for("/lm.xml")[1].headers


async def test_gzip_body_is_decompressed(site: FeedSite, fetcher: Fetcher) -> None:
    big = FEED.replace("<title>t</title>", "<title>" + "보도자료 " * 5000 + "</title>").encode()
    site.add("/gz.xml", gzip.compress(big), headers={"Content-Encoding": "gzip"})
    result = await fetcher.fetch(site.url("/gz.xml"), allow_private=True)
    assert result.body == big
    assert "gzip" in site.requests_for("/gz.xml")[0].headers["Accept-Encoding"]
    assert site.bytes_sent["/gz.xml"] < len(big) // 10


async def test_keep_alive_reuses_one_connection(site: FeedSite, fetcher: Fetcher) -> None:
    site.add("/a.xml", FEED)
    for _ in range(5):
        await fetcher.fetch(site.url("/a.xml"), allow_private=True)
    assert site.connections == 1


async def test_endless_body_is_cut_at_the_cap_with_bounded_memory(site: FeedSite) -> None:
    site.huge("/huge.xml", 1024**3)  # 1 GB, generated while it is sent
    async with Fetcher(user_agent=UA, max_bytes=2 * 1024 * 1024) as client:
        tracemalloc.start()
        try:
            with pytest.raises(TooLargeError) as caught:
                await client.fetch(site.url("/huge.xml"), allow_private=True)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert caught.value.kind == "too_large" and "stopped reading" in str(caught.value)
    assert site.url("/huge.xml") in str(caught.value)
    assert peak < 16 * 1024 * 1024
    assert site.bytes_sent["/huge.xml"] < 64 * 1024 * 1024  # socket buffers, not the gigabyte


async def test_declared_length_over_the_cap_is_refused_unread(site: FeedSite, fetcher: Fetcher) -> None:
    site.huge("/declared.xml", 1024**3, declare_length=True)
    with pytest.raises(TooLargeError) as caught:
        await fetcher.fetch(site.url("/declared.xml"), allow_private=True)
    assert "not read" in str(caught.value) and caught.value.limit == 1024 * 1024
    assert site.bytes_sent["/declared.xml"] < 64 * 1024 * 1024


async def test_trickling_server_hits_the_total_deadline(site: FeedSite) -> None:
    # Each chunk arrives well within any read timeout; only a total deadline stops this.
    site.trickle("/slow.xml", 16, 0.02)
    async with Fetcher(user_agent=UA, timeout=0.5) as client:
        started = time.monotonic()
        with pytest.raises(FetchTimeout) as caught:
            await client.fetch(site.url("/slow.xml"), allow_private=True)
    assert caught.value.kind == "timeout" and "0.5 s" in str(caught.value)
    assert site.bytes_sent["/slow.xml"] > 0
    assert time.monotonic() - started < 5  # cut off, not read to the (nonexistent) end


async def test_permanent_redirect_is_reported(site: FeedSite, fetcher: Fetcher) -> None:
    site.add("/new.xml", FEED)
    site.redirect("/old.xml", "/new.xml", 301)
    result = await fetcher.fetch(site.url("/old.xml"), allow_private=True)
    assert result.final_url == site.url("/new.xml") and result.moved_permanently_to == site.url("/new.xml")
    assert result.url == site.url("/old.xml") and result.body == FEED.encode()

    site.redirect("/perm308.xml", site.url("/old.xml"), 308)
    chained = await fetcher.fetch(site.url("/perm308.xml"), allow_private=True)
    assert chained.moved_permanently_to == site.url("/new.xml")


async def test_temporary_redirect_is_not_a_move(site: FeedSite, fetcher: Fetcher) -> None:
    site.add("/target.xml", FEED)
    site.redirect("/temp.xml", "/target.xml", 302)
    result = await fetcher.fetch(site.url("/temp.xml"), allow_private=True)
    assert result.final_url == site.url("/target.xml") and result.moved_permanently_to is None
    # 301 to a temporary redirect: the feed moved to the first target, not to where it bounces.
    site.redirect("/moved.xml", "/temp.xml", 301)
    mixed = await fetcher.fetch(site.url("/moved.xml"), allow_private=True)
    assert mixed.moved_permanently_to == site.url("/temp.xml")
    assert mixed.final_url == site.url("/target.xml")


async def test_redirects_are_bounded(site: FeedSite) -> None:
    site.redirect("/loop.xml", "/loop.xml", 302)
    async with Fetcher(user_agent=UA, max_redirects=3) as client:
        with pytest.raises(TooManyRedirects) as caught:
            await client.fetch(site.url("/loop.xml"), allow_private=True)
    assert caught.value.kind == "redirects" and site.hits["/loop.xml"] == 4


async def test_redirect_to_a_non_http_scheme_is_blocked(site: FeedSite, fetcher: Fetcher) -> None:
    site.redirect("/evil.xml", "file:///etc/passwd", 302)
    with pytest.raises(BlockedError) as caught:
        await fetcher.fetch(site.url("/evil.xml"), allow_private=True)
    assert caught.value.kind == "blocked" and "file:///etc/passwd" in str(caught.value)


async def test_gone_and_http_errors(site: FeedSite, fetcher: Fetcher) -> None:
    site.status("/gone.xml", 410)
    with pytest.raises(GoneError) as gone:
        await fetcher.fetch(site.url("/gone.xml"), allow_private=True)
    assert gone.value.kind == "gone" and gone.value.status == 410
    site.status("/broken.xml", 500)
    with pytest.raises(HTTPStatusError) as broken:
        await fetcher.fetch(site.url("/broken.xml"), allow_private=True)
    assert broken.value.kind == "http" and broken.value.status == 500 and "/broken.xml" in str(broken.value)
    with pytest.raises(HTTPStatusError) as missing:
        await fetcher.fetch(site.url("/nothing-here.xml"), allow_private=True)
    assert missing.value.status == 404


async def test_rate_limited_carries_retry_after(site: FeedSite, fetcher: Fetcher) -> None:
    site.status("/busy.xml", 429, {"Retry-After": "120"})
    with pytest.raises(RateLimitedError) as seconds:
        await fetcher.fetch(site.url("/busy.xml"), allow_private=True)
    assert seconds.value.kind == "rate_limited" and seconds.value.retry_after == 120.0
    site.status("/down.xml", 503, {"Retry-After": formatdate(time.time() + 3600, usegmt=True)})
    with pytest.raises(RateLimitedError) as date:
        await fetcher.fetch(site.url("/down.xml"), allow_private=True)
    assert date.value.status == 503 and date.value.retry_after is not None
    assert 3500 < date.value.retry_after <= 3600
    site.status("/vague.xml", 429)
    with pytest.raises(RateLimitedError) as vague:
        await fetcher.fetch(site.url("/vague.xml"), allow_private=True)
    assert vague.value.retry_after is None


async def test_private_addresses_refused_unless_allowed(site: FeedSite, fetcher: Fetcher) -> None:
    site.add("/page.html", "<p>hi</p>", content_type="text/html")
    for url in (site.url("/page.html"), f"http://localhost:{site.port}/page.html"):
        with pytest.raises(BlockedError) as caught:
            await fetcher.fetch(url)
        assert "loopback" in str(caught.value)
    assert site.hits["/page.html"] == 0
    allowed = await fetcher.fetch(site.url("/page.html"), allow_private=True)
    assert allowed.body == b"<p>hi</p>" and site.hits["/page.html"] == 1


@pytest.mark.parametrize("url", ["ftp://example.com/x", "javascript:alert(1)", "/relative.xml", "http:///x"])
async def test_only_http_urls(fetcher: Fetcher, url: str) -> None:
    with pytest.raises(BlockedError):
        await fetcher.fetch(url, allow_private=True)


def test_address_classes() -> None:
    assert check_address("127.0.0.1") == "a loopback address"
    assert check_address("::1") == "a loopback address"
    assert check_address("::ffff:10.0.0.1") == "a private address"
    assert check_address("192.168.1.1") == "a private address"
    assert check_address("169.254.169.254") == "a link-local address"
    assert check_address("0.0.0.0") is not None
    assert check_address("100.64.0.1") is not None
    assert check_address("8.8.8.8") is None


async def test_per_host_and_global_limits(site: FeedSite) -> None:
    site.trickle("/slow.xml", 64, 0.01, body=FEED.encode())
    async with Fetcher(user_agent=UA, per_host=2, concurrency=8) as client:
        results = await asyncio.gather(*(client.fetch(site.url("/slow.xml"), allow_private=True) for _ in range(8)))
    assert all(r.body == FEED.encode() for r in results)
    assert site.max_in_flight == 2
    site.max_in_flight = 0
    async with Fetcher(user_agent=UA, per_host=8, concurrency=3) as client:
        await asyncio.gather(*(client.fetch(site.url("/slow.xml"), allow_private=True) for _ in range(8)))
    assert site.max_in_flight == 3


async def test_connection_errors(site: FeedSite, fetcher: Fetcher) -> None:
    site.drop("/drop.xml")
    with pytest.raises(ProtocolError) as dropped:
        await fetcher.fetch(site.url("/drop.xml"), allow_private=True)
    assert dropped.value.kind == "protocol"
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    with pytest.raises(ConnectError) as refused:
        await fetcher.fetch(f"http://127.0.0.1:{closed_port}/x.xml", allow_private=True)
    assert refused.value.kind == "connect"
    for allow in (False, True):
        with pytest.raises(DNSError) as unknown:
            await fetcher.fetch("http://no-such-host.invalid/feed.xml", allow_private=allow)
        assert unknown.value.kind == "dns" and "no-such-host.invalid" in str(unknown.value)
