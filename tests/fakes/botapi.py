"""A Telegram Bot API double (aiohttp) that enforces Telegram's HTML, length, chat and flood rules."""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from types import TracebackType
from typing import Any

from aiohttp import web

from tests.fakes.botapi_methods import ApiMethods, Params, read_params
from tests.fakes.botapi_model import (
    ApiError,
    Chat,
    ChatType,
    Fault,
    FaultRule,
    FloodLimits,
    Posted,
    RequestRecord,
    Window,
    drop,
    lost_response,
    photo_fail,
    retry_after,
    status,
    status_text,
    timeout,
)
from tests.fakes.tdlib_html import (
    FormattedText,
    HtmlParseError,
    fix_formatted_text,
    parse_html,
    utf16_len,
)

__all__ = [
    "DEFAULT_TOKEN", "BotApiDouble", "Chat", "Fault", "FloodLimits", "HtmlParseError", "Posted",
    "RequestRecord", "Window", "drop", "lost_response", "parse_html", "photo_fail", "retry_after",
    "status", "telegram_parse", "timeout", "utf16_len",
]  # fmt: skip

DEFAULT_TOKEN = "123456789:TESTdoubleTOKENabcdefghijklmnopqrs"
_WELL_FORMED_TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{30,60}$")


def telegram_parse(html_text: str, *, caption: bool = False) -> FormattedText:
    """Parse + clean up exactly as sendMessage/sendPhoto do; raises HtmlParseError or EmptyTextError."""
    return fix_formatted_text(parse_html(html_text), allow_empty=caption)


class BotApiDouble(ApiMethods):
    """The fake api.telegram.org: `async with BotApiDouble(chats=["@a"]) as api:` then
    `telegram.Bot(api.token, base_url=api.base_url)`."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        chats: Iterable[str] = (),
        limits: FloodLimits | None = None,
        bot_username: str = "pressbot_double_bot",
    ) -> None:
        super().__init__(token, limits if limits is not None else FloodLimits(), bot_username)
        self._next_chat = {"channel": -1001000000001, "supergroup": -1002000000001, "group": -400000001}
        self._faults: list[FaultRule] = []
        self._next_update = 1
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.app = web.Application(client_max_size=64 * 1024 * 1024)
        self.app.router.add_route("*", "/bot{token}/{method}", self._handle)
        for ref in chats:
            self.add_chat(ref)

    # ----- chats -----------------------------------------------------------------------------

    def add_chat(self, ref: str | int, type: ChatType | None = None, **flags: Any) -> Chat:
        """Register a chat: '@name' (a channel unless `type` says otherwise) or a numeric id.
        A spec like '@name:supergroup' or '-100123:group' sets the type. Flags: title, member,
        kicked, blocked, can_post."""
        text = str(ref)
        if ":" in text and type is None:
            text, kind = text.split(":", 1)
            type = _chat_type(kind)
        username = text[1:] if text.startswith("@") else None
        if username is None and not re.fullmatch(r"-?\d+", text):
            raise ValueError(f"chat {ref!r}: expected '@username' or a numeric id")
        if type is None:
            type = "private" if username is None and int(text) > 0 else "channel"
        chat_id = int(text) if username is None else self._new_id(type)
        chat = Chat(id=chat_id, type=type, username=username, **flags)
        self._chats[chat_id] = chat
        return chat

    def chat(self, ref: str | int) -> Chat:
        found = self._find_chat(str(ref))
        if found is None:
            raise KeyError(f"the double knows no chat {ref!r}; known: {[c.key for c in self._chats.values()]}")
        return found

    def migrate(self, ref: str | int) -> Chat:
        """Upgrade a group to a new supergroup: the old id answers 400 with migrate_to_chat_id."""
        old = self.chat(ref)
        new = Chat(id=self._new_id("supergroup"), type="supergroup", title=old.title)
        self._chats[new.id] = new
        old.migrated_to = new.id
        return new

    def _new_id(self, type: str) -> int:
        key = "group" if type == "group" else ("supergroup" if type == "supergroup" else "channel")
        value = self._next_chat[key]
        self._next_chat[key] = value - 1
        return value

    # ----- scripting -------------------------------------------------------------------------

    def inject(self, method: str | None, *faults: Fault, chat: str | int | None = None) -> None:
        """Queue faults for the next requests to `method` (None: any) in `chat` (None: any), in order."""
        self._faults.append(FaultRule(method.lower() if method else None, None if chat is None else str(chat),
                                      deque(faults)))  # fmt: skip

    def clear_faults(self) -> None:
        """Telegram is healthy again: drop every fault still queued."""
        self._faults.clear()

    def pending_faults(self) -> int:
        return sum(len(rule.faults) for rule in self._faults)

    def set_limits(self, limits: FloodLimits) -> None:
        self.limits = limits
        self._gate.limits = limits

    def push_update(self, text: str, *, from_id: int, chat_id: int | str | None = None) -> int:
        """Queue a `message` update (in the sender's private chat by default); returns its update_id."""
        chat = self._find_chat(str(chat_id if chat_id is not None else from_id))
        if chat is None:
            if chat_id is not None:
                raise KeyError(f"push_update: unknown chat_id {chat_id!r}; add_chat it first")
            chat = self.add_chat(from_id, "private")
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat.id), "date": int(time.time()), "chat": chat.to_json(),
            "from": {"id": from_id, "is_bot": False, "first_name": "Admin", "username": f"user{from_id}"},
            "text": text,
        }  # fmt: skip
        command = re.match(r"/[A-Za-z0-9_@]+", text)
        if command:
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(command.group())}]
        update_id = self._next_update
        self._next_update += 1
        self._updates.append({"update_id": update_id, "message": message})
        self._notify()
        return update_id

    # ----- reading what happened -------------------------------------------------------------

    def messages_for(self, ref: str | int) -> list[Posted]:
        chat = self._find_chat(str(ref))
        return [] if chat is None else [m for m in self.messages if m.chat_id == chat.id]

    def texts(self, ref: str | int) -> list[str]:
        return [m.text for m in self.messages_for(ref)]

    def stats(self) -> dict[str, Any]:
        per_chat: dict[str, int] = {}
        for m in self.messages:
            per_chat[m.chat] = per_chat.get(m.chat, 0) + 1
        return {"messages": len(self.messages), "requests": len(self.requests), "count_429": self.count_429,
                "retry_after_ignored": self.retry_after_ignored, "per_chat": per_chat,
                "pending_faults": self.pending_faults(), "limits": self.limits.to_json()}  # fmt: skip

    async def wait_for(self, predicate: Callable[[BotApiDouble], bool], timeout: float = 10.0) -> None:
        """Wait (without polling) until predicate(double) holds; re-checked on every recorded change."""
        if not await self._wait_until(lambda: predicate(self), timeout):
            raise TimeoutError(f"double: condition not met within {timeout}s; stats={self.stats()}")

    def _log(self, method: str, chat: str | None, outcome: str, status: int | None, text: str | None) -> None:
        self.requests.append(RequestRecord(method, chat, outcome, status, text, time.monotonic()))
        self._notify()

    # ----- serving ---------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """What to give python-telegram-bot as base_url (it appends the token)."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> BotApiDouble:
        self._runner = web.AppRunner(self.app, shutdown_timeout=2.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def close(self) -> None:
        self._closing.set()
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiDouble:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # ----- request handling ------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"].lower()
        token = request.match_info["token"]
        if token != self.token:
            code = 401 if _WELL_FORMED_TOKEN.match(token) else 404
            return _error(ApiError(code, status_text(code)))
        handler = self._methods().get(method)
        if handler is None:
            return _error(ApiError(404, "Not Found"))
        try:
            params = await read_params(request)
        except ApiError as err:
            return _error(err)
        chat_ref = params.get("chat_id")
        chat_text = chat_ref if isinstance(chat_ref, str) else None
        fault = self._take_fault(method, chat_text)
        if fault is not None:
            return await self._faulty(request, method, chat_text, fault, handler, params)
        try:
            result = await handler(method, params)
        except ApiError as err:
            return self._refused(method, chat_text, err)
        self._log(method, chat_text, "ok", 200, None)
        return web.json_response({"ok": True, "result": result})

    def _refused(self, method: str, chat: str | None, err: ApiError) -> web.Response:
        self._log(method, chat, "429" if err.status == 429 else "error", err.status, err.description)
        return _error(err)

    def _take_fault(self, method: str, chat: str | None) -> Fault | None:
        resolved = self._find_chat(chat) if chat else None
        for rule in self._faults:
            if not rule.faults or (rule.method is not None and rule.method != method):
                continue
            if rule.faults[0].kind == "photo_fail" and method != "sendphoto":
                continue
            if rule.chat is not None:
                wanted = self._find_chat(rule.chat)
                if chat is None or (rule.chat != chat and (wanted is None or wanted is not resolved)):
                    continue
            return rule.faults.popleft()
        return None

    async def _faulty(
        self, request: web.Request, method: str, chat: str | None, fault: Fault,
        handler: Callable[[str, Params], Awaitable[Any]], params: Params,
    ) -> web.StreamResponse:  # fmt: skip
        outcome = f"fault:{fault.kind}"
        if fault.kind == "status":
            code = fault.status or 500
            self._log(method, chat, outcome, code, fault.description)
            return _error(ApiError(code, fault.description or status_text(code)))
        if fault.kind == "retry_after":
            seconds = max(1, int(fault.seconds))
            found = self._find_chat(chat) if chat else None
            if found is not None:
                self._gate.block(found, time.monotonic(), seconds)
            self.count_429 += 1
            self._log(method, chat, outcome, 429, None)
            return _error(ApiError(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds}))
        if fault.kind == "photo_fail":
            self._log(method, chat, outcome, 400, None)
            return _error(ApiError.bad_request("wrong file identifier/HTTP URL specified"))
        answer: web.Response | None = None
        if fault.kind == "lost_response" or (fault.kind == "timeout" and fault.deliver):
            try:
                answer = web.json_response({"ok": True, "result": await handler(method, params)})
            except ApiError as err:
                return self._refused(method, chat, err)  # nothing was posted: answer as Telegram would
        self._log(method, chat, outcome, None, None)
        if fault.kind == "timeout":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), fault.seconds)
            if answer is not None:
                return answer
        return _drop(request)


def _chat_type(kind: str) -> ChatType:
    if kind not in ("channel", "group", "supergroup", "private"):
        raise ValueError(f"chat type {kind!r}: expected channel, group, supergroup or private")
    return kind  # type: ignore[return-value]


def _error(err: ApiError) -> web.Response:
    headers = {"Retry-After": str(err.parameters["retry_after"])} if "retry_after" in err.parameters else None
    return web.json_response(err.envelope(), status=err.status, headers=headers)


def _drop(request: web.Request) -> web.Response:
    """Close the connection with no answer; the response returned is never written."""
    if request.transport is not None:
        request.transport.close()
    return web.Response(status=204)


if __name__ == "__main__":
    from tests.fakes.botapi_control import main

    raise SystemExit(main())
