"""Telegram rendering: layout, escaping, trimming order and lengths, checked with the Bot API double's parser."""

from __future__ import annotations

import re

import pytest

from bot.model import Summary
from bot.publish.render import CAPTION_LIMIT, TEXT_LIMIT, render_digest, render_post, telegram_length, utf16_len
from tests.fakes.botapi import telegram_parse
from tests.fakes.tdlib_html import FormattedText

URL = "https://www.korea.kr/briefing/pressReleaseView.do?newsId=156&pWise=main"


def parsed(markup: str, limit: int = TEXT_LIMIT) -> FormattedText:
    """What Telegram would show; fails the test if Telegram would refuse the markup or its length."""
    text = telegram_parse(markup)
    assert len(text.text) <= limit, f"{len(text.text)} > {limit}"
    assert telegram_length(markup) == len(text.text)
    return text


def kinds(text: FormattedText) -> list[tuple[str, str]]:
    """(entity type, the text it covers) pairs, sliced by UTF-16 offsets as Telegram reports them."""
    units = text.text.encode("utf-16-le")
    return [(e.type, units[2 * e.offset : 2 * (e.offset + e.length)].decode("utf-16-le")) for e in text.entities]


def sentences(prefix: str, n: int, size: int = 40) -> str:
    return " ".join(f"{prefix}{k} " + "가" * size + "다." for k in range(1, n + 1))


FULL = Summary(
    url=URL,
    title="충남도, 탄소중립 산업단지 조성",
    subtitle="2030년까지 5곳 지정",
    quote="“도민과 함께 하겠다”",
    speaker="김태흠 지사",
    lead="충청남도는 15일 탄소중립 산업단지 조성 계획을 발표했다.",
    region="충남",
    source="충청남도",
)


def test_full_post_layout() -> None:
    assert render_post(FULL) == (
        "<b>충남도, 탄소중립 산업단지 조성</b>\n"
        "2030년까지 5곳 지정\n\n"
        "충청남도는 15일 탄소중립 산업단지 조성 계획을 발표했다.\n\n"
        "<i>“도민과 함께 하겠다”</i> — 김태흠 지사\n\n"
        "#충남 · 충청남도\n"
        '<a href="https://www.korea.kr/briefing/pressReleaseView.do?newsId=156&amp;pWise=main">원문 보기</a>'
    )
    text = parsed(render_post(FULL))
    assert kinds(text) == [
        ("bold", "충남도, 탄소중립 산업단지 조성"),
        ("italic", "“도민과 함께 하겠다”"),
        ("text_link", "원문 보기"),
    ]
    assert text.entities[-1].url == URL


def test_empty_fields_leave_no_stray_separators() -> None:
    bare = Summary(url="https://example.go.kr/a", title="제목만 있는 보도자료", quote="", speaker="홍길동")
    assert render_post(bare) == '<b>제목만 있는 보도자료</b>\n\n<a href="https://example.go.kr/a">원문 보기</a>'
    only_source = render_post(bare, source="전라북도")
    assert "\n\n전라북도\n<a " in only_source and "·" not in only_source and "—" not in only_source


def test_speaker_only_with_a_quote_and_arguments_override() -> None:
    no_speaker = render_post(Summary(url=URL, title="t", quote="말씀", region="서울 강남구"), source="강남구청")
    assert "<i>“말씀”</i>\n\n#서울_강남구 · 강남구청" in no_speaker
    overridden = render_post(FULL, region="충북", source="충청북도")
    assert "#충북 · 충청북도" in overridden and "충남" not in overridden.split("\n")[-2]


def test_untrusted_fields_are_escaped() -> None:
    hostile = Summary(
        url='https://evil.example.com/?q="><b>x</b>&a=<script>',
        title='<script>alert("x")</script> & Co\'s </b>',
        subtitle="a < b && c > d",
        quote='"<i>인용</i>"',
        speaker="</i><a href='javascript:alert(1)'>x</a>",
        lead="&lt; already escaped &amp; stays visible",
        source="<b>출처</b>",
        region="<충남>",
    )
    markup = render_post(hostile)
    text = parsed(markup)
    assert text.text.startswith('<script>alert("x")</script> & Co\'s </b>\na < b && c > d')
    assert "&lt; already escaped &amp; stays visible" in text.text
    assert "“<i>인용</i>” — </i><a href='javascript:alert(1)'>x</a>" in text.text
    assert "#충남 · <b>출처</b>" in text.text
    assert [e.type for e in text.entities] == ["bold", "italic", "text_link"]
    assert text.entities[-1].url == 'https://evil.example.com/?q="><b>x</b>&a=<script>'
    assert "<script>" not in markup and "javascript:alert(1)'>" not in markup


@pytest.mark.parametrize("url", ["javascript:alert(1)", "/relative/path", "ftp://files.go.kr/a", "", "https://"])
def test_only_http_links(url: str) -> None:
    markup = render_post(Summary(url=url, title="제목"))
    assert markup == "<b>제목</b>"
    assert "href" not in render_digest([(Summary(url=url, title="제목"), None)])[0]


def test_nothing_to_show_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="neither a title nor an http"):
        render_post(Summary(url="mailto:a@b.c", title="  "))


def long_summary() -> Summary:
    return Summary(
        url=URL,
        title="긴 보도자료 제목",
        subtitle=sentences("부제", 3),
        quote=sentences("인용", 4),
        speaker="대변인",
        lead=sentences("리드", 6),
        region="경북",
        source="경상북도",
    )


def visible_counts(text: str) -> dict[str, int]:
    return {name: len(re.findall(name + r"\d", text)) for name in ("리드", "인용", "부제")}


def test_trimming_order_lead_then_quote_then_subtitle() -> None:
    summary = long_summary()
    full = parsed(render_post(summary)).text
    assert visible_counts(full) == {"리드": 6, "인용": 4, "부제": 3}
    seen: list[dict[str, int]] = []
    for limit in range(len(full), 40, -9):
        text = parsed(render_post(summary, limit=limit), limit)
        counts = visible_counts(text.text)
        seen.append(counts)
        assert text.text.startswith("긴 보도자료 제목") and text.text.endswith("원문 보기")
        assert kinds(text)[0] == ("bold", "긴 보도자료 제목") and kinds(text)[-1] == ("text_link", "원문 보기")
        if counts["인용"] < 4:
            assert counts["리드"] == 0
        if counts["부제"] < 3:
            assert counts["리드"] == counts["인용"] == 0
            assert "대변인" not in text.text  # the speaker goes with the last quoted sentence
        for name in ("리드", "인용", "부제"):
            assert re.findall(name + r"\d", text.text) == [f"{name}{k}" for k in range(1, counts[name] + 1)]
    assert {"리드": 3, "인용": 4, "부제": 3} in seen and {"리드": 0, "인용": 2, "부제": 3} in seen
    assert seen[-1] == {"리드": 0, "인용": 0, "부제": 0}


def test_caption_limit_and_title_cut() -> None:
    caption = render_post(long_summary(), limit=CAPTION_LIMIT)
    assert telegram_length(caption) <= CAPTION_LIMIT
    parsed(caption, CAPTION_LIMIT)
    huge = Summary(url=URL, title=" ".join(["아주긴제목단어"] * 1000), lead="리드.", region="전남")
    markup = render_post(huge)
    text = parsed(markup)
    title = kinds(text)[0]
    assert title[0] == "bold" and title[1].endswith("아주긴제목단어…") and len(text.text) > TEXT_LIMIT - 30
    assert kinds(text)[-1] == ("text_link", "원문 보기") and "리드" not in text.text


def test_lengths_are_code_points_and_offsets_utf16() -> None:
    emoji = Summary(url=URL, title="😀" * 10, lead="😀" * 5000, quote="👍🏽 좋아요")
    markup = render_post(emoji)
    text = parsed(markup)
    assert len(text.text) <= TEXT_LIMIT and "리드" not in text.text
    link = text.entities[-1]
    assert link.offset == utf16_len(text.text) - utf16_len("원문 보기")
    assert telegram_length("😀") == 1 and utf16_len("😀") == 2
    assert telegram_length("한글") == 2 and utf16_len("한글") == 2
    assert telegram_length("e\u0301") == 2  # a combining accent is its own code point
    for sample in ("&nbsp;&copy;", "&lt&gt;&amp&quot;", "&#54620;&#x44;&#X44;", "<b>a</b> &#0; \n\n", "&x;&#;"):
        assert telegram_length(sample) == len(telegram_parse(sample).text), sample


def test_digest_splits_within_the_limit_and_keeps_every_item() -> None:
    items = [
        (Summary(url=f"https://news.go.kr/{n}", title=f"보도자료 제목 {n} " + "내용" * 20, region="충남"), None)
        for n in range(200)
    ]
    messages = render_digest(items)
    assert len(messages) > 1
    total = 0
    links: list[str] = []
    for number, message in enumerate(messages, start=1):
        text = parsed(message)
        header = re.match(r"보도자료 (\d+)건 \((\d+)/(\d+)\)\n\n", text.text)
        assert header is not None and (int(header[2]), int(header[3])) == (number, len(messages))
        total += int(header[1])
        links += [e.url or "" for e in text.entities if e.type == "text_link"]
        assert text.text.count("#충남") == int(header[1])
    assert total == 200 and links == [f"https://news.go.kr/{n}" for n in range(200)]


def test_digest_single_message_region_override_and_long_titles() -> None:
    one = render_digest([(FULL, "대전"), (Summary(url=URL, title="둘째", region="세종"), None)])
    assert one == [
        "<b>보도자료 2건</b>\n\n"
        f'• <a href="{URL.replace("&", "&amp;")}">충남도, 탄소중립 산업단지 조성</a> #대전\n'
        f'• <a href="{URL.replace("&", "&amp;")}">둘째</a> #세종'
    ]
    assert render_digest([]) == []
    giant = [(Summary(url=URL, title="긴" * 9000), None)] * 3
    pages = render_digest(giant, limit=1024)
    assert len(pages) == 3 and all(parsed(page, 1024).text.endswith("…") for page in pages)
