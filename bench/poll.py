"""Poll benchmark: one cycle over 1,000 feeds through the real scheduler, fetcher, workers and store.

Run from the repository root:

    python -m bench.poll                      # 1,000 feeds, 10% changed, then every feed changed
    python -m bench.poll --feeds 200 --json   # smaller, one JSON object

The feed server (bench/feedgen.py) runs in its own process: ~100 KB RSS feeds (a third EUC-KR,
half with zone-less KST dates, half gzipped), ETag on every feed, a news-CMS article page per item,
spread over `--hosts` loopback origins. pressbot runs here as `bot.app.App` wires it (Store,
Fetcher, Ingest with RSS refresh, the worker pool of `poll.workers` processes), on a config from
`load_config_text` whose feeds publish to an RSS output, logging at INFO to a file.

A warm-up cycle initialises every feed (ETag stored, entries seen; not measured). Each measured
cycle: the server publishes one new item in the chosen feeds and closes its idle keep-alive
connections (a poll minutes after the last starts cold), every feed's next poll is set to now,
and a fresh Poller's `run()` (the production scheduler) polls until all feeds finished, new
entries' pages fetched, extracted in the worker and stored. Measured over the cycle: wall
time; CPU seconds of this process (getrusage) plus its worker processes (/proc/<pid>/stat);
peak RSS of this process and its workers (VmHWM, reset at the cycle start through clear_refs),
the server excluded; the event loop's lateness sampled by a task sleeping 1 ms at a time.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import logging
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

import aiohttp

from bot import log as botlog
from bot.app import App
from bot.config import Config, FeedConfig, load_config_text
from bot.sources.poller import Poller, PollOutcome

CYCLE_TIMEOUT = 600.0
GOALS = {"wall_s": 3.0, "cpu_s": 2.0, "loop_p99_ms": 5.0, "loop_max_ms": 50.0, "peak_rss_mb": 150.0}
_TICK = os.sysconf("SC_CLK_TCK")
ROOT = Path(__file__).resolve().parent.parent


# -- the bot's processes ---------------------------------------------------------------------


def _stat(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def bot_processes(server: int) -> dict[int, str]:
    """This process's descendants but the feed server's tree: {pid: role}."""
    parents: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                parents[int(name)] = int(_stat(int(name))[1])
            except (OSError, IndexError, ValueError):
                continue
    found: dict[int, str] = {}
    frontier = [os.getpid()]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid != server:
                found[pid] = "worker" if parent != os.getpid() else _role(pid)
                frontier.append(pid)
    return found


def _role(pid: int) -> str:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "child"
    if b"bot.worker" in cmdline:
        return "worker"
    if b"forkserver" in cmdline:
        return "forkserver"
    return "resource tracker" if b"resource_tracker" in cmdline else "child"


def alive(pid: int) -> bool:
    return os.path.exists(f"/proc/{pid}")


def cpu_seconds(pid: int) -> float:
    try:
        fields = _stat(pid)
    except OSError:  # exited meanwhile: its CPU time is gone with it
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def peak_rss_mb(pid: int | str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def reset_peak(pid: int | str) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def file_size(path: Path) -> int:
    return path.stat().st_size


def count_lines(path: Path, start: int) -> int:
    with path.open("rb") as f:
        f.seek(start)
        return f.read().count(b"\n")


def self_cpu() -> tuple[float, float]:
    """User and system CPU seconds of this process, all its threads included."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime, usage.ru_stime


def pss_mb(pid: int | str) -> float:
    """Proportional set size: pages shared between processes (forkserver and workers) counted once overall."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


async def monitor_cost() -> float:
    """CPU seconds one idle monitor sample costs, to say how much of a cycle's CPU is the monitor's."""
    monitor = LoopMonitor()
    before = sum(self_cpu())
    monitor.start()
    await asyncio.sleep(0.3)
    await monitor.stop()
    return (sum(self_cpu()) - before) / max(1, len(monitor.lateness))


# -- loop lateness ---------------------------------------------------------------------------


class LoopMonitor:
    """Sleeps 1 ms at a time and records how late each wake-up is (and when it went to sleep)."""

    def __init__(self) -> None:
        self.lateness: list[float] = []
        self.started: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            await asyncio.sleep(0.001)
            self.lateness.append(loop.time() - started - 0.001)
            self.started.append(started)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="loop-monitor")

    async def stop(self) -> tuple[float, float]:
        """p99 and worst lateness in ms."""
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        ordered = sorted(self.lateness) or [0.0]
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, ordered[-1] * 1000


class StallTracer:
    """`--stalls`: times every event-loop callback, to say what ran while the loop was late.

    Wraps asyncio's Handle._run for the cycle only (a few percent of overhead); a callback that
    is a task step is named by the task's coroutine.
    """

    def __init__(self) -> None:
        self.calls: list[tuple[float, float, str]] = []
        self._original: Any = None

    def install(self) -> None:
        self.calls.clear()
        original = self._original = asyncio.events.Handle._run
        calls = self.calls

        def timed(handle: asyncio.events.Handle) -> None:
            started = time.monotonic()
            original(handle)
            calls.append((started, time.monotonic() - started, _describe(handle)))

        asyncio.events.Handle._run = timed  # type: ignore[method-assign, assignment]

    def uninstall(self) -> None:
        asyncio.events.Handle._run = self._original  # type: ignore[method-assign]

    def worst(self, monitor: LoopMonitor, count: int) -> list[str]:
        """The `count` latest wake-ups of the monitor, each with the callbacks that ran meanwhile."""
        out = []
        ranked = sorted(zip(monitor.lateness, monitor.started, strict=True), reverse=True)[:count]
        for late, started in ranked:
            end = started + 0.001 + late
            spent: dict[str, list[float]] = {}
            for at, took, what in self.calls:
                if started <= at <= end:
                    spent.setdefault(what, []).append(took)
            parts = sorted(spent.items(), key=lambda kv: -sum(kv[1]))[:3]
            out.append(f"{late * 1000:.1f} ms late: " + "; ".join(
                f"{len(t)} x {w} ({sum(t) * 1000:.1f} ms)" for w, t in parts
            ))  # fmt: skip
        return out


def _describe(handle: asyncio.events.Handle) -> str:
    callback = getattr(handle, "_callback", None)
    owner = getattr(callback, "__self__", None)
    if isinstance(owner, asyncio.Task):
        return f"step of {owner.get_coro().__qualname__}"  # type: ignore[union-attr]
    return getattr(callback, "__qualname__", None) or type(callback).__name__


# -- one cycle -------------------------------------------------------------------------------


class CyclePoller(Poller):
    """The production Poller, counting finished polls so a cycle's end is an event, not a sleep."""

    def __init__(self, *, expected: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.expected = expected
        self.outcomes: list[PollOutcome] = []
        self.finished = asyncio.Event()

    async def poll(self, feed: FeedConfig) -> PollOutcome:
        outcome = await super().poll(feed)
        self.outcomes.append(outcome)
        if len(self.outcomes) >= self.expected:
            self.finished.set()
        return outcome


@dataclass
class Cycle:
    name: str
    feeds: int
    changed: int
    wall_s: float = 0.0
    cpu_s: float = 0.0
    cpu_main_s: float = 0.0
    cpu_main_user_s: float = 0.0
    cpu_main_sys_s: float = 0.0
    cpu_workers_s: float = 0.0
    cpu_monitor_s: float = 0.0
    peak_rss_mb: float = 0.0
    rss_by_process: dict[str, float] = field(default_factory=dict)
    pss_end_mb: float = 0.0
    loop_p99_ms: float = 0.0
    loop_max_ms: float = 0.0
    loop_samples: int = 0
    new_entries: int = 0
    errors: list[str] = field(default_factory=list)
    server: dict[str, int] = field(default_factory=dict)
    log_lines: int = 0
    stalls: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


async def run_cycle(
    app: App, server: Server, cycle: Cycle, changed: Sequence[int], log_path: Path, *, sample_cost: float = 0.0,
    tracer: StallTracer | None = None,
) -> Cycle:  # fmt: skip
    await server.advance(changed)
    due = time.time() - 1
    with app.store.db.transaction():
        for feed in app.config.feeds:
            app.store.feeds.update(feed.name, next_poll=due)
    poller = CyclePoller(
        expected=len(app.config.feeds), config=app.config, store=app.store, fetcher=app.fetcher,
        metrics=app.metrics, on_entries=app.ingest, offload=app.offload,
    )  # fmt: skip
    processes = bot_processes(server.pid)
    for pid in [os.getpid(), *processes]:
        reset_peak(pid)
    log_start = file_size(log_path)
    monitor = LoopMonitor()
    main_before, workers_before = self_cpu(), {pid: cpu_seconds(pid) for pid in processes}
    if tracer is not None:
        tracer.install()
    monitor.start()
    started = time.perf_counter()
    runner = asyncio.create_task(poller.run(), name="poller")
    try:
        await asyncio.wait_for(poller.finished.wait(), CYCLE_TIMEOUT)
    except TimeoutError:
        cycle.problems.append(f"only {len(poller.outcomes)} of {cycle.feeds} polls finished in {CYCLE_TIMEOUT:g} s")
    cycle.wall_s = time.perf_counter() - started
    main_after = self_cpu()
    processes.update(bot_processes(server.pid))  # a worker started during the cycle counts from zero
    cycle.cpu_workers_s = sum(max(0.0, cpu_seconds(pid) - workers_before.get(pid, 0.0)) for pid in processes)
    cycle.loop_p99_ms, cycle.loop_max_ms = await monitor.stop()
    if tracer is not None:
        tracer.uninstall()
        cycle.stalls = tracer.worst(monitor, 5)
    await poller.stop()
    await runner
    cycle.cpu_main_user_s, cycle.cpu_main_sys_s = (a - b for a, b in zip(main_after, main_before, strict=True))
    cycle.cpu_main_s = cycle.cpu_main_user_s + cycle.cpu_main_sys_s
    cycle.cpu_s = cycle.cpu_main_s + cycle.cpu_workers_s
    cycle.loop_samples = len(monitor.lateness)
    cycle.cpu_monitor_s = cycle.loop_samples * sample_cost
    live = {pid: role for pid, role in processes.items() if alive(pid)}
    cycle.rss_by_process = {f"main {os.getpid()}": peak_rss_mb("self")}
    cycle.rss_by_process.update({f"{role} {pid}": peak_rss_mb(pid) for pid, role in live.items()})
    cycle.peak_rss_mb = sum(cycle.rss_by_process.values())
    cycle.pss_end_mb = pss_mb("self") + sum(pss_mb(pid) for pid in live)
    cycle.new_entries = sum(o.new for o in poller.outcomes)
    cycle.errors = [f"{o.feed}: {o.error}" for o in poller.outcomes if not o.ok]
    cycle.server = await server.stats()
    cycle.log_lines = count_lines(log_path, log_start)
    cycle.problems += check(cycle, live, app.config.poll.workers)
    return cycle


def check(cycle: Cycle, processes: dict[int, str], workers: int) -> list[str]:
    """What would make the figures meaningless: the cycle did not do the work it claims."""
    expected = {"304": cycle.feeds - cycle.changed, "200": cycle.changed, "article": cycle.changed}
    problems = [f"server answered {cycle.server.get(k, 0)} x {k}, expected {v}"
                for k, v in expected.items() if cycle.server.get(k, 0) != v]  # fmt: skip
    if cycle.new_entries != cycle.changed:
        problems.append(f"{cycle.new_entries} new entries, expected {cycle.changed}")
    if cycle.errors:
        problems.append(f"{len(cycle.errors)} feeds failed, e.g. {cycle.errors[0]}")
    if workers > 0 and "worker" not in processes.values():
        problems.append("no worker process found: parsing ran in the main process")
    return problems


# -- the feed server process -----------------------------------------------------------------


class Server:
    def __init__(self, proc: asyncio.subprocess.Process, ports: list[int], session: aiohttp.ClientSession) -> None:
        self.proc, self.ports, self.session = proc, ports, session
        self.pid = proc.pid
        self.control = f"http://127.0.0.1:{ports[0]}/_control"

    @classmethod
    async def start(cls, feeds: int, hosts: int) -> Server:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.feedgen", "--feeds", str(feeds), "--hosts", str(hosts),
            stdout=asyncio.subprocess.PIPE, cwd=ROOT,
        )  # fmt: skip
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 600)
        if not line:
            raise RuntimeError(f"feed server exited ({await proc.wait()}) before serving")
        control = aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True))
        return cls(proc, json.loads(line)["ports"], control)

    def feed_url(self, feed: int) -> str:
        return f"http://127.0.0.1:{self.ports[feed % len(self.ports)]}/f{feed}/rss.xml"

    async def advance(self, feeds: Sequence[int]) -> None:
        async with self.session.post(f"{self.control}/advance", json={"feeds": list(feeds)}) as response:
            response.raise_for_status()

    async def stats(self) -> dict[str, int]:
        async with self.session.get(f"{self.control}/stats") as response:
            data: dict[str, int] = await response.json()
            return data

    async def close(self) -> None:
        await self.session.close()
        self.proc.terminate()
        await self.proc.wait()


def bench_config(server: Server, feeds: int, workers: int | None, base_dir: Path) -> Config:
    lines = [
        "storage:\n  path: bench.sqlite3\ntelegram:\n  token: ''\nweb:\n  listen: ''\n  base_url: http://127.0.0.1:8080",
        "defaults:\n  interval: 5m\n  backfill: 0",
        "poll:" + (f"\n  workers: {workers}" if workers is not None else "\n  concurrency: 32"),
        "rss:\n  all:\n    path: /rss/all.xml\n    title: 지역 보도자료\n    description: 벤치마크",
        "feeds:",
    ]
    lines += [f"  - name: feed{n:04d}\n    url: {server.feed_url(n)}\n    publish: [all]" for n in range(feeds)]
    return load_config_text("\n".join(lines) + "\n", base_dir=base_dir)


# -- the run and its report ------------------------------------------------------------------


async def run(
    feeds: int, changed_share: float, hosts: int, workers: int | None, seed: int, *, stalls: bool = False
) -> dict[str, Any]:
    server = await Server.start(feeds, hosts)
    tracer = StallTracer() if stalls else None
    try:
        with tempfile.TemporaryDirectory(prefix="bench-poll-") as tmp:
            log_path = Path(tmp) / "pressbot.log"
            with log_path.open("w", encoding="utf-8") as log_file:
                botlog.setup("INFO", stream=log_file)
                config = bench_config(server, feeds, workers, Path(tmp))
                async with App(config, out=log_file) as app:
                    cost = await monitor_cost()
                    warm = await run_cycle(app, server, Cycle("warm-up", feeds, 0), [], log_path)
                    chosen = sorted(random.Random(seed).sample(range(feeds), round(feeds * changed_share)))
                    some, every = Cycle("some changed", feeds, len(chosen)), Cycle("all changed", feeds, feeds)
                    await run_cycle(app, server, some, chosen, log_path, sample_cost=cost, tracer=tracer)
                    await run_cycle(app, server, every, range(feeds), log_path, sample_cost=cost, tracer=tracer)
                logging.getLogger().handlers.clear()
    finally:
        await server.close()
    warm.problems = [p for p in warm.problems if "new entries" not in p and "x article" not in p]
    return {
        "feeds": feeds, "hosts": hosts, "workers": config.poll.workers, "changed_share": changed_share,
        "goals": GOALS, "warm_up": asdict(warm), "cycle": asdict(some), "all_changed": asdict(every),
    }  # fmt: skip


def report(result: dict[str, Any], out: TextIO) -> bool:
    p = out.write
    p(f"pressbot poll benchmark: {result['feeds']} feeds of ~100 KB on {result['hosts']} loopback origins, "
      f"{result['workers']} worker process(es); server in its own process, not counted\n")  # fmt: skip
    p(f"warm-up (first poll of every feed, not measured): {result['warm_up']['wall_s']:.2f} s\n")
    ok = True
    for key, goals in (("cycle", True), ("all_changed", False)):
        c = result[key]
        p(f"\n{c['name']}: {c['changed']} feeds with one new item (page fetched and extracted), "
          f"{c['feeds'] - c['changed']} answered 304\n")  # fmt: skip
        rows = (("wall_s", "wall time", "s"), ("cpu_s", "CPU (main + workers)", "s"),
                ("loop_p99_ms", "event loop p99 delay", "ms"), ("loop_max_ms", "event loop worst delay", "ms"),
                ("peak_rss_mb", "peak RSS (main + workers)", "MB"))  # fmt: skip
        for name, label, unit in rows:
            value, goal = c[name], result["goals"][name]
            verdict = ("PASS" if value < goal else "FAIL") if goals else "(no goal)"
            ok = ok and (value < goal or not goals)
            p(f"  {label:28} {value:9.2f} {unit:2}  goal < {goal:g} {unit:2} {verdict}\n")
        p(f"  CPU: main {c['cpu_main_s']:.2f} s (user {c['cpu_main_user_s']:.2f}, system {c['cpu_main_sys_s']:.2f}; "
          f"the loop monitor ~{c['cpu_monitor_s']:.2f} of it), workers {c['cpu_workers_s']:.2f} s\n")  # fmt: skip
        p(f"  peak RSS by process: {', '.join(f'{k} {v:.0f} MB' for k, v in c['rss_by_process'].items())}; "
          f"PSS at the end {c['pss_end_mb']:.0f} MB (shared pages counted once)\n")  # fmt: skip
        p(f"  {c['loop_samples']} loop samples; {c['new_entries']} new entries; {len(c['errors'])} errors; "
          f"{c['log_lines']} log lines; server: {c['server']}\n")  # fmt: skip
        for stall in c["stalls"]:
            p(f"  stall: {stall}\n")
        for problem in c["problems"]:
            ok = False
            p(f"  PROBLEM: {problem}\n")
    p(f"\n{'all goals met' if ok else 'goals NOT met'}\n")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.poll", description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=1000, help="number of feeds (default 1000)")
    parser.add_argument("--changed", type=float, default=0.1, help="share of feeds with a new item (default 0.1)")
    parser.add_argument("--hosts", type=int, default=100, help="distinct loopback host:port origins (default 100)")
    parser.add_argument("--workers", type=int, default=None, help="poll.workers (default: the config default)")
    parser.add_argument("--seed", type=int, default=1, help="which feeds change")
    parser.add_argument("--json", action="store_true", help="print one JSON object with all figures")
    parser.add_argument("--stalls", action="store_true", help="time loop callbacks; show the 5 worst stalls")
    args = parser.parse_args(argv)
    if not 0 <= args.changed <= 1 or args.feeds < 1:
        parser.error("--changed must be within 0..1 and --feeds at least 1")
    hosts = max(1, min(args.hosts, args.feeds))
    result = asyncio.run(run(args.feeds, args.changed, hosts, args.workers, args.seed, stalls=args.stalls))
    if args.json:
        ok = report(result, io.StringIO())
        sys.stdout.write(json.dumps({**result, "ok": ok}, ensure_ascii=False) + "\n")
        return 0 if ok else 1
    return 0 if report(result, sys.stdout) else 1


if __name__ == "__main__":
    raise SystemExit(main())
