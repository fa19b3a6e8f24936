"""HTTP fetching for feeds and article pages: polite, bounded, and safe against hostile servers."""

from __future__ import annotations

import asyncio
import contextvars
import ipaddress
import re
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver
from multidict import CIMultiDictProxy

from bot import __version__
from bot.sources.errors import (
    BlockedError,
    ConnectError,
    DNSError,
    FetchTimeout,
    GoneError,
    HTTPStatusError,
    ProtocolError,
    RateLimitedError,
    TooLargeError,
    TooManyRedirects,
)

__all__ = ["DEFAULT_USER_AGENT", "FEED_ACCEPT", "HTML_ACCEPT", "FetchResult", "Fetcher", "check_address"]

DEFAULT_USER_AGENT = f"pressbot/{__version__} (+https://github.com/pressbot/pressbot)"
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5"
)
HTML_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})
_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)", re.I)
_CHUNK = 64 * 1024

# Whether the fetch running in this task may reach private addresses; read by the resolver,
# which runs inside aiohttp's connect, so the check applies to the addresses actually dialled.
_ALLOW_PRIVATE: contextvars.ContextVar[bool] = contextvars.ContextVar("pressbot_allow_private", default=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchResult:
    """A successful fetch (2xx or 304)."""

    url: str
    """The URL asked for."""
    final_url: str
    """The URL that answered, after redirects."""
    status: int
    body: bytes
    """Decompressed body; empty on 304."""
    content_type: str | None
    etag: str | None
    last_modified: str | None
    not_modified: bool
    moved_permanently_to: str | None
    """Where an unbroken chain of 301/308 redirects from `url` ended, if one was followed."""
    max_age: float | None
    """Cache-Control max-age in seconds."""
    elapsed: float
    """Seconds from the call to the end of the body, waits for a connection slot included."""


def check_address(address: str) -> str | None:
    """Why `address` (an IP literal) must not be fetched by default, or None if it is public."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_private:
        return "a private address"
    if not ip.is_global or ip.is_multicast:
        return "a reserved (non-public) address"
    return None


class _GuardedResolver(AbstractResolver):
    """getaddrinfo with a small TTL cache, refusing non-public answers unless the task allows them."""

    def __init__(self, ttl: float) -> None:
        self._inner = ThreadedResolver()
        self._ttl = ttl
        self._cache: dict[tuple[str, int, int], tuple[float, list[ResolveResult]]] = {}

    async def lookup(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        key = (host, port, int(family))
        cached = self._cache.get(key)
        now = time.monotonic()
        if cached is not None and cached[0] > now:
            return cached[1]
        found = await self._inner.resolve(host, port, family)
        if len(self._cache) > 4096:
            self._cache = {k: v for k, v in self._cache.items() if v[0] > now}
        self._cache[key] = (now + self._ttl, found)
        return found

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self.lookup(host, port, family)
        if not _ALLOW_PRIVATE.get():
            for result in found:
                reason = check_address(result["host"])
                if reason:
                    raise _PrivateAddress(host, result["host"], reason)
        return found

    async def close(self) -> None:
        await self._inner.close()


class _PrivateAddress(Exception):
    def __init__(self, host: str, address: str, reason: str) -> None:
        super().__init__(f"{host} resolves to {address}, {reason}")


class _HostSlots:
    """One semaphore per host:port, dropped when nobody holds or waits for it."""

    def __init__(self, per_host: int) -> None:
        self._per_host = per_host
        self._slots: dict[str, tuple[asyncio.Semaphore, list[int]]] = {}

    @asynccontextmanager
    async def slot(self, key: str) -> AsyncIterator[None]:
        entry = self._slots.get(key)
        if entry is None:
            entry = self._slots[key] = (asyncio.Semaphore(self._per_host), [0])
        entry[1][0] += 1
        try:
            async with entry[0]:
                yield
        finally:
            entry[1][0] -= 1
            if entry[1][0] == 0:
                self._slots.pop(key, None)


def _host_key(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    return host, port


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _max_age(value: str | None) -> float | None:
    if not value or "no-store" in value.lower():
        return None
    found = _MAX_AGE.search(value)
    return float(found.group(1)) if found else None


@dataclass(slots=True)
class _Hop:
    status: int
    headers: CIMultiDictProxy[str]
    body: bytes


class Fetcher:
    """One aiohttp session shared by every feed and article fetch, under global and per-host limits."""

    def __init__(
        self,
        *,
        user_agent: str = DEFAULT_USER_AGENT,
        concurrency: int = 32,
        per_host: int = 4,
        timeout: float = 20.0,
        max_bytes: int = 10 * 1024 * 1024,
        max_redirects: int = 5,
        ttl_dns_cache: float = 300.0,
    ) -> None:
        self.user_agent = user_agent
        self.concurrency = concurrency
        self.per_host = per_host
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.ttl_dns_cache = ttl_dns_cache
        self._session: aiohttp.ClientSession | None = None
        self._resolver: _GuardedResolver | None = None
        self._global: asyncio.Semaphore | None = None
        self._hosts = _HostSlots(per_host)

    async def start(self) -> None:
        if self._session is not None:
            return
        self._resolver = _GuardedResolver(self.ttl_dns_cache)
        connector = aiohttp.TCPConnector(
            limit=self.concurrency,
            limit_per_host=self.per_host,
            use_dns_cache=False,  # the guarded resolver caches, so checked addresses are the ones dialled
            resolver=self._resolver,
            keepalive_timeout=60,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            headers={"User-Agent": self.user_agent},
            timeout=aiohttp.ClientTimeout(total=None),  # fetch() enforces its own total deadline
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=False,
            auto_decompress=True,
        )
        self._global = asyncio.Semaphore(self.concurrency)

    async def close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def __aenter__(self) -> Fetcher:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        allow_private: bool = False,
        accept: str = FEED_ACCEPT,
    ) -> FetchResult:
        """GET `url` (conditionally when validators are given), following redirects by hand.

        Raises a FetchError subclass: timeout, connect, dns, protocol, http, gone, rate_limited,
        too_large, blocked, redirects.
        """
        await self.start()
        started = time.monotonic()
        headers = {"Accept": accept, "Accept-Encoding": "gzip, deflate"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current, moved, permanent = url, None, True
        for _ in range(self.max_redirects + 1):
            hop = await self._hop(current, headers, allow_private=allow_private)
            location = hop.headers.get("Location")
            if hop.status in _REDIRECTS and location:
                target = urljoin(current, location.strip())
                permanent = permanent and hop.status in _PERMANENT
                if permanent:
                    moved = target
                current = target
                continue
            return self._result(url, current, hop, moved, etag, last_modified, started)
        raise TooManyRedirects(f"{url}: more than {self.max_redirects} redirects (last: {current})", url=url)

    def _result(
        self, url: str, final: str, hop: _Hop, moved: str | None,
        etag: str | None, last_modified: str | None, started: float,
    ) -> FetchResult:
        status, headers = hop.status, hop.headers
        if status == 304:
            etag = headers.get("ETag") or etag
            last_modified = headers.get("Last-Modified") or last_modified
        elif 200 <= status < 300:
            etag, last_modified = headers.get("ETag"), headers.get("Last-Modified")
        elif status == 410:
            raise GoneError(f"{final}: 410 Gone", url=url, status=status)
        elif status in (429, 503):
            retry = _retry_after(headers.get("Retry-After"))
            hint = f" (Retry-After {retry:.0f} s)" if retry is not None else ""
            raise RateLimitedError(f"{final}: HTTP {status}{hint}", url=url, status=status, retry_after=retry)
        else:
            raise HTTPStatusError(f"{final}: HTTP {status}", url=url, status=status)
        return FetchResult(
            url=url,
            final_url=final,
            status=status,
            body=hop.body,
            content_type=headers.get("Content-Type"),
            etag=etag,
            last_modified=last_modified,
            not_modified=status == 304,
            moved_permanently_to=moved,
            max_age=_max_age(headers.get("Cache-Control")),
            elapsed=time.monotonic() - started,
        )

    async def _check(self, url: str, allow_private: bool) -> None:
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise BlockedError(f"{url}: only absolute http(s) URLs are fetched", url=url)
        if allow_private:
            return
        host, port = _host_key(url)
        if _is_ip(host):
            reason = check_address(host)
            reason = f"is {reason}" if reason else None
        else:
            # Names are resolved here and again (from the same cache) when aiohttp connects,
            # where the resolver re-checks: every address that could be dialled is checked.
            assert self._resolver is not None
            try:
                found = await self._resolver.lookup(host, port)
            except OSError as exc:
                raise DNSError(f"{url}: cannot resolve {host}: {exc}", url=url) from exc
            reason = next(
                (f"resolves to {r['host']}, {why}" for r in found if (why := check_address(r["host"]))), None
            )
        if reason:
            message = f"{url}: refused, {host} {reason} (private addresses are not allowed)"
            raise BlockedError(message, url=url)

    async def _hop(self, url: str, headers: dict[str, str], *, allow_private: bool) -> _Hop:
        await self._check(url, allow_private)
        host, port = _host_key(url)
        assert self._session is not None and self._global is not None
        received = [0]
        async with self._hosts.slot(f"{host}:{port}"), self._global:
            token = _ALLOW_PRIVATE.set(allow_private)
            try:
                async with asyncio.timeout(self.timeout):
                    return await self._request(url, headers, received)
            except TimeoutError as exc:
                raise FetchTimeout(
                    f"{url}: no complete response within {self.timeout:g} s ({received[0]} body bytes read)",
                    url=url,
                ) from exc
            except _PrivateAddress as exc:
                message = f"{url}: refused, {exc} (private addresses are not allowed)"
                raise BlockedError(message, url=url) from exc
            except aiohttp.ClientConnectorDNSError as exc:
                raise DNSError(f"{url}: cannot resolve {host}: {exc.os_error}", url=url) from exc
            except aiohttp.ClientConnectorError as exc:
                message = f"{url}: cannot connect to {host}:{port}: {exc.os_error}"
                raise ConnectError(message, url=url) from exc
            except aiohttp.InvalidURL as exc:
                raise BlockedError(f"{url}: invalid URL ({exc})", url=url) from exc
            except (aiohttp.ClientError, OSError) as exc:
                detail = str(exc) or type(exc).__name__
                raise ProtocolError(f"{url}: connection broken or bad response: {detail}", url=url) from exc
            finally:
                _ALLOW_PRIVATE.reset(token)

    async def _request(self, url: str, headers: dict[str, str], received: list[int]) -> _Hop:
        assert self._session is not None
        async with self._session.get(url, headers=headers, allow_redirects=False) as response:
            status = response.status
            if not 200 <= status < 300:
                response.release()
                return _Hop(status, response.headers, b"")
            length = response.content_length
            if length is not None and length > self.max_bytes:
                response.close()
                raise TooLargeError(
                    f"{url}: body of {length} bytes is over the {self.max_bytes}-byte limit (not read)",
                    url=url, limit=self.max_bytes,
                )
            chunks: list[bytes] = []
            async for chunk in response.content.iter_chunked(_CHUNK):
                received[0] += len(chunk)
                if received[0] > self.max_bytes:
                    response.close()  # drop the connection: the rest is never read
                    raise TooLargeError(
                        f"{url}: body over the {self.max_bytes}-byte limit, stopped reading",
                        url=url, limit=self.max_bytes,
                    )
                chunks.append(chunk)
            return _Hop(status, response.headers, b"".join(chunks))
