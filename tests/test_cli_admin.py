"""`pressbot status` and `pressbot retry` on a real store file; log options before or after the command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import load_config
from bot.model import Entry, Summary
from bot.store import Store, Target

ROOT = Path(__file__).resolve().parent.parent

CONFIG = """
storage:
  path: data/store.sqlite3
telegram:
  token: ${TELEGRAM_BOT_TOKEN:-}
web:
  listen: ""
channels:
  cn:
    chat_id: "@cn_press"
  bs:
    chat_id: "@bs_press"
feeds:
  - name: cn-gov
    url: http://127.0.0.1:9/cn.xml
    publish: [cn]
  - name: bs-gov
    url: http://127.0.0.1:9/bs.xml
    publish: [bs]
"""


def pressbot(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "PRESSBOT_CONFIG")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        check=False,
    )


@pytest.fixture
def config_path(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    yield path


def fill(config_path: Path) -> None:
    """What a bot run leaves behind: one feed failing, backlog and failures in both channels."""
    config = load_config(config_path, env={})
    store = Store(config.storage.path)
    try:
        now = time.time()
        store.feeds.record_success("cn-gov", now=now, next_poll=now + 300)
        store.feeds.record_failure("bs-gov", now=now, kind="http", message="HTTP 502 Bad Gateway",
                                   next_poll=now + 60)
        for n, target in enumerate(["cn", "cn", "cn", "bs", "bs"]):
            summary = Summary(url=f"https://a.go.kr/{n}", title=f"보도자료 {n}")
            store.releases.record(
                feed="cn-gov", entry=Entry(feed="cn-gov", item_id=str(n), link=summary.url, title=summary.title),
                key=summary.url, summary=summary, targets=[Target(target, "telegram")], now=now,
            )
        cn = [d.id for d in store.outbox.pending("cn")]
        bs = [d.id for d in store.outbox.pending("bs")]
        store.outbox.mark_failed(cn[:2], reason="bad request: chat not found")
        store.outbox.mark_failed(bs[:1], reason="forbidden: bot is not a member")
    finally:
        store.close()


def test_status_reads_the_store_while_another_process_writes(config_path: Path) -> None:
    fill(config_path)
    config = load_config(config_path, env={})
    running = Store(config.storage.path)  # the bot, mid-transaction: WAL lets a reader through
    try:
        with running.db.transaction() as conn:
            conn.execute("UPDATE feed_state SET polls = polls + 1")
            result = pressbot("status", "-c", str(config_path))
            as_json = pressbot("status", "--json", "-c", str(config_path))
    finally:
        running.close()
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "(dry run)" in out
    assert "! bs-gov [failing] 1 errors" in out and "HTTP 502 Bad Gateway" in out
    assert "- cn-gov ok" in out
    assert "- cn: backlog 1, failed 2" in out
    assert "- bs: backlog 1, failed 1" in out
    data = json.loads(as_json.stdout)
    assert {c["name"]: (c["backlog"], c["failed"]) for c in data["channels"]} == {"cn": (1, 2), "bs": (1, 1)}
    assert [(f["name"], f["state"]) for f in data["feeds"]] == [("cn-gov", "ok"), ("bs-gov", "failing")]


def test_retry_one_channel_then_all(config_path: Path) -> None:
    fill(config_path)
    one = pressbot("retry", "--channel", "bs", "-c", str(config_path))
    assert one.returncode == 0, one.stderr
    assert one.stdout.strip() == "1 failed deliveries queued again for bs"
    config = load_config(config_path, env={})
    store = Store(config.storage.path)
    try:
        assert store.outbox.counts()["bs"].failed == 0 and store.outbox.counts()["cn"].failed == 2
        assert store.outbox.count_pending("bs") == 2
    finally:
        store.close()
    rest = pressbot("retry", "-c", str(config_path))
    assert rest.stdout.strip() == "2 failed deliveries queued again"
    status = json.loads(pressbot("status", "--json", "-c", str(config_path)).stdout)
    assert {c["name"]: (c["backlog"], c["failed"]) for c in status["channels"]} == {"cn": (3, 0), "bs": (2, 0)}


def test_retry_unknown_channel_names_the_known_ones(config_path: Path) -> None:
    fill(config_path)
    result = pressbot("retry", "--channel", "zz", "-c", str(config_path))
    assert result.returncode == 1
    assert "no channel named 'zz' (known: cn, bs)" in result.stderr


@pytest.mark.parametrize("before", [True, False], ids=["before-command", "after-command"])
def test_log_options_before_or_after_the_command(config_path: Path, before: bool) -> None:
    fill(config_path)
    options = ["--log-level", "debug", "--log-format", "json"]
    args = [*options, "retry", "-c", str(config_path)] if before else ["retry", "-c", str(config_path), *options]
    result = pressbot(*args)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
    assert lines, "expected JSON log lines on stderr"
    assert {"time", "level", "logger", "message"} <= set(lines[0])
    assert any(r["level"] == "info" and r["message"] == "retry: 3 failed deliveries queued again" for r in lines)
    debug = pressbot("status", "-c", str(config_path), "--log-level", "DEBUG")
    assert " DEBUG " in debug.stderr and "status: reading" in debug.stderr
    quiet = pressbot("--log-level", "warning", "retry", "-c", str(config_path))
    assert quiet.stderr == ""  # the INFO line is below the level


def test_bad_log_level_is_a_usage_error(config_path: Path) -> None:
    result = pressbot("status", "-c", str(config_path), "--log-level", "loud")
    assert result.returncode == 2
    assert "--log-level" in result.stderr
