"""Prometheus metrics of one pressbot process, in their own registry."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

# Press releases reach subscribers from seconds (a fresh poll) to hours (a backlog or an
# outage): buckets from 10 s to a day.
_DELAY_BUCKETS = (10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 21600, 86400)


class Metrics:
    """Counters the stages update; served at /metrics."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.polls = Counter(
            "pressbot_polls", "Feed polls by outcome (changed, not_modified, unchanged, error)",
            ["feed", "outcome"], registry=r,
        )
        self.fetch_errors = Counter(
            "pressbot_fetch_errors", "Fetch and parse errors by kind", ["feed", "kind"], registry=r
        )
        self.not_modified_ratio = Gauge(
            "pressbot_poll_not_modified_ratio", "Share of polls answered 304 Not Modified", registry=r
        )
        self.entries_found = Counter(
            "pressbot_entries_found", "New entries found in feeds", ["feed"], registry=r
        )
        self.extraction_missing = Counter(
            "pressbot_extraction_missing", "Summary fields the extractor could not find", ["field"],
            registry=r,
        )
        self.extraction_failures = Counter(
            "pressbot_extraction_failures", "Article pages that could not be fetched or read",
            ["feed", "kind"], registry=r,
        )
        self.deliveries = Counter(
            "pressbot_deliveries", "Delivery attempts by outcome (sent, retry, rate_limited, failed, dry_run)",
            ["channel", "outcome"], registry=r,
        )
        self.telegram_429 = Counter(
            "pressbot_telegram_429", "Too Many Requests answers from Telegram", ["channel"], registry=r
        )
        self.publish_delay = Histogram(
            "pressbot_publish_delay_seconds", "Time from a release's publication to its post",
            buckets=_DELAY_BUCKETS, registry=r,
        )
        self.backlog = Gauge("pressbot_backlog", "Pending deliveries per channel", ["channel"], registry=r)
        self.failed = Gauge("pressbot_failed_deliveries", "Failed deliveries per channel", ["channel"], registry=r)
        self._polls_total = 0
        self._polls_304 = 0

    def poll(self, feed: str, outcome: str) -> None:
        self.polls.labels(feed=feed, outcome=outcome).inc()
        self._polls_total += 1
        if outcome == "not_modified":
            self._polls_304 += 1
        self.not_modified_ratio.set(self._polls_304 / self._polls_total)

    def render(self) -> bytes:
        return generate_latest(self.registry)
