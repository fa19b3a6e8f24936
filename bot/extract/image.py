"""The article's own first photo (never logos, ads, avatars or thumbnails) and its caption."""

from __future__ import annotations

from urllib.parse import urljoin

from bot.extract import rules
from bot.extract.document import El, clean
from bot.extract.lead import caption_named as _caption_named
from bot.extract.lead import is_caption_line, photo_box
from bot.extract.lines import Line

_MIN_SIDE = 80
_CAPTION_MAX = 400
_PARAGRAPH_TAGS = frozenset({"p", "div", "li", "table", "td", "section", "article"})
_TABLE_PARTS = frozenset({"tbody", "thead", "tr", "td", "th"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


def image_src(img: El) -> str | None:
    """The displayed URL: a lazy-load attribute when `src` is a data: placeholder or missing."""
    for attr in rules.IMAGE_SRC_ATTRS:
        value = img.get(attr).strip()
        if value and not value.startswith(("data:", "javascript:", "about:")):
            return value
    return None


def _too_small(img: El) -> bool:
    for attr in ("width", "height"):
        value = img.get(attr).strip().rstrip("px")
        if value.isdigit() and int(value) < _MIN_SIDE:
            return True
    return False


def is_photo(img: El) -> bool:
    src = image_src(img)
    if src is None or img.chrome or _too_small(img):
        return False
    return not rules.NON_PHOTO_SRC.search(src.split("?")[0])


def first_photo(elements: list[El], start: int, container: El | None) -> El | None:
    """The first editorial image from the headline (index `start`) to the end of the body."""
    end = container.end if container is not None else len(elements) - 1
    for el in elements[start: end + 1]:
        if el.tag == "img" and is_photo(el):
            return el
    return None


def hero_before(title_el: El, container: El | None) -> El | None:
    """A lead photo set above the headline in the same header block (`<div class="top"><figure>…
    </figure><h1>…`). Only a figure or a photo's own box counts there: a header block may also
    hold a masthead logo or a banner before the headline."""
    header = title_el.parent
    for _ in range(2):
        if header is None or header.chrome or header.tag in ("body", "#root"):
            return None
        parent = header.parent
        if container is None or parent is None or parent.contains(container) or header.contains(container):
            break
        header = parent
    if header is None or (container is not None and header.contains(container)):
        return None
    if container is not None and header.parent is not None and header.parent.contains(container):
        # The featured photo's box set right before the headline block, beside the text in the same
        # frame (`<div class="featured-image"><img></div><div id="view_top"><h1>…</div><div
        # class="entry-content">`), or right before the frame that holds headline and text.
        featured = _featured_before(header) or _featured_before(header.parent)
        if featured is not None:
            return featured
    for el in header.iter():
        if el.index >= title_el.index:
            break
        if el.tag == "img" and is_photo(el) and (_in_figure(el, header) or photo_box(el, header) is not None):
            return el
    return None


def _featured_before(frame: El) -> El | None:
    """A featured photo set just before the block that holds both the headline and the text, inside
    the same article (WordPress themes: `<article><div class="featured-image"><img></div>
    <div class="inside-article"><h1>…`): the box right before that block, a figure or a photo's own
    box with that one photo and no text of its own."""
    parent = frame.parent
    if parent is None or parent.chrome or parent.tag in ("body", "#root"):
        return None
    previous: El | None = None
    for child in parent.children:
        if child is frame:
            break
        if isinstance(child, El):
            previous = child
        elif child.strip():
            previous = None
    if previous is None or previous.chrome or previous.flat():
        return None
    images = [el for el in previous.iter() if el.tag == "img"]
    if len(images) != 1 or not is_photo(images[0]):
        return None
    img = images[0]
    if previous.tag == "figure" or _in_figure(img, previous) or photo_box(img, parent) is not None:
        return img
    return None


def _in_figure(img: El, stop: El) -> bool:
    node = img.parent
    while node is not None and node is not stop:
        if node.tag == "figure":
            return True
        node = node.parent
    return False


def resolve(url: str, src: str) -> str:
    return urljoin(url, src.strip())


def clean_caption(text: str) -> str | None:
    text = clean(text)
    previous = None
    while previous != text:
        previous = text
        text = rules.CAPTION_MARKER.sub("", text).strip()
        enclosed = rules.ENCLOSED.match(text)
        if enclosed:
            text = enclosed.group("text").strip()
    return text or None


def caption_near(img: El, container: El | None) -> str | None:
    """figcaption / caption-classed element within the photo's own wrapper (up to four levels up)."""
    node = img.parent
    for _ in range(4):
        if node is None or node is container or node.tag in ("body", "#root"):
            return None
        members = node.iter()
        others: list[int] | None = None
        for el in members:
            if el is img or el.chrome:
                continue
            if el.tag == "figcaption" or (el.tag != "img" and _caption_named(el.names)):
                if others is None:
                    others = [x.index for x in members if x.tag == "img" and x is not img and is_photo(x)]
                if _owned_by_other(img, el, others):
                    continue
                text = el.flat()
                if text and len(text) <= _CAPTION_MAX:
                    return clean_caption(text)
        text = node.flat()
        if len(text) > _CAPTION_MAX:
            return None
        if text and photo_box(node, container) is node:
            return clean_caption(text)  # `<div class="photo"><img><p>…있다.</p></div>`
        if text and _only_photo(node, img) and not rules.SENTENCE_END.search(text):
            return clean_caption(text)  # `<div><img><br><em>캡션</em></div>`: the photo's own box
        if text and (found := _photo_then_caption(node, img)) is not None:
            return found
        node = node.parent
    return None


def _photo_then_caption(node: El, img: El) -> str | None:
    """A wrapper that holds just the photo's own (textless) box and one text block right under it
    (`<div class="thumCont"><div class="thumBox"><img></div><p class="summury">…</p></div>`): that
    block is the photo's caption. A heading, a link (a thumbnail's headline) or a deck line is not."""
    if any(isinstance(c, str) and c.strip() for c in node.children):
        return None
    parts = [c for c in node.children if isinstance(c, El)]
    if len(parts) != 2 or not parts[0].contains(img) or parts[0].flat():
        return None
    under = parts[1]
    if under.chrome or under.tag in _HEADINGS or any(el.tag in ("img", "a") for el in under.iter()):
        return None
    text = under.flat()
    if not text or text[:1] in rules.DECK_OPENERS or (rules.SENTENCE_END.search(text) and not _cued(text)):
        return None
    return clean_caption(text)


def _cued(text: str) -> bool:
    """Text only a caption writes: a closing photo credit, or who stands where in the picture."""
    return bool(rules.PHOTO_CREDIT.search(text) or rules.PHOTO_POSITION.search(text))


def _owned_by_other(img: El, caption: El, others: list[int]) -> bool:
    """A caption belongs to the photo it is set with: another photo between it and ours (a later
    body photo's figcaption, seen from a featured image high above) owns it. A figure's own
    figcaption covers all the photos in that figure."""
    figure = caption.parent
    while figure is not None and figure.tag != "figure":
        figure = figure.parent
    if figure is not None and figure.contains(img):
        return False
    low, high = sorted((img.index, caption.index))
    return any(low < index < high for index in others)


def _only_photo(node: El, img: El) -> bool:
    """The box holds this photo and nothing else but inline text (no other image, no paragraphs).
    A table's own rows and cells are its layout, not paragraphs: old pages set a photo as a small
    table, the image in one cell and its caption in the cell below."""
    layout = _TABLE_PARTS if node.tag == "table" else frozenset()
    return all(el is img or el is node or el.tag in layout or (el.tag != "img" and el.tag not in _PARAGRAPH_TAGS)
               for el in node.iter())


def caption_in_lines(img: El, lines: list[Line]) -> str | None:
    """A marked caption paragraph right under the photo, or a `[사진설명]` line anywhere in the body
    but right under another photo."""
    for i, line in enumerate(lines):
        if line.image is img:
            for following in lines[i + 1: i + 3]:
                if following.image is not None:
                    break
                if following.text:
                    if (rules.CAPTION_LINE.match(following.text) or rules.ENCLOSED.match(following.text)
                            or is_caption_line(following)):
                        return clean_caption(following.text)
                    break
    for j, line in enumerate(lines):
        if line.text and rules.CAPTION_ANYWHERE.match(line.text):
            if j and lines[j - 1].image is not None and lines[j - 1].image is not img:
                continue  # set right under another photo of the text: that photo's caption
            return clean_caption(line.text)
    return None


def mark_captions(lines: list[Line], title: str | None) -> None:
    """An unmarked line right under a photo is its caption when it is set with the photo (both
    centred, as editors set a photo and its caption paragraph), set small or grey apart from the
    text after it, or says what only a caption says (a closing photo credit, who stands where); and
    it does not read as running text: no finished sentence unless so cued, no deck marker, not the
    headline repeated, not set bold as a deck is. Marked here so that the deck and the lead pass over it."""
    title_key = clean(title or "")
    prose_seen = False
    for i, line in enumerate(lines[:-1]):
        if line.image is None:
            prose_seen = prose_seen or bool(line.text and rules.SENTENCE_END.search(line.text))
            continue
        under = lines[i + 1]
        text = under.text
        if under.image is not None or not text or len(text) > _CAPTION_MAX or text == title_key:
            continue
        if text[:1] in rules.DECK_OPENERS:
            # A deck stands before the running text; a marked (`▶`) line set centred with a photo
            # further down, that does not read as a sentence, is that photo's caption.
            if (prose_seen and line.centred and under.centred and not under.bold
                    and not rules.SENTENCE_END.search(text)):
                under.caption = True
            continue
        if is_caption_line(under):
            continue
        after = lines[i + 2] if i + 2 < len(lines) else None
        if _cued(text) or (not rules.SENTENCE_END.search(text) and not under.bold and (
                (line.centred and under.centred) or _set_small(under, after))):
            under.caption = True


def _small(line: Line) -> bool:
    """The line is set small or grey: by its block's own style, or by an inline wrapper of just its
    text (`<p><span style="font-size:12px">…</span></p>`, `<font size="2">` in a <br>-split cell)."""
    block = line.block
    if _small_el(block):
        return True
    stack = [c for c in block.children if isinstance(c, El)]
    while stack:
        el = stack.pop()
        if el.tag in rules.BLOCK_TAGS or el.tag == "img":
            continue
        if el.flat() == line.text:
            if _small_el(el):
                return True
            stack.extend(c for c in el.children if isinstance(c, El))
    return False


def _small_el(el: El) -> bool:
    return (el.tag == "small" or (el.tag == "font" and el.get("size").strip() in ("1", "2", "-1", "-2"))
            or bool(rules.SMALL_OR_GREY.search(el.get("style"))))


def _set_small(under: Line, after: Line | None) -> bool:
    """The line under the photo is set small or grey and the text after it is not: a caption set
    apart, not a site that styles every paragraph so."""
    return _small(under) and not (after is not None and after.text and _small(after))


def caption_marked_at_top(lines: list[Line]) -> str | None:
    """Boards that attach the photo outside the text (G5 `#bo_v_img`, 강진 `image_viewbox`) write its
    caption as a marked (▲/△) line at the top of the text, before the running prose and before any
    photo of the text's own."""
    for line in lines[:6]:
        if line.image is not None:
            return None  # a caption under a photo of the text belongs to that photo
        if line.text and rules.CAPTION_LINE.match(line.text) and not rules.ENCLOSED.match(line.text):
            return clean_caption(line.text)
    return None


def find_caption(img: El, container: El | None, lines: list[Line]) -> str | None:
    found = caption_near(img, container) or caption_in_lines(img, lines)
    if found is None and container is not None and not container.contains(img):
        found = caption_marked_at_top(lines)
    return found


__all__ = ["caption_near", "find_caption", "first_photo", "hero_before", "image_src", "is_caption_line",
           "mark_captions", "resolve"]
