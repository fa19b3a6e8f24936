"""One test per heuristic added for pages from CMSs the extractor had not seen (tests/fixtures/unseen)."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.extract import extract
from bot.model import KST, ExtractSelectors, Summary

URL = "http://city.test/news/view.php?no=7"
LEAD = "<p>의정부시는 내년 1월부터 경전철 환승 할인을 확대한다고 13일 밝혔다.</p>"
FILLER = (
    "<p>시는 연간 15억원을 들여 경전철과 시내버스 사이의 추가 요금 차액을 지원한다고 설명했다.</p>"
    "<p>그동안 경전철 이용객은 통합환승 할인을 받더라도 거리에 따라 최대 300원의 추가 요금을 냈다.</p>"
    "<p>시는 내년 상반기 이용 실적을 분석해 지원 대상을 넓힐 계획이라고 덧붙였다.</p>"
)


def html(body: str, head: str = "", title: str = "의정부시, 경전철 환승 할인 확대") -> bytes:
    return (
        f'<html><head><meta charset="utf-8">{head}</head><body>'
        f'<h1 class="heading">{title}</h1>{body}</body></html>'
    ).encode()


def run(body: str, **kwargs: object) -> Summary:
    return extract(html(body), URL, **kwargs)  # type: ignore[arg-type]


def quote_of(*paragraphs: str) -> tuple[str | None, str | None]:
    summary = run('<div class="article-body">' + LEAD + "".join(f"<p>{p}</p>" for p in paragraphs) + FILLER
                  + "</div>")
    return summary.quote, summary.speaker


# --- chrome pruning ------------------------------------------------------------------------------


def test_layout_block_named_like_a_sidebar_but_holding_the_article_is_kept() -> None:
    body = ('<section class="user-snb-wrapper"><article class="article-body">'
            + LEAD + '<p>최윤성 의정부시장은 “환승 부담을 덜겠다”고 말했다.</p>' + FILLER + "</article></section>")
    summary = run(body)
    assert summary.lead == "의정부시는 내년 1월부터 경전철 환승 할인을 확대한다고 13일 밝혔다."
    assert summary.quote == "환승 부담을 덜겠다"


def test_comment_block_full_of_sentences_stays_chrome() -> None:
    comments = "".join(f"<p>댓글 {i}번 독자는 이 정책이 정말 좋은 결정이라고 생각한다.</p>" for i in range(12))
    body = (f'<div class="article-body">{LEAD}{FILLER}</div>'
            f'<div class="comment-list">{comments}<p>박 시장은 “잘했다”고 말했다.</p></div>')
    summary = run(body)
    assert summary.lead == "의정부시는 내년 1월부터 경전철 환승 할인을 확대한다고 13일 밝혔다."
    assert summary.quote is None


def test_page_builder_role_class_beats_its_generic_widget_class() -> None:
    body = (
        '<div class="elementor-widget elementor-widget-theme-post-excerpt">'
        '<div class="elementor-widget-container">환승 시 추가 요금 면제</div></div>'
        '<div class="elementor-widget elementor-widget-theme-post-featured-image">'
        '<div class="elementor-widget-container"><img src="/up/lrt.jpg"></div></div>'
        '<div class="elementor-widget elementor-widget-share-buttons">'
        '<div class="elementor-widget-container"><img src="/up/share-facebook.jpg"><p>공유하기</p></div></div>'
        f'<div class="elementor-widget elementor-widget-theme-post-content">{LEAD}{FILLER}</div>'
    )
    summary = run(body)
    assert summary.subtitle == "환승 시 추가 요금 면제"
    assert summary.image == "http://city.test/up/lrt.jpg"


def test_publication_time_read_from_reporter_box() -> None:
    body = ('<div class="author-box"><span>이나래 기자</span><span>입력 2024.12.24 13:10</span></div>'
            f'<div class="article-body">{LEAD}{FILLER}</div>')
    assert run(body).published == datetime(2024, 12, 24, 13, 10, tzinfo=KST)


# --- quotes and speakers -------------------------------------------------------------------------


def test_speaker_found_past_an_adverbial_phrase() -> None:
    assert quote_of("최윤성 의정부시장은 지난 2일 현장 점검에서 “걷는 도시로 가겠다”고 강조했다.") == (
        "걷는 도시로 가겠다", "최윤성 의정부시장")


def test_a_nearer_subject_without_a_title_blocks_the_speaker() -> None:
    assert quote_of("최윤성 의정부시장이 참석한 가운데 시는 “환승 혜택을 늘리겠다”고 밝혔다.") == (None, None)


def test_quote_without_speaker_takes_the_subject_of_the_sentence_before() -> None:
    assert quote_of(
        "시 관계자는 “이용객이 늘 것”이라고 말했다.",
        "최윤성 의정부시장은 이날 환승역을 찾아 시설을 점검했다. 이어 “출근길 불편을 줄이겠다”고 말했다.",
    ) == ("출근길 불편을 줄이겠다", "최윤성 의정부시장")


def test_descriptor_before_a_private_persons_name_is_kept() -> None:
    assert quote_of("불을 처음 발견한 주민 김철수씨는 “소화기를 들고 뛰어갔다”고 말했다.") == (
        "소화기를 들고 뛰어갔다", "주민 김철수씨")


def test_place_ending_in_bu_makes_a_mayor_not_a_deputy_mayor() -> None:
    assert quote_of(
        "김준호 의정부시 부시장은 “이용을 늘리겠다”고 말했다.",
        "최윤성 의정부시장은 “약속의 첫걸음”이라며 이용을 당부했다.",
    ) == ("약속의 첫걸음", "최윤성 의정부시장")


def test_head_of_an_issuing_association_outranks_a_lawmaker() -> None:
    body = ('<div class="article-body"><p>부산관광협회가 크루즈 관광객 안내센터를 열었다.</p>'
            "<p>이정한 국회의원은 “제도 개선을 돕겠다”고 말했다.</p>"
            "<p>김도윤 부산관광협회장은 “부산의 환대를 느끼게 하겠다”고 밝혔다.</p>" + FILLER + "</div>")
    summary = run(body)
    assert (summary.quote, summary.speaker) == ("부산의 환대를 느끼게 하겠다", "김도윤 부산관광협회장")


@pytest.mark.parametrize("sentence", [
    "전남경찰청 관계자는 “운전대를 잡지 말라”며 “동승자도 처벌된다”고 경고했다.",
    "전남경찰청 관계자는 “운전대를 잡지 말라”고 했다.",
])
def test_more_verbs_of_saying(sentence: str) -> None:
    assert quote_of(sentence) == ("운전대를 잡지 말라", "전남경찰청 관계자")


# --- lead, captions, subtitles -------------------------------------------------------------------


def test_newswire_dateline_with_a_date_is_removed() -> None:
    body = ('<div class="article-body"><p>부산--(프레스와이어) 2024년 12월 16일 -- '
            "부산관광협회가 안내센터를 열었다.</p>" + FILLER + "</div>")
    assert run(body).lead == "부산관광협회가 안내센터를 열었다."


def test_caption_set_in_the_photos_own_box_is_not_a_deck() -> None:
    body = ('<div class="article-body"><div class="photo_area" style="text-align:center"><img src="/p/a.jpg"><br>'
            "<em>새로 단장한 골목길 모습 [사진=해운대구]</em></div>" + LEAD + FILLER + "</div>")
    summary = run(body)
    assert summary.caption == "새로 단장한 골목길 모습 [사진=해운대구]"
    assert summary.subtitle is None


def test_caption_classed_paragraph_after_a_picture() -> None:
    body = ('<div class="article-body"><picture><img src="/p/b.jpg"></picture>'
            '<p class="caption"><em>협약식 모습. [사진=광주시]</em></p>' + LEAD + FILLER + "</div>")
    assert run(body).caption == "협약식 모습. [사진=광주시]"


def test_caption_line_marked_with_note_sign() -> None:
    body = ('<div class="article-body">' + LEAD + '<p style="text-align:center"><img src="/p/c.jpg"></p>'
            "<p>※ 사진설명 : 제설 장비를 점검하고 있다.</p>" + FILLER + "</div>")
    assert run(body).caption == "제설 장비를 점검하고 있다."


@pytest.mark.parametrize("cls", ["sub_ttl", "news_sub"])
def test_deck_classes_named_with_sub(cls: str) -> None:
    body = f'<p class="{cls}">조명 터널·포토존 12곳</p><div class="article-body">{LEAD}{FILLER}</div>'
    assert run(body).subtitle == "조명 터널·포토존 12곳"


def test_sub_class_far_below_the_headline_is_not_a_deck() -> None:
    far = "".join(f"<span>{i}</span>" for i in range(20))
    body = f'<div class="article-body">{LEAD}{FILLER}</div><div>{far}</div><p class="news_sub">다른 기사 목록</p>'
    assert run(body).subtitle is None


# --- per-feed selectors --------------------------------------------------------------------------


def test_selector_child_combinator_is_not_read_as_descendant() -> None:
    body = ('<div class="box"><section><img src="/nested.jpg"></section><img src="/direct.jpg"></div>'
            f'<div class="article-body">{LEAD}{FILLER}</div>')
    assert run(body, selectors=ExtractSelectors(image="div.box > img")).image == "http://city.test/direct.jpg"


def test_selector_with_sibling_combinator_and_pseudo_class() -> None:
    body = ('<table><tr><th>등록일</th><td>2024-12-09 16:20</td></tr></table>'
            f'<div class="article-body">{LEAD}{FILLER}</div>')
    selectors = ExtractSelectors(date="th + td", body="div.article-body:first-of-type")
    summary = run(body, selectors=selectors)
    assert summary.published == datetime(2024, 12, 9, 16, 20, tzinfo=KST)
    assert summary.lead == "의정부시는 내년 1월부터 경전철 환승 할인을 확대한다고 13일 밝혔다."


def test_invalid_selector_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"extract\.title: not a valid CSS selector: 'h1 >> p'"):
        run(f"<div>{LEAD}{FILLER}</div>", selectors=ExtractSelectors(title="h1 >> p"))


# --- second batch: photo tables, local offices of state bodies, a person's own release -----------


def test_caption_cell_of_a_photo_table_named_photo_text() -> None:
    body = ('<div class="article-body"><table><tr><td><img src="/p/t.jpg"></td></tr>'
            '<tr><td class="photo_text">스마트팜 온실 내부.(사진제공=경북도)</td></tr></table>' + LEAD + FILLER
            + "</div>")
    assert run(body).caption == "스마트팜 온실 내부.(사진제공=경북도)"


@pytest.mark.parametrize(("subject", "head"), [
    ("청주흥덕경찰서는", "한동수 청주흥덕경찰서장"),
    ("여수교육지원청은", "정미경 여수교육장"),
])
def test_heads_of_local_offices_outrank_named_residents(subject: str, head: str) -> None:
    body = (f'<div class="article-body"><p>{subject} 27일 감사장을 전달했다고 밝혔다.</p>'
            "<p>6학년 김하람 학생은 “과학자가 되고 싶다”고 말했다.</p>"
            f"<p>{head}은 “배움의 기회를 지키겠다”고 말했다.</p>" + FILLER + "</div>")
    summary = run(body)
    assert (summary.quote, summary.speaker) == ("배움의 기회를 지키겠다", head)


def test_region_of_a_local_office_named_place_district_body() -> None:
    body = ('<div class="article-body"><p>청주흥덕경찰서는 은행원에게 감사장을 전달했다고 27일 밝혔다.</p>'
            + FILLER.replace("시는", "서는") + "</div>")
    assert extract(html(body, title="보이스피싱 막은 은행원에 감사장"), URL).region == "충북"


def test_person_whose_action_the_release_reports_is_the_key_speaker() -> None:
    body = ('<div class="article-body"><p>정지연 국회의원(인천 남동갑)은 특별법을 대표 발의했다고 31일 밝혔다.</p>'
            "<p>공동 발의에 참여한 김우진 의원은 “함께 풀어야 할 과제”라고 말했다.</p>"
            "<p>정 의원은 ‘지방이 살아야 나라가 산다’고 말했다.</p>" + FILLER + "</div>")
    summary = run(body)
    assert (summary.quote, summary.speaker) == ("지방이 살아야 나라가 산다", "정지연 국회의원")
