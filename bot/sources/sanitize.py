"""Make untrusted feed HTML inert (no scripts, handlers or script URLs) and reduce HTML to text."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

__all__ = ["clean_html", "strip_tags"]

# Elements that run code, load other documents or restyle the page: removed with their content.
_DROP = (
    "script, style, iframe, frame, frameset, object, embed, applet, noscript, template, "
    "link, meta, base, form, input, button, textarea, select, svg, math, portal"
)
_URL_ATTRS = frozenset(
    {"href", "src", "srcset", "action", "formaction", "xlink:href", "poster", "background",
     "data", "codebase", "cite", "longdesc", "lowsrc", "dynsrc", "ping", "manifest"}
)
# Browsers ignore ASCII whitespace and control characters inside a scheme (`java\tscript:`).
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20]+")
_BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:", "mocha:")
_BAD_STYLE = re.compile(r"expression\s*\(|javascript:|vbscript:|url\s*\(|@import|behavior\s*:", re.I)

_BLOCK = frozenset(
    {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "dl", "dt",
     "dd", "blockquote", "pre", "section", "article", "header", "footer", "figure", "figcaption", "hr",
     "address", "aside", "nav", "main", "caption", "td", "th"}
)
_SPACES = re.compile(r"[ \t\r\f\v\xa0\u3000]+")


def _bad_url(value: str) -> bool:
    squashed = _IGNORED_IN_SCHEME.sub("", value).lower()
    return squashed.startswith(_BAD_SCHEMES)


def _clean_attributes(node: LexborNode) -> None:
    attrs = node.attrs
    for name in list(attrs.keys()):
        key = name.lower()
        value = attrs[name] or ""
        if (
            key.startswith("on")
            or (key in _URL_ATTRS and _bad_url(value))
            or (key == "style" and _BAD_STYLE.search(value))
            or (key.startswith("data-") and _bad_url(value) and not value.lstrip().startswith("data:image/"))
        ):
            del attrs[name]


def _body(html: str) -> tuple[LexborHTMLParser, LexborNode | None]:
    tree = LexborHTMLParser(html)
    return tree, tree.body


def clean_html(html: str) -> str:
    """`html` with script-capable parts removed: script/style/iframe/object/form elements,
    comments, `on*` handlers, `javascript:`/`vbscript:`/`data:` URLs, and CSS expressions.

    Ordinary markup (p, br, a, img, b, table, ...) is kept as written.
    """
    if not html or "<" not in html:
        return html
    _tree, body = _body(html)
    if body is None:
        return ""
    for node in body.css(_DROP):
        node.decompose()
    for node in list(body.traverse(include_text=True)):
        if node.is_comment_node:
            node.decompose()
        elif node.is_element_node:
            _clean_attributes(node)
    return body.inner_html or ""


def strip_tags(html: str) -> str:
    """Plain text of `html`: block elements and `<br>` become line breaks, runs of spaces
    collapse to one, blank lines are dropped, entities are decoded; script and style content is dropped."""
    if not html:
        return ""
    if "<" not in html and "&" not in html:
        text = html
    else:
        _tree, body = _body(html)
        if body is None:
            return ""
        for node in body.css("script, style, noscript, template"):
            node.decompose()
        for node in [n for n in body.traverse() if n.tag in _BLOCK]:
            node.insert_before("\n")
            if node.tag != "br":
                node.insert_after("\n")
        text = body.text(deep=True)
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
