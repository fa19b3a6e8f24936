"""The commands as an admin types them: check, preview, run --once, demo."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp
import feedparser

from tests.fakes.botapi import BotApiDouble
from tests.fakes.botapi_model import status
from tests.fakes.feedsite import FeedSite
from tests.support import CORPUS, FAKE_TOKEN, ROOT, BotProcess, free_port, labels, serve_corpus, write_config


def pressbot(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", **(env or {})},
    )


def test_check_accepts_the_shipped_config() -> None:
    result = pressbot("check", "-c", str(ROOT / "config.yaml"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "feeds" in result.stdout and "/rss/all.xml" in result.stdout
    assert "dry run" in result.stdout.lower()


def test_check_refuses_a_file_only_rss_output_without_a_public_address(tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.yaml", """\
web:
  listen: ""
rss:
  all:
    path: /rss/all.xml
    file: all.xml
feeds:
  - name: a
    url: https://example.com/rss.xml
    publish: [all]
""")
    result = pressbot("check", "-c", str(config))
    assert result.returncode == 1
    assert f"{config}:4: rss.all: the web server is off: set web.base_url" in result.stdout


def test_check_lists_every_problem_with_file_line_and_key(tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.yaml", """\
channels:
  chungnam:
    chat_id: "@chungnam_press"
feeds:
  - name: a
    url: https://example.com/rss.xml
    interval: soon
    publish: [chungnam, chungbuk]
""")
    result = pressbot("check", "-c", str(config))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert f"{config}:7: feeds[0].interval: expected a duration like 30s, 5m, 1h or a number of seconds, " \
           "got 'soon'" in lines
    assert any(line.startswith(f"{config}:8: feeds[0].publish[1]: no channel or rss output named 'chungbuk'")
               for line in lines)


def test_preview_json_of_a_saved_page_uses_the_label_keys() -> None:
    label = next(lab for lab in labels() if lab["file"].endswith("p01_sisapick.html"))
    result = pressbot("preview", str(CORPUS / label["file"]), "--url", label["url"], "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"title", "subtitle", "quote", "speaker", "lead", "published", "image", "caption", "region"}
    for key in ("title", "quote", "speaker", "published", "image", "region"):
        assert data[key] == label[key], key


def test_preview_shows_fields_and_the_exact_post() -> None:
    result = pressbot("preview", str(CORPUS / "pages" / "p06_busaninside.html"))
    assert result.returncode == 0, result.stderr
    assert "--- Telegram message (HTML, as posted) ---" in result.stdout
    assert "<b>부산시, 500억 규모 ‘청년 스타트업 펀드’ 만든다</b>" in result.stdout


def test_preview_of_a_missing_file_is_a_clear_error() -> None:
    result = pressbot("preview", "/no/such/page.html", "--json")
    assert result.returncode == 1
    assert result.stdout == ""
    assert "/no/such/page.html" in result.stderr


async def test_preview_of_a_live_url(tmp_path: Path) -> None:
    async with FeedSite() as site:
        mapping = serve_corpus(site)
        label = next(lab for lab in labels() if lab["file"].endswith("p08_yeongam.html"))  # EUC-KR page
        proc = BotProcess(["preview", mapping[label["url"]], "--json"], tmp_path)
        await proc.start()
        assert await proc.wait() == 0
    data = json.loads((tmp_path / "stdout-1.txt").read_text(encoding="utf-8"))
    assert data["title"] == label["title"]


def once_config(tmp: Path, site: FeedSite, api: BotApiDouble) -> Path:
    return write_config(tmp / "config.yaml", f"""\
storage:
  path: {tmp}/store.sqlite3
telegram:
  token: ${{TELEGRAM_BOT_TOKEN:-}}
  api_base_url: {api.base_url}
  timeout: 2s
web:
  listen: ""
  base_url: https://feeds.example.org
defaults:
  backfill: 2
channels:
  news:
    chat_id: "@news"
    digest_after: 0
rss:
  all:
    path: /rss/all.xml
    file: {tmp}/all.xml
feeds:
  - name: regional
    url: {site.url('/feeds/regional_news_rss.xml')}
    publish: [news, all]
""")


async def test_run_once_publishes_and_exits_zero(tmp_path: Path) -> None:
    async with FeedSite() as site, BotApiDouble(FAKE_TOKEN, chats=["@news"]) as api:
        serve_corpus(site)
        config = once_config(tmp_path, site, api)
        bot = BotProcess(["run", "--once", "-c", str(config)], tmp_path, env={"TELEGRAM_BOT_TOKEN": FAKE_TOKEN})
        await bot.start()
        assert await bot.wait(120) == 0, bot.output()
        assert len(api.messages_for("@news")) == 2  # backfill 2: the newest two of nine
        parsed = feedparser.parse((tmp_path / "all.xml").read_bytes())
        assert parsed.bozo == 0 and len(parsed.entries) == 2
        assert any(link.get("rel") == "self" and link.href == "https://feeds.example.org/rss/all.xml"
                   for link in parsed.feed.links)
        # A second --once finds nothing new and posts nothing.
        await bot.start()
        assert await bot.wait(120) == 0
        assert len(api.messages_for("@news")) == 2


async def test_run_once_times_out_nonzero_and_keeps_the_rest_pending(tmp_path: Path) -> None:
    async with FeedSite() as site, BotApiDouble(FAKE_TOKEN, chats=["@news"]) as api:
        serve_corpus(site)
        config = once_config(tmp_path, site, api)
        api.inject("sendMessage", *[status(502)] * 1000, chat="@news")
        bot = BotProcess(["run", "--once", "--timeout", "3", "-c", str(config)], tmp_path,
                         env={"TELEGRAM_BOT_TOKEN": FAKE_TOKEN})
        await bot.start()
        assert await bot.wait(120) == 1
        assert "still pending" in bot.output()
        assert api.messages_for("@news") == []
        # Telegram is back: the next run delivers what was left, once.
        api.clear_faults()
        await bot.start()
        assert await bot.wait(120) == 0, bot.output()
        assert len(api.messages_for("@news")) == 2


async def test_demo_runs_without_network(tmp_path: Path) -> None:
    port = free_port()
    stderr = (tmp_path / "stderr.txt").open("wb")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "demo", "--port", str(port), "--seconds", "30", cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    out = []
    try:
        # The demo prints where to look once the pipeline has run and the server is up.
        while not any(line.startswith("RSS output:") for line in out):
            line = await asyncio.wait_for(proc.stdout.readline(), 60)
            assert line, "demo exited early:\n" + "".join(out)
            out.append(line.decode("utf-8"))
        async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/rss/demo.xml") as resp:
            assert resp.status == 200
            parsed = feedparser.parse(await resp.read())
        log = (tmp_path / "stderr.txt").read_text(encoding="utf-8", errors="replace")
        assert parsed.bozo == 0 and len(parsed.entries) == 4, "".join(out) + log
    finally:
        proc.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(proc.wait(), 20) == 0
        stderr.close()
    text = "".join(out)
    assert "[dry run] would post to @pressbot_demo" in text
    assert "‘디지털 혁신’ 정보 교류의 장 마련" in text
