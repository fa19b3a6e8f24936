"""Per-chat and global sliding-window pacing of Telegram sends, rebuilt from the store after a restart."""

from __future__ import annotations

import asyncio
import bisect
import math
import time
from collections.abc import AsyncIterator, Callable, Hashable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Protocol


class PaceLimits(Protocol):
    """What the pacer reads of `bot.config.PaceConfig`."""

    @property
    def per_chat_per_second(self) -> float: ...
    @property
    def per_chat_per_minute(self) -> float: ...
    @property
    def global_per_second(self) -> float: ...


class Window:
    """At most `capacity` sends in any `length` seconds.

    A send occupies the window from the moment its request *returned* (Telegram saw it at
    some point before that, never after), so the server's receive times can never be
    closer than ours, whatever the latency. While the request is in flight its end is
    unknown, so it blocks the window's slot until `finish`.
    """

    def __init__(self, capacity: int, length: float) -> None:
        if capacity < 1 or length <= 0:
            raise ValueError(f"a pace window needs capacity >= 1 and length > 0, got {capacity}/{length}s")
        self.capacity = capacity
        self.length = length
        self.done: list[float] = []
        self.in_flight = 0

    @classmethod
    def for_rate(cls, count: float, length: float = 1.0) -> Window:
        """`count` per `length` seconds as a strict window: 2.5/s is 2 per second, 0.5/s is 1 per 2 s."""
        if not count > 0:
            raise ValueError(f"a pace must be positive, got {count} per {length:g} s")
        return cls(math.floor(count), length) if count >= 1 else cls(1, length / count)

    def delay(self, now: float) -> float | None:
        """Seconds until one more send fits (<= 0: now); None: only a finishing request frees a slot."""
        cut = bisect.bisect_right(self.done, now - self.length)
        if cut:
            del self.done[:cut]
        used = len(self.done) + self.in_flight
        if used < self.capacity:
            return 0.0
        if self.in_flight >= self.capacity:
            return None
        # The oldest entries must expire until one slot is free.
        return self.done[used - self.capacity] + self.length - now

    def add(self, at: float) -> None:
        bisect.insort(self.done, at)

    @property
    def empty(self) -> bool:
        return not self.done and not self.in_flight


@dataclass
class _Chat:
    second: Window
    minute: Window
    blocked_until: float = 0.0
    windows: tuple[Window, ...] = field(init=False)

    def __post_init__(self) -> None:
        self.windows = (self.second, self.minute)


class PaceState:
    """The pure bookkeeping: every method takes `now`, none waits."""

    def __init__(self, pace: PaceLimits) -> None:
        self.pace = pace
        self._new_chat()  # validates the pace now, not at the first send
        self.overall = Window.for_rate(pace.global_per_second)
        self.chats: dict[Hashable, _Chat] = {}

    def _new_chat(self) -> _Chat:
        return _Chat(
            Window.for_rate(self.pace.per_chat_per_second), Window.for_rate(self.pace.per_chat_per_minute, 60.0)
        )

    def _chat(self, chat: Hashable) -> _Chat:
        state = self.chats.get(chat)
        if state is None:
            state = self.chats[chat] = self._new_chat()
        return state

    def delay(self, chat: Hashable, now: float) -> float | None:
        """Seconds until `chat` may send (<= 0: now); None: wait for an in-flight request to finish."""
        state = self._chat(chat)
        worst = state.blocked_until - now
        for window in (*state.windows, self.overall):
            d = window.delay(now)
            if d is None:
                return None
            worst = max(worst, d)
        return worst

    def reserve(self, chat: Hashable) -> None:
        for window in (*self._chat(chat).windows, self.overall):
            window.in_flight += 1

    def finish(self, chat: Hashable, now: float) -> None:
        """The request reserved for `chat` returned (whatever its outcome): it counts from `now`."""
        for window in (*self._chat(chat).windows, self.overall):
            if window.in_flight:
                window.in_flight -= 1
            window.add(now)

    def cancel(self, chat: Hashable) -> None:
        """A reservation that was not used for a request."""
        for window in (*self._chat(chat).windows, self.overall):
            if window.in_flight:
                window.in_flight -= 1

    def block(self, chat: Hashable, until: float) -> None:
        state = self._chat(chat)
        state.blocked_until = max(state.blocked_until, until)

    def seed(self, history: Iterable[tuple[Hashable, float]]) -> None:
        for chat, at in history:
            for window in (*self._chat(chat).windows, self.overall):
                window.add(at)

    def forget_idle(self, now: float) -> None:
        """Drop chats whose windows are empty, so a long run does not accumulate them."""
        for chat, state in list(self.chats.items()):
            for window in state.windows:
                window.delay(now)
            if all(w.empty for w in state.windows) and state.blocked_until <= now:
                del self.chats[chat]


class Pacer:
    """Waits until a chat may send. Production uses wall-clock time so `seed` can read the store."""

    def __init__(self, pace: PaceLimits, *, clock: Callable[[], float] = time.time) -> None:
        self._state = PaceState(pace)
        self._clock = clock
        self._finished = asyncio.Event()
        self._acquired = 0

    async def acquire(self, chat: Hashable) -> None:
        """Wait (scheduling to the exact moment a window frees) and reserve one send for `chat`.

        Call `done(chat)` when the request returns; `slot(chat)` does both.
        """
        while True:
            now = self._clock()
            delay = self._state.delay(chat, now)
            if delay is None:
                self._finished.clear()
                await self._finished.wait()
            elif delay > 0:
                await asyncio.sleep(delay)
            else:
                self._state.reserve(chat)
                self._acquired += 1
                if self._acquired % 1000 == 0:
                    self._state.forget_idle(now)
                return

    def done(self, chat: Hashable) -> None:
        self._state.finish(chat, self._clock())
        self._finished.set()

    def cancel(self, chat: Hashable) -> None:
        """Give back a reservation that was not used for a request."""
        self._state.cancel(chat)
        self._finished.set()

    @asynccontextmanager
    async def slot(self, chat: Hashable) -> AsyncIterator[None]:
        await self.acquire(chat)
        try:
            yield
        finally:
            self.done(chat)

    def note_retry_after(self, chat: Hashable, seconds: float) -> None:
        """Telegram answered 429 for `chat`: only that chat waits, however long."""
        self._state.block(chat, self._clock() + seconds)

    def seed(self, history: Iterable[tuple[Hashable, float]]) -> None:
        """Sends accepted before a restart (chat, wall-clock time), so the pace survives it."""
        self._state.seed(history)

    def delay(self, chat: Hashable) -> float | None:
        """How long `chat` would wait now (None: until a request in flight returns)."""
        return self._state.delay(chat, self._clock())
