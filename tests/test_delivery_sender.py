"""TelegramSender against the Bot API double: every failure classified once, the token never shown."""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator

import pytest

from bot.publish.errors import Migrated, Permanent, PhotoRejected, RateLimited, Transient
from bot.publish.telegram import DryRunSender, TelegramSender, redact
from tests.fakes.botapi import BotApiDouble, FloodLimits, drop, lost_response, photo_fail, retry_after, status, timeout

PHOTO = "https://example.org/photo.jpg"


@pytest.fixture
async def api() -> AsyncIterator[BotApiDouble]:
    async with BotApiDouble(chats=["@news"], limits=FloodLimits.off()) as double:
        yield double


@pytest.fixture
async def sender(api: BotApiDouble) -> AsyncIterator[TelegramSender]:
    s = TelegramSender(api.token, base_url=api.base_url, timeout=0.5)
    await s.start()
    yield s
    await s.close()


async def test_text_and_photo_posts_arrive_as_html_without_preview(api: BotApiDouble, sender: TelegramSender) -> None:
    first = await sender.send_text("@news", "<b>제목</b> &amp; 본문", silent=False)
    second = await sender.send_photo("@news", PHOTO, "<i>사진</i> 설명", silent=True)
    assert (first, second) == (1, 2)
    text, photo = api.messages_for("@news")
    assert text.text == "제목 & 본문"
    assert [e["type"] for e in text.entities] == ["bold"]
    assert not text.disable_notification
    assert photo.photo == PHOTO and photo.caption == "사진 설명"
    assert photo.disable_notification


@pytest.mark.parametrize(
    ("fault", "kind", "words"),
    [
        (status(502), Transient, "bad gateway"),
        (status(500), Transient, "internal server error"),
        (timeout(2.0), Transient, "timed out"),
        (drop(), Transient, "network error"),
        (lost_response(), Transient, "network error"),
        (retry_after(7), RateLimited, "retry after 7"),
    ],
)
async def test_faults_are_classified(
    api: BotApiDouble, sender: TelegramSender, fault: object, kind: type[Exception], words: str
) -> None:
    api.inject("sendMessage", fault)  # type: ignore[arg-type]
    with pytest.raises(kind) as caught:
        await sender.send_text("@news", "hello", silent=False)
    assert words in str(caught.value).lower()
    if isinstance(caught.value, RateLimited):
        assert caught.value.retry_after == 7
        return  # the double now holds @news for 7 s, as Telegram would
    assert await sender.send_text("@news", "again", silent=False) >= 1


async def test_chat_problems_are_permanent_with_the_reason(api: BotApiDouble, sender: TelegramSender) -> None:
    api.add_chat("@kicked", kicked=True)
    api.add_chat("@outsider", member=False)
    with pytest.raises(Permanent, match=r"(?i)kicked from the channel"):
        await sender.send_text("@kicked", "x", silent=False)
    with pytest.raises(Permanent, match=r"(?i)not a member"):
        await sender.send_text("@outsider", "x", silent=False)
    with pytest.raises(Permanent, match=r"(?i)chat not found"):
        await sender.send_text("@nowhere", "x", silent=False)
    with pytest.raises(Permanent, match=r"(?i)too long"):
        await sender.send_text("@news", "가" * 4097, silent=False)
    with pytest.raises(Permanent, match=r"(?i)can't parse entities"):
        await sender.send_text("@news", "<p>x</p>", silent=False)


async def test_a_migrated_group_gives_its_new_id(api: BotApiDouble, sender: TelegramSender) -> None:
    group = api.add_chat("-400123", "group")
    new = api.migrate(group.id)
    with pytest.raises(Migrated) as caught:
        await sender.send_text(group.id, "x", silent=False)
    assert caught.value.new_chat_id == new.id
    assert await sender.send_text(new.id, "x", silent=False) == 1


async def test_a_refused_photo_is_told_apart_from_a_refused_chat(api: BotApiDouble, sender: TelegramSender) -> None:
    api.inject("sendPhoto", photo_fail())
    with pytest.raises(PhotoRejected, match=r"(?i)wrong file identifier"):
        await sender.send_photo("@news", PHOTO, "caption", silent=False)
    with pytest.raises(PhotoRejected):
        await sender.send_photo("@news", "not a url", "caption", silent=False)
    api.add_chat("@kicked", kicked=True)
    with pytest.raises(Permanent) as caught:
        await sender.send_photo("@kicked", PHOTO, "caption", silent=False)
    assert not isinstance(caught.value, PhotoRejected)


async def test_a_rejected_token_is_permanent_and_never_shown(
    api: BotApiDouble, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "987654321:WRONGwrongWRONGwrongWRONGwrongWRONG"
    s = TelegramSender(wrong, base_url=api.base_url, timeout=1.0)
    with pytest.raises(Permanent, match="token rejected") as caught:
        await s.start()
    await s.close()
    assert wrong not in str(caught.value) and wrong not in repr(s)
    assert wrong not in caplog.text
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING


async def test_the_token_never_reaches_the_logs_of_a_working_sender(
    api: BotApiDouble, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    s = TelegramSender(api.token, base_url=api.base_url, timeout=1.0)
    await s.start()
    api.inject("sendMessage", status(502))
    with pytest.raises(Transient) as caught:
        await s.send_text("@news", "x", silent=False)
    await s.send_text("@news", "x", silent=False)
    await s.close()
    assert api.token not in caplog.text and api.token not in str(caught.value)
    assert len(api.messages) == 1


def test_redact_hides_any_token_shape() -> None:
    text = "GET http://127.0.0.1/bot123456789:AAbbCCddEEffGGhhIIjjKKllMMnn/sendMessage failed"
    assert "AAbb" not in redact(text)
    assert redact("secret-x here", "secret-x") == "<token> here"


async def test_dry_run_prints_each_post_clearly_marked() -> None:
    out = io.StringIO()
    s = DryRunSender(out)
    await s.start()
    first = await s.send_text("@chan", "<b>제목</b>", silent=True)
    second = await s.send_photo("@chan", PHOTO, "캡션", silent=False)
    await s.close()
    assert s.dry_run and first != second
    text = out.getvalue()
    assert "[dry run] would post to @chan (silent):\n<b>제목</b>" in text
    assert f"[dry run] would post a photo to @chan:\n[photo] {PHOTO}\n캡션" in text


async def test_telegram_unreachable_at_start_only_delays_the_first_post(api: BotApiDouble) -> None:
    api.inject("getMe", status(502))
    s = TelegramSender(api.token, base_url=api.base_url, timeout=1.0)
    await s.start()  # a warning, not a crash: the dispatcher retries sends anyway
    assert await s.send_text("@news", "first", silent=False) == 1
    await s.close()
    assert [r.outcome for r in api.requests][:2] == ["fault:status", "ok"]
