"""CPU-heavy jobs (feed parsing, extraction) off the event loop, in worker processes.

A worker is `python -m bot.worker`: it reads pickled jobs (zero-argument callables such as
`functools.partial(parse_feed, body, url=...)`) from stdin and writes pickled results to stdout,
each framed by an 8-byte length. The bot talks to it through asyncio pipes, so sending a 100 KB
feed never blocks the loop, and there are no helper threads contending for the GIL (as
concurrent.futures' feeder and manager threads do). A worker reads EOF and exits when the bot
dies, however it dies.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import pickle
import signal
import sys
from collections.abc import Callable
from typing import Any, BinaryIO, Protocol, TypeVar, cast

log = logging.getLogger("bot.worker")

T = TypeVar("T")
_HEADER = 8
# Imported by each worker before its first job, so the first feed is not also an import.
PRELOAD = ("bot.extract", "bot.sources.feed", "bot.sources.board", "bot.publish.rss")


class WorkerCrashed(RuntimeError):
    """The worker process died (or answered garbage) during a job; it is replaced."""


class Offload(Protocol):
    """Where the stages run a blocking job: worker processes, or a thread of this process."""

    async def run(self, job: Callable[[], T]) -> T: ...

    async def close(self) -> None: ...


class InThread:
    """`poll.workers: 0`: jobs run in the loop's default thread pool."""

    async def run(self, job: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(None, job)

    async def close(self) -> None:
        return None


class _Worker:
    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    @classmethod
    async def start(cls) -> _Worker:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.worker",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        return cls(proc)

    async def call(self, job: Callable[[], T]) -> T:
        stdin, stdout = self.proc.stdin, self.proc.stdout
        assert stdin is not None and stdout is not None
        data = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            stdin.write(len(data).to_bytes(_HEADER, "big") + data)
            await stdin.drain()
            size = int.from_bytes(await stdout.readexactly(_HEADER), "big")
            ok, value = pickle.loads(await stdout.readexactly(size))
        except (ConnectionError, asyncio.IncompleteReadError, pickle.UnpicklingError, EOFError) as exc:
            raise WorkerCrashed(f"worker process {self.proc.pid} died during a job: {exc!r}") from None
        if ok:
            return cast(T, value)
        raise cast(BaseException, value)

    async def stop(self) -> None:
        if self.proc.returncode is None:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
            try:
                await asyncio.wait_for(self.proc.wait(), 2.0)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


class WorkerPool:
    """`size` worker processes, started on first use and replaced when one dies."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._idle: asyncio.Queue[_Worker] | None = None
        self._all: set[_Worker] = set()
        self._starting: asyncio.Lock | None = None
        self._closing = False

    async def _ensure(self) -> asyncio.Queue[_Worker]:
        if self._idle is None:
            self._starting = self._starting or asyncio.Lock()
            async with self._starting:
                if self._idle is None:
                    idle: asyncio.Queue[_Worker] = asyncio.Queue()
                    for _ in range(self.size):
                        worker = await _Worker.start()
                        self._all.add(worker)
                        idle.put_nowait(worker)
                    self._idle = idle
        return self._idle

    async def run(self, job: Callable[[], T]) -> T:
        idle = await self._ensure()
        worker = await idle.get()
        replace = False
        try:
            return await worker.call(job)
        except (WorkerCrashed, asyncio.CancelledError):
            # A worker cut off mid-job may still write its answer: it cannot be trusted again.
            replace = True
            raise
        finally:
            if replace:
                self._all.discard(worker)
                if worker.proc.returncode is None:
                    worker.proc.kill()
                if not self._closing:  # a job cancelled by shutdown needs no successor
                    worker = await _Worker.start()
                    self._all.add(worker)
                    idle.put_nowait(worker)
            else:
                idle.put_nowait(worker)

    @property
    def pids(self) -> list[int]:
        return [w.proc.pid for w in self._all]

    async def close(self) -> None:
        self._closing = True
        workers, self._all = list(self._all), set()
        await asyncio.gather(*(w.stop() for w in workers), return_exceptions=True)
        self._idle = None


def make_offload(workers: int) -> Offload:
    """`poll.workers` processes, or a thread of this process for 0."""
    return WorkerPool(workers) if workers > 0 else InThread()


# -- the worker side ---------------------------------------------------------------------


def _serve(requests: BinaryIO, answers: BinaryIO) -> None:
    while True:
        header = requests.read(_HEADER)
        if len(header) < _HEADER:
            return  # EOF: the bot closed the pipe or died
        job = pickle.loads(requests.read(int.from_bytes(header, "big")))
        try:
            reply: tuple[bool, Any] = (True, job())
        except Exception as exc:  # handed back to the caller, which decides what it means
            reply = (False, exc)
        try:
            data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # an exception that does not pickle still has to say what happened
            data = pickle.dumps((False, RuntimeError(f"{type(reply[1]).__name__}: {reply[1]} ({exc})")))
        answers.write(len(data).to_bytes(_HEADER, "big") + data)
        answers.flush()


def main() -> None:
    # Ctrl-C reaches the whole process group: the bot decides when we stop (by closing stdin).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The protocol owns the real stdout; anything a library prints goes to stderr instead.
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    for module in PRELOAD:
        __import__(module)
    # The imported modules live as long as the worker: keep the cyclic GC from rescanning them.
    gc.collect()
    gc.freeze()
    _serve(sys.stdin.buffer, answers)


if __name__ == "__main__":
    main()
