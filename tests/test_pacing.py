"""Pacing: strict sliding windows per chat and overall, with a fake clock; 429 blocks; rebuilt from history."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass

import pytest

from bot.publish.pacing import Pacer, PaceState, Window


@dataclass(frozen=True)
class Pace:
    per_chat_per_second: float = 1.0
    per_chat_per_minute: float = 20.0
    global_per_second: float = 25.0


def simulate(
    state: PaceState, chats: list[str], *, latency: float, start: float = 1000.0
) -> list[tuple[str, float, float]]:
    """Send in the given order as early as the pacer allows; (chat, request start, request end)."""
    sent = []
    now = start
    for chat in chats:
        delay = state.delay(chat, now)
        assert delay is not None, "a sequential sender never waits for an in-flight request"
        now += max(0.0, delay)
        state.reserve(chat)
        end = now + latency
        state.finish(chat, end)
        sent.append((chat, now, end))
        now = end
    return sent


def max_in_window(times: list[float], length: float) -> int:
    """The most events in any half-open window [t, t + length) (how the double counts)."""
    times = sorted(times)
    best = 0
    for i, t in enumerate(times):
        best = max(best, sum(1 for u in times[i:] if u < t + length))
    return best


def test_a_burst_to_one_chat_goes_at_one_per_second_then_twenty_per_minute() -> None:
    state = PaceState(Pace())
    sent = simulate(state, ["@a"] * 45, latency=0.05)
    starts = [s for _, s, _ in sent]
    ends = [e for _, _, e in sent]
    # One per second for the first twenty (each one a second after the previous answer) ...
    assert starts[1] == pytest.approx(ends[0] + 1.0)
    assert starts[19] == pytest.approx(ends[18] + 1.0)
    # ... then the 21st exactly when the first answer leaves the minute window: no time wasted.
    assert starts[20] == pytest.approx(ends[0] + 60.0)
    assert starts[40] == pytest.approx(ends[20] + 60.0)
    # Whatever moment between start and end Telegram saw each request, no window is exceeded.
    for seen in (starts, ends):
        assert max_in_window(seen, 60.0) <= 20
        assert max_in_window(seen, 1.0) <= 1


def test_the_server_never_sees_two_requests_closer_than_the_window_whatever_the_latency() -> None:
    state = PaceState(Pace())
    now = 0.0
    arrivals = []
    # Latency varies: a slow request followed by a fast one is the dangerous case.
    for latency in (0.4, 0.01, 0.3, 0.02, 0.5, 0.0):
        delay = state.delay("@a", now)
        assert delay is not None
        now += max(0.0, delay)
        state.reserve("@a")
        arrivals.append(now + latency)  # the server saw it at the very end
        now += latency
        state.finish("@a", now)
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    assert min(gaps) >= 1.0 - 1e-9


def test_the_global_window_limits_many_chats_together() -> None:
    state = PaceState(Pace(global_per_second=25))
    sent = simulate(state, [f"@c{i}" for i in range(60)], latency=0.0)
    starts = [s for _, s, _ in sent]
    assert max_in_window(starts, 1.0) == 25
    assert starts[25] == pytest.approx(starts[0] + 1.0)


def test_requests_in_flight_hold_their_slot_until_they_finish() -> None:
    state = PaceState(Pace(global_per_second=2))
    state.reserve("@a")
    state.reserve("@b")
    assert state.delay("@c", 0.0) is None  # only a finishing request can free a slot
    state.finish("@a", 5.0)
    assert state.delay("@c", 5.0) == pytest.approx(1.0)
    state.cancel("@b")  # an unused reservation frees its slot at once and leaves no trace
    assert state.overall.in_flight == 0
    assert state.overall.done == [5.0]
    assert state.delay("@c", 5.5) == pytest.approx(0.0)


def test_retry_after_blocks_only_that_chat() -> None:
    state = PaceState(Pace())
    state.block("@a", 130.0)
    assert state.delay("@a", 100.0) == pytest.approx(30.0)
    assert state.delay("@b", 100.0) == 0.0
    assert state.delay("@a", 130.0) == pytest.approx(0.0)


def test_seeded_history_rebuilds_the_windows_after_a_restart() -> None:
    history = [("@a", 100.0 + i) for i in range(20)] + [("@b", 118.5)]
    state = PaceState(Pace())
    state.seed(history)
    # @a sent 20 in the minute from t=100: its next send waits for t=160.
    assert state.delay("@a", 120.0) == pytest.approx(40.0)
    # @b sent 0.5 s ago: one second after it.
    assert state.delay("@b", 119.0) == pytest.approx(0.5)
    assert state.delay("@c", 119.0) == 0.0


@pytest.mark.parametrize(
    ("rate", "length", "capacity", "span"),
    [(1.0, 1.0, 1, 1.0), (2.5, 1.0, 2, 1.0), (0.5, 1.0, 1, 2.0), (20, 60.0, 20, 60.0), (0.25, 60.0, 1, 240.0)],
)
def test_rates_become_strict_windows(rate: float, length: float, capacity: int, span: float) -> None:
    window = Window.for_rate(rate, length)
    assert (window.capacity, window.length) == (capacity, span)


@pytest.mark.parametrize("bad", [Pace(per_chat_per_second=0), Pace(per_chat_per_minute=-1), Pace(global_per_second=0)])
def test_a_pace_that_allows_nothing_is_refused(bad: Pace) -> None:
    with pytest.raises(ValueError, match="pace must be positive"):
        PaceState(bad)


def test_idle_chats_are_forgotten() -> None:
    state = PaceState(Pace())
    simulate(state, ["@a", "@b"], latency=0.0, start=0.0)
    state.block("@c", 10.0)
    state.forget_idle(61.0)
    assert list(state.chats) == []


async def test_acquire_waits_for_a_request_in_flight_then_reserves() -> None:
    now = [100.0]
    pacer = Pacer(Pace(global_per_second=1), clock=lambda: now[0])
    await pacer.acquire("@a")
    waiting = asyncio.create_task(pacer.acquire("@b"))
    await asyncio.sleep(0)  # let it reach its wait
    assert not waiting.done()
    now[0] = 101.0
    pacer.done("@a")  # counts from 101.0: the global window frees at 102.0
    now[0] = 102.0
    await waiting
    assert pacer.delay("@c") is None  # @b is in flight now


async def test_acquire_sleeps_until_the_window_frees() -> None:
    pacer = Pacer(Pace(), clock=time.monotonic)
    async with pacer.slot("@a"):
        pass
    done_at = time.monotonic()
    await pacer.acquire("@a")
    assert time.monotonic() - done_at >= 1.0


async def test_note_retry_after_holds_the_chat() -> None:
    now = [0.0]
    pacer = Pacer(Pace(), clock=lambda: now[0])
    pacer.note_retry_after("@a", 42)
    assert pacer.delay("@a") == pytest.approx(42.0)
    assert pacer.delay("@b") == 0.0
