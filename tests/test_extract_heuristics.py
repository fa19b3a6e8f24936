"""One test per extraction heuristic, on small pages written for the purpose."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.extract import extract
from bot.model import KST, Entry, ExtractSelectors, Summary

URL = "http://site.test/news/view.php?no=1"
P1 = "<p>{x}군청은 20일 군청 회의실에서 주민 100명이 참석한 가운데 설명회를 열었다.</p>"
FILLER = "<p>군은 이번 사업에 예산 10억원을 들여 시설을 고치고 안내판도 새로 세운다고 설명했다.</p>"


def page(body: str, head: str = "", title: str = "평창군, 눈꽃축제 준비 본격화") -> bytes:
    return (
        f'<html><head><meta charset="utf-8">{head}</head><body><div class="wrap">'
        f'<h1 class="heading">{title}</h1>{body}</div></body></html>'
    ).encode()


def run(body: str, head: str = "", **kwargs: object) -> Summary:
    return extract(page(body, head), URL, **kwargs)  # type: ignore[arg-type]


def article(*paragraphs: str) -> str:
    return '<div class="article-body">' + "".join(paragraphs) + FILLER + "</div>"


# --- title -------------------------------------------------------------------------------------


def test_title_from_board_label_cell_without_category() -> None:
    html = (
        '<html><head><title>보도자료 | 영암군청</title><meta property="og:title" content="영암군청"></head><body>'
        '<table><tr><th><label>제목</label></th><td><span class="cate">[농업기술센터]</span> '
        "<span>영암군, 첫 수확..“기후 위기를 새 소득으로”</span></td></tr>"
        f'<tr><td class="content">{P1.format(x="영암")}{FILLER}</td></tr></table></body></html>'
    )
    assert extract(html.encode(), URL).title == "영암군, 첫 수확..“기후 위기를 새 소득으로”"


def test_title_is_the_heading_not_title_tag_or_og_title() -> None:
    head = (
        "<title>평창군, 눈꽃축제 준비 본격화 - 강원투데이</title>"
        '<meta property="og:title" content="평창 눈꽃 - 강원투데이">'
    )
    assert run(article(P1.format(x="평창")), head).title == "평창군, 눈꽃축제 준비 본격화"


# --- subtitle ----------------------------------------------------------------------------------


def test_subtitle_element_lines_joined() -> None:
    body = '<h2 class="subheading">- 첫째 부제<br> - 둘째 부제</h2>' + article(P1.format(x="평창"))
    assert run(body).subtitle == "첫째 부제 / 둘째 부제"


def test_deck_lines_at_top_of_body() -> None:
    body = article("<p>- 눈조각 공원 확대 -</p><p>▶ 야간 빛 축제 신설</p>", P1.format(x="평창"))
    summary = run(body)
    assert summary.subtitle == "눈조각 공원 확대 / 야간 빛 축제 신설"
    assert summary.lead == "평창군청은 20일 군청 회의실에서 주민 100명이 참석한 가운데 설명회를 열었다."


def test_first_bold_line_is_deck_but_later_bold_head_is_not() -> None:
    body = article(
        "<p><strong>내년 1월 17일 개막…눈조각 공원 확대</strong></p>",
        P1.format(x="평창"),
        "<p><strong>■ 교통 대책도 강화</strong></p>",
    )
    assert run(body).subtitle == "내년 1월 17일 개막…눈조각 공원 확대"


def test_embargo_and_repeated_headline_are_not_deck() -> None:
    body = article(
        '<p style="text-align:center">이 보도자료는 2024년 11월 25일(월) 조간부터 보도할 수 있습니다.</p>',
        '<p style="text-align:center">평창군, 눈꽃축제 준비 본격화</p>',
        '<p style="text-align:center">- 야간 빛 축제 신설 -</p>',
        P1.format(x="□ 평창"),
    )
    summary = run(body)
    assert summary.subtitle == "야간 빛 축제 신설"
    assert summary.lead is not None and summary.lead.startswith("평창군청은")


def test_no_deck_gives_none() -> None:
    assert run(article(P1.format(x="평창"))).subtitle is None


# --- lead --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "prefix",
    [
        "[시사픽] ",
        "[동해안뉴스 박서연 기자] ",
        "(완주=전북로컬신문) 이수아 기자 = ",
        "【강원투데이=정하늘 기자】",
        "수도권시사경제 사회팀 | ",
        "인천--(뉴스와이어)--",
        "□ ",
        "○ ",
        "ㅇ ",
        "- ",
    ],
)
def test_dateline_and_marker_removed_from_lead(prefix: str) -> None:
    lead = run(article(f"<p>{prefix}평창군이 1.5배 넓힌 공원을 11.22.(금) 연다. 둘째 문장이다.</p>")).lead
    assert lead == "평창군이 1.5배 넓힌 공원을 11.22.(금) 연다."


# --- quote and speaker -------------------------------------------------------------------------


def quote_of(*paragraphs: str) -> tuple[str | None, str | None]:
    summary = run(article(P1.format(x="평창"), *(f"<p>{p}</p>" for p in paragraphs)))
    return summary.quote, summary.speaker


def test_canonical_quote_first_segment_only() -> None:
    assert quote_of("오세창 평창군수는 “축제는 겨울의 얼굴”이라며 “안전하게 하겠다”고 강조했다.") == (
        "축제는 겨울의 얼굴",
        "오세창 평창군수",
    )


def test_slogan_survey_and_law_title_are_not_speech() -> None:
    assert quote_of(
        "군은 “섬마을도 병원 가까이”라는 구호를 내걸었다.",
        "응답자의 94.6%가 ‘만족한다’고 답했다.",
        "군은 「평창군 축제 조례」 개정에 따라 지원한다고 밝혔다.",
    ) == (None, None)


def test_single_quotes_with_speech_verb_are_speech() -> None:
    assert quote_of("문채원 광주시교육감은 ‘AI 튜터는 도구’라며 ‘대책도 마련하겠다’고 말했다.") == (
        "AI 튜터는 도구",
        "문채원 광주시교육감",
    )


def test_head_of_issuing_body_beats_earlier_speakers() -> None:
    assert quote_of(
        "김영수 대관령눈꽃축제위원장은 “손님맞이에 소홀함이 없도록 하겠다”고 말했다.",
        "이상민 평창군 관광과장은 “셔틀버스를 늘리겠다”고 밝혔다.",
        "오세창 평창군수는 “눈꽃축제는 평창의 얼굴”이라고 강조했다.",
    ) == ("눈꽃축제는 평창의 얼굴", "오세창 평창군수")


def test_back_reference_resolves_to_fullest_form() -> None:
    assert quote_of("이날 행사에는 오세창 평창군수와 주민들이 참석했다.", "오 군수는 “축제를 키우겠다”고 말했다.") == (
        "축제를 키우겠다",
        "오세창 평창군수",
    )


def test_unnamed_official_only_when_nobody_named() -> None:
    assert quote_of("평창군 관계자는 “준비에 만전을 기하겠다”고 밝혔다.") == ("준비에 만전을 기하겠다", "평창군 관계자")
    assert (
        quote_of("평창군 관계자는 “준비에 만전을 기하겠다”고 밝혔다.", "주민 김철수씨는 “기대된다”고 말했다.")[0]
        == "기대된다"
    )


def test_nested_quote_kept_and_straight_quotes_accepted() -> None:
    assert quote_of('이재훈 평창군수는 "주민이 ‘군이 나를 지켜준다’는 믿음을 갖게 하겠다"고 말했다.') == (
        "주민이 ‘군이 나를 지켜준다’는 믿음을 갖게 하겠다",
        "이재훈 평창군수",
    )


def test_quote_first_inversion() -> None:
    assert quote_of("“도서관은 시민의 거실”이라고 정명근 화성시장은 강조했다.") == (
        "도서관은 시민의 거실",
        "정명근 화성시장",
    )


def test_quotes_in_related_list_are_ignored() -> None:
    body = article(P1.format(x="평창")) + (
        '<section class="article-relation"><ul><li><a href="/2">'
        "오세창 군수는 “축제 키운다”고 말했다</a></li></ul></section>"
    )
    assert run(body).quote is None


# --- published ---------------------------------------------------------------------------------


def test_site_clock_and_modified_time_are_not_publication() -> None:
    body = (
        '<div class="date-time">최종편집: 2024-11-24 00:35</div><ul class="infomation">'
        "<li>입력 2024.11.17 15:42</li><li>수정 2024.11.18 16:05</li></ul>" + article(P1.format(x="평창"))
    )
    assert run(body).published == datetime(2024, 11, 17, 15, 42, tzinfo=KST)


def test_seconds_kept_from_metadata_for_the_same_minute() -> None:
    head = '<meta property="article:published_time" content="2024-11-23T01:22:41+00:00">'
    body = '<span class="date">2024.11.23 10:22</span>' + article(P1.format(x="평창"))
    assert run(body, head).published == datetime(2024, 11, 23, 10, 22, 41, tzinfo=KST)


def test_twelve_hour_clock() -> None:
    body = '<span class="date">입력 2024.11.20 오후 3:07</span>' + article(P1.format(x="평창"))
    assert run(body).published == datetime(2024, 11, 20, 15, 7, tzinfo=KST)


def test_feed_time_used_when_page_shows_date_only() -> None:
    entry = Entry(
        feed="f",
        item_id="1",
        link=URL,
        title="평창군, 눈꽃축제 준비 본격화",
        published=datetime(2024, 11, 21, 2, 30, tzinfo=KST).replace(hour=11),
    )
    body = "<dl><dt>등록일</dt><dd>2024-11-21</dd></dl>" + article(P1.format(x="평창"))
    assert run(body, entry=entry).published == datetime(2024, 11, 21, 11, 30, tzinfo=KST)


# --- image and caption -------------------------------------------------------------------------


def photo_of(body: str, head: str = "", url: str = URL) -> tuple[str | None, str | None]:
    summary = extract(page(body, head), url)
    return summary.image, summary.caption


def test_lazy_image_uses_data_src_and_figcaption_marker_removed() -> None:
    body = (
        '<figure><img src="data:image/png;base64,AAAA" data-src="//cdn.site.test/a.jpg">'
        "<figcaption>▲ 축제장 모습. (사진=평창군 제공)</figcaption></figure>" + article(P1.format(x="평창"))
    )
    assert photo_of(body) == ("http://cdn.site.test/a.jpg", "축제장 모습. (사진=평창군 제공)")


def test_root_relative_resolved_against_page_url_prefix() -> None:
    body = article('<p><img src="/news/photo/1.jpg" alt="설명은 캡션이 아니다"></p>', P1.format(x="평창"))
    assert photo_of(body, url="http://press.test/dhnews/news/articleView.html?idxno=1") == (
        "http://press.test/news/photo/1.jpg",
        None,
    )


def test_logo_banner_avatar_and_og_image_alone_are_not_photos() -> None:
    head = '<meta property="og:image" content="http://site.test/og.jpg">'
    body = '<div class="writer"><img src="/member/a.jpg"></div><img src="/image/logo/top.png">' + article(
        P1.format(x="평창"), '<div class="ad-template"><img src="/banner/a.jpg"></div>'
    )
    assert photo_of(body, head) == (None, None)


def test_enclosed_caption_paragraph_and_photo_caption_line() -> None:
    body = article('<p><img src="/a.jpg"></p><p>&lt; 여수 양식 클러스터 조감도 &gt;</p>', P1.format(x="평창"))
    assert photo_of(body)[1] == "여수 양식 클러스터 조감도"
    body = article('<p><img src="/a.jpg"></p>', P1.format(x="평창"), "<p>[사진설명] 협약식 모습.</p>")
    assert photo_of(body)[1] == "협약식 모습."


# --- region ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "region"),
    [
        ("아산시는", "충남"),
        ("대구 수성구는", "대구"),
        ("경남 고성군은", "경남"),
        ("강원 고성군은", "강원"),
        ("광주시교육청은", "광주"),
        ("해양수산부(장관 강도윤)는", None),
    ],
)
def test_region_of_issuer(subject: str, region: str | None) -> None:
    body = article(f"<p>{subject} 20일 여수시 일원에서 착공식을 열고 공사에 들어간다고 밝혔다.</p>")
    assert extract(page(body, title="보도자료 제목입니다"), URL).region == region


# --- overrides ---------------------------------------------------------------------------------


def test_selectors_override_heuristics() -> None:
    body = (
        '<div class="x-t">진짜 제목</div><div class="x-s">진짜 부제</div><div class="x-d">2024-01-02 03:04</div>'
        '<div class="x-b"><p>본문은 여기에 있다.</p></div><div class="x-i"><img src="/real.jpg"></div>'
        + article(P1.format(x="평창"))
    )
    sel = ExtractSelectors(title=".x-t", subtitle=".x-s", body=".x-b", date=".x-d", image=".x-i")
    summary = run(body, selectors=sel)
    assert (summary.title, summary.subtitle, summary.lead) == ("진짜 제목", "진짜 부제", "본문은 여기에 있다.")
    assert summary.published == datetime(2024, 1, 2, 3, 4, tzinfo=KST)
    assert summary.image == "http://site.test/real.jpg"


def test_forced_charset_decodes_mislabelled_page() -> None:
    raw = page(article(P1.format(x="똠방")), title="똠방 마을 소식").decode().encode("cp949")
    assert extract(raw, URL, charset="euc-kr").title == "똠방 마을 소식"
