"""The status snapshot: feed states, channel backlogs, RSS outputs, and its short text form."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.config import ChannelConfig, Config, FeedConfig, RssConfig, TelegramConfig
from bot.model import KST, Entry, Summary
from bot.status import TELEGRAM_TEXT_LIMIT, build_status, format_status
from bot.store import Store, Target

FEED_KEYS = {"name", "state", "last_success", "last_error", "errors", "url", "last_poll", "next_poll",
             "moved_to", "error_kind"}
CHANNEL_KEYS = {"name", "backlog", "failed", "sent", "paused", "chat_id"}
T0 = datetime(2026, 8, 12, 9, 0, tzinfo=KST).timestamp()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "store.sqlite3")
    yield s
    s.close()


def feed(name: str, **kw: object) -> FeedConfig:
    return FeedConfig(name=name, url=f"https://{name}.example.go.kr/rss.xml", publish=("cn", "all"), **kw)  # type: ignore[arg-type]


def config(feeds: tuple[FeedConfig, ...], *, token: str = "") -> Config:
    return Config(
        path=Path("config.yaml"),
        telegram=TelegramConfig(token=token),
        channels={
            "cn": ChannelConfig(name="cn", chat_id="@chungnam_press"),
            "sj": ChannelConfig(name="sj", chat_id=-1001, paused=True),
        },
        rss={"all": RssConfig(name="all", path="/rss/all.xml", title="전체", limit=2)},
        feeds=feeds,
    )


def record(store: Store, n: int) -> None:
    summary = Summary(url=f"https://a.go.kr/{n}", title=f"t{n}")
    store.releases.record(
        feed="ok", entry=Entry(feed="ok", item_id=str(n), link=summary.url, title=summary.title),
        key=summary.url, summary=summary, targets=[Target("cn", "telegram"), Target("all", "rss")], now=T0,
    )


def test_feed_states_and_times(store: Store) -> None:
    store.feeds.record_success("ok", now=T0, next_poll=T0 + 300)
    store.feeds.record_success("failing", now=T0 - 7200, next_poll=T0)
    store.feeds.record_failure("failing", now=T0, kind="http", message="HTTP 503 from server", next_poll=T0 + 60)
    store.feeds.record_failure("dead", now=T0, kind="dns", message="name not found", next_poll=T0 + 86400)
    store.feeds.update("dead", dead=True, moved_to="https://new.example.go.kr/rss")
    store.feeds.record_success("paused", now=T0, next_poll=T0 + 300)
    store.feeds.set_paused("paused", True)
    feeds = (feed("ok"), feed("failing"), feed("dead"), feed("paused"), feed("new"), feed("off", enabled=False))
    status = build_status(config(feeds), store, now=T0)

    assert set(status) == {"feeds", "channels", "rss", "dry_run", "version"}
    by_name = {f["name"]: f for f in status["feeds"]}
    assert [f["name"] for f in status["feeds"]] == ["ok", "failing", "dead", "paused", "new", "off"]
    assert {n: f["state"] for n, f in by_name.items()} == {
        "ok": "ok", "failing": "failing", "dead": "dead", "paused": "paused", "new": "new", "off": "disabled",
    }
    assert all(set(f) == FEED_KEYS for f in status["feeds"])
    assert by_name["ok"]["last_success"] == "2026-08-12T09:00:00+09:00"
    assert by_name["ok"]["next_poll"] == "2026-08-12T09:05:00+09:00"
    assert by_name["failing"]["last_success"] == "2026-08-12T07:00:00+09:00"
    assert by_name["failing"]["last_error"] == "HTTP 503 from server"
    assert by_name["failing"]["errors"] == 1
    assert by_name["failing"]["error_kind"] == "http"
    assert by_name["dead"]["moved_to"] == "https://new.example.go.kr/rss"
    assert by_name["new"]["last_poll"] is None and by_name["new"]["last_success"] is None
    assert by_name["ok"]["url"] == "https://ok.example.go.kr/rss.xml"


def test_channels_rss_and_dry_run(store: Store) -> None:
    for n in range(5):
        record(store, n)
    pending = store.outbox.pending("cn")
    store.outbox.mark_sent([pending[0].id], message_id=7, chat_id="@chungnam_press", now=T0)
    store.outbox.mark_failed([pending[1].id], reason="403 Forbidden: bot was kicked")
    store.outbox.follow_migration("cn", "-100777")

    status = build_status(config((feed("ok"),)), store, now=T0)
    channels = {c["name"]: c for c in status["channels"]}
    assert all(set(c) == CHANNEL_KEYS for c in status["channels"])
    assert channels["cn"] == {"name": "cn", "backlog": 3, "failed": 1, "sent": 1, "paused": False,
                              "chat_id": "-100777"}
    assert channels["sj"] == {"name": "sj", "backlog": 0, "failed": 0, "sent": 0, "paused": True,
                              "chat_id": "-1001"}
    assert status["rss"] == [{"name": "all", "path": "/rss/all.xml", "items": 2}]
    assert status["dry_run"] is True

    store.outbox.set_paused("cn", True)
    live = build_status(config((feed("ok"),), token="123:abc"), store, now=T0,
                        dispatcher_state={"channels": {"cn": {"retry_at": "2026-08-12T09:01:00+09:00"}}})
    assert live["dry_run"] is False
    cn = next(c for c in live["channels"] if c["name"] == "cn")
    assert cn["paused"] is True and cn["retry_at"] == "2026-08-12T09:01:00+09:00"
    assert build_status(config(()), store, now=T0, dispatcher_state={"dry_run": False})["dry_run"] is False


def test_format_status_lists_failing_feeds_first_with_their_error(store: Store) -> None:
    store.feeds.record_success("zz-ok", now=T0, next_poll=T0 + 300)
    store.feeds.record_failure("aa-broken", now=T0, kind="http", message="HTTP 404 Not Found", next_poll=T0)
    record(store, 1)
    status = build_status(config((feed("zz-ok"), feed("aa-broken"), feed("mm-new"))), store, now=T0)
    text = format_status(status)
    lines = text.splitlines()
    assert lines[0].startswith("pressbot ") and "dry run" in lines[0]
    assert lines[1] == "Feeds: 3 (1 ok, 1 failing, 1 new)"
    assert lines[2].startswith("! aa-broken [failing] 1 errors, last ok never: HTTP 404 Not Found")
    assert "- zz-ok ok, last 08-12 09:00" in lines
    assert "- cn: backlog 1, failed 0, sent 0" in lines
    assert "- sj: backlog 0, failed 0, sent 0 paused" in lines
    assert "RSS: all /rss/all.xml (1 items)" in lines


def test_format_status_stays_within_telegram_limit_with_many_feeds(store: Store) -> None:
    feeds = tuple(feed(f"feed-{i:03d}") for i in range(400))
    for i in range(400):
        if i % 3 == 0:
            store.feeds.record_failure(f"feed-{i:03d}", now=T0, kind="timeout",
                                       message="timed out after 20 s " * 30, next_poll=T0)
        else:
            store.feeds.record_success(f"feed-{i:03d}", now=T0 - timedelta(hours=1).total_seconds(),
                                       next_poll=T0)
    text = format_status(build_status(config(feeds), store, now=T0))
    assert len(text) <= TELEGRAM_TEXT_LIMIT
    lines = text.splitlines()
    assert lines[1] == "Feeds: 400 (266 ok, 134 failing)"
    assert lines[2].startswith("! feed-000 [failing]") and lines[2].endswith("…")
    assert any(line.startswith("… and ") and line.endswith(" more feeds") for line in lines)
    assert not any("ok, last" in line for line in lines)  # healthy feeds are counted, not listed
    assert lines[-1].startswith("RSS: all")  # the channel and RSS summary survive the cut
