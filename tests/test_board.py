"""parse_board: HTML list pages (EUC-KR tables, card lists) served over loopback, Korean dates."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import pytest

from bot.model import KST, BoardSelectors
from bot.sources.board import board_date, parse_board
from bot.sources.errors import FeedError
from bot.sources.fetch import HTML_ACCEPT, Fetcher
from tests.fakes.feedsite import FeedSite

NOW = datetime(2024, 11, 25, 16, 0, tzinfo=KST)

TABLE_BOARD = """<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=euc-kr"><title>보도자료 | 영암군</title></head>
<body><table class="board_list">
<thead><tr><th>번호</th><th>제목</th><th>부서</th><th>등록일</th></tr></thead>
<tbody>
<tr><td>공지</td><td class="subject"><a href="view.asp?num=21879&amp;page=1">영암군, 똠양꿍 요리교실 운영
    <img src="new.gif" alt="새글"></a></td>
    <td>홍보담당관</td><td class="date">14:30</td></tr>
<tr><td>1022</td><td class="subject">
    <a href="/board/view.asp?num=21878">월출산 국화축제 성료…“역대 최다 관람객”</a></td>
    <td>관광과</td><td class="date">2024.11.22</td></tr>
<tr><td>1021</td><td class="subject"><a href="view.asp?num=21877">한방바이오 기업 3곳과 투자협약</a></td>
    <td>투자유치과</td><td class="date">2024년 11월 21일 오후 3시 20분</td></tr>
<tr><td>1020</td><td class="subject"><a href="view.asp?num=21876">아열대 작물 첫 수확</a></td>
    <td>농업기술센터</td><td class="date">11-19</td></tr>
<tr><td>1019</td><td class="subject"><a href="javascript:fn_view('21875')">스크립트 링크 글</a></td>
    <td>총무과</td><td class="date">24.11.18</td></tr>
<tr><td>1018</td><td class="subject"><a href="view.asp?num=21878#comments">월출산 국화축제 (중복)</a></td>
    <td>관광과</td><td class="date">2024-11-17 09:05</td></tr>
<tr><td>1017</td><td class="subject"><a href="view.asp?num=21874">날짜 없는 글</a></td>
    <td>관광과</td><td class="date">-</td></tr>
</tbody></table></body></html>
"""

SELECT = BoardSelectors(row="table.board_list tr", link="td.subject a", title=None, date="td.date")


@pytest.fixture
async def site() -> AsyncIterator[FeedSite]:
    async with FeedSite() as fake:
        yield fake


async def test_euckr_table_board_over_loopback(site: FeedSite) -> None:
    site.add("/board/list.asp", TABLE_BOARD.encode("cp949"), content_type="text/html")  # no charset in header
    async with Fetcher(user_agent="pressbot/test") as fetcher:
        result = await fetcher.fetch(site.url("/board/list.asp"), allow_private=True, accept=HTML_ACCEPT)
    feed = parse_board(
        result.body, url=result.final_url, select=SELECT, feed_name="yeongam",
        content_type=result.content_type, now=NOW,
    )
    assert site.requests_for("/board/list.asp")[0].headers["Accept"] == HTML_ACCEPT
    assert feed.title == "보도자료 | 영암군"
    titles = [e.title for e in feed.entries]
    assert titles == [
        "영암군, 똠양꿍 요리교실 운영",
        "월출산 국화축제 성료…“역대 최다 관람객”",
        "한방바이오 기업 3곳과 투자협약",
        "아열대 작물 첫 수확",
        "날짜 없는 글",
    ]
    first, second, third, fourth, last = feed.entries
    assert first.link == site.url("/board/view.asp?num=21879&page=1")
    assert first.item_id == f"//127.0.0.1:{site.port}/board/view.asp?num=21879&page=1"
    assert first.feed == "yeongam"
    assert first.published == datetime(2024, 11, 25, 14, 30, tzinfo=KST)  # today's row shows a time
    assert second.published == datetime(2024, 11, 22, tzinfo=KST)
    assert third.published == datetime(2024, 11, 21, 15, 20, tzinfo=KST)
    assert fourth.published == datetime(2024, 11, 19, tzinfo=KST)
    assert last.published is None
    warnings = "\n".join(feed.warnings)
    assert "1 of 8 rows without a link ('td.subject a') skipped" in warnings  # the header row
    assert "row 6: link \"javascript:fn_view('21875')\" is not an http(s) URL, skipped" in warnings
    assert "row 7: duplicate link" in warnings
    assert "row 8: no date read from '-'" in warnings


def test_card_list_with_separate_title_and_forced_charset() -> None:
    page = """<ul class="list"><li><a class="card" href="/news/view.do?id=7&amp;utm_source=list">
        <strong class="tit">충남도, 청년 농업인 지원 확대</strong><span class="desc">요약</span></a>
        <span class="date">2024.11.20.</span></li>
        <li><a class="card" href="https://gov.test/news/view.do?id=6"><strong class="tit">둘째 카드</strong></a>
        <span class="date">2024-11-19</span></li></ul>"""
    select = BoardSelectors(row="ul.list > li", link="a.card", title="strong.tit", date="span.date")
    feed = parse_board(page.encode("cp949"), url="https://gov.test/news/list.do", select=select, charset="euc-kr")
    assert [e.title for e in feed.entries] == ["충남도, 청년 농업인 지원 확대", "둘째 카드"]
    assert feed.entries[0].link == "https://gov.test/news/view.do?id=7&utm_source=list"
    assert feed.entries[0].item_id == "//gov.test/news/view.do?id=7"
    assert feed.entries[0].published == datetime(2024, 11, 20, tzinfo=KST)
    assert not feed.warnings


def test_row_selector_matching_nothing_is_an_error() -> None:
    with pytest.raises(FeedError) as caught:
        parse_board(TABLE_BOARD.encode("cp949"), url="https://gov.test/list", select=BoardSelectors(
            row="div.bbs_list li", link="a"))
    assert caught.value.kind == "selector"
    assert "'div.bbs_list li'" in str(caught.value) and "https://gov.test/list" in str(caught.value)
    with pytest.raises(FeedError) as invalid:
        parse_board(b"<p>x</p>", url="https://gov.test/list", select=BoardSelectors(row="tr[", link="a"))
    assert invalid.value.kind == "selector" and "'tr['" in str(invalid.value)
    with pytest.raises(FeedError) as empty:
        parse_board(b"  ", url="https://gov.test/list", select=SELECT)
    assert empty.value.kind == "not_a_feed"


def test_board_date_forms() -> None:
    assert board_date("2024.11.20 오전 9:05", now=NOW) == datetime(2024, 11, 20, 9, 5, tzinfo=KST)
    assert board_date("24-11-18", now=NOW) == datetime(2024, 11, 18, tzinfo=KST)
    assert board_date("09:15", now=NOW) == datetime(2024, 11, 25, 9, 15, tzinfo=KST)
    assert board_date("12.31", now=NOW) == datetime(2023, 12, 31, tzinfo=KST)  # not ahead of today
    assert board_date("02-30", now=NOW) is None
    assert board_date("조회 123", now=NOW) is None
