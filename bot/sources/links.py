"""Link normalisation and entry identity: one release reached by several URLs is one release."""

from __future__ import annotations

import hashlib
from urllib.parse import unquote_plus, urlsplit, urlunsplit

__all__ = ["entry_identity", "is_http_url", "normalise_link"]

_TRACKING = frozenset({"call_from", "fbclid", "gclid"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_tracking(name: str) -> bool:
    key = name.lower()
    return key.startswith("utm_") or key in _TRACKING


def is_http_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in _DEFAULT_PORTS and bool(parts.hostname)


def normalise_link(url: str) -> str:
    """A comparison key for a link: `//host[:port]/path?query` without scheme, fragment or trackers.

    http and https name the same release, so the key has no scheme; the host is lower-cased,
    a default port dropped, tracking parameters (utm_*, call_from, fbclid, gclid) removed and
    the other parameters kept in their order. Unparseable input comes back stripped.
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return text
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if not host:
        return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{port}"
    if parts.username is not None:
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = f"{userinfo}@{netloc}"
    query = parts.query
    if query:
        # Filter the raw `name=value` pieces so the kept ones stay byte-for-byte as written.
        pieces = query.split("&")
        query = "&".join(p for p in pieces if p and not _is_tracking(unquote_plus(p.split("=", 1)[0])))
    path = parts.path or "/"
    key = f"//{netloc}{path}"
    return f"{key}?{query}" if query else key


def entry_identity(guid: str | None, link: str | None, title: str | None, description: str | None) -> str:
    """The guid, else the normalised link, else `sha256:` of title and description."""
    if guid and guid.strip():
        return guid.strip()
    if link and link.strip():
        return normalise_link(link)
    digest = hashlib.sha256(f"{title or ''}\n{description or ''}".encode()).hexdigest()
    return f"sha256:{digest}"
