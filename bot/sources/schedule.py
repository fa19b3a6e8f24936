"""When to poll a feed next: spread start times, jitter, backoff, server hints (pure)."""

from __future__ import annotations

import hashlib
import random

# Intervals get +-10% jitter so feeds configured alike drift apart instead of firing together.
JITTER = 0.1
# At start, feeds are spread over this share of their interval (at most STARTUP_SPREAD_MAX seconds)
# so a thousand sources do not all fire on the first tick.
STARTUP_SPREAD_MAX = 60.0
# When many feeds are due at once (after downtime, or a thousand feeds at start with short
# intervals), launches are spaced this far apart: answers then arrive spread out instead of in
# bursts of dozens that hold the event loop up for tens of milliseconds. 1,000 feeds launch in
# 1.5 s; feeds due at their own times never notice it.
LAUNCH_SPACING = 0.0015


def first_delay(name: str, interval: float) -> float:
    """A stable per-feed offset in [0, min(interval, 60 s)) for the first poll."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    fraction = int.from_bytes(digest[:4], "big") / 2**32
    return fraction * min(interval, STARTUP_SPREAD_MAX)


def next_delay(
    interval: float,
    *,
    rng: random.Random,
    min_interval: float | None = None,
) -> float:
    """Delay after a successful poll: the interval (raised to the server's hint), jittered."""
    base = max(interval, min_interval or 0.0)
    return base * (1 + rng.uniform(-JITTER, JITTER))


def backoff_delay(
    interval: float,
    errors: int,
    *,
    max_backoff: float,
    rng: random.Random,
    retry_after: float | None = None,
) -> float:
    """Delay after the n-th consecutive failure: exponential with full jitter, capped.

    The first failure waits about one interval; each further one doubles it, up to
    max_backoff. A server's Retry-After is a lower bound.
    """
    exp = min(max_backoff, interval * 2 ** max(0, errors - 1))
    delay = rng.uniform(exp / 2, exp)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return min(max(delay, min(interval, max_backoff)), max(max_backoff, retry_after or 0.0))
