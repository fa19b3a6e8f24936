"""config.yaml validation: every problem with file, line, key path and a message an admin can act on."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from datetime import UTC, datetime, time, timedelta, timezone
from pathlib import Path

import pytest

from bot.config import REGIONS, Config, ConfigError, Problem, load_config, load_config_text
from bot.model import KST, BoardSelectors, ExtractSelectors

REPO = Path(__file__).resolve().parents[1]

# Line numbers below refer to this text: 1 telegram, 2 token, 3 channels, 4 chungnam, 5 chat_id,
# 6 rss, 7 all, 8 path, 9 feeds, 10 "- name", 11 url, 12 publish.
BASE = """\
telegram:
  token: ${TOKEN:-}
channels:
  chungnam:
    chat_id: "@chungnam_press"
rss:
  all:
    path: /rss/all.xml
feeds:
  - name: chungnam-gov
    url: https://www.korea.kr/rss/dept_chungnam.xml
    publish: [chungnam, all]
"""


def load(text: str, env: Mapping[str, str] | None = None, base_dir: Path = Path("/srv/pressbot")) -> Config:
    return load_config_text(textwrap.dedent(text), file="config.yaml", base_dir=base_dir, env=env or {})


def problems(text: str, env: Mapping[str, str] | None = None) -> list[str]:
    """Every problem (errors and warnings) of a config that must fail."""
    with pytest.raises(ConfigError) as caught:
        load(text, env)
    assert caught.value.errors, "a ConfigError carries at least one error"
    return [str(p) for p in caught.value.problems]


def errors(text: str, env: Mapping[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load(text, env)
    return [str(p) for p in caught.value.errors]


def warnings(text: str, env: Mapping[str, str] | None = None) -> list[str]:
    return [str(p) for p in load(text, env).warnings]


def with_feed(extra: str) -> str:
    """BASE plus a second feed, starting at line 13."""
    return BASE + textwrap.indent(textwrap.dedent(extra), "  ")


# -- the base case and the shipped file ---------------------------------------------------------


def test_base_config_loads_with_defaults_resolved() -> None:
    cfg = load(BASE)
    feed = cfg.feeds[0]
    assert (feed.name, feed.type, feed.interval, feed.backfill, feed.publish) == (
        "chungnam-gov",
        "feed",
        300.0,
        1,
        ("chungnam", "all"),
    )
    assert cfg.channels["chungnam"].chat_id == "@chungnam_press"
    assert cfg.channels["chungnam"].digest_after == 10
    assert cfg.rss["all"].limit == 100
    assert cfg.poll.concurrency == 32 and cfg.poll.per_host == 4 and cfg.poll.max_bytes == 10 * 1024 * 1024
    assert cfg.poll.timeout == 20.0 and cfg.poll.max_backoff == 6 * 3600 and cfg.poll.max_redirects == 5
    assert cfg.poll.user_agent.startswith("pressbot/")
    assert cfg.telegram.pace.per_chat_per_second == 1 and cfg.telegram.pace.per_chat_per_minute == 20
    assert cfg.telegram.pace.global_per_second == 25
    assert cfg.telegram.dry_run and cfg.telegram.admins == ()
    assert (cfg.web.host, cfg.web.port, cfg.web.base_url, cfg.web.enabled) == (
        "127.0.0.1",
        8080,
        "http://127.0.0.1:8080",
        True,
    )
    assert cfg.storage.path == Path("/srv/pressbot/data/pressbot.sqlite3")
    assert cfg.alerts.feed_failing_after == 3600.0
    assert cfg.rss_url("all") == "http://127.0.0.1:8080/rss/all.xml"
    assert cfg.targets == ("chungnam", "all")


def test_shipped_config_yaml_loads_with_no_environment() -> None:
    cfg = load_config(REPO / "config.yaml", env={})
    assert [str(p) for p in cfg.warnings] == [
        f"{REPO / 'config.yaml'}:20: telegram.token: warning: no token: Telegram posts are printed (dry run)"
    ]
    assert cfg.telegram.dry_run
    urls = {feed.url for feed in cfg.feeds}
    for province in ("chungnam", "busan", "gyeongnam", "jeonnam", "jeonbuk", "daegu"):
        assert f"https://www.korea.kr/rss/dept_{province}.xml" in urls
    assert "https://www.korea.kr/rss/pressrelease.xml" in urls
    assert "https://api.newswire.co.kr/rss/all" in urls
    assert all(feed.interval >= 300 and 1 <= feed.backfill <= 3 for feed in cfg.feeds)
    assert cfg.rss["all"].path == "/rss/all.xml"
    assert cfg.storage.path == REPO / "data" / "pressbot.sqlite3"


def test_shipped_config_with_a_token_has_no_warnings() -> None:
    cfg = load_config(REPO / "config.yaml", env={"TELEGRAM_BOT_TOKEN": "123456:AAHshippedTEST"})
    assert cfg.warnings == ()
    assert not cfg.telegram.dry_run


# -- problem format ---------------------------------------------------------------------------


def test_problem_str_is_file_line_path_message() -> None:
    problem = Problem(
        file="config.yaml",
        line=31,
        path="feeds[4].publish[1]",
        message="no channel or rss output named 'chungbuk' (known: chungnam, all)",
    )
    assert str(problem) == (
        "config.yaml:31: feeds[4].publish[1]: no channel or rss output named 'chungbuk' (known: chungnam, all)"
    )
    assert str(Problem(file="c.yaml", line=None, path="", message="no such file")) == "c.yaml: no such file"
    warning = Problem(file="c.yaml", line=2, path="telegram.token", message="x", severity="warning")
    assert str(warning) == "c.yaml:2: telegram.token: warning: x"


def test_publish_to_an_unknown_target_names_the_known_ones() -> None:
    text = BASE.replace("publish: [chungnam, all]", "publish: [chungnam, chungbuk]")
    assert errors(text) == [
        "config.yaml:12: feeds[0].publish[1]: no channel or rss output named 'chungbuk' (known: chungnam, all)"
    ]


def test_every_problem_is_reported_not_just_the_first() -> None:
    text = BASE.replace("publish: [chungnam, all]", "publish: [nope]\n    interval: fast").replace(
        "path: /rss/all.xml", "path: rss/all.xml"
    )
    assert errors(text) == [
        "config.yaml:8: rss.all.path: an rss path must start with '/', got 'rss/all.xml'",
        "config.yaml:12: feeds[0].publish[0]: no channel or rss output named 'nope' (known: chungnam, all)",
        "config.yaml:13: feeds[0].interval: expected a duration like 30s, 5m, 1h or a number of seconds, got 'fast'",
    ]


def test_load_config_uses_the_file_name_as_given(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("feeds: 3\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert [str(p) for p in caught.value.errors] == [
        f"{path}:1: feeds: expected a list of feeds (each starting with '- name:'), got 3"
    ]


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "nope.yaml", env={})
    assert str(caught.value) == f"{tmp_path / 'nope.yaml'}: no such file"


# -- YAML itself --------------------------------------------------------------------------------


def test_yaml_syntax_error_has_its_line() -> None:
    text = BASE.replace("publish: [chungnam, all]", "publish: [chungnam, all")
    assert errors(text) == [
        "config.yaml:13: YAML syntax error: while parsing a flow sequence; expected ',' or ']', but got '<stream end>'"
    ]


def test_unquoted_at_sign_is_a_syntax_error_on_its_line() -> None:
    assert errors(BASE.replace('"@chungnam_press"', "@chungnam_press")) == [
        "config.yaml:5: YAML syntax error: while scanning for the next token; "
        "found character '@' that cannot start any token (quote it: \"@name\")"
    ]


def test_tabs_and_colons_get_a_hint() -> None:
    assert errors(BASE.replace("    publish: [chungnam, all]", "\tpublish: [chungnam, all]")) == [
        "config.yaml:12: YAML syntax error: while scanning for the next token; "
        "found character '\\t' that cannot start any token (indent with spaces, not tabs)"
    ]
    assert errors(BASE.replace("path: /rss/all.xml", "path: /rss/all.xml\n    title: 보도자료: 충남")) == [
        "config.yaml:9: YAML syntax error: mapping values are not allowed here (quote a value that contains ': ')"
    ]


def test_duplicate_yaml_keys_are_errors_at_the_second_key() -> None:
    text = BASE.replace("rss:\n", "  chungnam:\n    chat_id: -100123\nrss:\n")
    assert errors(text) == [
        "config.yaml:6: channels.chungnam: duplicate key 'chungnam' (first written on line 4);"
        " YAML would silently keep only the last one"
    ]


def test_empty_file_and_non_mapping_file() -> None:
    assert errors("") == [
        "config.yaml: the file is empty: expected sections such as "
        "storage, telegram, web, defaults, poll, alerts, channels, rss, feeds"
    ]
    assert errors("- a\n- b\n") == [
        "config.yaml: expected a mapping of sections "
        "(storage, telegram, web, defaults, poll, alerts, channels, rss, feeds), got a list"
    ]


def test_anchors_and_merge_keys_are_read() -> None:
    text = BASE.replace("channels:\n", "x-common: &common {digest_after: 3, photos: true}\nchannels:\n")
    assert errors(text)[0].startswith("config.yaml:3: x-common: unknown key 'x-common'")
    text = BASE.replace('chat_id: "@chungnam_press"', 'chat_id: "@chungnam_press"\n    <<: {digest_after: 3}')
    assert load(text).channels["chungnam"].digest_after == 3


# -- unknown keys -----------------------------------------------------------------------------


def test_unknown_top_level_key_suggests_the_closest() -> None:
    assert errors(BASE.replace("feeds:", "feed:")) == [
        "config.yaml:9: feed: unknown key 'feed' (did you mean 'feeds'?)",
    ]


def test_unknown_nested_key_suggests_the_closest() -> None:
    text = BASE.replace("  token: ${TOKEN:-}", "  token: ${TOKEN:-}\n  pace: {per_chat_per_minte: 10}")
    assert errors(text) == [
        "config.yaml:3: telegram.pace.per_chat_per_minte: unknown key 'per_chat_per_minte' "
        "(did you mean 'per_chat_per_minute'?)"
    ]


def test_unknown_feed_key_without_a_close_match_lists_the_known() -> None:
    assert errors(BASE + "    colour: red\n") == [
        "config.yaml:13: feeds[0].colour: unknown key 'colour' (known: name, url, type, region, interval, "
        "backfill, publish, charset, extract, select, enabled)"
    ]


def test_unknown_channel_key() -> None:
    assert errors(BASE.replace('"@chungnam_press"', '"@chungnam_press"\n    quiet_hour: "22:00-07:00"')) == [
        "config.yaml:6: channels.chungnam.quiet_hour: unknown key 'quiet_hour' (did you mean 'quiet_hours'?)"
    ]


# -- environment ------------------------------------------------------------------------------


def test_unset_variable_is_an_error_naming_it() -> None:
    assert errors(BASE.replace("${TOKEN:-}", "${TELEGRAM_BOT_TOKEN}")) == [
        "config.yaml:2: telegram.token: environment variable TELEGRAM_BOT_TOKEN is not set "
        "(write ${TELEGRAM_BOT_TOKEN:-} to allow it to be empty)"
    ]


def test_variables_with_defaults_and_types() -> None:
    text = BASE + "defaults:\n  interval: ${INTERVAL:-2m}\n  backfill: ${BACKFILL}\nweb:\n  listen: ${LISTEN:-}\n"
    cfg = load(text, env={"BACKFILL": "3"})
    assert cfg.defaults.interval == 120.0
    assert cfg.defaults.backfill == 3  # an unquoted ${VAR} is read as YAML would read the text
    assert not cfg.web.enabled
    assert load(text, env={"BACKFILL": "0", "INTERVAL": "1s"}).feeds[0].interval == 1.0


def test_quoted_variable_stays_text_and_dollar_dollar_escapes() -> None:
    text = BASE.replace('chat_id: "@chungnam_press"', 'chat_id: "${CHAT}"').replace(
        "path: /rss/all.xml", "path: /rss/all.xml\n    title: costs $${AMOUNT}"
    )
    cfg = load(text, env={"CHAT": "-1001234"})
    assert cfg.channels["chungnam"].chat_id == -1001234
    assert cfg.rss["all"].title == "costs ${AMOUNT}"


def test_malformed_variable_reference() -> None:
    assert errors(BASE.replace("${TOKEN:-}", "${TOKEN")) == [
        "config.yaml:2: telegram.token: unclosed '${': write ${NAME} or ${NAME:-default}"
    ]


# -- telegram ---------------------------------------------------------------------------------


def test_empty_token_is_a_dry_run_warning_not_an_error() -> None:
    assert warnings(BASE) == ["config.yaml:2: telegram.token: warning: no token: Telegram posts are printed (dry run)"]


def test_admins_must_be_integers() -> None:
    text = BASE.replace("  token: ${TOKEN:-}", '  token: ${TOKEN:-}\n  admins: [123456789, "@bob", true, -5]')
    assert errors(text) == [
        "config.yaml:3: telegram.admins[1]: expected a Telegram user id (a positive whole number), got '@bob'",
        "config.yaml:3: telegram.admins[2]: expected a Telegram user id (a positive whole number), got true",
        "config.yaml:3: telegram.admins[3]: expected a Telegram user id (a positive whole number), got -5",
    ]
    good = BASE.replace("  token: ${TOKEN:-}", "  token: ${TOKEN:-}\n  admins: [123456789, 42]")
    assert load(good).telegram.admins == (123456789, 42)
    assert errors(BASE.replace("  token: ${TOKEN:-}", "  token: ${TOKEN:-}\n  admins: 5")) == [
        "config.yaml:3: telegram.admins: expected a list of Telegram user ids like [123456789], got 5"
    ]


def test_pace_values_must_be_positive() -> None:
    pace = "\n  pace:\n    per_chat_per_second: 0\n    per_chat_per_minute: many\n    global_per_second: 30"
    cfg_text = BASE.replace("  token: ${TOKEN:-}", "  token: ${TOKEN:-}" + pace)
    assert errors(cfg_text) == [
        "config.yaml:4: telegram.pace.per_chat_per_second: expected a positive number, got 0",
        "config.yaml:5: telegram.pace.per_chat_per_minute: expected a positive number, got 'many'",
    ]
    ok = load(BASE.replace("  token: ${TOKEN:-}", "  token: ${TOKEN:-}\n  pace: {per_chat_per_second: 0.5}"))
    assert ok.telegram.pace.per_chat_per_second == 0.5 and ok.telegram.pace.global_per_second == 25


def test_telegram_timeouts_and_base_url() -> None:
    extra = "\n  timeout: 10s\n  shutdown_grace: 2s\n  api_base_url: http://127.0.0.1:8081/bot"
    cfg = load(BASE.replace("  token: ${TOKEN:-}", "  token: ${TOKEN:-}" + extra))
    assert (cfg.telegram.timeout, cfg.telegram.shutdown_grace) == (10.0, 2.0)
    assert cfg.telegram.api_base_url == "http://127.0.0.1:8081/bot"
    assert errors(BASE.replace("  token: ${TOKEN:-}", "  token: ${TOKEN:-}\n  api_base_url: api.telegram.org")) == [
        "config.yaml:3: telegram.api_base_url: expected an http:// or https:// URL, got 'api.telegram.org'"
    ]


SECRET = "123456789:AAHsecretSECRETsecret_token-xyz"


def test_token_never_appears_in_str_repr_or_problems() -> None:
    cfg = load(BASE, env={"TOKEN": SECRET})
    assert cfg.telegram.token == SECRET and not cfg.telegram.dry_run
    for shown in (str(cfg), repr(cfg), str(cfg.telegram), repr(cfg.telegram), *map(str, cfg.warnings)):
        assert SECRET not in shown
        assert "AAHsecret" not in shown
    assert "token=<set>" in repr(cfg.telegram)


def test_token_is_scrubbed_from_every_problem() -> None:
    # An admin pasted the token into the base URL and made other mistakes: nothing may echo it.
    text = BASE.replace("  token: ${TOKEN:-}", f"  token: ${{TOKEN}}\n  api_base_url: ftp://x/bot{SECRET}")
    with pytest.raises(ConfigError) as caught:
        load(text, env={"TOKEN": SECRET})
    assert caught.value.errors
    assert SECRET not in str(caught.value)
    assert all(SECRET not in str(p) and SECRET not in repr(p) for p in caught.value.problems)


def test_token_written_in_the_file_is_a_warning_that_does_not_echo_it() -> None:
    shown = warnings(BASE.replace("${TOKEN:-}", SECRET))
    assert shown == [
        "config.yaml:2: telegram.token: warning: the token is written in the file; "
        "read it from the environment: ${TELEGRAM_BOT_TOKEN}"
    ]
    odd = warnings(BASE.replace("${TOKEN:-}", "${TOKEN}"), env={"TOKEN": "not a token"})
    assert odd == [
        "config.yaml:2: telegram.token: warning: this does not look like a bot token "
        "(digits, ':', then letters, as @BotFather gives it)"
    ]


# -- web --------------------------------------------------------------------------------------


@pytest.mark.parametrize("off", ['""', "false"])
def test_web_can_be_turned_off(off: str) -> None:
    text = (
        BASE.replace(
            "rss:\n  all:\n    path: /rss/all.xml\n", "rss:\n  all:\n    path: /rss/all.xml\n    file: out/all.xml\n"
        )
        + f"web:\n  listen: {off}\n  base_url: https://feeds.example.org\n"
    )
    cfg = load(text)
    assert not cfg.web.enabled and cfg.web.listen == ""
    assert cfg.web.url_for("/rss/all.xml") == "https://feeds.example.org/rss/all.xml"


def test_web_off_with_a_file_output_needs_a_public_address() -> None:
    text = BASE.replace(
        "rss:\n  all:\n    path: /rss/all.xml\n", "rss:\n  all:\n    path: /rss/all.xml\n    file: out/all.xml\n"
    ) + "web:\n  listen: false\n"
    with pytest.raises(ConfigError) as info:
        load(text)
    assert "config.yaml:7: rss.all: the web server is off: set web.base_url" in str(info.value)


def test_web_off_warns_about_unreadable_rss_outputs() -> None:
    assert warnings(BASE + "web:\n  listen: false\n")[1] == (
        "config.yaml:7: rss.all: warning: the web server is off and no file is set: nobody can read this output"
    )


def test_web_listen_forms() -> None:
    cfg = load(BASE + "web:\n  listen: '[::1]:9000'\n")
    assert (cfg.web.host, cfg.web.port, cfg.web.base_url, cfg.web.listen) == (
        "::1",
        9000,
        "http://[::1]:9000",
        "[::1]:9000",
    )
    cfg = load(BASE + "web:\n  listen: 0.0.0.0:80\n  base_url: https://press.example.kr/\n")
    assert cfg.web.base_url == "https://press.example.kr"
    assert cfg.rss_url("all") == "https://press.example.kr/rss/all.xml"
    assert errors(BASE + "web:\n  listen: localhost\n") == [
        'config.yaml:14: web.listen: expected host:port like 127.0.0.1:8080 (or "" to turn the web server off),'
        " got 'localhost'"
    ]
    assert errors(BASE + "web:\n  listen: 127.0.0.1:70000\n") == [
        "config.yaml:14: web.listen: a port is at most 65535, got 70000"
    ]


def test_listening_everywhere_without_base_url_warns() -> None:
    assert warnings(BASE + "web:\n  listen: 0.0.0.0:8080\n")[1] == (
        "config.yaml:14: web.listen: warning: listening on every interface but web.base_url is not set: "
        "RSS self links will say http://127.0.0.1:8080; set web.base_url to the public address"
    )


# -- durations, sizes, numbers ----------------------------------------------------------------


def test_bad_duration_and_size_and_number() -> None:
    text = (
        BASE + "poll:\n  timeout: soon\n  max_bytes: big\n  concurrency: 0\n  per_host: two\n  allow_private: yes-ish\n"
    )
    assert errors(text) == [
        "config.yaml:14: poll.timeout: expected a duration like 30s, 5m, 1h or a number of seconds, got 'soon'",
        "config.yaml:15: poll.max_bytes: expected a size like 512KB, 10MB or a number of bytes, got 'big'",
        "config.yaml:16: poll.concurrency: expected a whole number of at least 1, got 0",
        "config.yaml:17: poll.per_host: expected a whole number, got 'two'",
        "config.yaml:18: poll.allow_private: expected true or false, got 'yes-ish'",
    ]


def test_zero_interval_is_refused_but_one_second_works() -> None:
    assert errors(BASE + "defaults:\n  interval: 0s\n") == [
        "config.yaml:14: defaults.interval: expected a duration longer than zero, got '0s'"
    ]
    assert load(BASE + "defaults:\n  interval: 1s\n  backfill: 0\n").feeds[0].interval == 1.0


def test_poll_keys_are_read() -> None:
    text = BASE + (
        "poll:\n  concurrency: 8\n  per_host: 2\n  timeout: 5s\n  max_bytes: 512KB\n  max_backoff: 1h\n"
        "  max_redirects: 0\n  user_agent: test/1\n  allow_private: true\n  honor_cache_headers: false\n"
        "  dead_after: 1d\n  dead_interval: 6h\n  workers: 0\nalerts:\n  feed_failing_after: 30m\n"
    )
    cfg = load(text)
    p = cfg.poll
    assert (p.concurrency, p.per_host, p.timeout, p.max_bytes, p.max_backoff, p.max_redirects) == (
        8,
        2,
        5.0,
        512 * 1024,
        3600.0,
        0,
    )
    assert (p.user_agent, p.allow_private, p.honor_cache_headers, p.dead_after, p.dead_interval, p.workers) == (
        "test/1",
        True,
        False,
        86400.0,
        21600.0,
        0,
    )
    assert cfg.alerts.feed_failing_after == 1800.0


# -- URLs and feeds ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.kr/rss.xml", "expected an http:// or https:// URL, got 'ftp://example.kr/rss.xml'"),
        ("https://", "expected a URL with a host name, got 'https://'"),
        ("www.korea.kr/rss.xml", "expected an http:// or https:// URL, got 'www.korea.kr/rss.xml'"),
        ("https://x.kr:99999/", "expected an http:// or https:// URL, got 'https://x.kr:99999/'"),
        ("https://x.kr/a b", "a URL cannot contain spaces (write them as %20), got 'https://x.kr/a b'"),
    ],
)
def test_bad_urls(url: str, message: str) -> None:
    text = BASE.replace("https://www.korea.kr/rss/dept_chungnam.xml", url)
    assert errors(text) == [f"config.yaml:11: feeds[0].url: {message}"]


def test_missing_required_feed_keys_point_at_the_feed() -> None:
    text = with_feed("- url: https://x.kr/rss\n")
    assert errors(text) == [
        "config.yaml:13: feeds[1].name: missing (required)",
        "config.yaml:13: feeds[1].publish: missing (required): the channel and rss names to publish to "
        "(known: chungnam, all)",
    ]


def test_duplicate_feed_names() -> None:
    text = with_feed("- name: chungnam-gov\n  url: https://x.kr/rss\n  publish: [all]\n")
    assert errors(text) == [
        "config.yaml:13: feeds[1].name: duplicate feed name 'chungnam-gov' (also feeds[0], line 10)"
    ]


def test_same_url_twice_is_a_warning() -> None:
    text = with_feed("- name: again\n  url: https://www.korea.kr/rss/dept_chungnam.xml\n  publish: [all]\n")
    assert "config.yaml:14: feeds[1].url: warning: the same URL as feeds[0]: it will be polled twice" in warnings(text)


def test_empty_publish_list() -> None:
    assert errors(BASE.replace("publish: [chungnam, all]", "publish: []")) == [
        "config.yaml:12: feeds[0].publish: empty publish list: name at least one channel or rss output "
        "(known: chungnam, all)"
    ]
    assert errors(BASE.replace("publish: [chungnam, all]", "publish: all")) == [
        "config.yaml:12: feeds[0].publish: expected a list of channel or rss names like [chungnam, all], got 'all'"
    ]


def test_feed_names_must_be_usable_in_commands() -> None:
    assert errors(BASE.replace("name: chungnam-gov", "name: chungnam gov")) == [
        "config.yaml:10: feeds[0].name: the name 'chungnam gov' may use only letters, digits, '_', '-' and '.'"
    ]


def test_feed_item_must_be_a_mapping() -> None:
    assert errors(with_feed("- https://x.kr/rss\n")) == [
        "config.yaml:13: feeds[1]: expected a feed (a mapping with name, url, publish), got 'https://x.kr/rss'"
    ]


def test_feed_overrides_and_region_aliases() -> None:
    text = with_feed(
        "- name: gb\n  url: https://www.gb.go.kr/rss\n  region: 경상북도\n  interval: 3m\n  backfill: 2\n"
        "  publish: [all]\n  enabled: false\n  charset: EUC-KR\n"
    )
    feed = load(text).feeds[1]
    assert (feed.region, feed.interval, feed.backfill, feed.enabled, feed.charset) == (
        "경북",
        180.0,
        2,
        False,
        "euc-kr",
    )


def test_unknown_region_lists_the_seventeen() -> None:
    assert len(REGIONS) == 17
    assert errors(BASE.replace("publish: [chungnam, all]", "publish: [chungnam, all]\n    region: 한국")) == [
        "config.yaml:13: feeds[0].region: unknown region '한국' (expected one of: 서울, 부산, 대구, 인천, 광주, "
        "대전, 울산, 세종, 경기, 강원, 충북, 충남, 전북, 전남, 경북, 경남, 제주)"
    ]


def test_unknown_charset_and_type() -> None:
    text = BASE.replace("publish: [chungnam, all]", "publish: [chungnam, all]\n    charset: euckr2\n    type: rss")
    assert errors(text) == [
        "config.yaml:13: feeds[0].charset: unknown charset 'euckr2' (for example utf-8, euc-kr, cp949)",
        "config.yaml:14: feeds[0].type: expected feed (RSS/Atom/RDF) or html (a board list page), got 'rss'",
    ]


def test_html_board_needs_select_and_select_needs_html() -> None:
    html = with_feed("- name: board\n  url: https://www.gb.go.kr/list\n  type: html\n  publish: [all]\n")
    assert errors(html) == [
        "config.yaml:13: feeds[1].select: missing (required for type: html): CSS selectors {row, link, title, date}"
    ]
    plain = with_feed(
        "- name: board\n  url: https://www.gb.go.kr/list\n  select: {row: tr, link: a}\n  publish: [all]\n"
    )
    assert errors(plain) == [
        "config.yaml:15: feeds[1].select: select is only read for type: html (set type: html, or remove select)"
    ]


def test_html_board_selectors_are_read_and_checked() -> None:
    good = with_feed(
        "- name: board\n  url: https://www.gb.go.kr/list\n  type: html\n  publish: [all]\n  select:\n"
        "    row: table.board tbody tr\n    link: td.title a\n    title: td.title a\n    date: td.date\n"
    )
    feed = load(good).feeds[1]
    assert feed.type == "html"
    assert feed.select == BoardSelectors(
        row="table.board tbody tr", link="td.title a", title="td.title a", date="td.date"
    )
    bad = with_feed(
        "- name: board\n  url: https://www.gb.go.kr/list\n  type: html\n  publish: [all]\n  select:\n"
        "    row: 'table..board'\n    titel: td a\n"
    )
    assert errors(bad) == [
        "config.yaml:17: feeds[1].select.link: missing (required)",
        "config.yaml:18: feeds[1].select.row: not a valid CSS selector: 'table..board'",
        "config.yaml:19: feeds[1].select.titel: unknown key 'titel' (did you mean 'title'?)",
    ]


def test_extract_selectors() -> None:
    good = BASE.replace(
        "publish: [chungnam, all]",
        "publish: [chungnam, all]\n    extract: {title: h1.x, body: 'div#body', image: 'figure img'}",
    )
    assert load(good).feeds[0].extract == ExtractSelectors(title="h1.x", body="div#body", image="figure img")
    bad = BASE.replace(
        "publish: [chungnam, all]",
        "publish: [chungnam, all]\n    extract:\n      title: 'h1['\n      subtitle: 3\n      bdy: p",
    )
    assert errors(bad) == [
        "config.yaml:14: feeds[0].extract.title: not a valid CSS selector: 'h1['",
        'config.yaml:15: feeds[0].extract.subtitle: expected a CSS selector like "td.title a", got 3',
        "config.yaml:16: feeds[0].extract.bdy: unknown key 'bdy' (did you mean 'body'?)",
    ]


def test_no_feeds_is_a_warning() -> None:
    text = "channels:\n  a:\n    chat_id: 5\n"
    assert warnings(text) == [
        "config.yaml: feeds: warning: no feeds: nothing will be polled",
        "config.yaml: telegram.token: warning: no token: Telegram posts are printed (dry run)",
    ]
    assert warnings(text + "feeds: []\n") == [
        "config.yaml:4: feeds: warning: no feeds: nothing will be polled",
        "config.yaml: telegram.token: warning: no token: Telegram posts are printed (dry run)",
    ]  # problems without a line come after those with one


# -- channels ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "chat_id"),
    [
        ('"@chungnam_press"', "@chungnam_press"),
        ("-1001234567890", -1001234567890),
        ('"-100123"', -100123),
        ("12345", 12345),
    ],
)
def test_chat_id_forms(value: str, chat_id: str | int) -> None:
    assert load(BASE.replace('"@chungnam_press"', value)).channels["chungnam"].chat_id == chat_id


def test_chat_id_must_be_username_or_integer() -> None:
    assert errors(BASE.replace('"@chungnam_press"', "chungnam_press")) == [
        "config.yaml:5: channels.chungnam.chat_id: expected @username or a numeric chat id, got 'chungnam_press' "
        '(did you mean "@chungnam_press"?)'
    ]
    assert errors(BASE.replace('"@chungnam_press"', "[1]")) == [
        "config.yaml:5: channels.chungnam.chat_id: expected @username or a numeric chat id, got a list"
    ]
    assert errors(BASE.replace('    chat_id: "@chungnam_press"', "    photos: true")) == [
        "config.yaml:4: channels.chungnam.chat_id: missing (required)"
    ]


def test_a_broken_channel_does_not_cascade_into_publish_errors() -> None:
    assert errors(BASE.replace('    chat_id: "@chungnam_press"', "    - oops")) == [
        "config.yaml:5: channels.chungnam: expected a mapping with at least chat_id, got a list"
    ]


def test_channel_options() -> None:
    text = BASE.replace(
        '"@chungnam_press"',
        '"@c"\n    digest_after: 0\n    photos: true\n    paused: true\n    quiet_hours: "22:00-07:00"',
    )
    channel = load(text).channels["chungnam"]
    assert (channel.digest_after, channel.photos, channel.paused) == (0, True, True)
    assert channel.quiet_hours == (time(22, 0), time(7, 0))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"10pm-7am"', "expected a range like 22:00-07:00 (Korea time), got '10pm-7am'"),
        ('"22:00"', "expected a range like 22:00-07:00 (Korea time), got '22:00'"),
        ('"25:00-07:00"', "expected times between 00:00 and 24:00, got '25:00-07:00'"),
        ('"07:00-07:00"', "the range '07:00-07:00' is empty: start and end must differ"),
        ("22:00", "expected a range like 22:00-07:00 (Korea time), got 1320"),  # YAML 1.1 reads 22:00 as 1320
    ],
)
def test_quiet_hours_format(value: str, message: str) -> None:
    text = BASE.replace('"@chungnam_press"', f'"@c"\n    quiet_hours: {value}')
    assert errors(text) == [f"config.yaml:6: channels.chungnam.quiet_hours: {message}"]


def test_in_quiet_hours_crosses_midnight_in_korea_time() -> None:
    text = BASE.replace('"@chungnam_press"', '"@c"\n    quiet_hours: "22:00-07:00"')
    channel = load(text).channels["chungnam"]
    assert channel.in_quiet_hours(datetime(2024, 11, 17, 23, 30, tzinfo=KST))
    assert channel.in_quiet_hours(datetime(2024, 11, 17, 6, 59, tzinfo=KST))
    assert not channel.in_quiet_hours(datetime(2024, 11, 17, 7, 0, tzinfo=KST))
    assert not channel.in_quiet_hours(datetime(2024, 11, 17, 12, 0, tzinfo=KST))
    # 14:00 UTC is 23:00 in Korea.
    assert channel.in_quiet_hours(datetime(2024, 11, 17, 14, 0, tzinfo=UTC))
    assert channel.in_quiet_hours(datetime(2024, 11, 17, 22, 0))  # noqa: DTZ001 - naive reads as Korea time
    day = BASE.replace('"@chungnam_press"', '"@c"\n    quiet_hours: "12:00-13:30"')
    lunch = load(day).channels["chungnam"]
    assert lunch.in_quiet_hours(datetime(2024, 11, 17, 12, 0, tzinfo=KST))
    assert not lunch.in_quiet_hours(datetime(2024, 11, 17, 13, 30, tzinfo=KST))
    assert not lunch.in_quiet_hours(datetime(2024, 11, 17, 12, 0, tzinfo=timezone(timedelta(hours=0))))


def test_channel_nobody_publishes_to_is_a_warning() -> None:
    text = BASE.replace("rss:\n", "  spare:\n    chat_id: -100999\nrss:\n")
    assert warnings(text)[1:] == ["config.yaml:6: channels.spare: warning: no enabled feed publishes to this channel"]


def test_channel_and_rss_cannot_share_a_name() -> None:
    text = BASE.replace("rss:\n  all:", "rss:\n  chungnam:").replace("[chungnam, all]", "[chungnam]")
    assert errors(text) == [
        "config.yaml:7: rss.chungnam: 'chungnam' is also a channel name; publish lists could not tell them apart: "
        "rename one"
    ]


# -- rss --------------------------------------------------------------------------------------


@pytest.mark.parametrize("reserved", ["/healthz", "/status", "/metrics"])
def test_rss_path_cannot_take_a_reserved_path(reserved: str) -> None:
    assert errors(BASE.replace("path: /rss/all.xml", f"path: {reserved}")) == [
        f"config.yaml:8: rss.all.path: {reserved} is reserved for the server itself"
    ]


def test_rss_paths_cannot_clash() -> None:
    text = BASE.replace("feeds:", "  again:\n    path: /rss/all.xml\nfeeds:").replace(
        "[chungnam, all]", "[chungnam, all, again]"
    )
    assert errors(text) == ["config.yaml:10: rss.again.path: /rss/all.xml is already served by rss.all"]


def test_rss_defaults_and_file_resolution(tmp_path: Path) -> None:
    text = BASE.replace(
        "path: /rss/all.xml", "path: /rss/all.xml\n    title: 지역\n    limit: 20\n    file: out/all.xml"
    )
    cfg = load(text, base_dir=tmp_path)
    rss = cfg.rss["all"]
    assert (rss.path, rss.title, rss.description, rss.limit, rss.file) == (
        "/rss/all.xml",
        "지역",
        "지역",
        20,
        tmp_path / "out" / "all.xml",
    )
    plain = load(BASE).rss["all"]
    assert (plain.title, plain.description, plain.limit, plain.file) == ("all", "all", 100, None)
    assert errors(BASE.replace("path: /rss/all.xml", "path: /rss/all.xml\n    limit: 0")) == [
        "config.yaml:9: rss.all.limit: expected a whole number of at least 1, got 0"
    ]


def test_rss_path_is_required() -> None:
    assert errors(BASE.replace("path: /rss/all.xml", "title: 지역")) == [
        "config.yaml:7: rss.all.path: missing (required): where to serve it, e.g. /rss/all.xml"
    ]
    assert errors(BASE.replace("    path: /rss/all.xml\n", "")) == [
        "config.yaml:7: rss.all.path: missing (required): where to serve it, e.g. /rss/all.xml"
    ]


# -- paths ------------------------------------------------------------------------------------


def test_relative_paths_resolve_against_the_config_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    (folder / "config.yaml").write_text(BASE + "storage:\n  path: state/bot.sqlite3\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    cfg = load_config("etc/config.yaml", env={})
    assert cfg.storage.path == folder / "state" / "bot.sqlite3"
    assert cfg.path == folder / "config.yaml"
    assert cfg.warnings[0].file == "etc/config.yaml"
    absolute = load(BASE + "storage:\n  path: /var/lib/pressbot/db.sqlite3\n")
    assert absolute.storage.path == Path("/var/lib/pressbot/db.sqlite3")
