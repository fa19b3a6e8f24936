"""Composition root: builds the stages from a Config, runs them, reloads, shuts down in order."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import sys
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from bot.admin import AdminActions, AdminBot, Alerter, preview_post
from bot.config import Config, ConfigError, load_config
from bot.config.diff import diff
from bot.ingest import Ingest
from bot.metrics import Metrics
from bot.publish.dispatcher import Dispatcher
from bot.publish.rss import RssOutputs
from bot.publish.telegram import DryRunSender, Sender, TelegramSender
from bot.sources.fetch import Fetcher
from bot.sources.poller import Poller
from bot.status import build_status
from bot.store import Store
from bot.web.server import WebServer
from bot.worker import Offload, make_offload

log = logging.getLogger("bot.app")

# How often the config file's size and mtime are compared: cheap, and quick enough for a
# human who just saved the file.
CONFIG_WATCH_INTERVAL = 1.0
# Releases recorded within this long share one RSS rebuild: a burst of polls would otherwise
# rebuild (and rewrite to disk) the same documents once per feed. Requests never see a stale
# document: RssOutputs.get() checks the store on every request.
RSS_REFRESH_DELAY = 0.5
CONFIG_SETTLE = 0.3
"""Seconds a changed config file must stay unchanged before it is reloaded."""


@dataclass(frozen=True, slots=True)
class OnceResult:
    ok: bool
    message: str


class App:
    """One running pressbot. `async with App(config) as app: await app.run(stop)`."""

    def __init__(self, config: Config, *, out: TextIO | None = None, workers: int | None = None) -> None:
        self.config = config
        self.out = out or sys.stdout
        self.metrics = Metrics()
        self.store = Store(config.storage.path)
        self.workers = config.poll.workers if workers is None else workers
        self.offload: Offload = make_offload(self.workers)
        self.fetcher = Fetcher(
            concurrency=config.poll.concurrency,
            per_host=config.poll.per_host,
            timeout=config.poll.timeout,
            max_bytes=config.poll.max_bytes,
            max_redirects=config.poll.max_redirects,
            user_agent=config.poll.user_agent,
        )
        self.sender: Sender = (
            DryRunSender(self.out)
            if config.telegram.dry_run
            else TelegramSender(
                config.telegram.token, base_url=config.telegram.api_base_url, timeout=config.telegram.timeout
            )
        )
        self.rss = RssOutputs(self.store)
        self.rss.update_config(config.rss, config.web.base_url)
        self.dispatcher = Dispatcher(
            store=self.store,
            sender=self.sender,
            channels=config.channels,
            pace=config.telegram.pace,
            metrics=self.metrics,
            on_event=self._delivery_event,
        )
        self.ingest = Ingest(
            config=config, store=self.store, fetcher=self.fetcher, metrics=self.metrics,
            on_recorded=self._recorded, offload=self.offload,
        )
        self.poller = Poller(
            config=config, store=self.store, fetcher=self.fetcher, metrics=self.metrics,
            on_entries=self.ingest, offload=self.offload,
        )
        self.web: WebServer | None = None
        if config.web.enabled:
            self.web = WebServer(
                host=config.web.host, port=config.web.port, get_config=lambda: self.config,
                store=self.store, rss=self.rss, metrics=self.metrics, status=self.status,
            )
        self.alerter = Alerter(get_config=lambda: self.config, store=self.store, sender=self.sender)
        # Admin commands need the Bot API: none in a dry run.
        self.admin: AdminBot | None = None
        if not config.telegram.dry_run:
            self.admin = AdminBot(
                token=config.telegram.token, base_url=config.telegram.api_base_url,
                timeout=config.telegram.timeout, admins=lambda: self.config.telegram.admins,
                actions=AdminActions(
                    get_config=lambda: self.config, store=self.store, status=self.status,
                    wake=self.dispatcher.wake, preview=preview_post,
                ),
            )
        self.tasks: list[asyncio.Task[Any]] = []
        self._rss_refresh: asyncio.TimerHandle | None = None
        self._background: set[asyncio.Task[None]] = set()
        self.reload_requested = asyncio.Event()
        self._config_stamp = _stamp(config.path)

    # -- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self) -> App:
        recovered = self.store.outbox.recover()
        if recovered:
            log.warning("%d deliveries were in flight when pressbot stopped; they will be sent again",
                        recovered)
        try:
            await self.fetcher.start()
            await self.sender.start()
            if self.admin is not None:
                await self.admin.start()
            if self.web is not None:
                await self.web.start()
        except BaseException:
            # A failed start (a rejected token, a port in use) must not leave sessions open.
            await self.shutdown()
            raise
        if self.web is not None:
            log.info("web: serving on http://%s:%d (RSS outputs: %s)", self.config.web.host, self.web.port,
                     ", ".join(self.config.web.base_url + r.path for r in self.config.rss.values()) or "none")
        self.rss.refresh_all()
        # Everything built so far (modules, config, sessions) lives as long as the process: out of
        # the cyclic GC's way, so a full collection during a busy poll cycle stays short.
        gc.collect()
        gc.freeze()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.shutdown()

    async def shutdown(self) -> None:
        """Stop intake first, then let in-flight deliveries finish, then close the edges."""
        await self.poller.stop()
        await self.dispatcher.stop(self.config.telegram.shutdown_grace)
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.tasks.clear()
        await self.alerter.close(self.config.telegram.shutdown_grace)
        if self.admin is not None:
            await self.admin.close()
        if self.web is not None:
            await self.web.stop()
        await self.fetcher.close()
        if self._rss_refresh is not None:
            self._rss_refresh.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        self.rss.refresh_all()  # the on-disk copies get what was recorded last
        with suppress(Exception):
            await self.sender.close()
        await self.offload.close()
        self.store.close()
        log.info("stopped cleanly")

    async def run(self, stop: asyncio.Event) -> None:
        """Run until `stop` is set (SIGINT/SIGTERM)."""
        self.tasks = [
            asyncio.create_task(self.poller.run(), name="poller"),
            asyncio.create_task(self.dispatcher.run(), name="dispatcher"),
            asyncio.create_task(self._watch_config(), name="config-watch"),
            asyncio.create_task(self.alerter.run(), name="alerts"),
        ]
        if self.admin is not None:
            self.tasks.append(asyncio.create_task(self.admin.run(), name="admin"))
        stopper = asyncio.create_task(stop.wait())
        await asyncio.wait([stopper, *self.tasks], return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        for task in self.tasks:
            if task.done() and not task.cancelled() and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]

    async def run_once(self, timeout: float) -> OnceResult:
        """Poll every feed once, publish what was found, wait for the deliveries (bounded)."""
        runner = asyncio.create_task(self.dispatcher.run(), name="dispatcher")
        self.tasks = [runner]
        outcomes = await self.poller.poll_all_once()
        result = await self.dispatcher.drain(timeout)
        failed_feeds = [o for o in outcomes if not o.ok]
        for o in failed_feeds:
            print(f"feed {o.feed}: {o.error}", file=sys.stderr)
        if result.pending or result.failed:
            parts = []
            if result.pending:
                parts.append(
                    f"{sum(result.pending.values())} deliveries still pending after {timeout:.0f} s "
                    f"({', '.join(f'{k}: {v}' for k, v in result.pending.items())}); they stay in the store "
                    "and go out on the next run"
                )
            if result.failed:
                parts.append(f"{result.failed} deliveries failed permanently (see `pressbot status`)")
            return OnceResult(False, "; ".join(parts))
        new = sum(o.new for o in outcomes)
        return OnceResult(True, f"polled {len(outcomes)} feeds ({len(failed_feeds)} failing), {new} new entries")

    # -- events between stages ----------------------------------------------------------

    def _recorded(self, targets: set[str]) -> None:
        if self._rss_refresh is None and any(name in self.config.rss for name in targets):
            self._rss_refresh = asyncio.get_running_loop().call_later(RSS_REFRESH_DELAY, self._refresh_rss)
        for name in targets:
            if name in self.config.channels:
                self.dispatcher.wake(name)

    def _refresh_rss(self) -> None:
        self._rss_refresh = None
        # Built in a worker: a 100-item document is several milliseconds of XML.
        task = asyncio.create_task(self.rss.refresh(self.offload.run), name="rss-refresh")
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _delivery_event(self, kind: str, channel: str, detail: str) -> None:
        if kind != "reload_failed":  # reload() has logged it
            log.error("channel %s: %s: %s", channel, kind, detail)
        self.alerter.event(kind, channel, detail)

    def status(self) -> dict[str, Any]:
        return build_status(self.config, self.store, now=time.time())

    # -- reload ------------------------------------------------------------------------

    def reload(self) -> bool:
        """Validate the config file again and apply what changed; keep the running one if invalid."""
        try:
            new = load_config(self.config.path)
        except ConfigError as exc:
            text = "\n".join(str(p) for p in exc.problems)
            log.error("config reload failed, keeping the running config:\n%s", text)
            self._delivery_event("reload_failed", "-", text)
            return False
        change = diff(self.config, new)
        for what in change.restart_needed:
            log.warning("config reload: %s changed; restart pressbot to apply it", what)
        self.config = new
        self.ingest.config = new
        self.poller.update(new)
        self.dispatcher.update_channels(new.channels)
        self.rss.update_config(new.rss, new.web.base_url)
        self.rss.refresh_all()
        log.info("config reloaded: %s", change.describe())
        self.alerter.reload_ok(change.describe())
        return True

    async def _watch_config(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self.reload_requested.wait(), CONFIG_WATCH_INTERVAL)
                self.reload_requested.clear()
                forced = True
            except TimeoutError:
                forced = False
            stamp = _stamp(self.config.path)
            if not forced and stamp != self._config_stamp:
                # An editor that truncates and rewrites may not be done: a half-written file would
                # alert the admins for nothing. Reload once the file has stopped changing.
                await asyncio.sleep(CONFIG_SETTLE)
                if _stamp(self.config.path) != stamp:
                    continue
            if forced or stamp != self._config_stamp:
                self._config_stamp = stamp
                self.reload()


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)
