"""The body as visual lines: text broken at blocks and <br>, with how each is set (bold, centred), images as lines."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.extract import rules
from bot.extract.document import El, clean

_CENTRED = re.compile(r"text-align\s*:\s*center", re.I)


@dataclass(slots=True, eq=False)
class Line:
    """A visual line of the body: its text and how it is set (bold, centred), or an image."""

    text: str
    block: El
    bold: bool = False
    centred: bool = False
    image: El | None = None
    caption: bool = False
    """Set under a photo as its caption (unmarked: told by its place and setting, see image.py)."""


def lines_of(container: El, *, skip: tuple[El, ...] = (), keep_chrome: bool = False) -> list[Line]:
    """The container's text as visual lines, chrome and `skip` subtrees left out, images as lines."""
    out: list[Line] = []
    buf: list[tuple[str, bool]] = []
    state = {"block": container}

    def flush(block: El, centred: bool) -> None:
        text = clean("".join(t for t, _ in buf))
        if text:
            bold_chars = sum(len(t.strip()) for t, b in buf if b)
            total = sum(len(t.strip()) for t, _ in buf)
            out.append(Line(text, block, bold=total > 0 and bold_chars >= total, centred=centred))
        buf.clear()

    def walk(el: El, bold: bool, centred: bool) -> None:
        for child in el.children:
            if isinstance(child, str):
                buf.append((child, bold))
                continue
            if (child.chrome and not keep_chrome) or child in skip:
                continue
            tag = child.tag
            if tag == "br":
                flush(state["block"], centred)
                continue
            if tag == "img":
                flush(state["block"], centred)
                out.append(Line("", child, image=child, centred=centred))
                continue
            child_centred = centred or bool(_CENTRED.search(child.get("style"))) or (
                child.get("align").lower() == "center") or tag == "center"
            if tag in rules.BLOCK_TAGS:
                flush(state["block"], centred)
                previous = state["block"]
                state["block"] = child
                walk(child, bold or tag in rules.BOLD_TAGS, child_centred)
                flush(child, child_centred)
                state["block"] = previous
            else:
                walk(child, bold or tag in rules.BOLD_TAGS, child_centred)

    walk(container, False, False)
    flush(container, False)
    return out
