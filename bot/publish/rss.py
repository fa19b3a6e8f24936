"""RSS 2.0 documents built from stored releases, cached per output and rebuilt only on change."""

from __future__ import annotations

import asyncio
import hashlib
import html
import logging
import os
import re
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import partial
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from bot.config import RssConfig
from bot.model import Summary
from bot.store import Store, StoredRelease

__all__ = ["RssDocument", "RssOutputs", "build_rss", "clean_text", "public_url", "summary_html", "write_atomically"]

log = logging.getLogger(__name__)

ATOM_NS = "http://www.w3.org/2005/Atom"
RSS_SPEC = "https://www.rssboard.org/rss-specification"

# XML 1.0 forbids C0 controls except tab/newline/return, surrogates and U+FFFE/U+FFFF; C1 controls
# and DEL are allowed but the W3C validator flags them, and no press release needs them.
_ILLEGAL_XML = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Characters a URL may carry as they are; everything else (Hangul, spaces, quotes) is %-encoded.
_URL_SAFE = "!#$%&'()*+,/:;=?@[]~-._"


def clean_text(text: str | None) -> str:
    """Text without the characters XML 1.0 cannot carry, trimmed."""
    return _ILLEGAL_XML.sub("", text or "").strip()


def public_url(url: str | None) -> str | None:
    """The URL as an absolute, ASCII http(s) URL, or None when it is not one (relative, javascript:...)."""
    url = clean_text(url)
    try:
        parts = urlsplit(url)
        host, port, netloc = parts.hostname, parts.port, parts.netloc
        if parts.scheme.lower() not in ("http", "https") or not host:
            return None
        if not netloc.isascii():  # an internationalised host name: its ASCII (punycode) form
            netloc = host.encode("idna").decode("ascii") + (f":{port}" if port else "")
    except (ValueError, UnicodeError):
        return None
    return urlunsplit((
        parts.scheme.lower(),
        netloc,
        quote(parts.path, safe=_URL_SAFE) or "/",
        quote(parts.query, safe=_URL_SAFE),
        quote(parts.fragment, safe=_URL_SAFE),
    ))


def _guid(release: StoredRelease) -> str:
    # The article URL identifies a release across restarts and even across a fresh store,
    # unlike the row id, which a new store hands out again to different releases.
    digest = hashlib.sha256(release.summary.url.encode("utf-8")).hexdigest()[:24]
    return f"pressbot:{digest}"


def _item_time(release: StoredRelease) -> datetime:
    if release.summary.published is not None:
        return release.summary.published
    return datetime.fromtimestamp(release.created_at, UTC)


def summary_html(summary: Summary) -> str:
    """The summary as a small HTML fragment (subtitle, quote with speaker, lead, photo), escaped."""
    parts: list[str] = []
    if subtitle := clean_text(summary.subtitle):
        parts.append(f"<p><strong>{html.escape(subtitle)}</strong></p>")
    if quote_text := clean_text(summary.quote):
        speaker = clean_text(summary.speaker)
        cite = f"<br/>— {html.escape(speaker)}" if speaker else ""
        parts.append(f"<blockquote>“{html.escape(quote_text)}”{cite}</blockquote>")
    if lead := clean_text(summary.lead):
        parts.append(f"<p>{html.escape(lead)}</p>")
    if image := public_url(summary.image):
        caption = clean_text(summary.caption)
        img = f'<img src="{html.escape(image)}" alt="{html.escape(caption)}"/>'
        figcaption = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
        parts.append(f"<figure>{img}{figcaption}</figure>")
    return "".join(parts)


def _site(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/", "", ""))


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrib)
    if text is not None:
        element.text = text
    return element


def build_rss(
    output: RssConfig,
    items: Sequence[StoredRelease],
    *,
    base_url: str,
    now: datetime,
) -> bytes:
    """An RSS 2.0 document (UTF-8) of `items`, kept in the given order (newest first).

    Each item's `<source url>` is the article's site, not the feed URL, which may carry an
    API key (data.go.kr's serviceKey) that must not be published. Raises ValueError when `base_url` is not an absolute
    http(s) URL, since the channel link and `atom:link rel="self"` must be absolute.
    """
    site = public_url(base_url.rstrip("/") + "/")
    self_url = public_url(base_url.rstrip("/") + output.path)
    if site is None or self_url is None:
        raise ValueError(
            f"rss output {output.name!r}: web.base_url {base_url!r} is not an absolute http(s) URL"
        )
    rss = ET.Element("rss", {"version": "2.0", "xmlns:atom": ATOM_NS})
    channel = _sub(rss, "channel")
    title = clean_text(output.title) or output.name
    _sub(channel, "title", title)
    _sub(channel, "link", site)
    _sub(channel, "description", clean_text(output.description) or title)
    _sub(channel, "language", "ko")
    _sub(channel, "lastBuildDate", format_datetime(now))
    _sub(channel, "docs", RSS_SPEC)
    _sub(channel, "generator", "pressbot")
    _sub(channel, "atom:link", href=self_url, rel="self", type="application/rss+xml")
    seen_guids: set[str] = set()
    for release in items:
        summary = release.summary
        item = _sub(channel, "item")
        link = public_url(summary.url)
        _sub(item, "title", clean_text(summary.title) or link or f"release {release.id}")
        if link is not None:
            _sub(item, "link", link)
        # Readers show the description as the item's body; with nothing extracted, the title stands in.
        title_html = f"<p>{html.escape(clean_text(summary.title))}</p>"
        _sub(item, "description", summary_html(summary) or title_html)
        if region := clean_text(summary.region):
            _sub(item, "category", region)
        guid = _guid(release)
        if guid in seen_guids:  # two releases of one URL (different feeds' keys): keep guids unique
            guid = f"{guid}-{release.id}"
        seen_guids.add(guid)
        _sub(item, "guid", guid, isPermaLink="false")
        _sub(item, "pubDate", format_datetime(_item_time(release)))
        if link is not None:
            _sub(item, "source", clean_text(summary.source) or release.feed, url=_site(link))
    ET.indent(rss, space=" ")
    # Serialising to str and encoding once is twice as fast as letting ElementTree encode
    # every small write through a codec; the declaration is the one it would write.
    text = ET.tostring(rss, encoding="unicode")
    return ("<?xml version='1.0' encoding='utf-8'?>\n" + text).encode("utf-8")


@dataclass(frozen=True, slots=True)
class RssDocument:
    body: bytes
    etag: str
    """Strong entity tag, quoted: `"<sha256 prefix>"`."""
    last_modified: datetime
    """When the items (or settings) last changed: aware, UTC, whole seconds as HTTP dates carry them."""
    items: int = 0


@dataclass(slots=True)
class _Slot:
    config: RssConfig
    settings_changed_at: float = 0.0
    """When this output's settings last changed in this process (0: as the process started)."""
    key: tuple[object, ...] | None = None
    version: tuple[int, int] | None = None
    document: RssDocument | None = None
    unwritten: bool = False
    error: str | None = None
    """The last build error, logged once until it changes."""


class RssOutputs:
    """The served RSS documents: each rebuilt only when its items or its settings change.

    A document is a function of its items and settings alone: its lastBuildDate and
    Last-Modified are the time the newest of its items was added (or its settings changed),
    so a restart serves the same bytes under the same ETag and rewrites no file.
    """

    def __init__(self, store: Store, *, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock
        self.base_url = ""
        self.builds: dict[str, int] = {}
        """Documents built per output since start (tests and debugging)."""
        self._slots: dict[str, _Slot] = {}
        self._configured = False

    def update_config(self, rss: Mapping[str, RssConfig], base_url: str) -> None:
        """Take a (re)loaded config; outputs whose settings changed are rebuilt on next use."""
        now = self.clock() if self._configured else 0.0
        shared_changed = base_url != self.base_url
        self.base_url = base_url
        slots: dict[str, _Slot] = {}
        for name, config in rss.items():
            slot = self._slots.get(name) or _Slot(config, settings_changed_at=now)
            if slot.config != config or shared_changed:
                slot.config, slot.settings_changed_at = config, now
            slots[name] = slot
        self._slots = slots
        self._configured = True

    def get(self, name: str) -> RssDocument:
        """The current document of an output (KeyError for an unknown name, ValueError for a bad base URL).

        Serving checks only the newest item id (one index seek, so every request sees a new
        item at once); `refresh_all` also compares the item count, which costs a scan.
        """
        return self._current(name, full=False)

    def _current(self, name: str, *, full: bool) -> RssDocument:
        slot = self._slots[name]
        key = (slot.config, self.base_url)
        version = self.store.releases.rss_version(name) if full else None
        if version is not None:
            stale = version != slot.version
        else:
            stale = slot.version is None or self.store.releases.rss_head(name) != slot.version[1]
        if slot.document is None or stale or slot.key != key:
            if version is None:
                version = self.store.releases.rss_version(name)
            self._rebuild(name, slot, version, key)
        assert slot.document is not None
        return slot.document

    def refresh_all(self) -> None:
        """Rebuild what changed and retry on-disk copies that could not be written."""
        for name, slot in self._slots.items():
            try:
                self._current(name, full=True)
            except ValueError as exc:
                _report(slot, exc)
                continue
            slot.error = None
            if slot.unwritten:
                self._write(name, slot)

    async def refresh(self, build: Callable[[Callable[[], bytes]], Awaitable[bytes]]) -> None:
        """`refresh_all`, with the documents built by `build` (a worker process), not on the loop."""
        for name, slot in list(self._slots.items()):
            key = (slot.config, self.base_url)
            version = self.store.releases.rss_version(name)
            if slot.document is not None and version == slot.version and slot.key == key:
                if slot.unwritten:
                    self._write(name, slot)
                continue
            try:
                items, changed_at, job = self._job(slot)
                body = await build(job)
            except ValueError as exc:
                _report(slot, exc)
                continue
            slot.error = None
            if self._slots.get(name) is not slot:
                continue  # dropped by a reload meanwhile
            if self._install(name, slot, version, key, items, changed_at, body, write=False):
                # fsync can take a while on a busy disk: not on the loop.
                await asyncio.to_thread(self._write, name, slot)

    def _job(self, slot: _Slot) -> tuple[list[StoredRelease], datetime, Callable[[], bytes]]:
        config = slot.config
        items = self.store.releases.for_rss(config.name, config.limit)
        changed = max([r.sent_at or r.created_at for r in items] + [slot.settings_changed_at])
        if changed <= 0:  # an empty output as the process starts: nothing to date it by
            changed = slot.settings_changed_at = self.clock()
        # Whole seconds: HTTP dates carry no more, and If-Modified-Since must compare equal.
        changed_at = datetime.fromtimestamp(int(changed), UTC)
        return items, changed_at, partial(build_rss, config, items, base_url=self.base_url, now=changed_at)

    def _rebuild(self, name: str, slot: _Slot, version: tuple[int, int], key: tuple[object, ...]) -> None:
        items, changed_at, job = self._job(slot)
        self._install(name, slot, version, key, items, changed_at, job())

    def _install(
        self,
        name: str,
        slot: _Slot,
        version: tuple[int, int],
        key: tuple[object, ...],
        items: Sequence[StoredRelease],
        changed_at: datetime,
        body: bytes,
        *,
        write: bool = True,
    ) -> bool:
        """Serve `body` from now on; returns whether the on-disk copy needs writing (written
        here unless `write` is False)."""
        config = slot.config
        self.builds[name] = self.builds.get(name, 0) + 1
        slot.version, slot.key = version, key
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        if slot.document is not None and slot.document.etag == etag:
            return False
        first = slot.document is None
        slot.document = RssDocument(body=body, etag=etag, last_modified=changed_at, items=len(items))
        log.debug("rss %s: rebuilt with %d items", name, len(items))
        stale = config.file is not None and not (first and _same_file(config.file, body))
        if stale and write:
            self._write(name, slot)
        return stale and not write

    def _write(self, name: str, slot: _Slot) -> None:
        path, document = slot.config.file, slot.document
        if path is None or document is None:
            slot.unwritten = False
            return
        try:
            write_atomically(path, document.body)
        except OSError as exc:
            slot.unwritten = True
            log.error("rss %s: cannot write %s: %s", name, path, exc)
        else:
            slot.unwritten = False


def _report(slot: _Slot, exc: ValueError) -> None:
    """One misconfigured output (no absolute base URL) is logged once and stops nothing else."""
    if slot.error != str(exc):
        log.error("%s", exc)
        slot.error = str(exc)


def _same_file(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so that a reader (or a crash) sees the old or the new file, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    # The rename itself is durable only once the folder is synced.
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
