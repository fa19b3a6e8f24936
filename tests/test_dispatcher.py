"""Dispatcher against the Bot API double: faults cost time, never a post; order and pace always kept."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

from bot.config import PaceConfig
from bot.publish.outcome import backoff_delay
from tests.delivery_kit import (
    FAST_LIMITS,
    add_releases,
    assert_once_in_order,
    assert_pace_kept,
    channel,
    double,
    posted_tags,
    running,
)
from tests.fakes.botapi import FloodLimits, drop, lost_response, retry_after, status, timeout


async def test_every_release_reaches_every_channel_once_in_order(tmp_path: Path) -> None:
    async with double("@a", "@b") as api, running(api, tmp_path / "s.db", [channel("a"), channel("b")]) as rig:
        both = add_releases(rig.store, ["a", "b"], "x", 8)
        only_a = add_releases(rig.store, ["a"], "y", 3)
        rig.dispatcher.wake()
        result = await rig.dispatcher.drain(20)
        assert result.complete and result.pending == {}
        assert_once_in_order(api, "@a", both + only_a)
        assert_once_in_order(api, "@b", both)
        assert_pace_kept(api, FAST_LIMITS)
        assert set(rig.states("a")) == {"sent"}
        ids = rig.store.db.conn.execute(
            "SELECT message_id FROM deliveries WHERE target = 'a' ORDER BY id"
        ).fetchall()
        assert [r[0] for r in ids] == [m.message_id for m in rig.messages("@a")]
        assert rig.metrics.deliveries.labels("a", "sent")._value.get() == 11


async def test_runs_of_502s_and_5xx_are_retried_with_visible_attempts(tmp_path: Path) -> None:
    async with double("@a", "@b") as api, running(api, tmp_path / "s.db", [channel("a"), channel("b")]) as rig:
        api.inject("sendMessage", *[status(502)] * 4, status(503), status(500), chat="@a")
        made = add_releases(rig.store, ["a", "b"], "x", 6)
        rig.dispatcher.wake()
        assert (await rig.dispatcher.drain(30)).complete
        assert_once_in_order(api, "@a", made)
        assert_once_in_order(api, "@b", made)
        assert_pace_kept(api, FAST_LIMITS)
        head_attempts = rig.store.db.conn.execute(
            "SELECT attempts FROM deliveries WHERE target = 'a' ORDER BY id LIMIT 1"
        ).fetchone()[0]
        assert head_attempts == 7  # six failures, then the post: counted and visible
        assert rig.metrics.deliveries.labels("a", "retry")._value.get() == 6
        assert api.pending_faults() == 0


async def test_timeouts_and_dropped_connections_are_retried(tmp_path: Path) -> None:
    async with (
        double("@a") as api,
        running(api, tmp_path / "s.db", [channel("a")], timeout=0.3) as rig,
    ):
        api.inject("sendMessage", timeout(1.0), drop(), timeout(1.0), drop(), chat="@a")
        made = add_releases(rig.store, ["a"], "x", 5)
        rig.dispatcher.wake()
        assert (await rig.dispatcher.drain(30)).complete
        assert_once_in_order(api, "@a", made)
        assert_pace_kept(api, FAST_LIMITS)


async def test_a_short_retry_after_holds_only_that_chat_and_is_honoured(tmp_path: Path) -> None:
    async with double("@a", "@b") as api, running(api, tmp_path / "s.db", [channel("a"), channel("b")]) as rig:
        api.inject("sendMessage", retry_after(1), chat="@a")
        made = add_releases(rig.store, ["a", "b"], "x", 6)
        rig.dispatcher.wake()
        assert (await rig.dispatcher.drain(30)).complete
        assert_once_in_order(api, "@a", made)
        assert_once_in_order(api, "@b", made)
        refused = next(r for r in api.requests if r.outcome == "fault:retry_after")
        first_a = rig.messages("@a")[0]
        assert first_a.at - refused.at >= 1.0  # retry_after honoured
        # @b did not wait for @a: all of it went out during @a's second.
        assert all(m.at < refused.at + 1.0 for m in rig.messages("@b"))
        assert api.retry_after_ignored == 0
        assert rig.metrics.telegram_429.labels("a")._value.get() == 1
        assert rig.metrics.deliveries.labels("a", "retry")._value.get() == 0
        assert rig.store.db.conn.execute("SELECT MAX(attempts) FROM deliveries").fetchone()[0] == 1


async def test_a_long_retry_after_is_waited_out_by_that_chat_alone(tmp_path: Path) -> None:
    async with double("@a", "@b") as api, running(api, tmp_path / "s.db", [channel("a"), channel("b")]) as rig:
        api.inject("sendMessage", retry_after(3600), chat="@a")
        made = add_releases(rig.store, ["a", "b"], "x", 4)
        rig.dispatcher.wake()
        await api.wait_for(lambda d: len(d.messages_for("@b")) == 4)
        result = await rig.dispatcher.drain(0.3)
        assert result.pending == {"a": 4}
        assert_once_in_order(api, "@b", made)
        assert rig.messages("@a") == []
        assert api.retry_after_ignored == 0  # nothing was sent to @a while it was held
        head = rig.store.outbox.pending("a", limit=1)[0]
        assert head.next_attempt_at - time.time() > 3500  # survives a restart too
        assert head.attempts == 0


async def test_posted_but_response_lost_repeats_at_most_that_one_post(tmp_path: Path) -> None:
    """The protocol's window: Telegram posted it but we never heard. Only this one may repeat."""
    async with double("@a") as api, running(api, tmp_path / "s.db", [channel("a")]) as rig:
        api.inject("sendMessage", lost_response(), chat="@a")
        made = add_releases(rig.store, ["a"], "x", 5)
        rig.dispatcher.wake()
        assert (await rig.dispatcher.drain(30)).complete
        assert_once_in_order(api, "@a", made, repeats=1)
        got = posted_tags(api, "@a")
        assert got[0] == got[1] and len(got) == 6  # the lost one, once more; nothing else twice
        assert_pace_kept(api, FAST_LIMITS)


async def test_a_permanent_error_fails_that_channel_while_the_other_goes_on(tmp_path: Path) -> None:
    async with double("@a", "@b") as api:
        api.add_chat("@kicked", kicked=True)
        channels = [channel("a"), channel("b"), channel("k", "@kicked"), channel("gone", "@nowhere")]
        async with running(api, tmp_path / "s.db", channels) as rig:
            made = add_releases(rig.store, ["a", "b", "k", "gone"], "x", 3)
            rig.dispatcher.wake()
            result = await rig.dispatcher.drain(20)
            assert result.pending == {} and result.failed == 6
            assert_once_in_order(api, "@a", made)
            assert_once_in_order(api, "@b", made)
            assert rig.states("k") == ["failed"] * 3 and rig.states("gone") == ["failed"] * 3
            reasons = {d.last_error for d in rig.store.outbox.failed("k")}
            assert reasons == {"forbidden (403): bot was kicked from the channel chat"}
            assert {d.last_error for d in rig.store.outbox.failed("gone")} == {"bad request (400): chat not found"}
            kinds = [(kind, name) for kind, name, _ in rig.events]
            assert kinds.count(("permanent", "k")) == 3 and kinds.count(("permanent", "gone")) == 3
            assert rig.metrics.failed.labels("k")._value.get() == 3


async def test_a_migrated_chat_is_followed(tmp_path: Path) -> None:
    async with double() as api:
        group = api.add_chat("-400777", "group")
        async with running(api, tmp_path / "s.db", [channel("g", group.id)]) as rig:
            first = add_releases(rig.store, ["g"], "x", 2)
            rig.dispatcher.wake()
            assert (await rig.dispatcher.drain(20)).complete
            new = api.migrate(group.id)
            later = add_releases(rig.store, ["g"], "x", 3, start=2)
            rig.dispatcher.wake()
            assert (await rig.dispatcher.drain(20)).complete
            assert_once_in_order(api, group.id, first)
            assert_once_in_order(api, new.id, later)
            assert rig.events == [("migrated", "g", str(new.id))]
            assert rig.store.outbox.target_state("g") == (False, str(new.id))


async def test_the_default_pace_posts_one_per_second_without_a_429(tmp_path: Path) -> None:
    async with (
        double("@a", limits=FloodLimits()) as api,
        running(api, tmp_path / "s.db", [channel("a")], pace=PaceConfig()) as rig,
    ):
        made = add_releases(rig.store, ["a"], "x", 4)
        rig.dispatcher.wake()
        assert (await rig.dispatcher.drain(20)).complete
        assert_once_in_order(api, "@a", made)
        assert_pace_kept(api, FloodLimits())
        times = [m.at for m in rig.messages("@a")]
        assert all(b - a >= 1.0 for a, b in itertools.pairwise(times))


async def test_the_pace_survives_a_restart_right_after_a_burst(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    async with double("@a") as api:
        async with running(api, db, [channel("a")]) as rig:
            burst = add_releases(rig.store, ["a"], "x", 20)  # the whole per-second window of the double
            rig.dispatcher.wake()
            assert (await rig.dispatcher.drain(20)).complete
        async with running(api, db, [channel("a")]) as rig:
            more = add_releases(rig.store, ["a"], "x", 5, start=20)
            rig.dispatcher.wake()
            assert (await rig.dispatcher.drain(20)).complete
        assert_once_in_order(api, "@a", burst + more)
        assert_pace_kept(api, FAST_LIMITS)
        gap = rig.messages("@a")[20].at - rig.messages("@a")[0].at
        assert gap >= 1.0


def test_backoff_is_exponential_with_full_jitter_and_capped() -> None:
    top = [backoff_delay(n, 1.0, 300.0, rand=lambda lo, hi: hi) for n in (1, 2, 3, 9, 10, 500)]
    assert top == [1.0, 2.0, 4.0, 256.0, 300.0, 300.0]
    assert backoff_delay(5, 1.0, 300.0, rand=lambda lo, hi: lo) == 0.0
    assert all(0.0 <= backoff_delay(4, 1.0, 300.0) <= 8.0 for _ in range(100))
