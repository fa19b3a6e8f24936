"""RSS outputs: documents from a real store parse cleanly, escape untrusted text, and are cached."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest

from bot.config import RssConfig
from bot.model import KST, Entry, Summary
from bot.publish.rss import RssOutputs, build_rss, public_url
from bot.store import Store, StoredRelease, Target

BASE = "http://127.0.0.1:8080"
ATOM_LINK = "{http://www.w3.org/2005/Atom}link"
T0 = datetime(2026, 8, 12, 9, 0, tzinfo=KST)


RFC822 = re.compile(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                    r"\d{4} \d\d:\d\d:\d\d [+-]\d{4}")


class _Urls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.urls += [v or "" for k, v in attrs if k in ("src", "href")]


def assert_absolute(url: str | None) -> None:
    assert url and re.fullmatch(r"https?://[!-~]+", url), f"not an absolute ASCII http(s) URL: {url!r}"


def assert_validator_rules(body: bytes) -> None:
    """The W3C feed validator's rules for RSS 2.0 that a generator controls."""
    body.decode("utf-8")
    root = ET.fromstring(body)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None
    for tag in ("title", "link", "description"):
        assert (channel.findtext(tag) or "").strip(), f"channel/{tag} is required"
    assert_absolute(channel.findtext("link"))
    self_link = channel.find(ATOM_LINK)
    assert self_link is not None and self_link.get("rel") == "self"
    assert self_link.get("type") == "application/rss+xml"
    assert_absolute(self_link.get("href"))
    dates = [channel.findtext("lastBuildDate")] + [i.findtext("pubDate") for i in channel.iter("item")]
    for date in dates:
        assert date and RFC822.fullmatch(date), f"not an RFC 822 date: {date!r}"
        assert parsedate_to_datetime(date).tzinfo is not None
    guids = [i.findtext("guid") for i in channel.iter("item")]
    assert all(guids) and len(set(guids)) == len(guids), "every item needs a unique guid"
    for item in channel.iter("item"):
        assert item.findtext("title") or item.findtext("description")
        assert item.find("guid") is not None and item.find("guid").get("isPermaLink") == "false"  # type: ignore[union-attr]
        assert_absolute(item.findtext("link"))
        for source in item.iter("source"):
            assert_absolute(source.get("url"))
        html_parser = _Urls()
        html_parser.feed(item.findtext("description") or "")
        for url in html_parser.urls:
            assert_absolute(url)
        assert not html_parser.tags & {"script", "iframe", "object", "embed", "style", "form"}


class Clock:
    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "store.sqlite3")
    yield s
    s.close()


def add(store: Store, n: int, *, target: str = "all", minutes: int | None = None, **fields: object) -> int:
    """Record release number n, published n minutes after T0 unless told otherwise."""
    published = T0 + timedelta(minutes=n if minutes is None else minutes)
    summary = Summary(**{
        "url": f"https://www.korea.kr/briefing/pressReleaseView.do?newsId={n}",
        "title": f"보도자료 {n}",
        "published": published,
        **fields,
    })  # type: ignore[arg-type]
    entry = Entry(feed="korea", item_id=str(n), link=summary.url, title=summary.title)
    release_id, _ = store.releases.record(
        feed="korea", entry=entry, key=summary.url, summary=summary,
        targets=[Target(target, "rss")], now=published.timestamp(),
    )
    return release_id


def output(**overrides: object) -> RssConfig:
    values: dict[str, object] = {
        "name": "all", "path": "/rss/all.xml", "title": "전국 보도자료", "description": "지역 보도자료 모음",
    }
    values.update(overrides)
    return RssConfig(**values)  # type: ignore[arg-type]


def outputs(store: Store, clock: Clock, *configs: RssConfig) -> RssOutputs:
    rss = RssOutputs(store, clock=clock)
    rss.update_config({c.name: c for c in configs or (output(),)}, BASE)
    return rss


def test_document_from_store_parses_cleanly_with_every_item_field(store: Store) -> None:
    add(store, 1, subtitle="부제목", quote="함께 하겠습니다", speaker="김지사", lead="충남도는 12일…",
        region="충남", source="충청남도", image="https://www.korea.kr/img/1.jpg", caption="사진 설명")
    add(store, 2, region="세종")
    add(store, 3, region="서울", lead="첫 문단")
    doc = outputs(store, Clock(T0.timestamp() + 3600)).get("all")

    parsed = feedparser.parse(doc.body)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    assert parsed.feed.title == "전국 보도자료"
    assert parsed.feed.language == "ko"
    assert [e.title for e in parsed.entries] == ["보도자료 3", "보도자료 2", "보도자료 1"]
    for e in parsed.entries:
        assert e.link.startswith("https://www.korea.kr/briefing/pressReleaseView.do?newsId=")
        assert e.id.startswith("pressbot:")
        assert e.guidislink is False
        assert e.published_parsed is not None
        assert e.tags[0].term in ("서울", "세종", "충남")
        assert e.source.href.startswith("https://")
    first = parsed.entries[2]
    assert "부제목" in first.summary and "함께 하겠습니다" in first.summary and "김지사" in first.summary
    assert 'src="https://www.korea.kr/img/1.jpg"' in first.summary
    assert first.source.title == "충청남도"
    assert first.source.href == "https://www.korea.kr/"  # the site, never a feed URL (may carry an API key)
    assert first.published == "Wed, 12 Aug 2026 09:01:00 +0900"
    root = ET.fromstring(doc.body)
    self_link = root.find(f"channel/{ATOM_LINK}")
    assert self_link is not None
    assert self_link.attrib == {"href": BASE + "/rss/all.xml", "rel": "self", "type": "application/rss+xml"}
    assert root.findtext("channel/link") == BASE + "/"
    assert all(i.find("description") is not None for i in root.iter("item"))
    assert doc.body.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    assert_validator_rules(doc.body)


def test_untrusted_text_is_escaped_and_control_characters_stripped(store: Store) -> None:
    evil_title = "<script>alert('x')</script> R&D ]]> 끝\x00\x08\x0b\x1f\x7f\x85"
    add(store, 1, title=evil_title, subtitle="a < b & c", quote="</description><item>\x01인용", speaker="<b>박</b>",
        region="충]]>남", image="/relative/photo.jpg", source="A&B\x02")
    body = outputs(store, Clock(T0.timestamp())).get("all").body

    root = ET.fromstring(body)  # well-formed despite the input
    item = root.find("channel/item")
    assert item is not None
    assert item.findtext("title") == "<script>alert('x')</script> R&D ]]> 끝"
    description = item.findtext("description") or ""
    assert "<script" not in body.decode()
    assert "&lt;/description&gt;&lt;item&gt;인용" in description  # escaped HTML text, not markup
    assert "&lt;b&gt;박&lt;/b&gt;" in description
    assert "<img" not in description  # a relative photo URL is dropped, never published
    assert item.findtext("category") == "충]]>남"
    assert item.findtext("source") == "A&B"
    assert len(root.findall("channel/item")) == 1
    assert feedparser.parse(body).bozo == 0
    assert_validator_rules(body)


def test_newest_first_and_limit_honoured(store: Store) -> None:
    for n, minute in [(1, 30), (2, 10), (3, 50), (4, 20), (5, 40)]:
        add(store, n, minutes=minute)
    add(store, 6, target="other")  # another output's item never leaks in
    doc = outputs(store, Clock(T0.timestamp()), output(limit=3)).get("all")
    titles = [i.findtext("title") for i in ET.fromstring(doc.body).iter("item")]
    assert titles == ["보도자료 3", "보도자료 5", "보도자료 1"]
    assert doc.items == 3


def test_document_is_rebuilt_only_when_its_items_or_config_change(store: Store) -> None:
    add(store, 1)
    clock = Clock(T0.timestamp())
    rss = outputs(store, clock)
    first = rss.get("all")
    clock.now += 120
    rss.refresh_all()
    again = rss.get("all")
    assert again is first
    assert rss.builds["all"] == 1

    add(store, 2)
    rss.refresh_all()
    changed = rss.get("all")
    assert rss.builds["all"] == 2
    assert changed.etag != first.etag
    assert changed.last_modified == T0 + timedelta(minutes=2)  # when item 2 was added, not when built
    assert b"\xeb\xb3\xb4\xeb\x8f\x84\xec\x9e\x90\xeb\xa3\x8c 2" in changed.body  # "보도자료 2"

    clock.now += 3600
    rss.update_config({"all": output(title="새 제목")}, BASE)
    retitled = rss.get("all")
    assert rss.builds["all"] == 3
    assert "새 제목" in retitled.body.decode()
    assert retitled.last_modified.timestamp() == clock.now
    rss.update_config({"all": output(title="새 제목")}, BASE)  # the same config again: no rebuild
    rss.get("all")
    assert rss.builds["all"] == 3


def test_on_disk_copy_is_written_atomically_and_only_on_change(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "public" / "rss"
    target = folder / "all.xml"
    add(store, 1)
    clock = Clock(T0.timestamp())
    rss = outputs(store, clock, output(file=target))
    served = rss.get("all").body
    assert target.read_bytes() == served
    assert sorted(p.name for p in folder.iterdir()) == ["all.xml"]  # no temp file left behind
    inode = target.stat().st_ino

    rss.refresh_all()
    assert target.stat().st_ino == inode  # unchanged document: not rewritten

    add(store, 2)
    clock.now += 60
    rss.refresh_all()
    assert target.read_bytes() == rss.get("all").body != served
    assert target.stat().st_ino != inode  # replaced by rename, not rewritten in place
    assert sorted(p.name for p in folder.iterdir()) == ["all.xml"]


def test_restart_serves_the_same_bytes_and_leaves_the_file_alone(store: Store, tmp_path: Path) -> None:
    target = tmp_path / "all.xml"
    add(store, 1)
    add(store, 2)
    before = outputs(store, Clock(T0.timestamp() + 60), output(file=target)).get("all")
    inode = target.stat().st_ino
    after = outputs(store, Clock(T0.timestamp() + 86400), output(file=target)).get("all")
    assert (after.etag, after.body, after.last_modified) == (before.etag, before.body, before.last_modified)
    assert target.stat().st_ino == inode


def test_unwritable_copy_is_reported_and_retried_while_serving_goes_on(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be")
    add(store, 1)
    rss = outputs(store, Clock(T0.timestamp()), output(file=blocker / "all.xml"))
    assert rss.get("all").items == 1
    assert any("cannot write" in r.getMessage() and "all.xml" in r.getMessage() for r in caplog.records)
    blocker.unlink()
    rss.refresh_all()
    assert (blocker / "all.xml").read_bytes() == rss.get("all").body


def test_guid_is_stable_across_stores(tmp_path: Path) -> None:
    guids = []
    for name in ("one", "two"):
        s = Store(tmp_path / f"{name}.sqlite3")
        if name == "two":
            add(s, 9)  # shifts the row ids: the guid must not depend on them
        add(s, 1)
        body = outputs(s, Clock(T0.timestamp())).get("all").body
        guids.append({i.findtext("title"): i.findtext("guid") for i in ET.fromstring(body).iter("item")})
        s.close()
    assert guids[0]["보도자료 1"] == guids[1]["보도자료 1"]


def test_item_without_published_time_uses_its_created_time() -> None:
    release = StoredRelease(
        id=1, feed="korea", created_at=datetime(2026, 8, 12, 0, 0, tzinfo=UTC).timestamp(),
        summary=Summary(url="https://example.go.kr/a?id=1", title="t"),
    )
    body = build_rss(output(), [release], base_url=BASE, now=T0)
    assert ET.fromstring(body).findtext("channel/item/pubDate") == "Wed, 12 Aug 2026 00:00:00 +0000"


def test_bad_base_url_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"rss output 'all': web.base_url '/relative'"):
        build_rss(output(), [], base_url="/relative", now=T0)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.korea.kr/a?b=1&c=2", "https://www.korea.kr/a?b=1&c=2"),
        ("http://news.go.kr/보도 자료.html", "http://news.go.kr/%EB%B3%B4%EB%8F%84%20%EC%9E%90%EB%A3%8C.html"),
        ("https://도청.kr/x", "https://" + "도청.kr".encode("idna").decode() + "/x"),
        ("/relative/path", None),
        ("javascript:alert(1)", None),
        ("", None),
        (None, None),
    ],
)
def test_public_url(url: str | None, expected: str | None) -> None:
    assert public_url(url) == expected


def test_refresh_all_logs_a_broken_output_once_and_serves_the_others(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    add(store, 1)
    add(store, 2, target="local")
    rss = RssOutputs(store, clock=Clock(T0.timestamp()))
    rss.update_config({"all": output(), "local": output(name="local", path="/rss/local.xml")}, "")
    rss.refresh_all()
    rss.refresh_all()
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert errors == [
        "rss output 'all': web.base_url '' is not an absolute http(s) URL",
        "rss output 'local': web.base_url '' is not an absolute http(s) URL",
    ]
    rss.update_config({"all": output(), "local": output(name="local", path="/rss/local.xml")}, BASE)
    rss.refresh_all()
    assert rss.get("local").items == 1 and rss.get("all").items == 1
