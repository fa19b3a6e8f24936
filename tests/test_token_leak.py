"""The bot token never appears in pressbot's output: debug logs, text and JSON, failures and config errors."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fakes.botapi import BotApiDouble
from tests.fakes.botapi_model import drop, status
from tests.fakes.feedsite import FeedSite
from tests.support import BotProcess

# Shaped like a real token: bot id, colon, 35 characters starting with AA.
TOKEN = "987654321:AAHq3Zt7Lm1Xw9Vb5Nc2Kd8Jf4Gh6Ps0Ry"
OTHER = "987654321:AAHothertokenXXXXXXXXXXXXXXXXXXXX"
ADMIN = 111
STRANGER = 666


def secret_forms(token: str) -> list[str]:
    """The token, its secret half, and the forms a URL or JSON encoder would give it."""
    secret = token.split(":", 1)[1]
    return [token, secret, token.replace(":", "%3A"), token.replace(":", "\\u003a")]


def assert_no_token(output: str, token: str = TOKEN) -> None:
    assert output.strip(), "the run printed nothing: the check would prove nothing"
    for form in secret_forms(token):
        assert form not in output, f"token leaked as {form!r}:\n{output[-3000:]}"


def config_text(tmp: Path, site: FeedSite, api_base: str, *, extra: str = "") -> str:
    return f"""\
storage:
  path: {tmp}/store.sqlite3
telegram:
  token: ${{TELEGRAM_BOT_TOKEN}}
  api_base_url: {api_base}
  admins: [{ADMIN}]
  timeout: 3s
web:
  listen: ""
defaults:
  interval: 1s
  backfill: 5
channels:
  news:
    chat_id: "@news"
    digest_after: 0
  gone:
    chat_id: "@gone"
    digest_after: 0
feeds:
  - name: aa
    url: {site.url('/aa.xml')}
    publish: [news, gone]
  - name: broken
    url: {site.url('/broken.xml')}
    publish: [news]
{extra}"""


def feed(site: FeedSite) -> None:
    items = "".join(
        f"<item><title>release {n}</title><link>{site.url(f'/aa/{n}.html')}</link>"
        f"<description>보도자료 {n}</description></item>"
        for n in (1, 2, 3)
    )
    site.add("/aa.xml", f'<?xml version="1.0"?><rss version="2.0"><channel><title>aa</title>{items}</channel></rss>')
    for n in (1, 2, 3):
        site.add(f"/aa/{n}.html", f"<html><body><h1>release {n}</h1><p>본문 {n}입니다.</p></body></html>",
                 content_type="text/html; charset=utf-8")
    site.status("/broken.xml", 500)


async def until(bot: BotProcess, what: str, condition: Callable[[], bool], timeout: float = 30) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert bot.proc is not None and bot.proc.returncode is None, bot.output()[-3000:]
        if loop.time() > deadline:
            pytest.fail(f"timed out waiting for {what}:\n{bot.output()[-3000:]}")
        await asyncio.sleep(0.1)  # polling a subprocess's output files: there is no event to await


@pytest.mark.parametrize("fmt", ["text", "json"])
async def test_debug_run_with_failures_never_shows_the_token(tmp_path: Path, fmt: str) -> None:
    async with FeedSite() as site, BotApiDouble(TOKEN, chats=["@news"]) as api:
        api.add_chat(ADMIN, "private")
        feed(site)
        # A proxy-ish 502 that echoes the request path (token included), a dropped connection,
        # and getUpdates failing twice. "@gone" does not exist: chat not found.
        echo = f"Bad Gateway: upstream failed for /bot{TOKEN}/sendMessage"
        api.inject("sendMessage", status(502, echo), drop(), chat="@news")
        api.inject("getUpdates", status(502, f"Bad Gateway /bot{TOKEN}/getUpdates"), drop())
        config = tmp_path / "config.yaml"
        config.write_text(config_text(tmp_path, site, api.base_url), encoding="utf-8")
        bot = BotProcess(["--log-level", "DEBUG", "run", "-c", str(config), "--log-format", fmt], tmp_path,
                         env={"TELEGRAM_BOT_TOKEN": TOKEN})
        await bot.start()
        try:
            await api.wait_for(lambda d: len(d.messages_for("@news")) == 3, timeout=60)
            await until(bot, "the admin loop to recover", lambda: "admin: getUpdates failed" in bot.output())
            api.push_update("/status", from_id=STRANGER)
            api.push_update("/status", from_id=ADMIN)
            await api.wait_for(lambda d: any("Channels:" in t for t in d.texts(ADMIN)), timeout=60)
            await api.wait_for(lambda d: any("fail permanently" in t for t in d.texts(ADMIN)), timeout=30)
            # A reload that fails, with the token quoted in the broken value.
            config.write_text(config_text(tmp_path, site, api.base_url, extra=f"bogus: {TOKEN}\n"), encoding="utf-8")
            await api.wait_for(lambda d: any("config reload failed" in t for t in d.texts(ADMIN)), timeout=30)
            assert await bot.stop() == 0
        finally:
            await bot.kill()
        output = bot.output()
        assert_no_token(output)
        for text in api.texts(ADMIN):
            assert_no_token(text)
        assert "chat not found" in output and "not in telegram.admins" in output and str(STRANGER) in output
        assert "DEBUG" in output or '"level": "debug"' in output
        if fmt == "json":
            for line in (bot.workdir / f"stderr-{bot.runs}.txt").read_text(encoding="utf-8").splitlines():
                if line.strip():
                    json.loads(line)


async def test_config_errors_never_show_the_token(tmp_path: Path) -> None:
    async with FeedSite() as site:
        feed(site)
        config = tmp_path / "config.yaml"
        # The token pasted where a URL belongs, and into an unknown key.
        text = config_text(tmp_path, site, "${TELEGRAM_BOT_TOKEN}", extra=f"bogus: {TOKEN}\n")
        config.write_text(text, encoding="utf-8")
        outputs = []
        for args in (["check", "-c", str(config)], ["--log-level", "DEBUG", "run", "-c", str(config)]):
            bot = BotProcess(args, tmp_path, env={"TELEGRAM_BOT_TOKEN": TOKEN})
            await bot.start()
            assert await bot.wait(60) == 1
            outputs.append(bot.output())
        for output in outputs:
            assert "telegram.api_base_url" in output and "bogus" in output
            assert_no_token(output)


async def test_rejected_token_is_reported_without_showing_it(tmp_path: Path) -> None:
    async with FeedSite() as site, BotApiDouble(TOKEN, chats=["@news"]) as api:
        feed(site)
        config = tmp_path / "config.yaml"
        config.write_text(config_text(tmp_path, site, api.base_url), encoding="utf-8")
        bot = BotProcess(["run", "-c", str(config), "--log-level", "DEBUG"], tmp_path,
                         env={"TELEGRAM_BOT_TOKEN": OTHER})
        await bot.start()
        code = await bot.wait(60)
        output = bot.output()
        assert code == 1
        assert "telegram: token rejected by Telegram (401/404): check telegram.token" in output
        assert "Traceback" not in output and "Unclosed" not in output
        assert_no_token(output, OTHER)
