"""`pressbot check`'s summary and the reload diff."""

from __future__ import annotations

from pathlib import Path

from bot.config import Config, load_config, load_config_text
from bot.config.summary import diff, summarize

REPO = Path(__file__).resolve().parents[1]
TOKEN = "987654321:AAFsummarySECRETtoken"

BASE = """\
telegram:
  token: ${TOKEN:-}
channels:
  chungnam:
    chat_id: "@chungnam_press"
    quiet_hours: "22:00-07:00"
rss:
  all:
    path: /rss/all.xml
feeds:
  - name: chungnam-gov
    url: https://www.korea.kr/rss/dept_chungnam.xml
    region: 충남
    publish: [chungnam, all]
"""


def load(text: str, env: dict[str, str] | None = None) -> Config:
    return load_config_text(text, file="config.yaml", base_dir=Path("/srv/pb"), env=env or {})


def test_summary_of_the_shipped_config() -> None:
    cfg = load_config(REPO / "config.yaml", env={})
    text = summarize(cfg)
    assert text.splitlines()[0] == (
        f"{REPO / 'config.yaml'}: OK: 10 feeds (10 enabled), 3 channels, 3 RSS outputs, 1 warning"
    )
    for feed in cfg.feeds:
        assert any(line.strip().startswith(feed.name + " ") for line in text.splitlines()), feed.name
    assert "  chungnam-gov   feed  every 5m   충남  -> chungnam, all, chungnam-rss" in text
    assert "http://127.0.0.1:8080/rss/all.xml" in text
    assert f"storage   {REPO / 'data' / 'pressbot.sqlite3'}" in text
    assert "web       listening on 127.0.0.1:8080, public address http://127.0.0.1:8080" in text
    assert "DRY RUN: no token, posts are printed" in text
    assert "quiet 22:00-07:00" in text
    assert "warning: no token: Telegram posts are printed (dry run)" in text.splitlines()[-1]


def test_summary_with_a_token_never_shows_it() -> None:
    text = summarize(load(BASE, env={"TOKEN": TOKEN}))
    assert TOKEN not in text and "SECRET" not in text
    assert "telegram  token set, Bot API at https://api.telegram.org/bot; 0 admins;" in text
    assert "warnings (" not in text and "0 warnings" in text


def test_summary_of_web_off_and_disabled_feed() -> None:
    text = summarize(
        load(
            BASE.replace("publish: [chungnam, all]", "publish: [chungnam, all]\n    enabled: false")
            + "web:\n  listen: ''\n"
        )
    )
    assert "1 feed (0 enabled)" in text
    assert "[disabled]" in text
    assert "web       off (web.listen is empty)" in text
    assert "(web server off)" in text


def test_diff_of_identical_configs_is_empty() -> None:
    change = diff(load(BASE), load(BASE))
    assert not change
    assert change.describe() == "nothing changed"
    assert change.restart_needed == ()


def test_diff_feeds_channels_and_rss() -> None:
    new_text = (
        BASE.replace("region: 충남", "region: 충남\n    interval: 1m")
        .replace("rss:\n", "  busan:\n    chat_id: -1001\nrss:\n")
        .replace("path: /rss/all.xml", "path: /rss/everything.xml")
        + "  - name: busan-gov\n    url: https://www.korea.kr/rss/dept_busan.xml\n    publish: [busan]\n"
    )
    change = diff(load(BASE), load(new_text))
    assert change.feeds_added == ("busan-gov",)
    assert change.feeds_changed == ("chungnam-gov",)
    assert change.feeds_removed == ()
    assert change.channels_added == ("busan",)
    assert change.rss_changed == ("all",)
    assert change.restart_needed == ()
    assert change.describe() == "feeds +busan-gov ~chungnam-gov; channels +busan; rss ~all"
    back = diff(load(new_text), load(BASE))
    assert back.feeds_removed == ("busan-gov",) and back.channels_removed == ("busan",)


def test_diff_flags_what_needs_a_restart() -> None:
    change = diff(load(BASE), load(BASE + "storage:\n  path: other.sqlite3\nweb:\n  listen: 127.0.0.1:9090\n"))
    assert change.storage_changed and change.web_changed
    assert change.restart_needed == ("storage", "web")
    assert change.describe() == "storage (restart needed); web (restart needed)"
    token = diff(load(BASE), load(BASE, env={"TOKEN": TOKEN}))
    assert token.telegram_changed and token.restart_needed == ("telegram",)
    assert TOKEN not in token.describe()


def test_diff_admins_apply_without_restart() -> None:
    admins = BASE.replace("  token: ${TOKEN:-}", "  token: ${TOKEN:-}\n  admins: [42]")
    change = diff(load(BASE), load(admins))
    assert change.admins_changed and change.telegram_changed
    assert change.restart_needed == ()
    assert change.describe() == "telegram.admins"
    poll = diff(load(BASE), load(BASE + "poll:\n  concurrency: 4\n"))
    assert poll.poll_changed and poll.describe() == "poll"
