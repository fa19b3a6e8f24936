"""A fake feed site on loopback: feeds and pages with ETag/304, plus hostile server behaviours."""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import mimetypes
import signal
import sys
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from types import TracebackType

from aiohttp import web

__all__ = ["FeedSite", "Resource", "SeenRequest"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(slots=True)
class Resource:
    body: bytes
    content_type: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    compress: bool = False


@dataclass(frozen=True, slots=True)
class SeenRequest:
    method: str
    path: str
    query: str
    headers: Mapping[str, str]


def _content_type_for(path: str) -> str:
    if path.endswith((".xml", ".rss", ".atom")):
        return "application/xml"
    guessed, _ = mimetypes.guess_type(path)
    return guessed or "application/octet-stream"


class FeedSite:
    """An aiohttp server on 127.0.0.1 with an ephemeral port.

    `add`/`set` serve static resources with ETag and Last-Modified and answer conditional
    requests with 304; `trickle`, `huge`, `redirect`, `status` and `drop` make a path hostile.
    Every request is logged (`requests`, `hits`, `bytes_sent`); `wait_for` awaits a hit.
    With `root`, files under that folder are served too (validators from their size and mtime).
    """

    def __init__(self, *, root: Path | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.root = root.resolve() if root else None
        self.host = host
        self.port = port
        self.requests: list[SeenRequest] = []
        self.hits: Counter[str] = Counter()
        self.bytes_sent: Counter[str] = Counter()
        self._resources: dict[str, Resource] = {}
        self._behaviours: dict[str, Handler] = {}
        self._waiters: dict[str, list[tuple[int, asyncio.Future[None]]]] = defaultdict(list)
        self.in_flight = 0
        self.max_in_flight = 0
        self._connections: set[object] = set()  # the transports themselves, so ids are never reused
        self._version = 0
        self._runner: web.AppRunner | None = None

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self) -> FeedSite:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FeedSite:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    # -- resources -----------------------------------------------------------------------

    def add(
        self,
        path: str,
        body: bytes | str,
        *,
        content_type: str = "application/rss+xml; charset=utf-8",
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        etag: bool = True,
        compress: bool = False,
    ) -> None:
        """Serve `body` at `path` (replacing any behaviour there), with fresh validators."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        self._version += 1
        tag = f'"{hashlib.sha1(data).hexdigest()[:16]}-{self._version}"' if etag else None
        self._resources[path] = Resource(
            body=data,
            content_type=content_type,
            status=status,
            headers=dict(headers or {}),
            etag=tag,
            last_modified=formatdate(usegmt=True) if etag else None,
            compress=compress,
        )
        self._behaviours.pop(path, None)

    set = add  # a changed resource gets new validators, exactly like a fresh one

    def _behave(self, path: str, handler: Handler) -> None:
        self._resources.pop(path, None)
        self._behaviours[path] = handler

    def trickle(
        self,
        path: str,
        bytes_per_chunk: int,
        delay: float,
        *,
        body: bytes | None = None,
        content_type: str = "application/rss+xml",
    ) -> None:
        """Send headers at once, then `bytes_per_chunk` every `delay` s (endless without `body`)."""

        async def handler(request: web.Request) -> web.StreamResponse:
            response = web.StreamResponse(headers={"Content-Type": content_type})
            await response.prepare(request)
            offset = 0
            while body is None or offset < len(body):
                chunk = body[offset : offset + bytes_per_chunk] if body is not None else b"<" * bytes_per_chunk
                offset += len(chunk)
                await response.write(chunk)
                self.bytes_sent[path] += len(chunk)
                await asyncio.sleep(delay)
            await response.write_eof()
            return response

        self._behave(path, handler)

    def huge(
        self,
        path: str,
        size: int,
        *,
        content_type: str = "application/rss+xml",
        declare_length: bool = False,
        chunk: int = 64 * 1024,
    ) -> None:
        """Stream `size` generated bytes (never held in memory); `bytes_sent` counts what left."""
        block = (b"<item><title>x</title></item>" * (chunk // 29 + 1))[:chunk]

        async def handler(request: web.Request) -> web.StreamResponse:
            headers = {"Content-Type": content_type}
            if declare_length:
                headers["Content-Length"] = str(size)
            response = web.StreamResponse(headers=headers)
            await response.prepare(request)
            sent = 0
            try:
                while sent < size:
                    piece = block[: min(chunk, size - sent)]
                    await response.write(piece)
                    sent += len(piece)
                    self.bytes_sent[path] += len(piece)
            except (ConnectionError, RuntimeError):  # the client hung up: exactly what we test for
                return response
            await response.write_eof()
            return response

        self._behave(path, handler)

    def redirect(self, path: str, to: str, status: int = 302) -> None:
        async def handler(request: web.Request) -> web.StreamResponse:
            return web.Response(status=status, headers={"Location": to})

        self._behave(path, handler)

    def status(self, path: str, code: int, headers: Mapping[str, str] | None = None, body: bytes = b"") -> None:
        async def handler(request: web.Request) -> web.StreamResponse:
            return web.Response(status=code, headers=dict(headers or {}), body=body)

        self._behave(path, handler)

    def drop(self, path: str) -> None:
        """Close the connection without answering."""

        async def handler(request: web.Request) -> web.StreamResponse:
            assert request.transport is not None
            request.transport.abort()
            raise web.HTTPInternalServerError()  # never reaches the client

        self._behave(path, handler)

    # -- log -----------------------------------------------------------------------------

    @property
    def connections(self) -> int:
        """How many distinct TCP connections have carried requests (keep-alive reuse shows here)."""
        return len(self._connections)

    def requests_for(self, path: str) -> list[SeenRequest]:
        return [r for r in self.requests if r.path == path]

    async def wait_for(self, path: str, count: int = 1) -> None:
        """Return once `path` has been requested `count` times in all."""
        if self.hits[path] >= count:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters[path].append((count, future))
        await future

    def _log(self, request: web.Request) -> None:
        path = request.path
        self.requests.append(SeenRequest(request.method, path, request.query_string, dict(request.headers)))
        self.hits[path] += 1
        pending = []
        for count, future in self._waiters.get(path, []):
            if self.hits[path] >= count and not future.done():
                future.set_result(None)
            elif not future.done():
                pending.append((count, future))
        self._waiters[path] = pending

    # -- serving -------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self._log(request)
        self._connections.add(request.transport)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await self._answer(request)
        finally:
            self.in_flight -= 1

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        # Article URLs of real CMSs differ only in their query (articleView.html?idxno=N):
        # a resource added with its query wins over one added for the bare path.
        path = request.path_qs if request.path_qs in self._resources else request.path
        behaviour = self._behaviours.get(path)
        if behaviour is not None:
            return await behaviour(request)
        resource = self._resources.get(path) or self._from_root(path)
        if resource is None:
            return web.Response(status=404, text="not found")
        return self._serve(request, path, resource)

    def _from_root(self, path: str) -> Resource | None:
        if self.root is None:
            return None
        target = (self.root / path.lstrip("/")).resolve()
        if not target.is_relative_to(self.root) or not target.is_file():
            return None
        stat = target.stat()
        return Resource(
            body=target.read_bytes(),
            content_type=_content_type_for(target.name),
            etag=f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"',
            last_modified=formatdate(stat.st_mtime, usegmt=True),
        )

    def _serve(self, request: web.Request, path: str, resource: Resource) -> web.StreamResponse:
        headers = dict(resource.headers)
        if resource.etag:
            headers["ETag"] = resource.etag
        if resource.last_modified:
            headers["Last-Modified"] = resource.last_modified
        if resource.status == 200 and _not_modified(request, resource):
            return web.Response(status=304, headers=headers)
        headers["Content-Type"] = resource.content_type
        response = web.Response(status=resource.status, body=resource.body, headers=headers)
        if resource.compress:
            response.enable_compression()
        self.bytes_sent[path] += len(resource.body)
        return response


def _not_modified(request: web.Request, resource: Resource) -> bool:
    match = request.headers.get("If-None-Match")
    if match is not None:
        return resource.etag is not None and resource.etag in [t.strip() for t in match.split(",")]
    since = request.headers.get("If-Modified-Since")
    if since and resource.last_modified:
        try:
            return parsedate_to_datetime(resource.last_modified) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


async def _serve_forever(root: Path, host: str, port: int) -> None:
    site = await FeedSite(root=root, host=host, port=port).start()
    print(site.port, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await site.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve a folder as a fake feed site (prints the port).")
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    if not args.root.is_dir():
        print(f"--root {args.root}: not a directory", file=sys.stderr)
        return 2
    asyncio.run(_serve_forever(args.root, args.host, args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
