"""aiohttp server for the RSS outputs, /healthz, /status and /metrics."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from prometheus_client import CONTENT_TYPE_LATEST

from bot.config import Config
from bot.metrics import Metrics
from bot.publish.rss import RssDocument, RssOutputs
from bot.store import Store

__all__ = ["MAX_LOOP_LAG", "RSS_CONTENT_TYPE", "WebServer"]

log = logging.getLogger(__name__)

RSS_CONTENT_TYPE = "application/rss+xml; charset=utf-8"
MAX_LOOP_LAG = 1.0
"""Seconds a call_soon round-trip may take before /healthz reports the loop as stuck."""
_READ_METHODS = ("GET", "HEAD")


class _DebugAccessLogger(AbstractAccessLogger):
    """Access lines at DEBUG: a feed reader polling every minute is not news at INFO."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        if self.logger.isEnabledFor(logging.DEBUG):
            self.logger.debug(
                "%s %s %s %d %.1fms",
                request.remote, request.method, request.rel_url.path, response.status, time * 1000,
            )


class WebServer:
    """Serves the current config's RSS outputs (paths looked up per request) and the admin endpoints."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        get_config: Callable[[], Config],
        store: Store,
        rss: RssOutputs,
        metrics: Metrics,
        status: Callable[[], dict[str, Any]],
        max_loop_lag: float = MAX_LOOP_LAG,
    ) -> None:
        self.host = host
        self.port = port
        """The bound port once started (the real one when 0 was asked for)."""
        self.get_config = get_config
        self.store = store
        self.rss = rss
        self.metrics = metrics
        self.status = status
        self.max_loop_lag = max_loop_lag
        self._runner: web.AppRunner | None = None
        self._fixed: dict[str, Callable[[web.Request], Any]] = {
            "/healthz": self._healthz,
            "/status": self._status,
            "/metrics": self._metrics,
        }

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def start(self) -> None:
        app = web.Application()
        # One catch-all route: RSS paths come from the live config, so a reload needs no new router.
        app.router.add_route("*", "/{path:.*}", self._dispatch)
        runner = web.AppRunner(
            app, access_log_class=_DebugAccessLogger, access_log=logging.getLogger("bot.web.access"),
            shutdown_timeout=5.0,
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except OSError:
            await runner.cleanup()
            raise
        self._runner = runner
        address = runner.addresses[0]
        self.port = int(address[1])
        log.info("web: listening on %s", self.url)

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        handler = self._fixed.get(path)
        rss_name = None
        if handler is None:
            rss_name = next((o.name for o in self.get_config().rss.values() if o.path == path), None)
            if rss_name is None:
                return web.Response(status=404, text="not found\n")
        if request.method not in _READ_METHODS:
            allow = {"Allow": ", ".join(_READ_METHODS)}
            return web.Response(status=405, headers=allow, text="method not allowed\n")
        if handler is not None:
            response: web.StreamResponse = await handler(request)
            return response
        assert rss_name is not None
        return self._rss(request, self.rss.get(rss_name))

    def _rss(self, request: web.Request, document: RssDocument) -> web.Response:
        headers = {
            "Content-Type": RSS_CONTENT_TYPE,
            "ETag": document.etag,
            "Last-Modified": _http_date(document.last_modified),
            "Cache-Control": "no-cache",
        }
        if _not_modified(request, document):
            return web.Response(status=304, headers=headers)
        return web.Response(body=document.body, headers=headers)

    async def _healthz(self, request: web.Request) -> web.Response:
        loop = asyncio.get_running_loop()
        started = loop.time()
        tick: asyncio.Future[None] = loop.create_future()
        loop.call_soon(tick.set_result, None)
        await tick
        lag = loop.time() - started
        problems = []
        if lag > self.max_loop_lag:
            problems.append(f"event loop lag {lag:.3f}s (over {self.max_loop_lag:g}s)")
        if not self.store.ping():
            problems.append("store does not answer")
        if problems:
            log.warning("healthz: %s", "; ".join(problems))
            return web.Response(status=503, text="\n".join(problems) + "\n")
        return web.Response(text="ok\n")

    async def _status(self, request: web.Request) -> web.Response:
        body = json.dumps(self.status(), ensure_ascii=False, indent=1)
        return web.Response(text=body + "\n", content_type="application/json", charset="utf-8")

    async def _metrics(self, request: web.Request) -> web.Response:
        return web.Response(body=self.metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST})


def _http_date(moment: datetime) -> str:
    return moment.strftime("%a, %d %b %Y %H:%M:%S GMT")


def _not_modified(request: web.Request, document: RssDocument) -> bool:
    """RFC 9110 §13.2.2: If-None-Match decides when present (weak comparison), else If-Modified-Since."""
    if "If-None-Match" in request.headers:
        tags = request.if_none_match or ()
        ours = document.etag.strip('"')
        return any(tag.value in ("*", ours) for tag in tags)
    since = request.if_modified_since
    return since is not None and document.last_modified.timestamp() <= since.timestamp()
