"""`pressbot preview`: extract one page (a saved file or a live URL) and show the post."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import TextIO

from bot.config.schema import PollConfig
from bot.extract import extract
from bot.model import SUMMARY_FIELDS, Summary
from bot.publish.render import render_post
from bot.sources.errors import FetchError
from bot.sources.fetch import Fetcher
from bot.sources.links import is_http_url


async def fetch_page(url: str) -> tuple[bytes, str, str | None]:
    poll = PollConfig()
    fetcher = Fetcher(
        concurrency=1, per_host=1, timeout=poll.timeout, max_bytes=poll.max_bytes,
        max_redirects=poll.max_redirects, user_agent=poll.user_agent,
    )
    await fetcher.start()
    try:
        # The admin typed this URL: a page on a private address is fine here.
        result = await fetcher.fetch(url, allow_private=True, accept="text/html,*/*")
    finally:
        await fetcher.close()
    return result.body, result.final_url, result.content_type


def summarise(target: str, *, url: str | None = None) -> Summary:
    """Raises FetchError (live page) or OSError (file) with a message that names the target."""
    if is_http_url(target):
        body, final_url, content_type = asyncio.run(fetch_page(target))
        return extract(body, url or final_url, content_type=content_type)
    path = Path(target)
    return extract(path.read_bytes(), url or path.resolve().as_uri())


def format_fields(summary: Summary) -> str:
    lines = []
    for name in SUMMARY_FIELDS:
        value = summary.to_json()[name]
        lines.append(f"{name:9s} {value if value is not None else '—'}")
    lines.append(f"{'source':9s} {summary.source or '—'}")
    return "\n".join(lines)


def preview(target: str, *, url: str | None, as_json: bool, out: TextIO) -> int:
    try:
        summary = summarise(target, url=url)
    except FetchError as exc:
        print(f"{target}: {exc.kind}: {exc.message}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"{target}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    if as_json:
        print(json.dumps(summary.to_json(), ensure_ascii=False, indent=2), file=out)
        return 0
    print(format_fields(summary), file=out)
    print("\n--- Telegram message (HTML, as posted) ---", file=out)
    print(render_post(summary), file=out)
    return 0
