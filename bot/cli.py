"""Command line: pressbot run | check | preview | demo | status | retry."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
from collections.abc import Sequence

from bot import __version__
from bot import log as logsetup
from bot.publish.errors import DeliveryError

DEFAULT_CONFIG = "config.yaml"
EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2

log = logging.getLogger("bot.cli")


def _common(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # Accepted before or after the command name; the sub-parser's copy only overrides when given.
    default = "INFO" if top else argparse.SUPPRESS
    parser.add_argument("--log-level", default=default, type=str.upper,
                        choices=["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"],
                        help="log level (default INFO)")
    parser.add_argument("--log-format", default="text" if top else argparse.SUPPRESS,
                        choices=["text", "json"], help="log line format (default text)")


def _config_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-c", "--config", default=os.environ.get("PRESSBOT_CONFIG", DEFAULT_CONFIG),
                        help="path of config.yaml (default ./config.yaml, or $PRESSBOT_CONFIG)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pressbot",
        description="Syndicates Korean regional press releases to Telegram channels and RSS.",
    )
    parser.add_argument("--version", action="version", version=f"pressbot {__version__}")
    _common(parser, top=True)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="poll, summarise and publish until SIGINT/SIGTERM")
    _config_arg(run)
    run.add_argument("--once", action="store_true", help="poll every feed once, publish, and exit")
    run.add_argument("--timeout", type=float, default=60.0,
                     help="with --once: seconds to keep retrying deliveries (default 60)")

    check = sub.add_parser("check", help="validate the config and print a summary")
    _config_arg(check)

    preview = sub.add_parser("preview", help="extract one article page and show the post")
    preview.add_argument("target", metavar="URL_OR_FILE")
    preview.add_argument("--url", help="the page's original address (for a saved file)")
    preview.add_argument("--json", action="store_true", help="print the fields as one JSON object")

    demo = sub.add_parser("demo", help="run the whole pipeline on bundled samples, no network needed")
    demo.add_argument("--port", type=int, default=8080, help="port of the demo's RSS server (default 8080)")
    demo.add_argument("--seconds", type=float, default=0,
                      help="keep serving the RSS output this long before exiting (default: until Ctrl-C)")

    status = sub.add_parser("status", help="feeds, backlog and failures, from the store")
    _config_arg(status)
    status.add_argument("--json", action="store_true", help="print the /status JSON")

    retry = sub.add_parser("retry", help="queue failed deliveries again")
    _config_arg(retry)
    retry.add_argument("--channel", help="only this channel")

    for p in (run, check, preview, demo, status, retry):
        _common(p, top=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    token = os.environ.get("TELEGRAM_BOT_TOKEN", "")
    logsetup.setup(args.log_level, args.log_format, secrets=[token])
    handler = _COMMANDS[args.command]
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except DeliveryError as exc:  # e.g. the token rejected at start: one clear line
        log.error("telegram: %s", exc)
        return EXIT_FAIL
    except Exception:
        # Through the logger, whose filter redacts secrets; the interpreter's own traceback would not.
        log.critical("pressbot stopped on an unexpected error", exc_info=True)
        return EXIT_FAIL


def _load(path: str) -> object:
    from bot.config import ConfigError, load_config

    try:
        return load_config(path)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return None
    except FileNotFoundError:
        print(f"{path}: no such config file (use -c PATH)", file=sys.stderr)
        return None


def cmd_check(args: argparse.Namespace) -> int:
    from bot.config import ConfigError, load_config
    from bot.config.summary import summarize

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem)
        errors = sum(1 for p in exc.problems if p.severity == "error")
        print(f"{errors} error(s) in {args.config}")
        return EXIT_FAIL
    except FileNotFoundError:
        print(f"{args.config}: no such config file (use -c PATH)")
        return EXIT_FAIL
    print(summarize(config))
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    from bot.config import Config

    config = _load(args.config)
    if not isinstance(config, Config):
        return EXIT_FAIL
    return asyncio.run(_run(config, once=args.once, timeout=args.timeout))


async def _run(config: object, *, once: bool, timeout: float) -> int:
    from bot.app import App
    from bot.config import Config

    assert isinstance(config, Config)
    if config.telegram.dry_run:
        log.warning("no Telegram token (TELEGRAM_BOT_TOKEN): dry run, posts are printed here")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    async with App(config) as app:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        loop.add_signal_handler(signal.SIGHUP, app.reload_requested.set)
        if once:
            result = await app.run_once(timeout)
            print(result.message, file=sys.stderr if not result.ok else sys.stdout)
            return EXIT_OK if result.ok else EXIT_FAIL
        log.info("pressbot %s running: %d feeds, %d channels, %d RSS outputs", __version__,
                 len(config.feeds), len(config.channels), len(config.rss))
        await app.run(stop)
        log.info("signal received: stopping")
    return EXIT_OK


def cmd_preview(args: argparse.Namespace) -> int:
    from bot.preview import preview

    return preview(args.target, url=args.url, as_json=args.json, out=sys.stdout)


def cmd_demo(args: argparse.Namespace) -> int:
    from bot.demo import run_demo

    return asyncio.run(run_demo(port=args.port, seconds=args.seconds))


def cmd_status(args: argparse.Namespace) -> int:
    import time

    from bot.config import Config
    from bot.status import build_status, format_status
    from bot.store import Store

    config = _load(args.config)
    if not isinstance(config, Config):
        return EXIT_FAIL
    log.debug("status: reading %s", config.storage.path)
    store = Store(config.storage.path)
    try:
        status = build_status(config, store, now=time.time())
    finally:
        store.close()
    print(json.dumps(status, ensure_ascii=False, indent=2) if args.json else format_status(status))
    return EXIT_OK


def cmd_retry(args: argparse.Namespace) -> int:
    from bot.config import Config
    from bot.store import Store

    config = _load(args.config)
    if not isinstance(config, Config):
        return EXIT_FAIL
    if args.channel and args.channel not in config.channels:
        print(f"no channel named {args.channel!r} (known: {', '.join(config.channels) or 'none'})",
              file=sys.stderr)
        return EXIT_FAIL
    store = Store(config.storage.path)
    try:
        n = store.outbox.retry_failed(args.channel)
    finally:
        store.close()
    where = f" for {args.channel}" if args.channel else ""
    log.info("retry: %d failed deliveries queued again%s", n, where)
    print(f"{n} failed deliveries queued again{where}")
    return EXIT_OK


_COMMANDS = {
    "run": cmd_run,
    "check": cmd_check,
    "preview": cmd_preview,
    "demo": cmd_demo,
    "status": cmd_status,
    "retry": cmd_retry,
}


if __name__ == "__main__":
    sys.exit(main())
