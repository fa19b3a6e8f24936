"""One test per heuristic added after the fifth blind set (tests/fixtures/blind5) showed a general weakness."""

from __future__ import annotations

from bot.extract import extract
from bot.model import Summary

URL = "http://news.test/board/view.do?nttId=11"
FILLER = (
    "<p>쉼터는 옛 창고 건물을 고쳐 열람실과 놀이 공간, 마을 기록 전시실을 갖췄다.</p>"
    "<p>평일 저녁과 주말에도 문을 열어 맞벌이 가정의 아이들도 이용할 수 있도록 했다.</p>"
)


def page(body: str) -> bytes:
    return f'<html><head><meta charset="utf-8"></head><body>{body}</body></html>'.encode()


def run(body: str, url: str = URL) -> Summary:
    return extract(page(body), url)


def test_a_marked_line_centred_under_a_photo_after_the_running_text_is_its_caption() -> None:
    body = ('<h3 class="view_tit">동구, 하천 둔치에 쉼터 2곳 조성</h3><div class="view_con">'
            "<p>동구는 하천 둔치 두 곳에 주민 쉼터를 조성한다고 12일 밝혔다.</p>"
            '<p style="text-align:center"><img src="/upload/editor/2024/12/shelter.jpg" alt="쉼터 조감도"></p>'
            '<p style="text-align:center">▶ 하천 둔치 쉼터 조감도</p>'
            f"{FILLER}</div>")
    summary = run(body)
    assert summary.image == "http://news.test/upload/editor/2024/12/shelter.jpg"
    assert summary.caption == "하천 둔치 쉼터 조감도"


def test_a_quote_set_first_and_owned_by_the_next_sentence_is_speech() -> None:
    body = ('<h3 class="view_tit">동구, 하천 둔치에 쉼터 2곳 조성</h3><div class="view_con">'
            "<p>동구는 하천 둔치 두 곳에 주민 쉼터를 조성한다고 12일 밝혔다.</p>"
            f"{FILLER}"
            "<p>“누구나 편히 쉬어 가는 물가 공간을 만들겠다.” 김민수 동구청장의 말이다.</p></div>")
    summary = run(body)
    assert summary.quote == "누구나 편히 쉬어 가는 물가 공간을 만들겠다."
    assert summary.speaker == "김민수 동구청장"


def test_the_issuing_body_written_before_the_speaker_is_part_of_the_phrase() -> None:
    body = ('<h1 class="release_title">로봇기업 해외 실증 지원, 수출 계약으로 이어져</h1><div class="release_body">'
            "<p>부산테크노파크(원장 이도현)이 지역 로봇기업 해외 실증 지원사업 성과를 18일 밝혔다.</p>"
            f"{FILLER}"
            '<p>참여 기업인 에이로봇 박준영 대표는 "현지 데이터가 계약의 근거가 됐다"고 말했다.</p>'
            '<p>부산테크노파크 이도현 원장은 "실증 경험이 수출로 이어졌다"며 "지원을 늘리겠다"고 말했다.</p>'
            "</div>")
    summary = run(body)
    assert summary.quote == "실증 경험이 수출로 이어졌다"
    assert summary.speaker == "부산테크노파크 이도현 원장"


def test_a_featured_photo_set_before_the_block_of_headline_and_text_is_the_photo() -> None:
    lazy = "data:image/svg+xml,%3Csvg%20xmlns='http://www.w3.org/2000/svg'%3E%3C/svg%3E"
    body = ('<main><article class="post">'
            f'<div class="featured-image"><img width="1024" height="683" src="{lazy}" '
            'data-src="http://news.test/uploads/2024/12/library-1024x683.jpg" alt=""></div>'
            '<div class="inside-article"><header class="entry-header">'
            '<h1 class="entry-title">옛 감귤창고, 작은도서관으로 다시 태어났다</h1></header>'
            '<div class="entry-content"><p>마을의 옛 감귤 창고가 주민들이 가꾸는 작은도서관으로 문을 열었다.</p>'
            f"{FILLER}"
            f'<figure class="wp-block-image"><img width="1024" height="683" src="{lazy}" '
            'data-src="http://news.test/uploads/2024/12/inside-1024x683.jpg" alt="">'
            "<figcaption>도서관 내부. 나무 상자를 책장으로 다시 썼다.</figcaption></figure>"
            "</div></div></article></main>")
    summary = run(body)
    assert summary.image == "http://news.test/uploads/2024/12/library-1024x683.jpg"
    assert summary.caption is None
