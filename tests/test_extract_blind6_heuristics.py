"""One test per heuristic added after the sixth blind set (tests/fixtures/blind6) showed a general weakness."""

from __future__ import annotations

from bot.extract import extract
from bot.model import Summary

URL = "http://news.test/archives/501"
FILLER = (
    "<p>쉼터는 옛 창고 건물을 고쳐 열람실과 놀이 공간, 마을 기록 전시실을 갖췄다.</p>"
    "<p>평일 저녁과 주말에도 문을 열어 맞벌이 가정의 아이들도 이용할 수 있도록 했다.</p>"
)


def page(body: str) -> bytes:
    return f'<html><head><meta charset="utf-8"></head><body>{body}</body></html>'.encode()


def run(body: str, url: str = URL) -> Summary:
    return extract(page(body), url)


def test_a_featured_photo_set_right_before_the_headline_block_beside_the_text_is_the_photo() -> None:
    body = ('<header class="site-header"><img src="http://news.test/uploads/logo.png" alt="동구 이야기"></header>'
            '<article class="post"><div class="inside-article">'
            '<div class="featured-image"><img width="1024" height="576" '
            'src="http://news.test/uploads/2024/12/shelter.jpg" alt="쉼터"></div>'
            '<div class="view_top"><h1 class="entry-title">동구, 하천 둔치에 쉼터 2곳 조성</h1>'
            '<dl><dt>담당부서</dt><dd>공원녹지과</dd></dl></div>'
            '<div class="entry-content">'
            "<p>동구는 하천 둔치 두 곳에 주민 쉼터를 조성한다고 12일 밝혔다.</p>"
            f"{FILLER}</div></div></article>")
    summary = run(body)
    assert summary.image == "http://news.test/uploads/2024/12/shelter.jpg"
    assert summary.caption is None


def test_a_company_name_between_the_person_and_the_title_keeps_the_person_s_name() -> None:
    body = ('<h1 class="release_title">바이오벤처 에이셀, 생산시설 준공</h1><div class="release_body">'
            "<p>에이셀(대표 김도현)이 세포치료제 생산시설을 준공했다고 26일 밝혔다.</p>"
            f"{FILLER}"
            '<p>김도현 에이셀 대표는 "지역에서 개발하고 지역에서 생산한다"며 "인재를 채용하겠다"고 말했다.</p>'
            '<p>준공식에 참석한 시 관계자는 "의미가 크다"고 말했다.</p></div>')
    summary = run(body)
    assert summary.quote == "지역에서 개발하고 지역에서 생산한다"
    assert summary.speaker == "김도현 에이셀 대표"
