"""Typed reads of config values that record a located problem instead of raising, so all are reported."""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Mapping
from datetime import date
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from bot.config.problems import Problem, Severity
from bot.config.yamlsource import Document, child_path
from bot.durations import parse_duration, parse_size

__all__ = ["Fields", "describe"]

T = TypeVar("T")
_NAME = re.compile(r"[\w.-]+")


def describe(value: object) -> str:
    """How a wrong value is named in a message: the text itself, or its kind for structures."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    if isinstance(value, str | int | float):
        return repr(value)
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, date):
        return f"the date {value.isoformat()}"
    return f"a {type(value).__name__}"


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class Fields:
    """Reads values out of a Document by key path; every bad value becomes one Problem."""

    def __init__(self, doc: Document, *, base_dir: Path) -> None:
        self.doc = doc
        self.base_dir = base_dir
        self.problems: list[Problem] = list(doc.problems)

    # -- reporting ---------------------------------------------------------------------------------

    def line(self, path: str, *, key: bool = False) -> int | None:
        """The line of `path` (its key when asked), else of its nearest written ancestor."""
        probe = path
        while probe:
            found = (self.doc.key_lines.get(probe) if key else None) or self.doc.value_lines.get(probe)
            if found:
                return found
            parent = probe.rsplit(".", 1)[0] if "." in probe.rsplit("]", 1)[-1] else probe.rsplit("[", 1)[0]
            if parent == probe:
                break
            probe = parent
        return None

    def report(self, path: str, message: str, *, severity: Severity = "error", key: bool = False) -> None:
        self.problems.append(
            Problem(file=self.doc.file, line=self.line(path, key=key), path=path, message=message, severity=severity)
        )

    def error(self, path: str, message: str, *, key: bool = False) -> None:
        self.report(path, message, key=key)

    def warn(self, path: str, message: str, *, key: bool = False) -> None:
        self.report(path, message, severity="warning", key=key)

    # -- structure ---------------------------------------------------------------------------------

    def mapping(self, path: str, value: object, keys: Collection[str], *, what: str = "") -> dict[str, object]:
        """The mapping at `path` ({} when absent); unknown keys are errors with a did-you-mean."""
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.error(path, f"expected {what or 'a mapping with keys ' + ', '.join(keys)}, got {describe(value)}")
            return {}
        for key in value:
            if key not in keys:
                self.error(child_path(path, key), unknown_key(key, keys), key=True)
        return {key: item for key, item in value.items() if key in keys}

    def named(self, path: str, value: object, *, what: str) -> dict[str, object]:
        """A mapping of user-chosen names (channels, rss outputs); each name must be usable in commands."""
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.error(path, f"expected a mapping of {what} by name, got {describe(value)}")
            return {}
        for name in value:
            self.check_name(child_path(path, name), name, key=True)
        return value

    def check_name(self, path: str, name: str, *, key: bool = False) -> bool:
        if _NAME.fullmatch(name):
            return True
        self.error(path, f"the name {name!r} may use only letters, digits, '_', '-' and '.'", key=key)
        return False

    def required(self, path: str, section: Mapping[str, object], key: str) -> object:
        value = section.get(key)
        if value is None:
            self.error(child_path(path, key), "missing (required)", key=True)
        return value

    # -- scalars -----------------------------------------------------------------------------------

    def text(self, path: str, value: object, default: str) -> str:
        if value is None:
            return default
        if isinstance(value, str):
            return value.strip()
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)  # a title like `2024` is still text
        self.error(path, f"expected text, got {describe(value)}")
        return default

    def optional_text(self, path: str, value: object) -> str | None:
        text = self.text(path, value, "")
        return text or None

    def boolean(self, path: str, value: object, default: bool) -> bool:
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        self.error(path, f"expected true or false, got {describe(value)}")
        return default

    def integer(self, path: str, value: object, default: int, *, minimum: int = 0) -> int:
        if value is None:
            return default
        if not is_int(value):
            self.error(path, f"expected a whole number, got {describe(value)}")
            return default
        assert isinstance(value, int)
        if value < minimum:
            self.error(path, f"expected a whole number of at least {minimum}, got {value}")
            return default
        return value

    def positive(self, path: str, value: object, default: float) -> float:
        if value is None:
            return default
        if not isinstance(value, int | float) or isinstance(value, bool):
            self.error(path, f"expected a positive number, got {describe(value)}")
            return default
        if not value > 0 or value == float("inf"):
            self.error(path, f"expected a positive number, got {value}")
            return default
        return float(value)

    def duration(self, path: str, value: object, default: float, *, positive: bool = True) -> float:
        if value is None:
            return default
        try:
            seconds = parse_duration(value)
        except ValueError as exc:
            self.error(path, str(exc))
            return default
        if positive and seconds <= 0:
            self.error(path, f"expected a duration longer than zero, got {describe(value)}")
            return default
        return seconds

    def size(self, path: str, value: object, default: int) -> int:
        if value is None:
            return default
        try:
            size = parse_size(value)
        except ValueError as exc:
            self.error(path, str(exc))
            return default
        if size <= 0:
            self.error(path, f"expected a size larger than zero, got {describe(value)}")
            return default
        return size

    def url(self, path: str, value: object, default: str | None) -> str | None:
        """An absolute http(s) URL with a host."""
        if value is None:
            if default is None:
                self.error(path, "missing (required)", key=True)
            return default
        if not isinstance(value, str):
            self.error(path, f"expected an http:// or https:// URL, got {describe(value)}")
            return default
        url = value.strip()
        problem = url_problem(url)
        if problem:
            self.error(path, f"{problem}, got {url!r}")
            return default
        return url

    def file_path(self, path: str, value: object, default: Path | None) -> Path | None:
        """A filesystem path; relative ones resolve against the config file's folder."""
        if value is None:
            return None if default is None else self.resolve(default)
        if not isinstance(value, str) or not value.strip():
            self.error(path, f"expected a file path, got {describe(value)}")
            return None if default is None else self.resolve(default)
        return self.resolve(Path(value.strip()))

    def resolve(self, path: Path) -> Path:
        path = path.expanduser()
        return path if path.is_absolute() else self.base_dir / path


def url_problem(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
    except ValueError:
        return "expected an http:// or https:// URL"
    if parts.scheme not in ("http", "https"):
        return "expected an http:// or https:// URL"
    if not parts.hostname:
        return "expected a URL with a host name"
    if any(char.isspace() for char in url):
        return "a URL cannot contain spaces (write them as %20)"
    return None


def unknown_key(key: str, known: Collection[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    if close:
        return f"unknown key '{key}' (did you mean '{close[0]}'?)"
    return f"unknown key '{key}' (known: {', '.join(known)})"
