"""A light, ordered view of an HTML page: elements with chrome flags, text lines and metadata."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from bot.extract import rules

_WORD_SPLIT = re.compile(r"[\s_\-]+")


def clean(text: str) -> str:
    """Collapse whitespace (NBSP included) and trim. (str.split() splits on exactly the characters
    the regex \\s matches, NBSP among them, at a fraction of a substitution's cost.)"""
    return " ".join(text.split())


@dataclass(slots=True, eq=False)
class El:
    """One element: tag, attributes, children (elements or text), flags computed while walking."""

    tag: str
    attrs: dict[str, str | None]
    """As the parser gives them (a bare attribute is None): read through get()."""
    parent: El | None
    index: int
    chrome: bool
    children: list[El | str] = field(default_factory=list)
    content_role: bool = False
    """Its class names an article part (title, image, excerpt, body) rather than a layout block."""
    byline: bool = False
    """Inside a reporter/author box: chrome for the text, but it may carry the publication date."""
    end: int = 0
    """Preorder index of the last element in this subtree."""
    names: str = ""
    """class and id, lowercased, for hint matching."""
    _raw: str | None = None
    _flat: str | None = None

    def get(self, name: str) -> str:
        return self.attrs.get(name) or ""

    def contains(self, other: El) -> bool:
        return self.index <= other.index <= self.end

    def text(self) -> str:
        """Visible text of the subtree, lines broken at blocks and <br>, whitespace collapsed per line."""
        return "\n".join(line for line in (clean(x) for x in self.raw_text().split("\n")) if line)

    def raw_text(self) -> str:
        if self._raw is None:
            parts: list[str] = []
            block = self.tag in rules.BLOCK_TAGS
            if block:
                parts.append("\n")
            for child in self.children:
                if isinstance(child, str):
                    parts.append(child)
                elif child.tag == "br":
                    parts.append("\n")
                else:
                    parts.append(child.raw_text())
            if block:
                parts.append("\n")
            self._raw = "".join(parts)
        return self._raw

    def flat(self) -> str:
        if self._flat is None:
            self._flat = clean(self.raw_text())
        return self._flat

    def iter(self) -> list[El]:
        out: list[El] = []
        stack: list[El] = [self]
        while stack:
            el = stack.pop()
            out.append(el)
            stack.extend(c for c in reversed(el.children) if isinstance(c, El))
        return out




@dataclass(frozen=True, slots=True)
class _Roles:
    """What a class/id string says about its element (cached: sites repeat the same names)."""

    strong: bool
    """An exact site-header name or a chrome phrase: chrome whatever else it says."""
    by_word: bool
    """A class whose first or last meaningful word is a chrome word."""
    content: bool
    """A non-chrome class whose last meaningful word names an article part ("…-featured-image")."""
    family: frozenset[str]
    """First words of its classes: the component family a page builder prefixes them with."""


@lru_cache(maxsize=8192)
def _roles(names: str) -> _Roles:
    strong = by_word = content = False
    for value in names.split():
        if value in rules.CHROME_EXACT:
            strong = True
        if value.startswith(("no-", "no_", "has-", "is-")):  # "no-share" says the block has NO share bar
            continue
        if value.startswith("__"):  # a framework's mount point (`#__next`, `#__nuxt`) holds the whole app
            continue
        # Only a class's first or last meaningful word names its role ("user-gnb", "ad-template");
        # words in the middle are modifiers ("rd_nav_style2" is an article, not a menu).
        words = [w for w in _WORD_SPLIT.split(value) if w and w not in rules.NEUTRAL_WORDS]
        if words and (words[0] in rules.CHROME_WORDS or words[-1] in rules.CHROME_WORDS):
            by_word = True
        elif words and words[-1] in rules.CONTENT_ROLE_WORDS:
            content = True
    strong = strong or any(phrase in names for phrase in rules.CHROME_PHRASES)
    family = frozenset(_WORD_SPLIT.split(value)[0] for value in names.split())
    return _Roles(strong, by_word, content, family)


def chrome_by_name(names: str, parent: El | None = None) -> bool:
    """Whether class/id names mark a block that is never article content. Page builders put a
    generic class on every block ("elementor-widget") and say its role in another
    ("elementor-widget-theme-post-content", "…-featured-image"): the specific one wins, also over
    the generic inner wrapper that block holds ("elementor-widget-container")."""
    if not names:
        return False
    roles = _roles(names)
    if roles.strong:
        return True
    if not roles.by_word or roles.content:
        return False
    return not (parent is not None and parent.content_role and roles.family & _roles(parent.names).family)


_SENTENCE_END = re.compile(r"[가-힣]다\.(?!\d)")
_HANGUL = re.compile(r"[가-힣]")


def _holds_prose(node: LexborNode, names: str) -> bool:
    """A block named like layout chrome (`user-snb-wrapper`, `elementor-widget-wrap`) that holds
    several finished Korean sentences is the article's own wrapper: menus, sidebars and widgets
    carry labels and headlines, not paragraphs. Blocks whose names say they hold other people's
    text (comments, related articles, reporter boxes, footers) are never rescued."""
    words = set(_WORD_SPLIT.split(names))
    if words & rules.CONTENT_CHROME_WORDS:
        return False
    text = node.text(deep=True)
    if len(text) < rules.RESCUE_MIN_HANGUL:
        return False
    return (len(_SENTENCE_END.findall(text)) >= rules.RESCUE_MIN_SENTENCES
            and len(_HANGUL.findall(text)) >= rules.RESCUE_MIN_HANGUL)


@lru_cache(maxsize=4096)
def _image_chrome(names: str) -> bool:
    """An image whose own class says it is a logo, ad, avatar or icon (not how it is displayed)."""
    if any(value in rules.CHROME_EXACT for value in names.split()):
        return True
    words = set(_WORD_SPLIT.split(names))
    return bool(words & rules.IMAGE_CHROME_WORDS)


def _is_byline(names: str) -> bool:
    return bool(set(_WORD_SPLIT.split(names)) & rules.BYLINE_WORDS)


class Document:
    """Parsed page: element list in document order, meta tags, JSON-LD, page title."""

    def __init__(self, html: str, *, prune: bool = True) -> None:
        tree = LexborHTMLParser(html)
        self.prune = prune
        self._tree = tree
        # Node identity -> element, kept only for admin selectors (an unpruned page, rarely parsed).
        self._by_node: dict[int, El] | None = None if prune else {}
        self.elements: list[El] = []
        self.meta: dict[str, str] = {}
        self.jsonld: list[dict[str, Any]] = []
        self.page_title = ""
        self._page_text: str | None = None
        root_node = tree.root
        self.root = El("#root", {}, None, 0, False)
        self.elements.append(self.root)
        if root_node is not None:
            self._walk(root_node, self.root)
        self.root.end = len(self.elements) - 1

    def _walk(self, node: LexborNode, parent: El) -> None:
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                text = child.text_content
                if text:
                    parent.children.append(text)
                continue
            if tag is None or tag.startswith(("-", "#")):
                continue
            if tag in rules.SKIP_TAGS:
                if tag == "script" and (child.attributes.get("type") or "").endswith("ld+json"):
                    self._jsonld(child.text(deep=True))
                continue
            attrs = child.attributes
            if tag == "meta":
                self._meta(attrs)
                continue
            if tag == "title":
                if not self.page_title:
                    self.page_title = clean(child.text(deep=True))
                continue
            names = f"{attrs.get('class') or ''} {attrs.get('id') or ''}".lower().strip()
            chrome = parent.chrome
            if not chrome and tag in rules.CHROME_TAGS:
                # eGovFrame and ASP.NET wrap the whole article view in one <form> (its list/page
                # buttons post back): a form holding finished sentences is the page, not a widget.
                chrome = not (tag == "form" and _holds_prose(child, names))
            elif not chrome and tag == "img":
                chrome = bool(names) and _image_chrome(names)
            elif not chrome and tag not in ("html", "body") and chrome_by_name(names, parent):
                # (<body class="paging-number layout-aside-right"> describes the page's state, the
                # whole page: never one of its widgets.)
                chrome = not (tag in rules.RESCUE_TAGS and _holds_prose(child, names))
            byline = parent.byline or (chrome and bool(names) and _is_byline(names))
            el = El(tag, attrs, parent, len(self.elements), chrome, names=names, byline=byline,
                    content_role=bool(names) and not chrome and _roles(names).content)
            self.elements.append(el)
            parent.children.append(el)
            if self._by_node is not None:
                self._by_node[child.mem_id] = el
            # Chrome is never article content: not descending saves most of the walk on busy pages.
            # Reporter boxes are walked all the same: many sites print the 입력 time only there.
            if not (chrome and self.prune) or byline:
                self._walk(child, el)
            el.end = len(self.elements) - 1

    def _meta(self, attrs: dict[str, str | None]) -> None:
        key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").lower()
        content = attrs.get("content")
        if key and key not in self.meta and content:
            self.meta[key] = content

    def _jsonld(self, text: str) -> None:
        try:
            data = json.loads(text)
        except ValueError:
            return
        items = data if isinstance(data, list) else [data]
        for item in items:
            if isinstance(item, dict):
                graph = item.get("@graph")
                if isinstance(graph, list):
                    self.jsonld.extend(x for x in graph if isinstance(x, dict))
                else:
                    self.jsonld.append(item)

    def page_text(self) -> str:
        """All the page's text, chrome included (footers carry the issuer's address), for the rare
        question only the whole page answers; computed on first use."""
        if self._page_text is None:
            body = self._tree.body
            self._page_text = clean(body.text(deep=True, separator=" ")) if body is not None else ""
        return self._page_text

    def jsonld_value(self, key: str) -> Any:
        for item in self.jsonld:
            if key in item:
                return item[key]
        return None

    def select(self, selector: str) -> list[El]:
        """Elements matching a CSS selector, with the parser's full selector support (`>`, `+`, `~`,
        `:nth-child`, attribute operators), in document order. Only an unpruned document (built with
        prune=False, as for admin selectors) can answer; raises ValueError for a selector the parser
        rejects."""
        if self._by_node is None:
            raise ValueError("CSS selectors need a document built with prune=False")
        try:
            nodes = self._tree.css(selector)
        except Exception as error:  # selectolax raises its own error type for a selector it cannot parse
            raise ValueError(f"not a valid CSS selector: {selector!r}") from error
        found = [self._by_node[node.mem_id] for node in nodes if node.mem_id in self._by_node]
        return sorted(found, key=lambda el: el.index)

    def first(self, selector: str) -> El | None:
        matches = self.select(selector)
        return matches[0] if matches else None
