"""Telegram HTML helpers: escaping, safe links, and lengths measured the way Telegram measures them."""

from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import urlsplit

RAW_LIMIT_BYTES = 1 << 15
"""Telegram refuses a raw text/caption over 32768 bytes before it even parses it."""

_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SENTENCE_END = re.compile(r"(?<=[.!?。！？…])[\"'”’)\]]*\s+")
_HASHTAG_JUNK = re.compile(r"[^\w]+")
_DECIMAL = re.compile(r"[0-9]*")
_HEX = re.compile(r"[0-9a-fA-F]*")
_NAME = re.compile(r"[A-Za-z]*")


def escape(text: str) -> str:
    """Escape untrusted text for Telegram HTML (text and attribute values alike)."""
    return html.escape(text, quote=True)


def clean_field(text: str | None) -> str:
    """One line of display text: controls and runs of whitespace collapse to one space."""
    if not text:
        return ""
    chars = (" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in text)
    return " ".join("".join(chars).split())


def safe_url(url: str | None) -> str | None:
    """The URL if it is an absolute http(s) URL with a host, else None (never a javascript: or relative link)."""
    if not url:
        return None
    url = url.strip()
    if any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def hashtag(text: str | None) -> str | None:
    """'#충남' from '충남' ('충청 남도' -> '#충청_남도'); None when nothing usable is left."""
    word = _HASHTAG_JUNK.sub("_", clean_field(text)).strip("_")
    return f"#{word}" if word else None


def split_sentences(text: str) -> list[str]:
    """Sentences of one field, each keeping its end mark ('다.' '?' '…' and closing quotes)."""
    return [part for part in _SENTENCE_END.split(text.strip()) if part]


def cut_at_word(text: str, budget: int, ellipsis: str = "…") -> str:
    """At most `budget` code points, cut at a word boundary when one is near, ending with the ellipsis."""
    if len(text) <= budget:
        return text
    room = budget - len(ellipsis)
    if room <= 0:
        return ellipsis[: max(budget, 0)]
    cut = text[:room]
    space = cut.rfind(" ")
    if space >= room // 2:
        cut = cut[:space]
    return cut.rstrip(" ,·-") + ellipsis


def telegram_length(markup: str) -> int:
    """Code points of the text Telegram keeps after parsing `markup` in HTML mode.

    Tags are removed; &lt; &gt; &amp; &quot; (';' optional) and numeric references are decoded;
    other '&name;' stay literally; \\r is dropped and trailing spaces/newlines are trimmed, as
    TDLib does. Meant for markup this package writes (it does not validate).
    """
    return len(telegram_text(markup))


def telegram_text(markup: str) -> str:
    """The visible text of Telegram HTML (see telegram_length)."""
    out: list[str] = []
    i, n = 0, len(markup)
    while i < n:
        ch = markup[i]
        if ch == "<":
            i = _skip_tag(markup, i + 1)
            continue
        if ch == "&":
            decoded, end = _decode_reference(markup, i)
            if decoded is not None:
                out.append(decoded)
                i = end
                continue
        if ch != "\r":
            out.append(ch)
        i += 1
    return "".join(out).rstrip(" \n")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram entity offsets and lengths."""
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def _skip_tag(markup: str, i: int) -> int:
    quote = ""
    while i < len(markup):
        ch = markup[i]
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch == ">":
            return i + 1
        i += 1
    return i


def _decode_reference(markup: str, i: int) -> tuple[str | None, int]:
    """TDLib's decode_html_entity on a str: (character, end) or (None, i) when '&' stays literal."""
    if markup.startswith("&#", i):
        hexadecimal = markup.startswith("&#x", i)
        digits_match = (_HEX if hexadecimal else _DECIMAL).match(markup, i + (3 if hexadecimal else 2))
        digits = digits_match.group() if digits_match else ""
        end = digits_match.end() if digits_match else i + 2
        value = int(digits, 16 if hexadecimal else 10) if digits else 0
        if value == 0 or value >= 0x10FFFF or end - i >= 10 or 0xD800 <= value <= 0xDFFF:
            return None, i
        return chr(value), end + 1 if markup.startswith(";", end) else end
    name_match = _NAME.match(markup, i + 1)
    named = _NAMED.get(name_match.group()) if name_match else None
    if named is None or name_match is None:
        return None, i
    end = name_match.end()
    return named, end + 1 if markup.startswith(";", end) else end
