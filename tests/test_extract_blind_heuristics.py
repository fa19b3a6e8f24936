"""One test per heuristic added after the blind set (tests/fixtures/blind) showed a general weakness."""

from __future__ import annotations

from datetime import datetime

from bot.dates import parse_time
from bot.extract import extract
from bot.model import KST, Entry, Summary

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


# --- placeholder bodies --------------------------------------------------------------------------

VIEWER = ('<h1>환경부, 전기차 보조금 개편안 발표</h1><div class="article_body"><div class="view_cont">'
          '<iframe src="/docViewer/doc.html?fn=1"></iframe>'
          '<p class="no_frame">문서 뷰어를 불러오는 중입니다. 본문이 보이지 않으면 아래 첨부파일을 내려받아 확인해 '
          '주시기 바랍니다.</p></div>'
          '<p class="remark">이 자료는 환경부의 보도자료를 전재하여 제공함을 알려드립니다.</p></div>')
FULL_TEXT = (
    '<p style="text-align:center"><b>- 저가 차량 지원 확대 -</b></p>'
    "<p>□ 환경부는 20일 무공해차 보조금 지침 개편안을 발표하고 내년 1월 중 확정할 계획이라고 밝혔다.</p>"
    "<p>○ 보조금 100%를 받을 수 있는 전기승용차 가격 기준은 5,300만원 미만으로 낮아진다.</p>"
    "<p>□ 문서진 장관은 “보조금이 더 많은 국민에게 돌아가도록 지원 구조를 바꿨다”라고 말했다.</p>"
)


def entry(description: str) -> Entry:
    return Entry(feed="briefing", item_id="1", link=URL, title="환경부, 전기차 보조금 개편안 발표",
                 published=datetime(2024, 12, 20, 12, 0, tzinfo=KST), description_html=description)


def test_viewer_placeholder_gives_way_to_the_feed_items_full_text() -> None:
    summary = extract(page(VIEWER), URL, entry=entry(FULL_TEXT))
    assert summary.lead == "환경부는 20일 무공해차 보조금 지침 개편안을 발표하고 내년 1월 중 확정할 계획이라고 밝혔다."
    assert summary.subtitle == "저가 차량 지원 확대"
    assert summary.quote == "보조금이 더 많은 국민에게 돌아가도록 지원 구조를 바꿨다"
    assert summary.speaker == "문서진 장관"


def test_viewer_placeholder_without_a_feed_item_is_no_lead() -> None:
    assert extract(page(VIEWER), URL).lead is None


def test_real_body_beats_a_shorter_feed_teaser() -> None:
    teaser = "<p>천안시는 복합환승센터를 짓는다고 밝혔다. 자세한 내용은 본문에서 확인하세요.</p>"
    summary = extract(page(f"<h1>{TITLE}</h1><div class='view'>{LEAD}{FILLER}</div>"), URL, entry=entry(teaser))
    assert summary.lead == "천안시는 천안역 동부광장에 복합환승센터를 짓기로 하고 내년 3월 착공한다고 12일 밝혔다."


# --- publication time ----------------------------------------------------------------------------

ARTICLE = f"<h1>{TITLE}</h1><div class='entry-content'>{LEAD}{FILLER}"


def test_date_beside_a_link_to_another_article_is_that_articles_date() -> None:
    related = ('<div class="jp-relatedposts-items"><p><a href="/2024/11/22/crane/">순천만 흑두루미 1만 마리 '
               '돌아왔다</a><span class="post-date">2024년 11월 22일</span></p></div>')
    assert run(ARTICLE + related + "</div>").published is None


def test_guessed_date_yields_to_stated_metadata_of_another_day() -> None:
    head = '<meta property="article:published_time" content="2024-12-06T01:15:22+00:00">'
    body = f'<h1>{TITLE}</h1><p class="date">2024.11.22</p><div class="entry-content">{LEAD}{FILLER}</div>'
    assert run(body, head).published == datetime(2024, 12, 6, 10, 15, 22, tzinfo=KST)


def test_guessed_date_agreeing_with_the_feed_day_takes_the_feed_time() -> None:
    body = f'<h1>{TITLE}</h1><p class="date">2024.12.20</p><div class="entry-content">{LEAD}{FILLER}</div>'
    assert extract(page(body), URL, entry=entry("")).published == datetime(2024, 12, 20, 12, 0, tzinfo=KST)


def test_time_in_brackets_after_the_date_is_read() -> None:
    parsed = parse_time("기사입력 2024/12/17 [10:31] 한지민 기자")
    assert parsed == (datetime(2024, 12, 17, 10, 31, tzinfo=KST), True, False)


def test_labelled_date_whose_time_is_not_read_takes_the_feed_items_time() -> None:
    body = (f'<h1>{TITLE}</h1><div class="news_date">등록 2024-12-20 | 10:31 | 조회 31</div>'
            f'<div class="entry-content">{LEAD}{FILLER}</div>')
    assert extract(page(body), URL, entry=entry("")).published == datetime(2024, 12, 20, 12, 0, tzinfo=KST)


# --- images --------------------------------------------------------------------------------------


def test_image_class_saying_it_opens_in_a_lightbox_does_not_make_it_chrome() -> None:
    body = (f'<h1>{TITLE}</h1><div class="post-content"><figure><a href="/up/festa.jpg">'
            '<img class="entry-thumb td-modal-image" src="//cdn.city.test/up/festa-696x464.jpg" width="696"></a>'
            '<figcaption class="wp-caption-text">학생들이 양자컴퓨터 모형을 살펴보고 있다. [사진=유성구]</figcaption>'
            f'</figure>{LEAD}{FILLER}</div>')
    summary = run(body)
    assert summary.image == "http://cdn.city.test/up/festa-696x464.jpg"
    assert summary.caption == "학생들이 양자컴퓨터 모형을 살펴보고 있다. [사진=유성구]"


def test_image_class_saying_it_is_an_avatar_stays_chrome() -> None:
    body = (f'<h1>{TITLE}</h1><div class="post-content">'
            '<img class="avatar avatar-96 photo" src="/up/jaemin-96.jpg" width="96" height="96">'
            f'{LEAD}{FILLER}</div>')
    assert run(body).image is None


def test_sentence_in_a_box_named_as_the_photos_is_its_caption_not_the_lead() -> None:
    body = (f'<h2 class="article_tit">{TITLE}</h2><div class="article_txt"><div class="photo">'
            '<img src="https://img.city.test/2024/12/23/station.jpg"><p class="txt">23일 천안역 동부광장에서 '
            '시민들이 버스를 기다리고 있다. ⓒ천안나우</p></div>'
            f'{LEAD}{FILLER}</div>')
    summary = run(body)
    assert summary.lead == "천안시는 천안역 동부광장에 복합환승센터를 짓기로 하고 내년 3월 착공한다고 12일 밝혔다."
    assert summary.caption == "23일 천안역 동부광장에서 시민들이 버스를 기다리고 있다. ⓒ천안나우"


def test_box_named_photo_holding_two_images_is_not_one_photos_box() -> None:
    body = (f'<h2 class="article_tit">{TITLE}</h2><div class="article_txt"><div class="photo">'
            '<img src="/a.jpg" width="300"><img src="/b.jpg" width="300">'
            f'<p>천안시는 천안역 동부광장에 복합환승센터를 짓는다고 12일 밝혔다.</p></div>{FILLER}</div>')
    assert run(body).lead == "천안시는 천안역 동부광장에 복합환승센터를 짓는다고 12일 밝혔다."


# --- region --------------------------------------------------------------------------------------

GOSEONG = ("<h4 class='title'>고성군, 공룡 야간 탐험 겨울 프로그램 운영</h4><div class='view_body'>"
           "<p>고성군은 겨울철 야간 관광 프로그램을 오는 21일부터 운영한다고 13일 밝혔다.</p>"
           "<p>군은 공룡 조형물 30여 점에 미디어아트를 입히고 빛 터널을 새로 조성했다.</p>"
           "<p>야간 개장은 매주 금·토요일 오후 5시부터 9시까지 이어진다고 설명했다.</p></div>")


def test_county_name_of_two_provinces_resolved_by_the_pages_address() -> None:
    south = run(GOSEONG + "<div id='footer'><address>경상남도 고성군 고성읍 성내로 130</address></div>")
    north = run(GOSEONG + "<div id='footer'><address>강원특별자치도 고성군 간성읍 수성로 34</address></div>")
    assert (south.region, north.region) == ("경남", "강원")


def test_ambiguous_district_resolved_by_the_one_province_the_page_names() -> None:
    body = ("<h3 class='subject'>강서구 에코델타시티 임대주택 820호 공급</h3><div class='bbs_cont'>"
            "<p>강서구 에코델타시티 18블록에 청년을 위한 공공임대주택 820호가 공급된다고 19일 밝혔다.</p>"
            "<p>임대료는 주변 시세의 60% 수준이며 최장 10년까지 거주할 수 있다고 설명했다.</p></div>"
            "<footer><address>(47260) 부산광역시 부산진구 신천대로 156</address></footer>")
    assert run(body).region == "부산"


def test_corporation_named_after_its_city_is_of_that_city() -> None:
    body = ("<h3 class='subject'>부산도시공사, 에코델타시티 임대주택 820호 공급</h3><div class='bbs_cont'>"
            "<p>부산도시공사는 강서구 에코델타시티 18블록에 공공임대주택 820호를 공급한다고 19일 밝혔다.</p>"
            "<p>임대료는 주변 시세의 60% 수준이며 최장 10년까지 거주할 수 있다고 설명했다.</p></div>")
    assert run(body).region == "부산"


def test_time_in_parentheses_after_the_date_is_read() -> None:
    assert parse_time("등록일 2024.12.17 (10:31)") == (datetime(2024, 12, 17, 10, 31, tzinfo=KST), True, False)


def test_jemok_label_set_in_a_td_of_an_old_table_board() -> None:
    body = ('<h3>보도자료</h3><table class="view"><tr><td class="label">제목 :</td>'
            f'<td class="value">{TITLE}</td></tr>'
            f'<tr><td colspan="2">{LEAD}{FILLER}</td></tr></table>')
    assert run(body).title == TITLE


def test_photo_box_named_in_camel_case_or_as_a_thumb_holds_the_caption() -> None:
    for name in ("photoBox", "imgArea", "thumb"):
        body = (f'<h1>{TITLE}</h1><div class="viewCont"><div class="{name}"><img src="/p.jpg">'
                f'<p>시민들이 버스를 기다리고 있다.</p></div>{LEAD}{FILLER}</div>')
        summary = run(body)
        assert summary.caption == "시민들이 버스를 기다리고 있다.", name
        assert summary.lead == "천안시는 천안역 동부광장에 복합환승센터를 짓기로 하고 내년 3월 착공한다고 12일 밝혔다."


def test_time_element_datetime_attribute_gives_the_time_its_text_omits() -> None:
    body = (f'<h1 class="entry-title">{TITLE}</h1><div class="entry-meta"><time class="entry-date" '
            'datetime="2024-12-06T01:15:22+00:00">2024년 12월 6일</time></div>'
            f'<div class="entry-content">{LEAD}{FILLER}</div>')
    assert run(body).published == datetime(2024, 12, 6, 10, 15, 22, tzinfo=KST)


def test_board_body_that_only_points_to_the_attachment_is_no_lead() -> None:
    body = (f'<h1>{TITLE}</h1><div class="bbs_content"><p>보도자료 본문 내용은 한글 문서로 작성되어 있으니 '
            '첨부파일 참조 바랍니다.</p><p>보도자료 본문 내용은 PDF 문서로도 함께 올려 두었으니 첨부파일 참조 '
            '바랍니다.</p><p>자세한 내용은 첨부파일을 확인하시기 바랍니다.</p></div>')
    assert run(body).lead is None
