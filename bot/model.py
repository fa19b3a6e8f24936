"""Records that flow through the pipeline: Entry -> Article -> Summary -> Delivery."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

KST = timezone(timedelta(hours=9), "KST")
"""Korea Standard Time: the zone of every zone-less time a Korean source writes."""

SUMMARY_FIELDS = ("title", "subtitle", "quote", "speaker", "lead", "published", "image", "caption", "region")
"""The extracted fields, in the order and with the names of the corpus labels (a public contract)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """One item read from a feed (RSS/Atom) or from a row of an HTML board list page."""

    feed: str
    """Name of the configured feed it came from."""
    item_id: str
    """Identity within the feed: the guid, else the normalised link, else a content hash."""
    link: str | None
    title: str
    published: datetime | None = None
    """Aware datetime (zone-less source times are read as Korea time)."""
    description_html: str = ""
    """The item's description or content as HTML, as the feed carries it (untrusted)."""
    author: str | None = None
    categories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtractSelectors:
    """Per-feed CSS selectors an admin sets when a site defeats the heuristics."""

    title: str | None = None
    subtitle: str | None = None
    body: str | None = None
    date: str | None = None
    image: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class BoardSelectors:
    """CSS selectors that turn an HTML board list page into entries."""

    row: str
    link: str
    title: str | None = None
    date: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Article:
    """An article page as fetched: the raw bytes and what the server said about them."""

    url: str
    """The final URL (after redirects); relative links resolve against it."""
    body: bytes
    content_type: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Summary:
    """What pressbot publishes about one release. Empty fields are None, never guessed."""

    url: str
    title: str
    subtitle: str | None = None
    quote: str | None = None
    speaker: str | None = None
    lead: str | None = None
    published: datetime | None = None
    image: str | None = None
    caption: str | None = None
    region: str | None = None
    source: str | None = None
    """Who published it: the outlet or issuing body, or the feed's title."""
    missing: tuple[str, ...] = field(default=())
    """Fields the extractor could not find on the page (for metrics), e.g. ("quote",)."""

    def to_json(self) -> dict[str, Any]:
        """The label-keyed JSON object (`pressbot preview --json`); `published` in ISO 8601."""
        out: dict[str, Any] = {}
        for name in SUMMARY_FIELDS:
            value = getattr(self, name)
            if isinstance(value, datetime):
                value = value.isoformat()
            out[name] = value
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Summary:
        published = data.get("published")
        return cls(
            url=data["url"],
            title=data["title"],
            subtitle=data.get("subtitle"),
            quote=data.get("quote"),
            speaker=data.get("speaker"),
            lead=data.get("lead"),
            published=datetime.fromisoformat(published) if published else None,
            image=data.get("image"),
            caption=data.get("caption"),
            region=data.get("region"),
            source=data.get("source"),
            missing=tuple(data.get("missing", ())),
        )

    def to_store(self) -> dict[str, Any]:
        """Everything, for the store (a superset of to_json)."""
        out = self.to_json()
        out.update(url=self.url, source=self.source, missing=list(self.missing))
        return out


DeliveryState = Literal["pending", "sending", "sent", "failed"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Delivery:
    """One outbox row: a release to be posted to one target."""

    id: int
    release_id: int
    target: str
    """Channel or RSS output name from the config."""
    state: DeliveryState
    attempts: int = 0
    next_attempt_at: float = 0.0
    last_error: str | None = None
    message_id: int | None = None
    summary: Summary | None = None
