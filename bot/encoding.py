"""Decode HTML/XML bytes: forced charset, BOM, XML declaration, meta charset, header, detection."""

from __future__ import annotations

import codecs
import re

__all__ = ["decode_html", "normalise_charset"]

# Every Korean label is decoded as CP949: WHATWG maps them to windows-949, and Python's
# euc-kr codec rejects the CP949-only syllables (똠, 샾, 됬) that real pages contain.
_KOREAN_LABELS = frozenset(
    {"euc-kr", "euckr", "euc_kr", "ks_c_5601-1987", "ks_c_5601", "ksc5601", "ksc_5601", "korean",
     "windows-949", "x-windows-949", "cp949", "ms949", "uhc", "csksc56011987", "iso-ir-149", "ks_x_1001"}
)
# Labels pages use for "Latin-1" really mean windows-1252 (WHATWG).
_LATIN_LABELS = frozenset({"iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii", "l1", "iso8859-1"})

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
# <meta charset="x">, and http-equiv Content-Type content="text/html; charset=x" in either attribute order.
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_SNIFF_BYTES = 4096


def normalise_charset(label: str) -> str | None:
    """Python codec name for a charset label (Korean labels -> cp949), or None if unknown."""
    key = label.strip().strip("\"'").lower()
    if not key:
        return None
    if key in _KOREAN_LABELS:
        return "cp949"
    if key in _LATIN_LABELS:
        return "cp1252"
    try:
        name = codecs.lookup(key).name
    except LookupError:
        return None
    if name == "euc_kr":
        return "cp949"
    return "utf-8" if name == "utf-8" else name


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _detect(body: bytes) -> tuple[str, str]:
    text = _strict(body, "utf-8")
    if text is not None:
        return text, "utf-8"
    text = _strict(body, "cp949")
    if text is not None:
        return text, "cp949"
    # Mixed or damaged bytes: keep what reads as UTF-8 if most of it does, else CP949.
    utf8 = body.decode("utf-8", errors="replace")
    cp949 = body.decode("cp949", errors="replace")
    if utf8.count("\ufffd") <= cp949.count("\ufffd"):
        return utf8, "utf-8"
    return cp949, "cp949"


def _declared(body: bytes, content_type: str | None) -> list[str]:
    head = body[:_SNIFF_BYTES]
    labels: list[str] = []
    xml = _XML_DECL.match(head)
    if xml:
        labels.append(xml.group(1).decode("ascii", "replace"))
    meta = _META_CHARSET.search(head)
    if meta:
        labels.append(meta.group(1).decode("ascii", "replace"))
    if content_type:
        header = _HEADER_CHARSET.search(content_type)
        if header:
            labels.append(header.group(1))
    return labels


def decode_html(
    body: bytes, *, content_type: str | None = None, forced: str | None = None
) -> tuple[str, str]:
    """Decode `body` to text and name the codec used; never raises.

    Order: `forced` (admin override) > BOM > XML declaration > meta charset > HTTP header >
    detection (valid UTF-8, else CP949). A declared charset that does not decode cleanly falls
    back to detection; as a last resort undecodable bytes become U+FFFD.
    """
    if forced:
        codec = normalise_charset(forced)
        if codec:
            return body.decode(codec, errors="replace"), codec
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(codec, errors="replace"), codec
    for label in _declared(body, content_type):
        codec = normalise_charset(label)
        if codec is None:
            continue
        if codec.startswith("utf-16"):  # a UTF-16 label on ASCII-compatible bytes is a lie
            continue
        text = _strict(body, codec)
        if text is not None:
            return text, codec
        break  # the first usable declaration is wrong: trust the bytes instead
    return _detect(body)
