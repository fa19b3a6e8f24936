"""Backlog digests, photo posts with text fallback, quiet hours, pause, hot reload, dry run."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path

from bot.model import KST
from bot.publish.telegram import DryRunSender
from tests.delivery_kit import (
    FAST_LIMITS,
    add_releases,
    assert_once_in_order,
    assert_pace_kept,
    channel,
    double,
    running,
    tags,
)
from tests.fakes.botapi import photo_fail, status

PHOTO = "https://press.example.kr/photo.jpg"


async def test_a_backlog_beyond_digest_after_goes_out_as_digests_then_one_by_one(tmp_path: Path) -> None:
    async with double("@a") as api, running(api, tmp_path / "s.db", [channel("a", digest_after=10)]) as rig:
        made = add_releases(rig.store, ["a"], "x", 25)
        rig.dispatcher.wake()
        assert (await rig.dispatcher.drain(20)).complete
        messages = rig.messages("@a")
        digests = [m for m in messages if len(tags(m.text)) > 1]
        singles = [m for m in messages if len(tags(m.text)) == 1]
        assert messages[: len(digests)] == digests  # the oldest excess first, as digests
        assert [t for m in digests for t in tags(m.text)] == [t.split()[0] for t in made[:15]]
        assert [tags(m.text)[0] for m in singles] == [t.split()[0] for t in made[15:]]
        assert all(m.text.startswith("보도자료") for m in digests)
        assert all(len(m.text) <= 4096 for m in messages)
        rows = rig.store.db.conn.execute(
            "SELECT state, digest, message_id FROM deliveries WHERE target = 'a' ORDER BY id"
        ).fetchall()
        assert {r[0] for r in rows} == {"sent"}
        assert [r[1] for r in rows] == [1] * 15 + [0] * 10
        digest_ids = {m.message_id for m in digests}
        assert {r[2] for r in rows[:15]} == digest_ids
        assert_once_in_order(api, "@a", made)
        assert_pace_kept(api, FAST_LIMITS)


async def test_a_digest_too_big_for_one_message_is_split_and_each_part_recorded(tmp_path: Path) -> None:
    async with double("@a") as api, running(api, tmp_path / "s.db", [channel("a", digest_after=2)]) as rig:
        made = add_releases(rig.store, ["a"], "x", 150)
        rig.dispatcher.wake()
        assert (await rig.dispatcher.drain(30)).complete
        assert_once_in_order(api, "@a", made)
        messages = rig.messages("@a")
        assert len(messages) >= 4 and all(len(m.text) <= 4096 for m in messages)
        per_message = rig.store.db.conn.execute(
            "SELECT message_id, COUNT(*) FROM deliveries WHERE digest = 1 GROUP BY message_id"
        ).fetchall()
        by_id = {m.message_id: len(tags(m.text)) for m in messages}
        assert all(by_id[mid] == n for mid, n in per_message)
        assert sum(n for _, n in per_message) == 148


async def test_digest_after_zero_posts_every_release_on_its_own(tmp_path: Path) -> None:
    async with double("@a") as api, running(api, tmp_path / "s.db", [channel("a", digest_after=0)]) as rig:
        made = add_releases(rig.store, ["a"], "x", 30)
        rig.dispatcher.wake()
        assert (await rig.dispatcher.drain(20)).complete
        assert [len(tags(m.text)) for m in rig.messages("@a")] == [1] * 30
        assert_once_in_order(api, "@a", made)


async def test_photos_are_posted_with_the_summary_as_caption_or_fall_back_to_text(tmp_path: Path) -> None:
    async with double("@a", "@b") as api:
        channels = [channel("a", photos=True), channel("b")]
        async with running(api, tmp_path / "s.db", channels) as rig:
            api.inject("sendPhoto", photo_fail(), chat="@a")
            with_photo = add_releases(rig.store, ["a", "b"], "p", 2, image=PHOTO)
            bad_url = add_releases(rig.store, ["a"], "q", 1, start=2, image="not-a-url")
            rig.dispatcher.wake()
            assert (await rig.dispatcher.drain(20)).complete
            assert_once_in_order(api, "@a", with_photo + bad_url)
            a = rig.messages("@a")
            assert [m.method for m in a] == ["sendmessage", "sendphoto", "sendmessage"]
            assert a[1].photo == PHOTO and a[1].caption is not None and len(a[1].caption) <= 1024
            assert all(m.method == "sendmessage" for m in rig.messages("@b"))  # photos off there
            assert rig.metrics.deliveries.labels("a", "photo_rejected")._value.get() == 2
            assert set(rig.states("a")) == {"sent"}


async def test_a_photo_that_keeps_failing_transiently_goes_out_as_text(tmp_path: Path) -> None:
    async with double("@a") as api, running(api, tmp_path / "s.db", [channel("a", photos=True)]) as rig:
        api.inject("sendPhoto", status(502), status(502), status(502), status(502), chat="@a")
        made = add_releases(rig.store, ["a"], "p", 1, image=PHOTO)
        rig.dispatcher.wake()
        assert (await rig.dispatcher.drain(20)).complete
        assert_once_in_order(api, "@a", made)
        assert [m.method for m in rig.messages("@a")] == ["sendmessage"]
        assert api.pending_faults() == 1  # three photo tries, then text


async def test_quiet_hours_post_silently(tmp_path: Path) -> None:
    now = datetime.now(KST)
    around_now = ((now - timedelta(hours=1)).time(), (now + timedelta(hours=1)).time())
    later = ((now + timedelta(hours=2)).time(), (now + timedelta(hours=3)).time())
    async with double("@a", "@b", "@c") as api:
        channels = [channel("a", quiet_hours=around_now), channel("b", quiet_hours=later), channel("c")]
        async with running(api, tmp_path / "s.db", channels) as rig:
            add_releases(rig.store, ["a", "b", "c"], "x", 2)
            rig.dispatcher.wake()
            assert (await rig.dispatcher.drain(20)).complete
            assert [m.disable_notification for m in rig.messages("@a")] == [True, True]
            assert [m.disable_notification for m in rig.messages("@b")] == [False, False]
            assert [m.disable_notification for m in rig.messages("@c")] == [False, False]


async def test_paused_channels_wait_and_resume_on_wake(tmp_path: Path) -> None:
    async with double("@a", "@b", "@c") as api:
        channels = [channel("a"), channel("b", paused=True), channel("c")]
        async with running(api, tmp_path / "s.db", channels) as rig:
            rig.store.outbox.set_paused("c", True)
            made = add_releases(rig.store, ["a", "b", "c"], "x", 3)
            rig.dispatcher.wake()
            result = await rig.dispatcher.drain(20)
            assert result.pending == {} and result.paused == {"b": 3, "c": 3}
            assert rig.messages("@b") == [] and rig.messages("@c") == []
            rig.store.outbox.set_paused("c", False)
            rig.dispatcher.wake("c")
            assert (await rig.dispatcher.drain(20)).paused == {"b": 3}
            assert_once_in_order(api, "@a", made)
            assert_once_in_order(api, "@c", made)


async def test_channels_added_and_removed_by_a_reload(tmp_path: Path) -> None:
    async with double("@a", "@b") as api, running(api, tmp_path / "s.db", [channel("a")]) as rig:
        made = add_releases(rig.store, ["a", "b"], "x", 3)
        rig.dispatcher.wake()
        await api.wait_for(lambda d: len(d.messages_for("@a")) == 3)
        assert rig.messages("@b") == []
        rig.dispatcher.update_channels({"b": channel("b")})
        await api.wait_for(lambda d: len(d.messages_for("@b")) == 3)
        more = add_releases(rig.store, ["a", "b"], "x", 2, start=3)
        rig.dispatcher.wake()
        assert (await rig.dispatcher.drain(20)).complete  # only configured channels count
        assert_once_in_order(api, "@a", made)  # removed: nothing more went to @a
        assert_once_in_order(api, "@b", made + more)
        rig.dispatcher.update_channels({"a": channel("a"), "b": channel("b")})
        assert (await rig.dispatcher.drain(20)).complete
        assert_once_in_order(api, "@a", made + more)


async def test_dry_run_marks_everything_sent_and_prints_it(tmp_path: Path) -> None:
    out = io.StringIO()
    async with double() as api, running(api, tmp_path / "s.db", [channel("a")], sender=DryRunSender(out)) as rig:
        made = add_releases(rig.store, ["a"], "x", 3)
        rig.dispatcher.wake()
        assert (await rig.dispatcher.drain(20)).complete
        assert out.getvalue().count("[dry run] would post to @a:") == 3
        assert all(t.split()[0] in out.getvalue() for t in made)
        rows = rig.store.db.conn.execute("SELECT state, dry_run FROM deliveries").fetchall()
        assert {tuple(r) for r in rows} == {("sent", 1)}
        assert rig.store.outbox.recent_sends(0) == []  # a dry run does not count against the pace
        assert api.requests == []
