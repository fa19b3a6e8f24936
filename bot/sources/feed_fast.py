"""A fast lxml reader for well-formed, plain RSS 2.0 / RDF / Atom 1.0, giving feedparser-shaped items.

feedparser costs ~35 ms per 100 KB feed on the target machine, most of it per-element Python
work; lxml reads the same in a few ms. Anything unusual (not well-formed, undefined entities,
markup nested inside text elements, other formats) returns None and goes to feedparser, whose
recovery this reader does not try to copy. tests/test_feed_parse.py checks both readers agree.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from feedparser.mixin import _FeedParserMixin

try:  # lxml is optional: without it every feed goes through feedparser, just slower
    from lxml import etree  # type: ignore[import-untyped, unused-ignore]
except ImportError:  # pragma: no cover
    etree = None

__all__ = ["read_fast"]

_RSS1 = "http://purl.org/rss/1.0/"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_ATOM = "http://www.w3.org/2005/Atom"
_DC = "http://purl.org/dc/elements/1.1/"
_DCTERMS = "http://purl.org/dc/terms/"
_CONTENT = "http://purl.org/rss/1.0/modules/content/"

# RSS item fields by (namespace, name) -> feedparser key. The last author-ish element wins, as there.
_RSS_FIELDS = {
    ("", "title"): "title", ("", "link"): "link", ("", "guid"): "id", ("", "description"): "summary",
    ("", "pubDate"): "published", ("", "author"): "author", ("", "category"): "tag",
    (_DC, "date"): "updated", (_DC, "creator"): "author", (_DC, "author"): "author", (_DC, "subject"): "tag",
    (_DC, "title"): "title", (_DC, "description"): "summary",
    (_DCTERMS, "issued"): "published", (_DCTERMS, "modified"): "updated", (_DCTERMS, "created"): "created",
    (_CONTENT, "encoded"): "content",
}
_ATOM_TYPES = {"text": "text/plain", "html": "text/html"}
_C1 = re.compile("[\x80-\x9f]")
_CP1252 = {c: bytes([c]).decode("cp1252", errors="ignore") or chr(c) for c in range(0x80, 0xA0)}
_PARSER = (
    etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    if etree is not None else None
)


class _Unusual(Exception):
    """Something this reader does not handle the way feedparser would: use feedparser."""


def _text(el: Any) -> str:
    if len(el):
        raise _Unusual(f"markup inside <{el.tag}>")
    value = (el.text or "").strip()
    return _C1.sub(lambda m: _CP1252[ord(m.group())], value) if _C1.search(value) else value


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


def _rss_item(node: Any, default_ns: str) -> dict[str, Any]:
    item: dict[str, Any] = {"tags": []}
    for child in node:
        if not isinstance(child.tag, str):
            continue  # comments, processing instructions
        ns, name = _split(child.tag)
        key = _RSS_FIELDS.get(("" if ns == default_ns else ns, name))
        if key is None:
            continue
        value = _text(child)
        if key == "tag":
            if value:
                item["tags"].append({"term": value})
        elif key == "content":
            item.setdefault("content", []).append({"value": value, "type": "text/html"})
        elif key == "id":
            item["id"] = value
            item["_permalink"] = child.get("isPermaLink", "true").lower() != "false"
        elif key == "title":
            kind = "text/html" if _FeedParserMixin.looks_like_html(value) else "text/plain"
            item.update(title=value, title_detail={"type": kind})
        elif key == "summary":
            item.update(summary=value, summary_detail={"type": "text/html"})
        else:
            item[key] = value
    about = node.get(f"{{{_RDF}}}about")
    if about and "id" not in item:  # an RDF item's identity, as feedparser reads it
        item["id"] = about.strip()
    if not item.get("link") and item.get("id") and item.pop("_permalink", False):
        item["link"] = item["id"]
    item.pop("_permalink", None)
    return item


def _atom_text(el: Any) -> tuple[str, str]:
    kind = el.get("type", "text")
    if kind not in _ATOM_TYPES:
        raise _Unusual(f"Atom {kind} content")
    return _text(el), _ATOM_TYPES[kind]


def _atom_entry(node: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"tags": []}
    for child in node:
        if not isinstance(child.tag, str):
            continue
        ns, name = _split(child.tag)
        if ns != _ATOM:
            continue
        if name == "title":
            value, kind = _atom_text(child)
            item.update(title=value, title_detail={"type": kind})
        elif name == "link" and "link" not in item and child.get("rel", "alternate") == "alternate":
            item["link"] = (child.get("href") or "").strip()
        elif name in ("id", "published", "updated"):
            item[name] = _text(child)
        elif name == "summary":
            value, kind = _atom_text(child)
            item.update(summary=value, summary_detail={"type": kind})
        elif name == "content":
            if child.get("src"):
                raise _Unusual("out-of-line Atom content")
            value, kind = _atom_text(child)
            item.setdefault("content", []).append({"value": value, "type": kind})
        elif name == "author":
            found = {_split(c.tag)[1]: _text(c) for c in child if isinstance(c.tag, str)}
            person, email = found.get("name"), found.get("email")
            item["author"] = f"{person} ({email})" if person and email else person or email
        elif name == "category" and child.get("term"):
            item["tags"].append({"term": child.get("term").strip()})
    return item


def _channel(node: Any, ns: str) -> dict[str, Any]:
    channel: dict[str, Any] = {}
    for child in node:
        if not isinstance(child.tag, str):
            continue
        child_ns, name = _split(child.tag)
        if child_ns == ns and name in ("title", "link", "ttl") and name not in channel:
            channel[name] = _text(child)
    if "title" in channel:
        kind = "text/html" if _FeedParserMixin.looks_like_html(channel["title"]) else "text/plain"
        channel["title_detail"] = {"type": kind}
    return channel


def _atom_feed(root: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    channel: dict[str, Any] = {}
    entries = []
    for child in root:
        if not isinstance(child.tag, str):
            continue
        ns, name = _split(child.tag)
        if ns != _ATOM:
            continue
        if name == "entry":
            entries.append(_atom_entry(child))
        elif name == "title" and "title" not in channel:
            channel["title"], kind = _atom_text(child)
            channel["title_detail"] = {"type": kind}
        elif name == "link" and "link" not in channel and child.get("rel", "alternate") == "alternate":
            channel["link"] = (child.get("href") or "").strip()
    return channel, entries


def _known_item(node: Any, default_ns: str, known: Collection[str]) -> dict[str, Any] | None:
    """Just the guid of an item the caller already knows: reading all of it is most of a parse."""
    guid = node.findtext(f"{{{default_ns}}}guid" if default_ns else "guid")
    guid = (guid or "").strip()
    return {"id": guid, "tags": []} if guid and guid in known else None


def read_fast(data: bytes, known: Collection[str] = ()) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """(channel, items) shaped like feedparser's `feed` and `entries`, or None to use feedparser.

    `data` must already be safe: UTF-8 with no DOCTYPE (see feed._safe_text). Items whose guid
    is in `known` come back as `{"id": guid}` only.
    """
    if etree is None:
        return None
    try:
        root = etree.fromstring(data, _PARSER)
        ns, name = _split(root.tag)
        if (ns, name) == ("", "rss"):
            channel_node = root.find("channel")
            if channel_node is None:
                return None
            items = [_known_item(i, "", known) or _rss_item(i, "") for i in channel_node.iterfind("item")]
            return _channel(channel_node, ""), items
        if (ns, name) == (_RDF, "RDF"):
            channel_node = root.find(f"{{{_RSS1}}}channel")
            items = [_rss_item(i, _RSS1) for i in root.iterfind(f"{{{_RSS1}}}item")]
            return (_channel(channel_node, _RSS1) if channel_node is not None else {}), items
        if (ns, name) == (_ATOM, "feed"):
            return _atom_feed(root)
    except (etree.XMLSyntaxError, _Unusual, ValueError):
        return None
    return None
