"""A changed feed costs only its new entries: known ones are skipped unparsed."""

from __future__ import annotations

from pathlib import Path

from bot.sources.feed import parse_feed

FEED = Path(__file__).parent / "fixtures" / "corpus" / "feeds" / "regional_news_rss.xml"


def test_known_entries_are_counted_not_parsed() -> None:
    full = parse_feed(FEED.read_bytes(), url="http://press.test/rss")
    ids = [e.item_id for e in full.entries]
    partial = parse_feed(FEED.read_bytes(), url="http://press.test/rss", known=frozenset(ids[1:]))
    assert [e.item_id for e in partial.entries] == ids[:1]
    assert partial.entries[0] == full.entries[0]
    assert partial.known == frozenset(ids[1:])


def test_an_unknown_identity_is_parsed_in_full() -> None:
    full = parse_feed(FEED.read_bytes(), url="http://press.test/rss")
    partial = parse_feed(FEED.read_bytes(), url="http://press.test/rss", known=frozenset({"something-else"}))
    assert partial.entries == full.entries
    assert partial.known == frozenset()
