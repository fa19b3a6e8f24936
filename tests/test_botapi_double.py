"""The Bot API double, driven by the real python-telegram-bot over loopback."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import telegram
from telegram import error as tg_error

from tests.fakes.botapi import (
    DEFAULT_TOKEN,
    BotApiDouble,
    FloodLimits,
    Window,
    drop,
    lost_response,
    photo_fail,
    retry_after,
    status,
    timeout,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    # PTB 22 warns (an error under filterwarnings=error) when RetryAfter is built without this opt-in.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.fixture
async def api() -> AsyncIterator[BotApiDouble]:
    async with BotApiDouble(chats=["@news", "@other", "-100777:supergroup"]) as double:
        yield double


@pytest.fixture
async def bot(api: BotApiDouble) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(api.token, base_url=api.base_url) as client:
        yield client


async def raw_post(api: BotApiDouble, method: str, data: dict[str, str]) -> tuple[int, dict[str, object], str]:
    async with aiohttp.ClientSession() as session, session.post(f"{api.base_url}{api.token}/{method}",
                                                                data=data) as resp:  # fmt: skip
        return resp.status, await resp.json(), resp.headers.get("Retry-After", "")


async def test_valid_post_is_recorded_with_utf16_entities(api: BotApiDouble, bot: telegram.Bot) -> None:
    html = '<b>😀 제목</b> &amp; <a href="https://Example.com">원문 보기</a>'
    sent = await bot.send_message("@news", html, parse_mode="HTML", disable_notification=True)
    second = await bot.send_message("@other", "plain")
    [posted] = api.messages_for("@news")
    assert posted.text == "😀 제목 & 원문 보기"
    assert posted.html == html
    assert posted.entities == (
        {"type": "bold", "offset": 0, "length": 5},
        {"type": "text_link", "offset": 8, "length": 5, "url": "https://example.com/"},
    )
    assert posted.disable_notification is True
    assert posted.chat == "@news" and posted.chat_id == api.chat("@news").id < 0
    assert sent.message_id == posted.message_id == 1 and second.message_id == 1
    assert sent.chat.username == "news" and sent.entities[0].type == "bold"
    assert api.texts(api.chat("@news").id) == ["😀 제목 & 원문 보기"]


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("<p>para</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("한글 <br/>", 'Unsupported start tag "br/" at byte offset 7'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ('<a href="x"/>y</a>', 'Empty attribute name in the tag "a" at byte offset 0'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("&#xD800;", "Text contains invalid Unicode characters after decoding HTML entities, "
                     "check for unmatched surrogate code units"),
    ],
)  # fmt: skip
async def test_html_errors_have_telegram_texts(api: BotApiDouble, bot: telegram.Bot, html: str, error: str) -> None:
    code, body, _ = await raw_post(api, "sendMessage", {"chat_id": "@news", "text": html, "parse_mode": "HTML"})
    assert (code, body) == (400, {"ok": False, "error_code": 400,
                                  "description": f"Bad Request: can't parse entities: {error}"})  # fmt: skip
    with pytest.raises(tg_error.BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message("@news", html, parse_mode="HTML")
    assert api.messages == []


async def test_other_named_entities_stay_literal(api: BotApiDouble, bot: telegram.Bot) -> None:
    await bot.send_message("@news", "&nbsp;&copy; &lt;&#54620;&#x44;&quot; & x", parse_mode="HTML")
    assert api.messages[0].text == '&nbsp;&copy; <한D" & x'


async def test_lengths_count_code_points_after_parsing(api: BotApiDouble, bot: telegram.Bot) -> None:
    api.set_limits(FloodLimits.off())
    await bot.send_message("@news", "<b>" + "😀" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(tg_error.BadRequest, match=r"(?i)^message is too long$"):
        await bot.send_message("@news", "😀" * 4097)
    await bot.send_photo("@news", "https://example.com/a.jpg", caption="가" * 1024)
    with pytest.raises(tg_error.BadRequest, match=r"(?i)^message caption is too long$"):
        await bot.send_photo("@news", "https://example.com/a.jpg", caption="&amp;" * 1025, parse_mode="HTML")
    with pytest.raises(tg_error.BadRequest, match=r"(?i)^text is too long$"):
        await bot.send_message("@news", "<b></b>" * 5000, parse_mode="HTML")
    assert [len(m.text) for m in api.messages] == [4096, 1024]
    assert api.messages[0].entities == ({"type": "bold", "offset": 0, "length": 8192},)


async def test_empty_texts_are_refused(api: BotApiDouble) -> None:
    code, body, _ = await raw_post(api, "sendMessage", {"chat_id": "@news", "text": ""})
    assert (code, body["description"]) == (400, "Bad Request: message text is empty")
    code, body, _ = await raw_post(api, "sendMessage", {"chat_id": "@news", "text": " <b>\n</b> \u200b",
                                                          "parse_mode": "html"})  # fmt: skip
    assert (code, body["description"]) == (400, "Bad Request: text must be non-empty")


async def test_flood_429_until_retry_after_passed(api: BotApiDouble, bot: telegram.Bot) -> None:
    await bot.send_message("@news", "one")
    with pytest.raises(tg_error.RetryAfter) as caught:
        await bot.send_message("@news", "two")
    assert caught.value.retry_after == dtm.timedelta(seconds=1)
    code, body, header = await raw_post(api, "sendMessage", {"chat_id": "@news", "text": "three"})
    assert (code, body["parameters"], header) == (429, {"retry_after": 1}, "1")
    assert body["description"] == "Too Many Requests: retry after 1"
    await bot.send_message("@other", "another chat is not held up")
    assert (api.count_429, api.retry_after_ignored) == (2, 1)
    assert [r.outcome for r in api.requests if r.method == "sendmessage"] == ["ok", "429", "429", "ok"]


async def test_group_window_answers_its_ceiling(api: BotApiDouble, bot: telegram.Bot) -> None:
    api.set_limits(FloodLimits(per_chat=None, per_group=Window(2, 60.0), overall=None))
    await bot.send_message("@news", "1")
    await bot.send_message("@news", "2")
    with pytest.raises(tg_error.RetryAfter) as caught:
        await bot.send_message("@news", "3")
    assert caught.value.retry_after == dtm.timedelta(seconds=60)
    private = api.add_chat(42)
    for n in range(3):
        await bot.send_message(private.id, str(n))  # private chats are exempt from the group window
    assert len(api.messages_for(42)) == 3


async def test_injected_retry_after_then_held(api: BotApiDouble, bot: telegram.Bot) -> None:
    api.inject("sendMessage", retry_after(7), chat="@news")
    with pytest.raises(tg_error.RetryAfter) as caught:
        await bot.send_message("@news", "x")
    assert caught.value.retry_after == dtm.timedelta(seconds=7)
    with pytest.raises(tg_error.RetryAfter):
        await bot.send_message(api.chat("@news").id, "x")
    assert api.retry_after_ignored == 1 and api.messages == []


async def test_chat_errors(api: BotApiDouble, bot: telegram.Bot) -> None:
    api.add_chat("@gone", kicked=True)
    api.add_chat("@outside", "supergroup", member=False)
    group = api.add_chat("-4001:group")
    new = api.migrate(group.id)
    with pytest.raises(tg_error.BadRequest, match=r"(?i)^chat not found$"):
        await bot.send_message("@nobody", "x")
    with pytest.raises(tg_error.Forbidden, match=r"(?i)kicked from the channel chat"):
        await bot.send_message("@gone", "x")
    with pytest.raises(tg_error.Forbidden, match=r"(?i)not a member of the supergroup chat"):
        await bot.send_message("@outside", "x")
    with pytest.raises(tg_error.ChatMigrated) as migrated:
        await bot.send_message(group.id, "x")
    assert migrated.value.new_chat_id == new.id
    await bot.send_message(new.id, "followed")
    assert api.texts(new.id) == ["followed"]


async def test_status_faults_map_to_network_error(api: BotApiDouble, bot: telegram.Bot) -> None:
    api.inject("sendMessage", status(502), status(500), chat="@news")
    for _ in range(2):
        with pytest.raises(tg_error.NetworkError):
            await bot.send_message("@news", "x")
    await bot.send_message("@other", "no fault here")
    await bot.send_message("@news", "third time lucky")
    assert api.texts("@news") == ["third time lucky"]
    assert [r.outcome for r in api.requests if r.chat == "@news"] == ["fault:status", "fault:status", "ok"]
    assert api.pending_faults() == 0


async def test_drop_and_lost_response(api: BotApiDouble, bot: telegram.Bot) -> None:
    api.inject("sendMessage", drop(), lost_response(), chat="@news")
    with pytest.raises(tg_error.NetworkError):
        await bot.send_message("@news", "dropped")
    with pytest.raises(tg_error.NetworkError):
        await bot.send_message("@news", "posted, answer lost")
    assert api.texts("@news") == ["posted, answer lost"]


async def test_timeout_holds_past_the_client_deadline(api: BotApiDouble, bot: telegram.Bot) -> None:
    api.inject("sendMessage", timeout(30), timeout(30, deliver=True), chat="@news")
    with pytest.raises(tg_error.TimedOut):
        await bot.send_message("@news", "never posted", read_timeout=0.2)
    with pytest.raises(tg_error.TimedOut):
        await bot.send_message("@news", "posted late", read_timeout=0.2)
    assert api.texts("@news") == ["posted late"]


async def test_photos(api: BotApiDouble, bot: telegram.Bot) -> None:
    api.set_limits(FloodLimits.off())
    by_url = await bot.send_photo("@news", "https://example.com/p.jpg", caption="<i>사진</i>", parse_mode="HTML")
    await bot.send_photo("@news", PNG, caption="uploaded")
    api.inject("sendPhoto", photo_fail())
    with pytest.raises(tg_error.BadRequest, match=r"(?i)wrong file identifier/http url specified"):
        await bot.send_photo("@news", "https://example.com/p.jpg")
    with pytest.raises(tg_error.BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_photo("@news", "not-a-url")
    with pytest.raises(tg_error.BadRequest, match=r"(?i)image_process_failed"):
        await bot.send_photo("@news", b"plain text, not an image")
    first, second = api.messages_for("@news")
    assert by_url.caption == "사진" and first.photo == "https://example.com/p.jpg"
    assert first.entities == ({"type": "italic", "offset": 0, "length": 2},)
    assert second.photo is not None and second.photo.startswith("upload:") and second.caption == "uploaded"


async def test_get_updates_returns_pushed_update(api: BotApiDouble, bot: telegram.Bot) -> None:
    assert await bot.get_updates(timeout=0) == ()
    polling = asyncio.create_task(bot.get_updates(timeout=20))
    await api.wait_for(lambda d: d.polls_waiting == 1)
    update_id = api.push_update("/status now", from_id=1001)
    [update] = await asyncio.wait_for(polling, 10)
    assert update.update_id == update_id and update.message is not None
    assert update.message.text == "/status now" and update.message.chat.type == "private"
    assert update.message.from_user is not None and update.message.from_user.id == 1001
    assert update.message.entities[0].type == "bot_command"
    assert await bot.get_updates(offset=update_id + 1, timeout=0) == ()


async def test_concurrent_get_updates_conflict(api: BotApiDouble) -> None:
    older = asyncio.create_task(raw_post(api, "getUpdates", {"timeout": "20"}))
    await api.wait_for(lambda d: d.polls_waiting == 1)
    newer = asyncio.create_task(raw_post(api, "getUpdates", {"timeout": "20"}))
    code, body, _ = await asyncio.wait_for(older, 10)
    assert code == 409 and str(body["description"]).startswith("Conflict: terminated by other getUpdates")
    api.push_update("hi", from_id=7)
    code, body, _ = await asyncio.wait_for(newer, 10)
    assert code == 200 and len(body["result"]) == 1  # type: ignore[arg-type]


async def test_tokens_methods_and_envelope(api: BotApiDouble) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{api.base_url}123:{'x' * 35}/getMe") as resp:
            assert resp.status == 401 and await resp.json() == {"ok": False, "error_code": 401,
                                                                 "description": "Unauthorized"}  # fmt: skip
        async with session.get(f"{api.base_url}bad/getMe") as resp:
            assert resp.status == 404 and (await resp.json())["description"] == "Not Found"
        async with session.get(f"{api.base_url}{api.token}/noSuchMethod") as resp:
            assert resp.status == 404 and resp.content_type == "application/json"
        async with session.get(f"{api.base_url}{api.token}/GETME?x=1") as resp:
            assert (await resp.json())["result"]["is_bot"] is True
        async with session.post(f"{api.base_url}{api.token}/sendMessage",
                                json={"chat_id": api.chat("@news").id, "text": "json body"}) as resp:  # fmt: skip
            assert resp.status == 200
    wrong = telegram.Bot("123:" + "x" * 35, base_url=api.base_url)
    with pytest.raises(tg_error.InvalidToken):
        await wrong.get_me()
    await wrong.shutdown()


async def test_wait_for_times_out_with_a_clear_error(api: BotApiDouble) -> None:
    with pytest.raises(TimeoutError, match=r"condition not met within 0.05s"):
        await api.wait_for(lambda d: len(d.messages) > 0, timeout=0.05)


async def test_subprocess_double_with_control_api(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.fakes.botapi", "--port", "0", "--chats", "@a,@b",
        "--state-file", str(state), stdout=asyncio.subprocess.PIPE, cwd=Path(__file__).parent.parent,
        env=dict(os.environ, PYTHONPATH=str(Path(__file__).parent.parent)),
    )  # fmt: skip
    assert proc.stdout is not None
    try:
        port = int(await asyncio.wait_for(proc.stdout.readline(), 20))
        control = f"http://127.0.0.1:{port}/_control"
        async with aiohttp.ClientSession() as session:
            fault = {"method": "sendMessage", "chat": "@a", "faults": [{"kind": "status", "status": 502}]}
            async with session.post(f"{control}/faults", json=fault) as resp:
                assert (await resp.json())["pending_faults"] == 1
            async with telegram.Bot(DEFAULT_TOKEN, base_url=f"http://127.0.0.1:{port}/bot") as bot:
                with pytest.raises(tg_error.NetworkError):
                    await bot.send_message("@a", "x")
                await bot.send_message("@a", "<b>hello</b>", parse_mode="HTML")
            async with session.get(f"{control}/wait", params={"chat": "@a", "count": "1", "timeout": "5"}) as resp:
                assert resp.status == 200
            async with session.get(f"{control}/messages", params={"chat": "@a"}) as resp:
                [message] = (await resp.json())["messages"]
            assert message["text"] == "hello" and message["entities"][0]["type"] == "bold"
            async with session.get(f"{control}/stats") as resp:
                assert (await resp.json())["per_chat"] == {"@a": 1}
            async with session.post(f"{control}/updates", json={"text": "/help", "from_id": 5}) as resp:
                assert (await resp.json())["update_id"] == 1
    finally:
        proc.terminate()
        assert await asyncio.wait_for(proc.wait(), 10) == 0
    assert json.loads(state.read_text("utf-8"))["messages"][0]["html"] == "<b>hello</b>"
