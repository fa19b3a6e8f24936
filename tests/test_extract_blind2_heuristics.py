"""One test per heuristic added after the second blind set (tests/fixtures/blind2) showed a general weakness."""

from __future__ import annotations

from datetime import datetime

from bot.extract import extract
from bot.model import KST, Entry, Summary

URL = "http://city.test/bbs/view.do?nttId=7"
TITLE = "천안시, 천안역 동부광장 복합환승센터 내년 3월 착공"
LEAD_TEXT = "천안시는 천안역 동부광장에 복합환승센터를 짓기로 하고 내년 3월 착공한다고 12일 밝혔다."
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
    assert summary.lead == LEAD_TEXT


# --- title, photo and caption on old table layouts ---------------------------------------------


def _entry(title: str) -> Entry:
    return Entry(feed="f", item_id="1", link=URL, title=title, published=datetime(2024, 11, 12, 9, 0, tzinfo=KST))


def test_headline_set_in_a_bare_bold_cell_is_found_by_the_feed_title_and_the_photo_after_it_is_taken() -> None:
    body = ('<table><tr><td><img src="/img/top_logo.jpg" width="200" height="60"></td></tr>'
            f'<tr><td><font size="4"><b>{TITLE}</b></font></td></tr>'
            '<tr><td><table><tr><td><img src="../data/photo/7_1.jpg" width="400"></td></tr></table></td></tr>'
            f'<tr><td><font size="3">{LEAD}{FILLER}</font></td></tr></table>')
    summary = extract(page(body), URL, entry=_entry(TITLE))
    assert summary.title == TITLE
    assert summary.image == "http://city.test/data/photo/7_1.jpg"


def test_caption_in_the_cell_under_the_photo_of_a_small_photo_table() -> None:
    body = (f'<h1>{TITLE}</h1><table><tr><td><img src="/data/photo/7_1.jpg" width="400"></td></tr>'
            '<tr><td><font color="#666">△ 복합환승센터 조감도.</font></td></tr></table>'
            f'<div>{LEAD}{FILLER}</div>')
    summary = run(body)
    assert summary.image == "http://city.test/data/photo/7_1.jpg"
    assert summary.caption == "복합환승센터 조감도."


# --- quotes ------------------------------------------------------------------------------------


def test_quote_wrapped_by_a_hard_line_break_is_read_across_it() -> None:
    body = (f'<h1>{TITLE}</h1><div>{LEAD}{FILLER}<p>시 관계자는 “환승 동선을 줄이는 데 중점을 뒀다”고 설명했다.<br>'
            '박상돈 천안시장은 “천안역은 그동안 지나치는 역이었지만<br>'
            '이제는 머무는 역이 될 것”이라며 “불편을 줄이겠다”고 말했다.</p></div>')
    summary = run(body)
    assert summary.quote == "천안역은 그동안 지나치는 역이었지만 이제는 머무는 역이 될 것"
    assert summary.speaker == "박상돈 천안시장"


# --- subtitle ----------------------------------------------------------------------------------


def test_marked_deck_line_in_the_cell_under_the_headline_is_the_subtitle() -> None:
    body = (f'<table><tr><td><font size="4"><b>{TITLE}</b></font></td></tr><tr><td height="6"></td></tr>'
            '<tr><td><font size="3"><b>- 총사업비 386억원…버스 승강장 18면 -</b></font></td></tr>'
            '<tr><td>김민수 기자 | 작성일시 : 2024년 11월 12일 09시 00분</td></tr>'
            f'<tr><td><font size="3">{LEAD}{FILLER}</font></td></tr></table>')
    summary = extract(page(body), URL, entry=_entry(TITLE))
    assert summary.subtitle == "총사업비 386억원…버스 승강장 18면"


def test_byline_as_first_text_under_the_headline_is_not_a_deck() -> None:
    body = (f'<table><tr><td><font size="4"><b>{TITLE}</b></font></td></tr>'
            '<tr><td>김민수 기자 - 2024.11.12 09:00</td></tr>'
            '<tr><td><b>- 총사업비 386억원…버스 승강장 18면 -</b></td></tr>'
            f'<tr><td><font size="3">{LEAD}{FILLER}</font></td></tr></table>')
    assert extract(page(body), URL, entry=_entry(TITLE)).subtitle is None


def test_bare_name_and_head_title_on_the_issuing_bodys_release_outranks_a_committee_chair() -> None:
    body = ('<h1>천안시의회, 복합환승센터 간담회 개최</h1><div>'
            '<p>천안시의회는 12일 천안역 동부광장 복합환승센터 건립을 위한 간담회를 개최했다.</p>' + FILLER +
            '<p>건설교통위원회 김영수 위원장은 “공사 중 교통 대책이 먼저”라고 지적했다.</p>'
            '<p>정도희 의장은 “환승센터가 원도심을 살리는 계기가 돼야 한다”고 강조했다.</p></div>')
    summary = run(body)
    assert (summary.quote, summary.speaker) == ("환승센터가 원도심을 살리는 계기가 돼야 한다", "정도희 의장")


# --- photo -------------------------------------------------------------------------------------


def test_upload_folder_named_member_holds_photos_but_a_face_filed_right_in_it_does_not() -> None:
    body = (f'<h1>{TITLE}</h1><div><p><img src="/upload/member/2024/1112_speech.jpg"></p>{LEAD}{FILLER}</div>')
    assert run(body).image == "http://city.test/upload/member/2024/1112_speech.jpg"
    face = (f'<h1>{TITLE}</h1><div><p><img src="/news/photo/member/kim.jpg"></p>{LEAD}{FILLER}</div>')
    assert run(face).image is None


def test_framework_mount_point_named_next_is_not_a_prev_next_widget() -> None:
    body = (f'<div id="__next"><main class="PressDetail_main__kR2sd"><h1 class="PressDetail_title__pL0aQ">{TITLE}</h1>'
            f'<div class="PressDetail_body__d0Wq5">{LEAD}{FILLER}</div></main></div>')
    summary = run(body)
    assert summary.lead == LEAD_TEXT


def test_editors_note_before_the_dateline_is_neither_deck_nor_lead() -> None:
    body = (f'<h1>{TITLE}</h1><article><div class="note"><p><strong>[편집자주]</strong> 천안 곳곳이 달라지고 있다.</p>'
            '<p>뉴스는 달라진 곳을 차례로 찾아간다.</p></div>'
            f'<p>(천안=뉴스1) 김민수 기자 = {LEAD_TEXT}</p>'
            f'{FILLER}</article>')
    summary = run(body)
    assert summary.subtitle is None
    assert summary.lead == LEAD_TEXT


def test_lines_under_a_summary_label_are_the_deck_without_the_label() -> None:
    box = "<div class='{}'><b>기사내용 요약</b><br>승강장 18면 갖춘 4층 규모<br>임시 승강장 운영해 불편 최소화</div>"
    for names in ("summury", "summary"):
        body = (f'<h1>{TITLE}</h1><article>{box.format(names)}'
                f'[천안=뉴시스]김민수 기자 = {LEAD_TEXT}<br><br>'
                f'{FILLER}</article>')
        summary = run(body)
        assert summary.subtitle == "승강장 18면 갖춘 4층 규모 / 임시 승강장 운영해 불편 최소화", names
        assert summary.lead == LEAD_TEXT


def test_committee_chair_is_a_wiwonjang_not_an_institute_head_wonjang() -> None:
    body = ('<h1>천안 흥타령 겨울축제 개막</h1><div>'
            '<p>천안시와 천안문화재단은 12일부터 사흘간 삼거리공원에서 흥타령 겨울축제를 연다고 밝혔다.</p>' + FILLER +
            '<p>김동욱 축제추진위원장은 “가족이 함께 즐기는 축제로 준비했다”고 말했다.</p>'
            '<p>박상돈 천안시장은 “겨울 천안을 마음껏 즐기시길 바란다”고 말했다.</p></div>')
    summary = run(body)
    assert (summary.quote, summary.speaker) == ("겨울 천안을 마음껏 즐기시길 바란다", "박상돈 천안시장")


def test_back_reference_resolves_to_the_name_not_to_a_sentence_opening_adverb() -> None:
    body = ('<h1>산림청, 금강소나무숲 탐방센터 개관</h1><div>'
            '<p>산림청은 21일 울진 금강소나무숲 탐방센터를 개관했다고 밝혔다.</p>' + FILLER +
            '<p>이날 개관식에는 이정우 산림청장과 남궁현 울진군수 등 100여명이 참석했다.</p>'
            '<p>남궁현 울진군수는 “울진의 숲을 알리는 창구가 될 것”이라고 말했다.</p>'
            '<p>이 청장은 “금강소나무숲은 국가의 자산”이라고 말했다.</p></div>')
    summary = run(body)
    assert (summary.quote, summary.speaker) == ("금강소나무숲은 국가의 자산", "이정우 산림청장")


def test_hero_figure_above_the_headline_in_its_header_block_is_the_photo_but_a_masthead_logo_is_not() -> None:
    body = ('<div class="top"><a href="/"><img src="/assets/site_mark.png" width="300" height="90"></a></div>'
            '<main><div class="article-top"><figure class="art-hero"><img src="/photo/2024/11/12_main.jpg">'
            '<figcaption>▶ 천안역 동부광장 모습. /천안시 제공</figcaption></figure>'
            f'<h1 class="art-headline">{TITLE}</h1></div><div class="art-body">{LEAD}{FILLER}</div></main>')
    summary = run(body)
    assert (summary.image, summary.caption) == ("http://city.test/photo/2024/11/12_main.jpg",
                                                "천안역 동부광장 모습. /천안시 제공")
    no_hero = body.replace('<figure class="art-hero"><img src="/photo/2024/11/12_main.jpg">', '<figure>')
    assert run(no_hero).image is None


def test_editors_note_and_summary_label_in_a_br_only_body_skip_their_own_lines_only() -> None:
    body = (f'<h1>{TITLE}</h1><div>[편집자주] 천안 곳곳이 달라지고 있다. 뉴스는 달라진 곳을 찾아간다.<br><br>'
            f'{LEAD_TEXT}<br><br>환승센터는 총사업비 386억원을 들여 지상 4층 규모로 지어진다.<br><br>'
            '그동안 천안역 이용객은 흩어진 버스정류장을 찾아 길을 건너야 해 불편을 겪어왔다.<br><br></div>')
    assert run(body).lead == LEAD_TEXT
    body = (f'<h1>{TITLE}</h1><div>요약<br>승강장 18면 갖춘 4층 규모<br><br>{LEAD_TEXT}<br><br>'
            '환승센터는 총사업비 386억원을 들여 지상 4층 규모로 지어진다.<br><br>'
            '김민수 기자<br><br>그동안 천안역 이용객은 흩어진 버스정류장을 찾아 길을 건너야 해 불편을 겪어왔다.</div>')
    summary = run(body)
    assert summary.lead == LEAD_TEXT


def test_back_reference_takes_the_nearest_name_before_the_title() -> None:
    body = ('<h1>울주군, 반구천 암각화 탐방로 개통</h1><div>'
            '<p>울주군은 21일 반구천 암각화 탐방로를 개통했다고 밝혔다.</p>' + FILLER +
            "<p>주민들은 “오래 기다렸다”고 입을 모았고, 축사에서 “세계유산의 길”이라고 이상현 울주군수가 말했다.</p>"
            '<p>이 군수는 “탐방로를 세계유산의 관문으로 가꾸겠다”고 강조했다.</p></div>')
    assert run(body).speaker == "이상현 울주군수"


def test_date_stamp_under_the_headline_is_not_a_deck() -> None:
    body = (f'<table><tr><td><font size="4"><b>{TITLE}</b></font></td></tr>'
            '<tr><td><b>- 2024.11.12 09:00 -</b></td></tr>'
            f'<tr><td><font size="3">{LEAD}{FILLER}</font></td></tr></table>')
    assert extract(page(body), URL, entry=_entry(TITLE)).subtitle is None


# --- title without a feed item ------------------------------------------------------------------


def test_headline_set_in_a_large_font_is_found_without_feed_or_metadata() -> None:
    body = ('<table><tr><td><font size="2">홈 &gt; 뉴스 &gt; 지역</font></td></tr>'
            f'<tr><td><font size="4" color="#003366"><b>{TITLE}</b></font></td></tr>'
            f'<tr><td><font size="3">{LEAD}{FILLER}</font></td></tr></table>')
    assert run(body, head="<title>천안나우 - 천안의 눈과 귀</title>").title == TITLE


def test_heading_in_a_title_named_box_beats_the_section_heading_and_the_box_with_its_byline() -> None:
    body = ('<div class="cont_head"><h3 class="cont_tit">보도자료</h3></div>'
            f'<div class="tit_area"><h4>{TITLE}</h4><dl><dt>작성자</dt><dd>교통정책과</dd>'
            '<dt>작성일</dt><dd>2024-11-12 09:00</dd></dl></div>'
            f'<div class="cont">{LEAD}{FILLER}</div>')
    assert run(body, head="<title>보도자료 상세 - 알림마당 - 천안시</title>").title == TITLE


def test_headline_in_a_bare_cell_is_found_by_the_title_tag_part_without_feed_or_metadata() -> None:
    body = (f'<table><tr><td><b>{TITLE}</b></td></tr><tr><td><b>- 총사업비 386억원…버스 승강장 18면 -</b></td></tr>'
            f'<tr><td>{LEAD}{FILLER}</td></tr></table>')
    summary = run(body, head=f"<title>{TITLE} - 천안나우</title>")
    assert (summary.title, summary.subtitle) == (TITLE, "총사업비 386억원…버스 승강장 18면")
