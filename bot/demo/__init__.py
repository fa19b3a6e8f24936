"""`pressbot demo`: the whole pipeline on bundled sample feeds and pages, with no network at all."""

from __future__ import annotations

import asyncio
import signal
import sys
import tempfile
from contextlib import suppress
from importlib import resources
from pathlib import Path

from aiohttp import web

from bot.app import App
from bot.config import load_config

DEMO_CONFIG = """\
# Written by `pressbot demo`: a loopback sample site, a dry-run channel and one RSS output.
storage:
  path: {dir}/demo.sqlite3
web:
  listen: 127.0.0.1:{port}
defaults:
  interval: 1h
  backfill: 10
channels:
  demo:
    chat_id: "@pressbot_demo"
    digest_after: 0
rss:
  demo-rss:
    path: /rss/demo.xml
    title: pressbot demo
    description: Sample regional press releases
feeds:
  - name: demo-site
    url: {site}/feed.xml
    publish: [demo, demo-rss]
"""


def sample_site() -> web.Application:
    """The bundled feed (its links rewritten to this server) and its article pages."""
    data = resources.files("bot.demo").joinpath("data")

    async def feed(request: web.Request) -> web.Response:
        base = f"http://{request.host}"
        text = data.joinpath("feed.xml").read_text(encoding="utf-8").replace("{base}", base)
        return web.Response(text=text, content_type="application/rss+xml", charset="utf-8")

    async def page(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        resource = data.joinpath("pages", name)
        if "/" in name or not resource.is_file():
            raise web.HTTPNotFound()
        return web.Response(body=resource.read_bytes(), content_type="text/html")

    app = web.Application()
    app.router.add_get("/feed.xml", feed)
    app.router.add_get("/pages/{name}", page)
    return app


async def run_demo(*, port: int, seconds: float) -> int:
    runner = web.AppRunner(sample_site(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    site_port = runner.addresses[0][1]
    workdir = Path(tempfile.mkdtemp(prefix="pressbot-demo-"))
    config_path = workdir / "config.yaml"
    config_path.write_text(
        DEMO_CONFIG.format(dir=workdir, port=port, site=f"http://127.0.0.1:{site_port}"), encoding="utf-8"
    )
    config = load_config(config_path, env={})
    print(f"pressbot demo: sample site on http://127.0.0.1:{site_port}/feed.xml, working folder {workdir}")
    try:
        async with App(config, workers=0) as app:
            result = await app.run_once(timeout=30)
            app.rss.refresh_all()  # served and written before we say where to look
            rss_url = f"http://127.0.0.1:{port}/rss/demo.xml"
            print()
            print(f"Done: {result.message}.")
            print("The Telegram posts above were printed as a dry run (no TELEGRAM_BOT_TOKEN).")
            print(f"RSS output:  {rss_url}")
            print(f"Status:      http://127.0.0.1:{port}/status")
            print(f"Metrics:     http://127.0.0.1:{port}/metrics")
            sys.stdout.flush()
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            if seconds > 0:
                with suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), seconds)
            else:
                print("Serving until Ctrl-C.")
                await stop.wait()
    finally:
        await runner.cleanup()
    return 0 if result.ok else 1
