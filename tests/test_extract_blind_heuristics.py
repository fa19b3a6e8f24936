"""One test per heuristic added after the blind set (tests/fixtures/blind) showed a general weakness."""

from __future__ import annotations

from bot.extract import extract
from bot.model import Summary

URL = "http://city.test/bbs/view.do?nttId=7"
TITLE = "천안시, 천안역 동부광장 복합환승센터 내년 3월 착공"
LEAD = "<p>천안시는 천안역 동부광장에 복합환승센터를 짓기로 하고 내년 3월 착공한다고 12일 밝혔다.</p>"
FILLER = (
    "<p>환승센터는 총사업비 386억원을 들여 지상 4층 규모로 지어지며 버스 승강장 18면을 갖춘다.</p>"
    "<p>그동안 천안역 이용객은 흩어진 버스정류장을 찾아 길을 건너야 해 불편을 겪어왔다.</p>"
    "<p>시는 공사 기간 임시 버스 승강장을 운영하고 우회 노선 안내를 강화할 계획이다.</p>"
)


def page(body: str, head: str = "") -> bytes:
    return f'<html><head><meta charset="utf-8">{head}</head><body>{body}</body></html>'.encode()


def run(body: str, head: str = "") -> Summary:
    return extract(page(body, head), URL)


# --- title -------------------------------------------------------------------------------------


def test_headline_in_header_beats_its_copy_in_a_board_list_below() -> None:
    body = (f'<div class="read_header"><h1><a href="/v/7">{TITLE}</a></h1></div>'
            f'<div class="read_body">{LEAD}<p><img src="/files/attach/a.jpg" width="600"></p>{FILLER}</div>'
            f'<table class="board_list"><tr><td class="title"><a href="/v/7">{TITLE}</a></td></tr></table>')
    summary = run(body, head=f"<title>{TITLE} - 시정소식 - 화성뷰</title>")  # both copies score alike
    assert summary.title == TITLE
    assert summary.image == "http://city.test/files/attach/a.jpg"  # searched from the real headline on


def test_list_header_cell_titled_jemok_is_not_a_label_beside_its_value() -> None:
    body = ('<h3 class="content_title">보도자료</h3>'
            f'<div class="view">{LEAD}{FILLER}</div>'
            '<table><thead><tr><th>번호</th><th>제목</th><th>글쓴이 이름</th></tr></thead>'
            '<tbody><tr><td>1</td><td>다른 글</td><td>홍보팀</td></tr></tbody></table>')
    assert run(body).title != "글쓴이 이름"


# --- chrome ------------------------------------------------------------------------------------


def test_form_wrapping_a_board_view_is_the_page_not_a_widget() -> None:
    body = ('<h3 class="content_title">보도자료</h3><form name="frm" method="post" action="/bbs/list.do">'
            '<input type="hidden" name="nttId" value="7"><table class="bbs_view"><tbody>'
            f'<tr><th scope="row">제목</th><td colspan="3">{TITLE}</td></tr>'
            f'<tr><td colspan="4">{LEAD}{FILLER}'
            '<p>시 관계자는 “환승센터는 원도심 재생의 핵심 시설”이라며 “불편을 최소화하겠다”고 말했다.</p>'
            '</td></tr></tbody></table></form>')
    summary = run(body)
    assert summary.title == TITLE
    assert summary.lead == "천안시는 천안역 동부광장에 복합환승센터를 짓기로 하고 내년 3월 착공한다고 12일 밝혔다."
    assert (summary.quote, summary.speaker) == ("환승센터는 원도심 재생의 핵심 시설", "시 관계자")


def test_comment_form_without_prose_stays_chrome() -> None:
    body = (f'<h1>{TITLE}</h1><div class="view">{LEAD}{FILLER}</div>'
            '<form class="write"><p>의견을 남겨 주세요.</p><textarea name="c"></textarea></form>')
    assert run(body).lead == "천안시는 천안역 동부광장에 복합환승센터를 짓기로 하고 내년 3월 착공한다고 12일 밝혔다."
