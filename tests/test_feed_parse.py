"""parse_feed on the corpus feeds and on formats, charsets and identity edge cases."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from bot.model import KST
from bot.sources import feed as feed_module
from bot.sources.errors import FeedError
from bot.sources.feed import ParsedFeed, parse_feed
from bot.sources.feed_fast import read_fast
from bot.sources.links import entry_identity, is_http_url, normalise_link
from bot.sources.sanitize import clean_html, strip_tags

FEEDS = Path(__file__).parent / "fixtures" / "feeds"


def parse(name: str, **kwargs: object) -> ParsedFeed:
    return parse_feed((FEEDS / name).read_bytes(), url=f"http://press.test/feeds/{name}", **kwargs)  # type: ignore[arg-type]


def kst(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(KST)


def test_regional_rss_zone_less_dates_are_korea_time() -> None:
    feed = parse("regional_news_rss.xml", feed_name="regional")
    assert feed.title == "지역 보도자료 - 전체기사" and feed.link == "http://press.test/" and not feed.warnings
    assert len(feed.entries) == 9
    first = feed.entries[0]
    assert first.feed == "regional"
    assert first.title == "울산시, 태화강 국가정원 ‘정원 도시’ 국제 인증 도전"
    assert first.link == "http://press.test/usdaily/news/read.php?id=50021&section=sc1"
    assert first.item_id == "//press.test/usdaily/news/read.php?id=50021&section=sc1"  # no guid: the link
    assert first.published == kst("2024-11-22T17:05:00+09:00")
    assert first.author == "강민혁 기자" and first.categories == ("시정",)
    assert first.description_html.startswith("<p>[울산데일리 강민혁 기자]")
    assert feed.entries[-1].published == kst("2024-11-17T15:42:00+09:00")


def test_euckr_rss_with_rfc822_defect() -> None:
    feed = parse("gov_press_euckr.xml")
    assert feed.title == "시도·시군 보도자료" and feed.ttl == 3600.0
    gnto = feed.entries[0]
    assert gnto.title == "경남도, 출생아에 ‘첫만남 축하금’ 100만원 추가 지원"
    assert gnto.published == kst("2024-11-22T10:30:00+09:00")  # written `Fri,22 Nov 2024 10:30:00 +0900`
    assert gnto.author == "인구정책과"
    assert gnto.item_id == gnto.link  # the guid
    assert "「경상남도 저출산 대응 및 출산·양육 지원 조례」" in gnto.description_html
    assert [e.title for e in feed.entries][1] == '영암군, 아열대 작물 시범단지 첫 수확.."기후 위기를 새 소득으로"'


def test_atom_uses_published_not_updated_and_converts_utc() -> None:
    feed = parse("briefing_atom.xml")
    by_id = {e.item_id: e for e in feed.entries}
    p13 = by_id["tag:press.test,2024-11:p13"]
    assert p13.published == kst("2024-11-25T15:30:00+09:00")  # `updated` says 16:05
    p07 = by_id["tag:press.test,2024-11:p07"]
    assert p07.published == kst("2024-11-19T14:11:54+09:00")  # written in UTC with Z
    assert p07.published is not None and p07.published.utcoffset() == KST.utcoffset(None)
    assert p13.link == "http://press.test/koreakr/briefing/pressReleaseView.do?newsId=156663310"
    assert p13.author == "농림축산식품부" and p13.categories == ("보도자료",)
    assert p13.description_html.startswith("<p>□ 농림축산식품부(장관 정해원)")


def test_the_same_release_in_two_feeds_has_one_normalised_link() -> None:
    rss = {normalise_link(e.link or "") for e in parse("gov_press_euckr.xml").entries}
    atom = {normalise_link(e.link or "") for e in parse("briefing_atom.xml").entries}
    assert len(rss & atom) == 1  # p07 is listed in both


def test_atom_updated_is_the_last_resort_and_html_titles_are_text() -> None:
    feed = parse("format_atom_updated_only.xml")
    entry = feed.entries[0]
    assert entry.published == kst("2024-11-24T10:00:00+09:00")
    assert entry.title == "굵은 제목 <공고>"
    assert entry.description_html == "1 &lt; 2 &amp; 텍스트"  # text content is escaped into HTML
    assert entry.link == "http://press.test/feeds/entry/1"  # relative to the feed URL
    assert feed.link == "http://press.test/atom/"


def test_rdf_with_dc_date() -> None:
    feed = parse("format_rdf.xml")
    assert feed.title == "RDF 보도자료"
    entry = feed.entries[0]
    assert (entry.title, entry.link, entry.author) == ("RDF 항목", "http://press.test/rdf/1", "홍보과")
    assert entry.published == kst("2024-11-20T14:00:00+09:00")


@pytest.mark.parametrize(
    "name", ["charset_euckr_header_says_utf8.xml", "charset_euckr_no_declaration.xml", "charset_euckr_bare.xml"]
)
def test_wrong_or_missing_charset_declarations(name: str) -> None:
    feed = parse(name, headers={"Content-Type": "application/rss+xml; charset=UTF-8"})
    assert feed.title == "서초구 보도자료"
    entry = feed.entries[0]
    assert entry.title == "똠양꿍 축제에 샾 매장 참여…됬다"  # CP949-only syllables survive
    assert entry.description_html == "구청장은 “함께 합니다”라고 말했다."
    assert entry.published == kst("2024-11-22T09:30:00+09:00")


def test_forced_charset_wins() -> None:
    body = (FEEDS / "charset_euckr_header_says_utf8.xml").read_bytes().replace(b'"euc-kr"', b'"utf-8"')
    forced = parse_feed(body, url="http://press.test/f.xml", charset="euc-kr")
    assert forced.entries[0].title == "똠양꿍 축제에 샾 매장 참여…됬다"
    unforced = parse_feed(body, url="http://press.test/f.xml")
    assert unforced.entries[0].title == forced.entries[0].title  # the bytes betray the lie anyway


def test_bom_decides_the_encoding() -> None:
    rdf = (FEEDS / "format_rdf.xml").read_text(encoding="utf-8")
    body = "\ufeff" + rdf.replace('encoding="utf-8"', 'encoding="euc-kr"')  # the BOM beats the lie
    assert parse_feed(body.encode("utf-8"), url="http://press.test/f.xml").title == "RDF 보도자료"


def test_missing_ids_and_duplicate_guids() -> None:
    feed = parse("hostile_ids.xml")
    titles = [e.title for e in feed.entries]
    assert titles == ["guid 있음", "링크만", "내용만 있는 항목"]
    assert "duplicate guid 'same-guid': kept the first entry" in feed.warnings
    assert "2 entries without guid, link or title skipped" in feed.warnings
    link_only, content_only = feed.entries[1], feed.entries[2]
    assert link_only.item_id == "//press.test/ids/3?id=3"
    assert content_only.link is None and content_only.item_id.startswith("sha256:")
    assert content_only.item_id == entry_identity(None, None, "내용만 있는 항목", "링크도 guid도 없다")


def test_relative_item_links_resolve_against_the_feed_url() -> None:
    body = b'<rss version="2.0"><channel><title>t</title><item><link>../news/1</link></item></channel></rss>'
    feed = parse_feed(body, url="https://gov.test/rss/list.xml")
    assert feed.entries[0].link == "https://gov.test/news/1"


def test_empty_feed_is_fine_but_not_a_feed_is_an_error() -> None:
    empty = parse_feed(b'<rss version="2.0"><channel><title>none yet</title></channel></rss>', url="http://x.test/")
    assert empty.entries == () and empty.title == "none yet"
    with pytest.raises(FeedError) as caught:
        parse_feed(b'<?xml version="1.0"?><config><a>1</a></config>', url="http://x.test/")
    assert caught.value.kind == "not_a_feed" and "<config>" in str(caught.value)


def test_normalise_link() -> None:
    assert normalise_link("HTTPS://WWW.Korea.kr:443/briefing/view.do?newsId=1&call_from=rsslink#top") == (
        "//www.korea.kr/briefing/view.do?newsId=1"
    )
    assert normalise_link("http://www.korea.kr/briefing/view.do?newsId=1") == normalise_link(
        "https://www.korea.kr/briefing/view.do?call_from=rsslink&newsId=1"
    )
    assert normalise_link("http://a.test:8080?b=2&utm_source=x&a=1&UTM_Medium=y&fbclid=z&gclid=w") == (
        "//a.test:8080/?b=2&a=1"
    )
    assert normalise_link("http://a.test/p?q=%ED%95%9C+%EA%B8%80&x=a/b") == "//a.test/p?q=%ED%95%9C+%EA%B8%80&x=a/b"
    assert normalise_link("https://a.test:80/") == "//a.test:80/"
    assert is_http_url("https://a.test/x") and not is_http_url("javascript:alert(1)")
    assert not is_http_url("/relative") and not is_http_url("ftp://a.test/")


def test_sanitiser_and_text() -> None:
    dirty = (
        '<p onclick="x()">글<script>alert(1)</script></p><a href="java\tscript:alert(1)">a</a>'
        '<img src="data:text/html,x" onerror="y()"><a href="https://ok.test/">ok</a><!-- c -->'
    )
    assert clean_html(dirty) == '<p>글</p><a>a</a><img><a href="https://ok.test/">ok</a>'
    text = strip_tags("<p>첫 줄</p><p>둘째&nbsp;줄<br>셋째 <b>줄</b></p><script>x</script>")
    assert text == "첫 줄\n둘째 줄\n셋째 줄"
    assert strip_tags("A < B & C") == "A < B & C"


@pytest.mark.parametrize("name", sorted(p.name for p in FEEDS.glob("*.xml")))
def test_fast_reader_agrees_with_feedparser(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Well-formed feeds take the lxml reader; forcing feedparser must give the same result."""
    body = (FEEDS / name).read_bytes()
    try:
        fast = parse_feed(body, url=f"http://press.test/feeds/{name}")
    except FeedError as exc:
        fast_error: FeedError | None = exc
    else:
        fast_error = None
    monkeypatch.setattr(feed_module, "read_fast", lambda data, known=(): None)
    try:
        slow = parse_feed(body, url=f"http://press.test/feeds/{name}")
    except FeedError as exc:
        assert fast_error is not None and (fast_error.kind, str(fast_error)) == (exc.kind, str(exc))
        return
    assert fast_error is None
    assert fast == slow


def test_fast_reader_takes_plain_feeds_and_declines_odd_ones() -> None:
    data = (FEEDS / "regional_news_rss.xml").read_bytes()
    assert read_fast(data) is not None
    assert read_fast((FEEDS / "briefing_atom.xml").read_bytes()) is not None
    assert read_fast((FEEDS / "hostile_malformed.xml").read_bytes()) is None  # undefined &nbsp;
    nested = b'<rss><channel><item><title>t</title><description><p>x</p></description></item></channel></rss>'
    assert read_fast(nested) is None  # markup inside a text element: feedparser knows what to do
    assert parse_feed(nested, url="http://x.test/").entries[0].description_html == "<p>x</p>"
