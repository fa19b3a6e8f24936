"""Graceful stop: in-flight requests finish within the grace, the rest stays pending; nothing is stranded."""

from __future__ import annotations

from pathlib import Path

from bot.publish.telegram import TelegramSender
from tests.delivery_kit import add_releases, assert_once_in_order, channel, double, running
from tests.fakes.botapi import BotApiDouble, timeout


def fault_seen(kind: str) -> object:
    return lambda d: any(r.outcome == f"fault:{kind}" for r in d.requests)


async def test_stop_lets_the_request_in_flight_finish_and_leaves_the_rest_pending(tmp_path: Path) -> None:
    async with double("@a") as api, running(api, tmp_path / "s.db", [channel("a")], timeout=5.0) as rig:
        api.inject("sendMessage", timeout(0.5, deliver=True), chat="@a")  # a slow answer, not a failure
        add_releases(rig.store, ["a"], "x", 5)
        rig.dispatcher.wake()
        await api.wait_for(fault_seen("timeout"))  # type: ignore[arg-type]
        await rig.dispatcher.stop(3.0)
        assert rig.states("a") == ["sent"] + ["pending"] * 4
        assert len(rig.messages("@a")) == 1


async def test_a_request_outliving_the_grace_is_cancelled_and_resolved_on_the_next_start(tmp_path: Path) -> None:
    """Telegram got the post but we stopped before the answer: the crash window, at most one repeat."""
    db = tmp_path / "s.db"
    async with double("@a") as api:
        async with running(api, db, [channel("a")], timeout=30.0) as rig:
            api.inject("sendMessage", timeout(20.0, deliver=True), chat="@a")
            made = add_releases(rig.store, ["a"], "x", 4)
            rig.dispatcher.wake()
            await api.wait_for(fault_seen("timeout"))  # type: ignore[arg-type]
            await rig.dispatcher.stop(0.2)
            assert rig.states("a") == ["sending"] + ["pending"] * 3
        async with running(api, db, [channel("a")]) as rig:  # recover() runs on start, as in the app
            assert rig.states("a") == ["pending"] * 4
            rig.dispatcher.wake()
            assert (await rig.dispatcher.drain(20)).complete
        assert_once_in_order(api, "@a", made, repeats=1)


async def test_stop_before_anything_is_in_flight_returns_at_once(tmp_path: Path) -> None:
    async with double("@a") as api, running(api, tmp_path / "s.db", [channel("a")]) as rig:
        await rig.dispatcher.stop(30.0)
        assert rig.task is not None
        await rig.task  # run() has returned
        add_releases(rig.store, ["a"], "x", 2)
        rig.dispatcher.wake()
        result = await rig.dispatcher.drain(5)
        assert result.pending == {"a": 2}
        assert rig.messages("@a") == []


class FlakySender(TelegramSender):
    """A sender whose first call fails with something no one classified (a bug, a library surprise)."""

    def __init__(self, api: BotApiDouble) -> None:
        super().__init__(api.token, base_url=api.base_url, timeout=2.0)
        self.calls = 0

    async def send_text(self, chat_id: str | int, html: str, *, silent: bool) -> int:
        self.calls += 1
        if self.calls == 1:
            raise RuntimeError("surprise")
        return await super().send_text(chat_id, html, silent=silent)


async def test_an_unexpected_error_retries_the_delivery_instead_of_stranding_it(tmp_path: Path) -> None:
    async with double("@a") as api:
        sender = FlakySender(api)
        async with running(api, tmp_path / "s.db", [channel("a")], sender=sender) as rig:
            made = add_releases(rig.store, ["a"], "x", 3)
            rig.dispatcher.wake()
            assert (await rig.dispatcher.drain(20)).complete
            assert_once_in_order(api, "@a", made)
            assert rig.store.db.conn.execute(
                "SELECT last_error FROM deliveries ORDER BY id LIMIT 1"
            ).fetchone()[0] is None  # cleared once sent
        await sender.close()
