"""One test per heuristic added after the fourth blind set (tests/fixtures/blind4) showed a general weakness."""

from __future__ import annotations

from bot.extract import extract
from bot.model import Summary

URL = "http://news.test/board/view.do?nttId=7"
FILLER = (
    "<p>센터는 옛 보건지소 건물을 리모델링해 상담실과 돌봄교실, 한국어 교실을 갖췄다.</p>"
    "<p>평일 저녁과 주말에도 문을 열어 교대 근무를 하는 근로자 가족도 이용할 수 있도록 했다.</p>"
)


def page(body: str) -> bytes:
    return f'<html><head><meta charset="utf-8"></head><body>{body}</body></html>'.encode()


def run(body: str, url: str = URL) -> Summary:
    return extract(page(body), url)


def test_an_embargo_line_asking_to_report_after_a_time_is_not_the_lead() -> None:
    lead = "동구는 외국인 근로자 가족의 정착을 돕는 지원센터를 방어동에 열었다고 5일 밝혔다."
    body = ('<h1>동구, 외국인 근로자 가족 정착 지원센터 문 열어</h1><div class="view_con">'
            '<p style="text-align:center">※ 이 보도자료는 12월 6일(금) 06:00 이후 보도하여 주시기 바랍니다.</p>'
            f'<p>□ {lead}</p>{FILLER}</div>')
    assert run(body).lead == lead


def test_a_speaker_stands_before_a_long_occasion_phrase_and_the_quote() -> None:
    body = ('<h1>공영자전거 2천 대 추가 배치</h1><div class="entry-content">'
            "<p>시는 공영자전거 2천 대를 추가로 배치하고 처음으로 전기자전거를 도입한다고 26일 밝혔다.</p>"
            f"{FILLER}"
            "<p>김성환 세종시장은 이날 시청 앞 광장에서 열린 전기자전거 시승 행사 인사말에서 "
            "“자전거는 시민의 가장 가까운 대중교통”이라며 “어디든 편하게 오가도록 하겠다”고 말했다.</p></div>")
    summary = run(body)
    assert summary.quote == "자전거는 시민의 가장 가까운 대중교통"
    assert summary.speaker == "김성환 세종시장"


def test_a_back_reference_with_a_two_syllable_surname_resolves_to_the_full_name() -> None:
    body = ('<h1>울진군, 대게 축제 내년 3월 개최 확정</h1><div class="content">'
            "<p>울진군은 2025 울진대게 축제를 내년 3월 후포항 일원에서 연다고 22일 밝혔다.</p>"
            "<p>이날 회의에는 남궁현 울진군수와 김영모 울진군의회 의장 등 40여명이 참석했다.</p>"
            "<p>김영모 울진군의회 의장은 “의회도 축제 준비에 힘을 보태겠다”고 말했다.</p>"
            "<p>남궁 군수는 “울진대게 축제는 울진의 대표 브랜드”라며 “안전한 축제로 만들겠다”고 당부했다.</p>"
            "</div>")
    summary = run(body)
    assert summary.quote == "울진대게 축제는 울진의 대표 브랜드"
    assert summary.speaker == "남궁현 울진군수"


def _gwangju_story(footer: str) -> str:
    return ('<h1 class="heading">광주시, 경안천 습지생태공원 2단계 개방</h1><article id="article-body">'
            "<p>광주시가 경안천 습지생태공원 2단계 구간 조성을 마치고 28일 시민에게 개방했다.</p>"
            "<p>2단계 구간은 퇴촌면 일대 경안천 둔치 12만㎡로, 탐조대 3곳과 데크 산책로를 만들었다.</p>"
            f"</article><footer><p>{footer}</p></footer>")


def test_gwangju_placed_in_gyeonggi_by_an_address_on_the_page_is_gyeonggi() -> None:
    assert run(_gwangju_story("경기도 광주시 역동로 00, 3층 대표전화 031-760-0000")).region == "경기"


def test_gwangju_alone_is_the_metropolitan_city() -> None:
    assert run(_gwangju_story("광주광역시 서구 내방로 111 대표전화 062-000-0000")).region == "광주"
