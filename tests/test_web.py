"""The web server over loopback: RSS outputs with conditional GET, /healthz, /status, /metrics."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import aiohttp
import feedparser
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.config import ChannelConfig, Config, FeedConfig, RssConfig
from bot.metrics import Metrics
from bot.model import KST, Entry, Summary
from bot.publish.rss import RssOutputs
from bot.status import build_status
from bot.store import Store, Target
from bot.web.server import WebServer

T0 = datetime(2026, 8, 12, 9, 0, tzinfo=KST)


@dataclass
class Site:
    server: WebServer
    store: Store
    rss: RssOutputs
    metrics: Metrics
    http: aiohttp.ClientSession
    holder: list[Config]

    def url(self, path: str) -> str:
        return self.server.url + path


def make_config() -> Config:
    return Config(
        path=Path("config.yaml"),
        channels={"cn": ChannelConfig(name="cn", chat_id="@cn")},
        rss={"all": RssConfig(name="all", path="/rss/all.xml", title="전체 보도자료")},
        feeds=(FeedConfig(name="korea", url="https://www.korea.kr/rss/dept_chungnam.xml", publish=("cn", "all")),),
    )


def add(store: Store, n: int) -> None:
    summary = Summary(url=f"https://www.korea.kr/v?newsId={n}", title=f"보도자료 {n}", region="충남",
                      published=T0.replace(minute=n), lead=f"<b>lead</b> {n}")
    store.releases.record(
        feed="korea", entry=Entry(feed="korea", item_id=str(n), link=summary.url, title=summary.title),
        key=summary.url, summary=summary, targets=[Target("cn", "telegram"), Target("all", "rss")],
        now=T0.timestamp(),
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "store.sqlite3")
    yield s
    s.close()


@pytest.fixture
async def site(store: Store) -> AsyncIterator[Site]:
    holder = [make_config()]
    rss = RssOutputs(store, clock=time.time)
    rss.update_config(holder[0].rss, holder[0].web.base_url)
    metrics = Metrics()
    server = WebServer(
        host="127.0.0.1", port=0, get_config=lambda: holder[0], store=store, rss=rss, metrics=metrics,
        status=lambda: build_status(holder[0], store, now=time.time()),
    )
    await server.start()
    async with aiohttp.ClientSession() as http:
        yield Site(server, store, rss, metrics, http, holder)
    await server.stop()


async def test_serves_rss_with_validators_and_304(site: Site) -> None:
    add(site.store, 1)
    add(site.store, 2)
    assert site.server.port != 0
    async with site.http.get(site.url("/rss/all.xml")) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == "application/rss+xml; charset=utf-8"
        body = await resp.read()
        etag = resp.headers["ETag"]
        last_modified = resp.headers["Last-Modified"]
    assert body == site.rss.get("all").body
    assert etag.startswith('"') and etag.endswith('"')
    parsed = feedparser.parse(body)
    assert parsed.bozo == 0
    assert [e.title for e in parsed.entries] == ["보도자료 2", "보도자료 1"]

    async with site.http.get(site.url("/rss/all.xml"), headers={"If-None-Match": etag}) as resp:
        assert resp.status == 304
        assert await resp.read() == b""
        assert resp.headers["ETag"] == etag
    async with site.http.get(site.url("/rss/all.xml"), headers={"If-None-Match": '"other", ' + etag}) as resp:
        assert resp.status == 304
    async with site.http.get(site.url("/rss/all.xml"), headers={"If-None-Match": "*"}) as resp:
        assert resp.status == 304
    async with site.http.get(site.url("/rss/all.xml"), headers={"If-None-Match": "W/" + etag}) as resp:
        assert resp.status == 304  # GET compares entity tags weakly (RFC 9110 §13.1.2)
    async with site.http.get(site.url("/rss/all.xml"), headers={"If-Modified-Since": last_modified}) as resp:
        assert resp.status == 304
    older = format_datetime(parsedate_to_datetime(last_modified).replace(year=2020), usegmt=True)
    async with site.http.get(site.url("/rss/all.xml"), headers={"If-Modified-Since": older}) as resp:
        assert resp.status == 200
    # If-None-Match decides when both are sent: a stale tag gets the document even if the date matches.
    stale = {"If-None-Match": '"stale"', "If-Modified-Since": last_modified}
    async with site.http.get(site.url("/rss/all.xml"), headers=stale) as resp:
        assert resp.status == 200

    add(site.store, 3)
    async with site.http.get(site.url("/rss/all.xml"), headers={"If-None-Match": etag}) as resp:
        assert resp.status == 200
        assert resp.headers["ETag"] != etag
        assert "보도자료 3" in await resp.text()


async def test_head_has_headers_and_no_body(site: Site) -> None:
    add(site.store, 1)
    async with site.http.head(site.url("/rss/all.xml")) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == "application/rss+xml; charset=utf-8"
        assert int(resp.headers["Content-Length"]) == len(site.rss.get("all").body)
        assert "ETag" in resp.headers
        assert await resp.read() == b""


async def test_rss_paths_follow_config_reloads(site: Site) -> None:
    add(site.store, 1)
    old = site.holder[0]
    moved = replace(old.rss["all"], path="/feeds/everything.xml")
    site.holder[0] = replace(old, rss={"all": moved})
    site.rss.update_config(site.holder[0].rss, site.holder[0].web.base_url)
    async with site.http.get(site.url("/rss/all.xml")) as resp:
        assert resp.status == 404
    async with site.http.get(site.url("/feeds/everything.xml")) as resp:
        assert resp.status == 200
        assert 'href="http://127.0.0.1:8080/feeds/everything.xml"' in await resp.text()


async def test_unknown_paths_and_methods(site: Site) -> None:
    async with site.http.get(site.url("/nothing-here")) as resp:
        assert resp.status == 404
    async with site.http.post(site.url("/status"), data=b"x") as resp:
        assert resp.status == 405
        assert resp.headers["Allow"] == "GET, HEAD"
    async with site.http.delete(site.url("/rss/all.xml")) as resp:
        assert resp.status == 405


async def test_healthz_ok_then_503_when_the_store_is_closed(site: Site) -> None:
    async with site.http.get(site.url("/healthz")) as resp:
        assert resp.status == 200
        assert await resp.text() == "ok\n"
    site.store.close()
    async with site.http.get(site.url("/healthz")) as resp:
        assert resp.status == 503
        assert "store does not answer" in await resp.text()


async def test_healthz_503_when_the_loop_lags(store: Store) -> None:
    config = make_config()
    rss = RssOutputs(store)
    rss.update_config(config.rss, config.web.base_url)
    server = WebServer(host="127.0.0.1", port=0, get_config=lambda: config, store=store, rss=rss,
                       metrics=Metrics(), status=dict, max_loop_lag=0.01)
    await server.start()
    loop = asyncio.get_running_loop()
    hogging = True

    def hog() -> None:
        # A CPU-bound callback that holds the loop for 20 ms on every turn, as a blocking bug would.
        deadline = time.monotonic() + 0.02
        while time.monotonic() < deadline:
            pass
        if hogging:
            loop.call_soon(hog)

    try:
        async with aiohttp.ClientSession() as http:
            loop.call_soon(hog)
            async with http.get(server.url + "/healthz") as resp:
                status, text = resp.status, await resp.text()
            hogging = False
            async with http.get(server.url + "/healthz") as resp:
                assert resp.status == 200
    finally:
        hogging = False
        await server.stop()
    assert status == 503
    assert text.startswith("event loop lag ")


async def test_status_json_has_the_contract_keys(site: Site) -> None:
    site.store.feeds.record_failure("korea", now=T0.timestamp(), kind="http", message="HTTP 502",
                                    next_poll=T0.timestamp() + 60)
    add(site.store, 1)
    async with site.http.get(site.url("/status")) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"] == "application/json; charset=utf-8"
        status = json.loads(await resp.text())
    assert set(status) == {"feeds", "channels", "rss", "dry_run", "version"}
    assert [set(f) for f in status["feeds"]] == [{
        "name", "state", "last_success", "last_error", "errors", "url", "last_poll", "next_poll",
        "moved_to", "error_kind",
    }]
    assert status["feeds"][0]["state"] == "failing" and status["feeds"][0]["last_error"] == "HTTP 502"
    assert status["channels"] == [
        {"name": "cn", "backlog": 1, "failed": 0, "sent": 0, "paused": False, "chat_id": "@cn"}
    ]
    assert status["rss"] == [{"name": "all", "path": "/rss/all.xml", "items": 1}]


async def test_metrics_parse_with_prometheus_parser(site: Site) -> None:
    site.metrics.poll("korea", "changed")
    site.metrics.poll("korea", "not_modified")
    site.metrics.deliveries.labels(channel="cn", outcome="sent").inc()
    async with site.http.get(site.url("/metrics")) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"].startswith("text/plain; version=")
        text = await resp.text()
    families = {f.name: f for f in text_string_to_metric_families(text)}
    polls = {(s.labels["feed"], s.labels["outcome"]): s.value
             for s in families["pressbot_polls"].samples if s.name == "pressbot_polls_total"}
    assert polls == {("korea", "changed"): 1.0, ("korea", "not_modified"): 1.0}
    ratio = families["pressbot_poll_not_modified_ratio"].samples[0].value
    assert ratio == 0.5
    assert "pressbot_publish_delay_seconds" in families


async def test_access_log_only_at_debug(site: Site, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="bot.web.access"):
        async with site.http.get(site.url("/healthz")) as resp:
            await resp.read()
        # The server handles one keep-alive connection's requests in turn, so once the second
        # answer is here the first request has been logged.
        async with site.http.get(site.url("/status")) as resp:
            await resp.read()
    access = [r for r in caplog.records if r.name == "bot.web.access"]
    assert access and all(r.levelno == logging.DEBUG for r in access)
    assert "GET /healthz 200" in access[0].getMessage()


async def test_port_in_use_is_an_error_and_stop_is_safe(site: Site, store: Store) -> None:
    config = make_config()
    clash = WebServer(host="127.0.0.1", port=site.server.port, get_config=lambda: config, store=store,
                      rss=site.rss, metrics=Metrics(), status=dict)
    with pytest.raises(OSError, match="address already in use"):
        await clash.start()
    await clash.stop()  # nothing started: a no-op
    async with site.http.get(site.url("/healthz")) as resp:
        assert resp.status == 200  # the first server is untouched
