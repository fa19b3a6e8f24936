"""A Telegram Bot API double (aiohttp) that enforces Telegram's HTML, length, chat and flood rules."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from aiohttp import web

from tests.fakes.botapi_model import (
    ApiError,
    Chat,
    ChatType,
    Fault,
    FaultRule,
    FloodGate,
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
    EmptyTextError,
    FormattedText,
    HtmlParseError,
    check_url,
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
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
RAW_LIMIT_BYTES = 1 << 15
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"RIFF")
_CONFLICT = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"


@dataclass(frozen=True, slots=True)
class Upload:
    filename: str | None
    content: bytes


Params = dict[str, str | Upload]


def telegram_parse(html_text: str, *, caption: bool = False) -> FormattedText:
    """Parse + clean up exactly as sendMessage/sendPhoto do; raises HtmlParseError or EmptyTextError."""
    return fix_formatted_text(parse_html(html_text), allow_empty=caption)


class BotApiDouble:
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
        self.token = token
        self.limits = limits if limits is not None else FloodLimits()
        self.bot_user = {"id": int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1,
                         "is_bot": True, "first_name": "pressbot", "username": bot_username}  # fmt: skip
        self.messages: list[Posted] = []
        self.requests: list[RequestRecord] = []
        self.count_429 = 0
        self.retry_after_ignored = 0
        self.commands: list[dict[str, str]] = []
        self.on_change: list[Callable[[BotApiDouble], None]] = []
        self._chats: dict[int, Chat] = {}
        self._next_chat = {"channel": -1001000000001, "supergroup": -1002000000001, "group": -400000001}
        self._message_ids: dict[int, int] = {}
        self._faults: list[FaultRule] = []
        self._gate = FloodGate(self.limits)
        self._updates: deque[dict[str, Any]] = deque()
        self._next_update = 1
        self._poll_serial = 0
        self.polls_waiting = 0
        """getUpdates calls now parked in a long poll (tests wait on it instead of sleeping)."""
        self._changed = asyncio.Event()
        self._closing = asyncio.Event()
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

    def _find_chat(self, ref: str) -> Chat | None:
        ref = ref.strip()
        if ref.startswith("@"):
            name = ref[1:].lower()
            return next((c for c in self._chats.values() if (c.username or "").lower() == name), None)
        if re.fullmatch(r"-?\d+", ref):
            return self._chats.get(int(ref))
        return None

    # ----- scripting -------------------------------------------------------------------------

    def inject(self, method: str | None, *faults: Fault, chat: str | int | None = None) -> None:
        """Queue faults for the next requests to `method` (None: any) in `chat` (None: any), in order."""
        self._faults.append(FaultRule(method.lower() if method else None, None if chat is None else str(chat),
                                      deque(faults)))  # fmt: skip

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
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate(self):
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"double: condition not met within {timeout}s; stats={self.stats()}")
            changed = self._changed
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                continue

    def _notify(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()
        for callback in self.on_change:
            callback(self)

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
            params = await _read_params(request)
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

    def _methods(self) -> dict[str, Callable[[str, Params], Awaitable[Any]]]:
        return {
            "getme": self._get_me, "sendmessage": self._send, "sendphoto": self._send,
            "getupdates": self._get_updates, "setmycommands": self._set_my_commands,
            "deletewebhook": self._true, "getwebhookinfo": self._webhook_info, "getchat": self._get_chat,
        }  # fmt: skip

    async def _get_me(self, method: str, params: Params) -> Any:
        return dict(self.bot_user, can_join_groups=True, can_read_all_group_messages=False,
                    supports_inline_queries=False)  # fmt: skip

    async def _true(self, method: str, params: Params) -> Any:
        return True

    async def _webhook_info(self, method: str, params: Params) -> Any:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": len(self._updates)}

    async def _get_chat(self, method: str, params: Params) -> Any:
        chat = self._resolve(_text(params, "chat_id"), for_posting=False)
        gifts = dict.fromkeys(("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription",
                               "gifts_from_channels"), False)  # fmt: skip
        return dict(chat.to_json(), accent_color_id=0, max_reaction_count=11, accepted_gift_types=gifts)

    async def _set_my_commands(self, method: str, params: Params) -> Any:
        try:
            commands = json.loads(_text(params, "commands") or "[]")
        except json.JSONDecodeError as err:
            raise ApiError.bad_request("can't parse commands JSON object") from err
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError.bad_request("BOT_COMMANDS_TOO_MUCH")
        for item in commands:
            if not isinstance(item, dict) or not re.fullmatch(r"[a-z0-9_]{1,32}", str(item.get("command", ""))):
                raise ApiError.bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(item.get("description", ""))) <= 256:
                raise ApiError.bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands = [{"command": c["command"], "description": c["description"]} for c in commands]
        return True

    async def _get_updates(self, method: str, params: Params) -> Any:
        offset = _int(params, "offset", 0)
        limit = min(max(_int(params, "limit", 100), 1), 100)
        wait = max(_int(params, "timeout", 0), 0)
        while self._updates and offset and self._updates[0]["update_id"] < offset:
            self._updates.popleft()
        self._poll_serial += 1
        mine = self._poll_serial
        self._notify()  # ends an older long poll with 409

        def done(d: BotApiDouble) -> bool:
            return bool(d._updates) or d._poll_serial != mine or d._closing.is_set()

        if wait:
            self.polls_waiting += 1
            self._notify()
            try:
                await self.wait_for(done, float(wait))
            except TimeoutError:
                pass
            finally:
                self.polls_waiting -= 1
        if self._poll_serial != mine:
            raise ApiError(409, _CONFLICT)
        return list(self._updates)[:limit]

    def _resolve(self, ref: str, *, for_posting: bool = True) -> Chat:
        if not ref:
            raise ApiError.bad_request("chat_id is empty")
        chat = self._find_chat(ref)
        if chat is None:
            raise ApiError.bad_request("chat not found")
        if chat.migrated_to is not None:
            raise ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                           {"migrate_to_chat_id": chat.migrated_to})  # fmt: skip
        if not for_posting:
            return chat
        where = {"channel": "channel chat", "supergroup": "supergroup chat", "group": "group chat"}
        if chat.type == "private":
            if chat.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
        elif chat.kicked:
            raise ApiError(403, f"Forbidden: bot was kicked from the {where[chat.type]}")
        elif not chat.member:
            raise ApiError(403, f"Forbidden: bot is not a member of the {where[chat.type]}")
        elif not chat.can_post:
            if chat.type == "channel":
                raise ApiError.bad_request("need administrator rights in the channel chat")
            raise ApiError.bad_request("not enough rights to send text messages to the chat")
        return chat

    async def _send(self, method: str, params: Params) -> Any:
        arrived = time.monotonic()
        photo_param = params.get("photo") if method == "sendphoto" else None
        raw = _text(params, "caption" if method == "sendphoto" else "text")
        if method == "sendmessage" and not raw:
            raise ApiError.bad_request("message text is empty")
        if method == "sendphoto" and photo_param in (None, ""):
            raise ApiError.bad_request("there is no photo in the request")
        formatted = _parse(raw, _text(params, "parse_mode"), params)
        chat = self._resolve(_text(params, "chat_id"))
        try:
            fixed = fix_formatted_text(formatted, allow_empty=method == "sendphoto")
        except EmptyTextError as err:
            raise ApiError.bad_request("text must be non-empty") from err
        if method == "sendmessage" and len(fixed.text) > TEXT_LIMIT:
            raise ApiError.bad_request("message is too long")
        if method == "sendphoto" and len(fixed.text) > CAPTION_LIMIT:
            raise ApiError.bad_request("message caption is too long")
        photo = self._photo(photo_param, params) if method == "sendphoto" else None
        refused = self._gate.check(chat, arrived)
        if refused is not None:
            seconds, ignored = refused
            self.count_429 += 1
            self.retry_after_ignored += int(ignored)
            raise ApiError(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})
        self._gate.record(chat, arrived)
        entities = tuple(e.to_json() for e in fixed.entities)
        posted = Posted(
            chat_id=chat.id, chat=chat.key, message_id=self._next_message_id(chat.id), method=method,
            text=fixed.text, html=raw, entities=entities,
            disable_notification=_flag(params, "disable_notification"), photo=photo,
            caption=fixed.text if method == "sendphoto" else None, at=arrived,
        )  # fmt: skip
        self.messages.append(posted)
        return self._message_json(chat, posted)

    def _photo(self, value: str | Upload | None, params: Params) -> str:
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value[len("attach://") :])
        if isinstance(value, Upload):
            if not value.content.startswith(_IMAGE_MAGIC):
                raise ApiError.bad_request("IMAGE_PROCESS_FAILED")
            if len(value.content) > 10 * 1024 * 1024:
                raise ApiError.bad_request("file is too big")
            return f"upload:{value.filename or 'photo'}:{len(value.content)}"
        if isinstance(value, str) and (
            value.startswith("photo-") or (value.lower().startswith(("http://", "https://")) and check_url(value))
        ):
            return value  # fmt: skip
        raise ApiError.bad_request("wrong file identifier/HTTP URL specified")

    def _next_message_id(self, chat_id: int) -> int:
        self._message_ids[chat_id] = self._message_ids.get(chat_id, 0) + 1
        return self._message_ids[chat_id]

    def _message_json(self, chat: Chat, posted: Posted) -> dict[str, Any]:
        out: dict[str, Any] = {"message_id": posted.message_id, "date": int(time.time()), "chat": chat.to_json()}
        if chat.type == "channel":
            out["sender_chat"] = chat.to_json()
        else:
            out["from"] = dict(self.bot_user)
        if posted.photo is None:
            out["text"] = posted.text
            if posted.entities:
                out["entities"] = list(posted.entities)
            return out
        file_id = f"photo-{chat.id}-{posted.message_id}"
        out["photo"] = [{"file_id": file_id, "file_unique_id": file_id, "width": 800, "height": 600}]
        if posted.text:
            out["caption"] = posted.text
        if posted.entities:
            out["caption_entities"] = list(posted.entities)
        return out


def _parse(raw: str, parse_mode: str, params: Params) -> FormattedText:
    if len(raw.encode("utf-8", "surrogatepass")) > RAW_LIMIT_BYTES:
        raise ApiError.bad_request("text is too long")
    mode = parse_mode.lower()
    if mode in ("", "none"):
        return FormattedText(raw, ())
    if mode != "html":
        if mode in ("markdown", "markdownv2"):
            raise ApiError(500, f"Internal Server Error: the double does not implement parse_mode {parse_mode}")
        raise ApiError.bad_request("unsupported parse_mode")
    try:
        return parse_html(raw)
    except HtmlParseError as err:
        raise ApiError.bad_request(f"can't parse entities: {err}") from err


def _chat_type(kind: str) -> ChatType:
    if kind not in ("channel", "group", "supergroup", "private"):
        raise ValueError(f"chat type {kind!r}: expected channel, group, supergroup or private")
    return kind  # type: ignore[return-value]


def _text(params: Params, name: str) -> str:
    value = params.get(name, "")
    return value if isinstance(value, str) else ""


def _int(params: Params, name: str, default: int) -> int:
    value = _text(params, name).strip()
    try:
        return int(value) if value else default
    except ValueError as err:
        raise ApiError.bad_request(f'field "{name}" must be of type Integer') from err


def _flag(params: Params, name: str) -> bool:
    return _text(params, name).strip().lower() in ("true", "1")


async def _read_params(request: web.Request) -> Params:
    params: Params = dict(request.query)
    if not request.can_read_body:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except json.JSONDecodeError as err:
            raise ApiError.bad_request("can't parse JSON encoded request") from err
        if not isinstance(body, dict):
            raise ApiError.bad_request("JSON object expected")
        params.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()})
        return params
    for key, value in (await request.post()).items():
        if isinstance(value, web.FileField):
            params[key] = Upload(value.filename, value.file.read())
        elif isinstance(value, str):
            params[key] = value
        else:
            params[key] = Upload(None, bytes(value))
    return params


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
