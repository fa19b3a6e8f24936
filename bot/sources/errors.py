"""Errors of the sources stage, each with a short `kind` used for metrics and feed status."""

from __future__ import annotations

__all__ = [
    "BlockedError",
    "ConnectError",
    "DNSError",
    "FeedError",
    "FetchError",
    "FetchTimeout",
    "GoneError",
    "HTTPStatusError",
    "ProtocolError",
    "RateLimitedError",
    "TooLargeError",
    "TooManyRedirects",
]


class FetchError(Exception):
    """A URL could not be fetched; `kind` names the reason, the message names the URL."""

    kind: str = "fetch"

    def __init__(self, message: str, *, url: str) -> None:
        super().__init__(message)
        self.message = message
        self.url = url


class FetchTimeout(FetchError):
    kind = "timeout"


class ConnectError(FetchError):
    kind = "connect"


class DNSError(FetchError):
    kind = "dns"


class ProtocolError(FetchError):
    """The connection broke mid-response or the response was not valid HTTP/gzip."""

    kind = "protocol"


class TooLargeError(FetchError):
    kind = "too_large"

    def __init__(self, message: str, *, url: str, limit: int) -> None:
        super().__init__(message, url=url)
        self.limit = limit


class BlockedError(FetchError):
    """Refused before connecting: not http(s), or the host is a private/loopback address."""

    kind = "blocked"


class TooManyRedirects(FetchError):
    kind = "redirects"


class HTTPStatusError(FetchError):
    kind = "http"

    def __init__(self, message: str, *, url: str, status: int) -> None:
        super().__init__(message, url=url)
        self.status = status


class GoneError(HTTPStatusError):
    """410 Gone: the source says it will not come back."""

    kind = "gone"


class RateLimitedError(HTTPStatusError):
    """429 or 503; `retry_after` is the server's Retry-After in seconds, when it gave one."""

    kind = "rate_limited"

    def __init__(self, message: str, *, url: str, status: int, retry_after: float | None) -> None:
        super().__init__(message, url=url, status=status)
        self.retry_after = retry_after


class FeedError(Exception):
    """Nothing usable could be read from a fetched body.

    kinds: `not_a_feed` (HTML page or empty body), `malformed` (unreadable XML),
    `unsafe` (DOCTYPE declaring entities: expansion bombs, external entities),
    `selector` (a board's row selector matched nothing).
    """

    def __init__(self, message: str, *, kind: str = "malformed") -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
