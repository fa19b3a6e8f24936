"""Telegram's HTML parse mode as TDLib implements it (parse_html, fix_formatted_text), for the Bot API double."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

_SPACES = frozenset(b" \t\r\n\0\v")  # TDLib's is_space; NUL counts, which is how scans stop at the end
_TAGS = frozenset(("a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler", "tg-emoji",
                   "tg-time", "span", "pre", "code", "blockquote"))  # fmt: skip
_NAMED = {b"lt": ord("<"), b"gt": ord(">"), b"amp": ord("&"), b"quot": ord('"')}
_TYPE_PRIORITY = {
    "bold": 90, "italic": 91, "code": 20, "pre": 11, "text_link": 49, "text_mention": 49,
    "underline": 92, "strikethrough": 93, "blockquote": 0, "expandable_blockquote": 0,
    "spoiler": 94, "custom_emoji": 99, "date_time": 50,
}  # fmt: skip
_DATE_FORMAT = re.compile(r"r|w?[dD]?[tT]?")
_HOST_LABEL = re.compile(r"^[a-z0-9\u0080-\U0010ffff]([a-z0-9\u0080-\U0010ffff-]*[a-z0-9\u0080-\U0010ffff])?$")
# Characters TDLib treats as showing nothing: a text made only of these is "empty".
_INVISIBLE = frozenset(" \n\u00a0\u115f\u1160\u200b\u200c\u200d\u200e\u200f\u2060\u2800\u3164\ufeff\uffa0")


class HtmlParseError(ValueError):
    """The TDLib message for markup Telegram refuses, e.g. 'Unclosed start tag at byte offset 3'."""


class EmptyTextError(ValueError):
    """Nothing visible is left after parsing and clean-up."""


@dataclass(slots=True)
class Entity:
    """One MessageEntity, offsets and lengths in UTF-16 code units as the Bot API reports them."""

    type: str
    offset: int
    length: int
    url: str | None = None
    language: str | None = None
    custom_emoji_id: str | None = None
    user_id: int | None = None
    unix_time: int | None = None
    date_time_format: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "offset": self.offset, "length": self.length}
        if self.url is not None:
            out["url"] = self.url
        if self.language is not None:
            out["language"] = self.language
        if self.custom_emoji_id is not None:
            out["custom_emoji_id"] = self.custom_emoji_id
        if self.user_id is not None:
            out["user"] = {"id": self.user_id, "is_bot": False, "first_name": "User"}
        if self.unix_time is not None:
            out["unix_time"] = self.unix_time
        if self.date_time_format is not None:
            out["date_time_format"] = self.date_time_format
        return out


@dataclass(frozen=True, slots=True)
class FormattedText:
    text: str
    entities: tuple[Entity, ...]


def utf16_len(text: str) -> int:
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def check_url(url: str) -> str | None:
    """A simplified LinkManager::check_link: the normalised URL, or None when Telegram drops the link."""
    if not url or any(ch in url for ch in " \t\r\n"):
        return None
    if url.lower().startswith("tg:"):
        rest = url[3:].lstrip("/")
        return f"tg://{rest}" if rest else None
    if "://" not in url:
        url = "http://" + url
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower()
    if "." not in host or not all(_HOST_LABEL.match(label) for label in host.rstrip(".").split(".")):
        return None
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = (userinfo + "@" if userinfo else "") + host + (f":{port}" if port is not None else "")
    out = f"{parts.scheme.lower()}://{netloc}{parts.path or '/'}"
    if parts.query:
        out += "?" + parts.query
    if parts.fragment:
        out += "#" + parts.fragment
    return out


def _link_user_id(url: str) -> int | None:
    match = re.fullmatch(r"tg://user\?id=(\d{1,18})", url.strip(), flags=re.IGNORECASE)
    return int(match.group(1)) if match and int(match.group(1)) > 0 else None


class _Input:
    """The raw bytes with TDLib's C-string view: reading past the end yields NUL."""

    def __init__(self, text: str) -> None:
        self.data = text.encode("utf-8", "surrogatepass")

    def at(self, i: int) -> int:
        return self.data[i] if i < len(self.data) else 0


def _decode_entity(src: _Input, pos: int) -> tuple[int, int] | None:
    """TDLib's decode_html_entity: (code point, position after it) or None when the '&' stays literal."""
    end = pos + 1
    value = 0
    if src.at(pos + 1) == ord("#"):
        end += 1
        if src.at(pos + 2) == ord("x"):
            end += 1
            while chr(src.at(end)) in "0123456789abcdefABCDEF" and src.at(end):
                value = value * 16 + int(chr(src.at(end)), 16)
                end += 1
        else:
            while ord("0") <= src.at(end) <= ord("9"):
                value = value * 10 + src.at(end) - ord("0")
                end += 1
        if value == 0 or value >= 0x10FFFF or end - pos >= 10:
            return None
    else:
        while chr(src.at(end)).isascii() and chr(src.at(end)).isalpha():
            end += 1
        named = _NAMED.get(src.data[pos + 1 : end])
        if named is None:
            return None
        value = named
    return value, end + 1 if src.at(end) == ord(";") else end


@dataclass(slots=True)
class _Open:
    tag: str
    argument: str
    unix_time: int
    offset: int
    begin: int


def parse_html(text: str) -> FormattedText:
    """TDLib's parse_html: the text with tags removed and entities decoded, and the entities found."""
    src = _Input(text)
    out = bytearray()
    entities: list[Entity] = []
    code_language: dict[int, str] = {}  # id(entity) of a code entity -> language a <pre> may claim
    stack: list[_Open] = []
    utf16 = 0
    bad_surrogate = False
    i = 0
    n = len(src.data)
    while i < n:
        c = src.at(i)
        if c == ord("&"):
            decoded = _decode_entity(src, i)
            if decoded is not None:
                code_point, i = decoded
                bad_surrogate |= 0xD800 <= code_point <= 0xDFFF
                utf16 += 2 if code_point > 0xFFFF else 1
                out += chr(code_point).encode("utf-8", "surrogatepass")
                continue
        if c != ord("<"):
            if c & 0xC0 != 0x80:  # first byte of a UTF-8 character
                utf16 += 2 if c >= 0xF0 else 1
            out.append(c)
            i += 1
            continue
        begin = i
        i += 1
        if src.at(i) != ord("/"):
            i = _start_tag(src, i, begin, stack, utf16, len(out))
            continue
        if not stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {begin}")
        while src.at(i) not in _SPACES and src.at(i) != ord(">"):
            i += 1
        end_name = src.data[begin + 2 : i].decode("utf-8", "replace").lower()
        while src.at(i) in _SPACES and src.at(i) != 0:
            i += 1
        if src.at(i) != ord(">"):
            raise HtmlParseError(f"Unclosed end tag at byte offset {begin}")
        top = stack[-1]
        if end_name and end_name != top.tag:
            raise HtmlParseError(
                f'Unmatched end tag at byte offset {begin}, expected "</{top.tag}>", found "</{end_name}>"'
            )
        if utf16 > top.offset:
            _close(top, utf16 - top.offset, entities, code_language, bytes(out))
        stack.pop()
        i += 1
    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    if bad_surrogate:
        raise HtmlParseError(
            "Text contains invalid Unicode characters after decoding HTML entities, "
            "check for unmatched surrogate code units"
        )
    entities.sort(key=lambda e: (e.offset, -e.length, _TYPE_PRIORITY.get(e.type, 50)))
    return FormattedText(out.decode("utf-8"), tuple(entities))


def _start_tag(src: _Input, i: int, begin: int, stack: list[_Open], utf16: int, out_size: int) -> int:
    """Reads a start tag from just after '<'; returns the position after its '>'."""
    while src.at(i) not in _SPACES and src.at(i) != ord(">"):
        i += 1
    if src.at(i) == 0:
        raise HtmlParseError(f"Unclosed start tag at byte offset {begin}")
    tag = src.data[begin + 1 : i].decode("utf-8", "replace").lower()
    if tag not in _TAGS:
        raise HtmlParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')
    argument = ""
    unix_time = 0
    while src.at(i) != ord(">"):
        while src.at(i) != 0 and src.at(i) in _SPACES:
            i += 1
        if src.at(i) == ord(">"):
            break
        name_begin = i
        while src.at(i) not in _SPACES and src.at(i) not in b"=>/\"'":
            i += 1
        name = src.data[name_begin:i].decode("utf-8", "replace")
        if not name:
            raise HtmlParseError(f'Empty attribute name in the tag "{tag}" at byte offset {begin}')
        while src.at(i) != 0 and src.at(i) in _SPACES:
            i += 1
        if src.at(i) != ord("="):
            if src.at(i) == 0:
                raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
            if tag == "blockquote" and name == "expandable":
                argument = "1"
            continue
        i += 1
        while src.at(i) != 0 and src.at(i) in _SPACES:
            i += 1
        if src.at(i) == 0:
            raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
        value, i = _attribute_value(src, i)
        if src.at(i) == 0:
            raise HtmlParseError(f"Unclosed start tag at byte offset {begin}")
        if tag == "tg-time" and name == "unix":
            match = re.match(r"-?\d+", value)
            unix_time = int(match.group()) if match else 0
        argument = _argument(tag, name, value, argument)
    if tag == "span" and argument != "spoiler":
        raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
    stack.append(_Open(tag, argument, unix_time, utf16, out_size))
    return i + 1


def _attribute_value(src: _Input, i: int) -> tuple[str, int]:
    quote = src.at(i)
    if quote not in (ord("'"), ord('"')):
        # An HTML 2 name token: letters, digits, periods and hyphens, case-insensitive.
        start = i
        while chr(src.at(i)).isascii() and (chr(src.at(i)).isalnum() or src.at(i) in b".-") and src.at(i):
            i += 1
        if src.at(i) not in _SPACES and src.at(i) != ord(">"):
            raise HtmlParseError(f"Unexpected end of name token at byte offset {start}")
        return src.data[start:i].decode("ascii").lower(), i
    i += 1
    value = bytearray()
    while src.at(i) != quote and src.at(i) != 0:
        if src.at(i) == ord("&"):
            decoded = _decode_entity(src, i)
            if decoded is not None:
                value += chr(decoded[0]).encode("utf-8", "surrogatepass")
                i = decoded[1]
                continue
        value.append(src.at(i))
        i += 1
    if src.at(i) == quote:
        i += 1
    return value.decode("utf-8", "replace"), i


def _argument(tag: str, name: str, value: str, current: str) -> str:
    if tag == "a" and name == "href":
        return value
    if tag == "code" and name == "class" and value.startswith("language-"):
        return value[len("language-") :]
    if tag == "span" and name == "class" and value.startswith("tg-"):
        return value[len("tg-") :]
    if (tag == "tg-emoji" and name == "emoji-id") or (tag == "tg-time" and name == "format"):
        return value
    if tag == "blockquote" and name == "expandable":
        return "1"
    return current


def _close(top: _Open, length: int, entities: list[Entity], langs: dict[int, str], out: bytes) -> None:
    simple = {"i": "italic", "em": "italic", "b": "bold", "strong": "bold", "s": "strikethrough",
              "strike": "strikethrough", "del": "strikethrough", "u": "underline", "ins": "underline",
              "tg-spoiler": "spoiler", "span": "spoiler"}  # fmt: skip
    offset = top.offset
    prev = entities[-1] if entities else None
    same_span = prev is not None and prev.offset == offset and prev.length == length
    if top.tag in simple:
        entities.append(Entity(simple[top.tag], offset, length))
    elif top.tag == "blockquote":
        entities.append(Entity("expandable_blockquote" if top.argument else "blockquote", offset, length))
    elif top.tag == "tg-emoji":
        if not re.fullmatch(r"-?\d{1,19}", top.argument) or int(top.argument) == 0:
            raise HtmlParseError("Invalid custom emoji identifier specified")
        entities.append(Entity("custom_emoji", offset, length, custom_emoji_id=top.argument))
    elif top.tag == "tg-time":
        if not _DATE_FORMAT.fullmatch(top.argument):
            raise HtmlParseError("Invalid date format used")
        if top.unix_time > 0:
            entities.append(Entity("date_time", offset, length, unix_time=top.unix_time,
                                   date_time_format=top.argument or None))  # fmt: skip
    elif top.tag == "a":
        url = top.argument or out[top.begin :].decode("utf-8", "replace")
        user_id = _link_user_id(url)
        checked = check_url(url)
        if user_id is not None:
            entities.append(Entity("text_mention", offset, length, user_id=user_id))
        elif checked is not None:
            entities.append(Entity("text_link", offset, length, url=checked))
    elif top.tag == "pre":
        if same_span and prev is not None and prev.type == "code" and langs.get(id(prev)):
            prev.type, prev.language = "pre", langs[id(prev)]
        else:
            entities.append(Entity("pre", offset, length))
    elif top.tag == "code":
        if same_span and prev is not None and prev.type == "pre" and prev.language is None and top.argument:
            prev.language = top.argument
        else:
            entity = Entity("code", offset, length)
            langs[id(entity)] = top.argument
            entities.append(entity)


def fix_formatted_text(parsed: FormattedText, *, allow_empty: bool = False) -> FormattedText:
    """TDLib's clean-up after parsing: drop \\r, controls to spaces, trim; raises when nothing visible is left."""
    chars: list[str] = []
    old_to_new = [0] * (utf16_len(parsed.text) + 1)
    old = new = 0
    for ch in parsed.text:
        code = ord(ch)
        repl = "" if ch == "\r" or 0x2028 <= code <= 0x202E else (" " if code < 0x20 and ch != "\n" else ch)
        width = 2 if code > 0xFFFF else 1
        for k in range(width):
            old_to_new[old + k] = new
        old += width
        new += utf16_len(repl)
        chars.append(repl)
    old_to_new[old] = new
    text = "".join(chars)
    moved = [(e, old_to_new[e.offset], old_to_new[e.offset + e.length]) for e in parsed.entities]
    stripped_end = len(text.rstrip(" \n"))
    end = utf16_len(text[:stripped_end])
    first_entity = min((start for _, start, stop in moved if stop > start), default=end)
    start_idx = 0
    start = 0
    while start_idx < stripped_end and text[start_idx] in " \n" and start < first_entity:
        start_idx += 1
        start += 1
    result = text[start_idx:stripped_end]
    kept: list[Entity] = []
    for entity, lo, hi in moved:
        lo, hi = min(max(lo, start), end) - start, min(max(hi, start), end) - start
        if hi > lo:
            kept.append(replace(entity, offset=lo, length=hi - lo))
    if not allow_empty and all(ch in _INVISIBLE for ch in result):
        raise EmptyTextError("Text must be non-empty")
    return FormattedText(result, tuple(kept))


def length_in_code_points(text: str) -> int:
    """What TDLib's utf8_length counts for the 4096/1024 limits: code points, not UTF-16 units."""
    return len(text)
