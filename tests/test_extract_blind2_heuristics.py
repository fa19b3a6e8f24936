"""One test per heuristic added after the second blind set (tests/fixtures/blind2) showed a general weakness."""

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


def page(body: str, head: str = "", body_attrs: str = "") -> bytes:
    return f'<html><head><meta charset="utf-8">{head}</head><body{body_attrs}>{body}</body></html>'.encode()


def run(body: str, head: str = "", body_attrs: str = "") -> Summary:
    return extract(page(body, head, body_attrs), URL)


# --- chrome ------------------------------------------------------------------------------------


def test_body_class_naming_page_state_does_not_make_the_page_chrome() -> None:
    body = f"<article><h1>{TITLE}</h1><div class='entry-content'>{LEAD}{FILLER}</div></article>"
    summary = run(body, body_attrs=' class="layout-aside-right paging-number"')
    assert summary.lead == "천안시는 천안역 동부광장에 복합환승센터를 짓기로 하고 내년 3월 착공한다고 12일 밝혔다."
