"""Records, chats, scripted faults and flood windows of the Telegram Bot API double."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

FaultKind = Literal["status", "retry_after", "timeout", "drop", "lost_response", "photo_fail"]
ChatType = Literal["channel", "group", "supergroup", "private"]

_STATUS_TEXT = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict",
    429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
    503: "Service Unavailable", 504: "Gateway Timeout",
}  # fmt: skip


class ApiError(Exception):
    """An error envelope to answer with: HTTP status = error_code, plus optional parameters."""

    def __init__(self, status: int, description: str, parameters: dict[str, int] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters or {}

    @classmethod
    def bad_request(cls, message: str) -> ApiError:
        return cls(400, f"Bad Request: {message}")

    def envelope(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = dict(self.parameters)
        return body


def status_text(status: int) -> str:
    return _STATUS_TEXT.get(status, "Error")


@dataclass(frozen=True, slots=True)
class Fault:
    """One scripted misbehaviour, consumed by the next matching request."""

    kind: FaultKind
    status: int | None = None
    seconds: float = 0.0
    description: str | None = None
    deliver: bool = False
    """For `timeout`: accept and record the message before holding the response."""

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fault:
        kind = data.get("kind")
        if kind not in ("status", "retry_after", "timeout", "drop", "lost_response", "photo_fail"):
            raise ValueError(f"fault.kind: unknown fault kind {kind!r}")
        if kind == "status" and not isinstance(data.get("status"), int):
            raise ValueError("fault.status: an HTTP status code (int) is required for kind 'status'")
        return cls(
            kind=kind,
            status=data.get("status"),
            seconds=float(data.get("seconds", 0.0)),
            description=data.get("description"),
            deliver=bool(data.get("deliver", False)),
        )


def status(code: int, description: str | None = None) -> Fault:
    """Answer with this HTTP status and a JSON error envelope (e.g. 502 Bad Gateway)."""
    return Fault("status", status=code, description=description)


def retry_after(seconds: int) -> Fault:
    """Answer 429 with this retry_after; the chat then keeps getting 429 until it has passed."""
    return Fault("retry_after", seconds=float(seconds))


def timeout(seconds: float, *, deliver: bool = False) -> Fault:
    """Hold the response for `seconds`, then drop the connection (or, with deliver, post and answer late)."""
    return Fault("timeout", seconds=seconds, deliver=deliver)


def drop() -> Fault:
    """Close the connection without an answer and without posting."""
    return Fault("drop")


def lost_response() -> Fault:
    """Post and record the message, then close the connection: posted, but the answer was lost."""
    return Fault("lost_response")


def photo_fail() -> Fault:
    """sendPhoto answers `Bad Request: wrong file identifier/HTTP URL specified`."""
    return Fault("photo_fail")


@dataclass(slots=True)
class FaultRule:
    method: str | None
    chat: str | None
    faults: deque[Fault]


@dataclass(slots=True)
class Chat:
    """A chat the double knows; flags say how the bot stands in it."""

    id: int
    type: ChatType
    username: str | None = None
    title: str | None = None
    member: bool = True
    kicked: bool = False
    blocked: bool = False
    can_post: bool = True
    migrated_to: int | None = None

    @property
    def key(self) -> str:
        """How records name the chat: '@username' when it has one, else the numeric id."""
        return f"@{self.username}" if self.username else str(self.id)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.type == "private":
            out["first_name"] = self.title or "User"
        else:
            out["title"] = self.title or self.key
        if self.username:
            out["username"] = self.username
        return out


@dataclass(frozen=True, slots=True)
class Posted:
    """A message the double accepted."""

    chat_id: int
    chat: str
    message_id: int
    method: str
    text: str
    """The visible text after entity parsing (the caption for a photo)."""
    html: str
    """The raw text/caption as sent."""
    entities: tuple[dict[str, Any], ...]
    disable_notification: bool
    photo: str | None
    caption: str | None
    at: float
    """time.monotonic() when the request arrived (comparable across processes on one host)."""

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["entities"] = list(self.entities)
        return out


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """Every request the double answered (or dropped)."""

    method: str
    chat: str | None
    outcome: str
    """'ok', '429', 'error', or 'fault:<kind>'."""
    status: int | None
    description: str | None
    at: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Window:
    """At most `count` messages in any `seconds`-long sliding window."""

    count: int
    seconds: float


@dataclass(frozen=True, slots=True)
class FloodLimits:
    """The strict sliding windows of telegram-rules.md §9; None turns one off."""

    per_chat: Window | None = Window(1, 1.0)
    per_group: Window | None = Window(20, 60.0)
    """Channels, groups and supergroups; private chats are exempt."""
    overall: Window | None = Window(30, 1.0)

    @classmethod
    def off(cls) -> FloodLimits:
        return cls(per_chat=None, per_group=None, overall=None)

    def to_json(self) -> dict[str, Any]:
        return {k: None if w is None else [w.count, w.seconds] for k, w in
                (("per_chat", self.per_chat), ("per_group", self.per_group), ("overall", self.overall))}  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FloodLimits:
        def window(name: str, default: Window | None) -> Window | None:
            if name not in data:
                return default
            value = data[name]
            if value is None:
                return None
            if not (isinstance(value, list) and len(value) == 2):
                raise ValueError(f"limits.{name}: expected [count, seconds] or null, got {value!r}")
            return Window(int(value[0]), float(value[1]))

        base = cls()
        return cls(window("per_chat", base.per_chat), window("per_group", base.per_group),
                   window("overall", base.overall))  # fmt: skip


@dataclass(slots=True)
class FloodGate:
    """Decides 429s: strict windows, and a chat that got 429 keeps getting it until retry_after passed."""

    limits: FloodLimits
    per_chat: dict[int, deque[float]] = field(default_factory=dict)
    overall: deque[float] = field(default_factory=deque)
    blocked_until: dict[int, float] = field(default_factory=dict)
    all_blocked_until: float = 0.0

    def check(self, chat: Chat, now: float) -> tuple[int, bool] | None:
        """None when the message may go; else (retry_after, whether an earlier retry_after was ignored)."""
        until = max(self.blocked_until.get(chat.id, 0.0), self.all_blocked_until)
        if now < until:
            return max(1, math.ceil(until - now)), True
        times = self.per_chat.setdefault(chat.id, deque())
        chat_wait = max(
            _wait(times, self.limits.per_chat, now),
            0.0 if chat.type == "private" else _wait(times, self.limits.per_group, now),
        )
        global_wait = _wait(self.overall, self.limits.overall, now)
        wait = max(chat_wait, global_wait)
        if wait <= 0:
            return None
        seconds = max(1, math.ceil(wait))
        if global_wait >= chat_wait:
            self.all_blocked_until = now + seconds
        else:
            self.blocked_until[chat.id] = now + seconds
        return seconds, False

    def record(self, chat: Chat, now: float) -> None:
        horizon = max((w.seconds for w in (self.limits.per_chat, self.limits.per_group, self.limits.overall)
                       if w is not None), default=0.0)  # fmt: skip
        for times in (self.per_chat.setdefault(chat.id, deque()), self.overall):
            times.append(now)
            while times and times[0] <= now - horizon:
                times.popleft()

    def block(self, chat: Chat, now: float, seconds: int) -> None:
        self.blocked_until[chat.id] = max(self.blocked_until.get(chat.id, 0.0), now + seconds)


def _wait(times: deque[float], window: Window | None, now: float) -> float:
    """Seconds until one more message fits the window (<= 0 when it fits now)."""
    if window is None:
        return 0.0
    recent = [t for t in times if t > now - window.seconds]
    if len(recent) < window.count:
        return 0.0
    return recent[-window.count] + window.seconds - now
