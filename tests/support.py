"""Shared test helpers: the corpus as a loopback site, configs on disk, pressbot as a subprocess."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.fakes.feedsite import FeedSite

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "fixtures" / "corpus"
CORPUS_HOST = "http://press.test"
FAKE_TOKEN = "123456789:AAHfakeTokenForTestsOnly0123456789ab"


def labels() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads((CORPUS / "labels.json").read_text(encoding="utf-8"))
    return data


def serve_corpus(site: FeedSite) -> dict[str, str]:
    """Put the corpus feeds and pages on the fake site, links rewritten to it.

    Returns {corpus url: loopback url} for every labelled page.
    """
    base = site.url("")
    mapping = {}
    for label in labels():
        path = label["url"][len(CORPUS_HOST):]
        site.add(path, (CORPUS / label["file"]).read_bytes(),
                 content_type=f"text/html; charset={label['charset']}")
        mapping[label["url"]] = base + path
    for feed in sorted((CORPUS / "feeds").iterdir()):
        raw = feed.read_bytes()
        # Feed bytes may be EUC-KR: the host is ASCII, so a byte-level replace is safe.
        site.add(f"/feeds/{feed.name}", raw.replace(CORPUS_HOST.encode(), base.encode()),
                 content_type="application/xml")
    return mapping


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class BotProcess:
    """`python -m bot ...` in a subprocess, its output kept in files (never a full pipe)."""

    args: list[str]
    workdir: Path
    env: Mapping[str, str] = field(default_factory=dict)
    proc: asyncio.subprocess.Process | None = None
    runs: int = 0

    @property
    def stdout_path(self) -> Path:
        return self.workdir / f"stdout-{self.runs}.txt"

    @property
    def stderr_path(self) -> Path:
        return self.workdir / f"stderr-{self.runs}.txt"

    async def start(self) -> None:
        self.runs += 1
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.env}
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", *self.args, cwd=ROOT, env=env, stdout=out, stderr=err,
            )

    async def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> int:
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(sig)
        return await asyncio.wait_for(self.proc.wait(), timeout)

    async def wait(self, timeout: float = 60) -> int:
        assert self.proc is not None
        return await asyncio.wait_for(self.proc.wait(), timeout)

    def output(self) -> str:
        """Everything every run printed, stdout and stderr."""
        parts = []
        for i in range(1, self.runs + 1):
            for name in (f"stdout-{i}.txt", f"stderr-{i}.txt"):
                path = self.workdir / name
                if path.exists():
                    parts.append(path.read_text(encoding="utf-8", errors="replace"))
        return "\n".join(parts)

    async def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()


def write_config(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
