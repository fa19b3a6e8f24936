"""One test per heuristic added after the third blind set (tests/fixtures/blind3) showed a general weakness."""

from __future__ import annotations

from bot.extract import extract
from bot.model import Summary

URL = "http://news.test/bbs/board.php?bo_table=news&wr_id=7"
TITLE = "보령시, 대천항 수산물 위판장 55년 만에 새 단장"
LEAD_TEXT = "보령시는 대천항 수산물 위판장 현대화 사업을 마치고 11일 준공식을 열었다."
LEAD = f"<p>{LEAD_TEXT}</p>"
FILLER = (
    "<p>1970년 문을 연 기존 위판장은 시설이 낡아 비가 새고 냉장 설비가 없어 어려움이 컸다.</p>"
    "<p>시는 국비 등 86억원을 들여 지난해 3월 공사를 시작했으며 저온 경매장과 자동 선별기를 갖췄다.</p>"
    "<p>새 위판장은 시범 운영을 거쳐 5월 1일부터 본격 운영된다.</p>"
)


def page(body: str) -> bytes:
    return f'<html><head><meta charset="utf-8"></head><body>{body}</body></html>'.encode()


def run(body: str) -> Summary:
    return extract(page(body), URL)


# --- captions belong to the chosen photo --------------------------------------------------------


def test_a_later_body_photos_figcaption_is_not_the_featured_photos_caption() -> None:
    body = (f'<div class="inner"><h1 class="post_title">{TITLE}</h1>'
            '<div class="featured"><a href="/up/big.jpg"><div class="holder">'
            '<img src="/up/featured-750x500.jpg" width="750" height="500"></div></a></div>'
            f'<div class="content-inner">{LEAD}{FILLER}'
            '<figure><img src="/up/later-1024x683.jpg" width="1024" height="683">'
            '<figcaption>지난해 시범 운영된 위판장 모습. 보령시 제공</figcaption></figure>'
            f'{FILLER}</div></div>')
    summary = run(body)
    assert summary.image == "http://news.test/up/featured-750x500.jpg"
    assert summary.caption is None


def test_a_figures_own_figcaption_covers_both_of_its_photos() -> None:
    body = (f'<h1>{TITLE}</h1><div class="content">'
            '<figure><img src="/up/a.jpg" width="500"><img src="/up/b.jpg" width="500">'
            '<figcaption>새 위판장 외부와 내부 모습</figcaption></figure>'
            f'{LEAD}{FILLER}</div>')
    summary = run(body)
    assert summary.image == "http://news.test/up/a.jpg"
    assert summary.caption == "새 위판장 외부와 내부 모습"


def test_a_text_block_under_the_photos_own_box_in_one_wrapper_is_its_caption() -> None:
    body = (f'<h1 class="tit">{TITLE}</h1><div class="viewer"><article>'
            '<div class="thumCont"><div class="thumBox"><img src="/2025/04/18/photo_web.jpg"></div>'
            '<p class="summury">대천항 수산물 위판장 전경</p></div><br><br>'
            f'{LEAD_TEXT}<br><br>'
            '1970년 문을 연 기존 위판장은 시설이 낡아 비가 새고 냉장 설비가 없어 어려움이 컸다.<br><br>'
            '시는 국비 등 86억원을 들여 지난해 3월 공사를 시작했으며 저온 경매장과 자동 선별기를 갖췄다.<br><br>'
            '새 위판장은 시범 운영을 거쳐 5월 1일부터 본격 운영된다.</article></div>')
    summary = run(body)
    assert summary.image == "http://news.test/2025/04/18/photo_web.jpg"
    assert summary.caption == "대천항 수산물 위판장 전경"
    assert summary.lead == LEAD_TEXT


def test_a_headline_link_under_a_thumbnail_box_is_no_caption() -> None:
    body = (f'<h1 class="tit">{TITLE}</h1><div class="viewer">'
            '<div class="item"><div class="thumbBox"><img src="/2025/04/18/photo_web.jpg"></div>'
            '<p><a href="/view/9">보령 머드축제 7월 개막</a></p></div>'
            f'{LEAD}{FILLER}</div>')
    summary = run(body)
    assert summary.image == "http://news.test/2025/04/18/photo_web.jpg"
    assert summary.caption is None


def test_a_centred_line_under_a_centred_photo_is_its_caption_not_a_deck_line() -> None:
    body = (f'<h1 class="view-title">{TITLE}</h1><div id="bo_v_con">'
            '<p style="text-align:center;">- 저온 경매장·자동 선별기 갖춰…5월 본격 운영 -</p>'
            '<p style="text-align:center;"><img src="/data/editor/2504/a1.jpg" style="width:700px"></p>'
            '<p style="text-align:center;font-size:13px;color:#666;">새로 단장한 위판장 내부 모습</p>'
            f'<p>&nbsp;</p>{LEAD}{FILLER}</div>')
    summary = run(body)
    assert summary.subtitle == "저온 경매장·자동 선별기 갖춰…5월 본격 운영"
    assert summary.caption == "새로 단장한 위판장 내부 모습"
    assert summary.lead == LEAD_TEXT


def test_a_line_under_the_photo_closing_with_a_photo_credit_is_its_caption_even_as_a_sentence() -> None:
    body = (f'<h1 class="view-title">{TITLE}</h1><div id="bo_v_con">'
            '<p><img src="/data/editor/2504/a1.jpg" width="700"></p>'
            '<p>어민들이 새 위판장에서 경매를 하고 있다. (사진=보령시 제공)</p>'
            f'{LEAD}{FILLER}</div>')
    summary = run(body)
    assert summary.caption == "어민들이 새 위판장에서 경매를 하고 있다. (사진=보령시 제공)"
    assert summary.lead == LEAD_TEXT


def test_a_deck_line_under_a_centred_photo_stays_the_deck() -> None:
    body = (f'<h1 class="view-title">{TITLE}</h1><div id="bo_v_con">'
            '<p style="text-align:center;"><img src="/data/editor/2504/a1.jpg" width="700"></p>'
            '<p style="text-align:center;">- 저온 경매장·자동 선별기 갖춰…5월 본격 운영 -</p>'
            f'{LEAD}{FILLER}</div>')
    summary = run(body)
    assert summary.subtitle == "저온 경매장·자동 선별기 갖춰…5월 본격 운영"
    assert summary.caption is None


def test_a_marked_caption_under_a_photo_of_the_text_is_not_the_featured_photos() -> None:
    body = (f'<div class="inner"><h1 class="post_title">{TITLE}</h1>'
            '<div class="featured"><img src="/up/featured-750x500.jpg" width="750" height="500"></div>'
            f'<div class="content-inner"><p><img src="/up/later.jpg" width="600"></p>'
            f'<p>▲ 지난해 시범 운영된 위판장 모습</p>{LEAD}{FILLER}</div></div>')
    summary = run(body)
    assert summary.image == "http://news.test/up/featured-750x500.jpg"
    assert summary.caption is None


def test_a_sentence_under_the_photo_saying_who_stands_where_is_its_caption_not_the_lead() -> None:
    body = (f'<h1 class="view-title">{TITLE}</h1><div id="bo_v_con">'
            '<p><img src="/data/editor/2504/a1.jpg" width="700"></p>'
            '<p>김동호 보령시장(왼쪽 세 번째)이 11일 준공식에서 테이프를 자르고 있다.</p>'
            f'{LEAD}{FILLER}</div>')
    summary = run(body)
    assert summary.caption == "김동호 보령시장(왼쪽 세 번째)이 11일 준공식에서 테이프를 자르고 있다."
    assert summary.lead == LEAD_TEXT


def test_a_small_grey_line_under_the_photo_is_its_caption() -> None:
    body = (f'<h1 class="view-title">{TITLE}</h1><div id="bo_v_con">'
            '<p><img src="/data/editor/2504/a1.jpg" width="700"></p>'
            '<p><span style="font-size:12px;color:#888888">새로 단장한 위판장 내부 모습</span></p>'
            f'{LEAD}{FILLER}</div>')
    summary = run(body)
    assert summary.caption == "새로 단장한 위판장 내부 모습"
    assert summary.lead == LEAD_TEXT


def test_a_short_line_under_the_photo_on_a_site_that_sets_all_text_small_is_no_caption() -> None:
    small = ' style="font-size:13px"'
    body = (f'<h1 class="view-title">{TITLE}</h1><div id="bo_v_con">'
            '<p><img src="/data/editor/2504/a1.jpg" width="700"></p>'
            f'<p{small}><b>새로 단장한 위판장</b></p><p{small}>{LEAD_TEXT}</p>{FILLER}</div>')
    summary = run(body)
    assert summary.caption is None
    assert summary.subtitle == "새로 단장한 위판장"


def test_a_labelled_caption_right_under_a_later_photo_is_that_photos() -> None:
    body = (f'<h1 class="view-title">{TITLE}</h1><div id="bo_v_con">'
            f'<p><img src="/data/editor/2504/a1.jpg" width="700"></p>{LEAD}{FILLER}'
            '<p><img src="/data/editor/2504/a2.jpg" width="700"></p>'
            '<p>[사진설명] 준공식에 참석한 어민들</p></div>')
    summary = run(body)
    assert summary.image == "http://news.test/data/editor/2504/a1.jpg"
    assert summary.caption is None


def test_a_labelled_caption_line_at_the_end_of_the_text_is_the_photos() -> None:
    body = (f'<h1 class="view-title">{TITLE}</h1><div id="bo_v_con">'
            f'<p><img src="/data/editor/2504/a1.jpg" width="700"></p>{LEAD}{FILLER}'
            '<p>[사진설명] 준공식에 참석한 어민들</p></div>')
    summary = run(body)
    assert summary.caption == "준공식에 참석한 어민들"


def test_a_bold_centred_line_under_a_centred_photo_stays_the_deck() -> None:
    body = (f'<h1 class="view-title">{TITLE}</h1><div id="bo_v_con">'
            '<p style="text-align:center;"><img src="/data/editor/2504/a1.jpg" width="700"></p>'
            '<p style="text-align:center;"><b>저온 경매장·자동 선별기 갖춰…5월 본격 운영</b></p>'
            f'{LEAD}{FILLER}</div>')
    summary = run(body)
    assert summary.subtitle == "저온 경매장·자동 선별기 갖춰…5월 본격 운영"
    assert summary.caption is None
