"""decode_html: forced charset, BOM, XML declaration, meta charset, header, detection; EUC-KR as CP949."""

from __future__ import annotations

import codecs

from bot.encoding import decode_html, normalise_charset

# 똠 exists only in CP949 (not in KS X 1001 / Python's euc-kr).
CP949_ONLY = "똠방각하 샾 됬"


def test_korean_labels_map_to_cp949() -> None:
    for label in ("EUC-KR", "euc_kr", "ks_c_5601-1987", "x-windows-949", "KSC5601"):
        assert normalise_charset(label) == "cp949"
    assert normalise_charset("UTF8") == "utf-8"
    assert normalise_charset("no-such-charset") is None


def test_euc_kr_meta_page_with_cp949_only_syllable() -> None:
    page = f'<html><head><meta charset="euc-kr"></head><body>{CP949_ONLY}</body></html>'.encode("cp949")
    text, codec = decode_html(page)
    assert codec == "cp949"
    assert CP949_ONLY in text


def test_http_equiv_meta_is_read() -> None:
    page = '<META http-equiv="Content-Type" content="text/html; charset=euc-kr"><p>영암군</p>'.encode("cp949")
    assert decode_html(page) == (
        '<META http-equiv="Content-Type" content="text/html; charset=euc-kr"><p>영암군</p>',
        "cp949",
    )


def test_forced_charset_wins_over_everything() -> None:
    page = '<meta charset="utf-8"><p>제천시</p>'.encode("cp949")
    text, codec = decode_html(page, forced="euc-kr", content_type="text/html; charset=utf-8")
    assert codec == "cp949" and "제천시" in text


def test_bom_beats_meta() -> None:
    page = codecs.BOM_UTF8 + '<meta charset="euc-kr"><p>수성구</p>'.encode()
    text, codec = decode_html(page)
    assert codec == "utf-8" and text.startswith("<meta") and "수성구" in text


def test_xml_declaration() -> None:
    feed = '<?xml version="1.0" encoding="euc-kr"?><rss><title>경남도</title></rss>'.encode("cp949")
    text, codec = decode_html(feed)
    assert codec == "cp949" and "경남도" in text


def test_header_used_when_page_declares_nothing() -> None:
    text, codec = decode_html("<p>부산시</p>".encode("cp949"), content_type="text/html; charset=EUC-KR")
    assert codec == "cp949" and "부산시" in text


def test_wrong_declaration_falls_back_to_detection() -> None:
    page = '<meta charset="euc-kr"><p>광주시교육청 “AI 튜터”</p>'.encode()
    text, codec = decode_html(page)
    assert codec == "utf-8" and "광주시교육청 “AI 튜터”" in text


def test_detection_without_any_label() -> None:
    assert decode_html("<p>울산시</p>".encode("cp949"))[1] == "cp949"
    assert decode_html("<p>울산시</p>".encode())[1] == "utf-8"


def test_broken_bytes_never_raise() -> None:
    text, codec = decode_html(b"<p>\xff\xfe\xfa\x80 ok</p>" + "한글".encode(), forced="no-such-charset")
    assert "ok" in text and codec in ("utf-8", "cp949")
