"""Bot API methods of the double (getMe, sendMessage, sendPhoto, getUpdates, ...) and request decoding."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fakes.botapi_model import ApiError, Chat, FloodGate, FloodLimits, Posted, RequestRecord
from tests.fakes.tdlib_html import (
    EmptyTextError,
    FormattedText,
    HtmlParseError,
    check_url,
    fix_formatted_text,
    parse_html,
)

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


class ApiMethods:
    """The state Telegram keeps for one bot, and the methods that read and change it."""

    def __init__(self, token: str, limits: FloodLimits, bot_username: str) -> None:
        self.token = token
        self.limits = limits
        prefix = token.split(":", 1)[0]
        self.bot_user = {"id": int(prefix) if prefix.isdigit() else 1, "is_bot": True, "first_name": "pressbot",
                         "username": bot_username}  # fmt: skip
        self.messages: list[Posted] = []
        self.requests: list[RequestRecord] = []
        self.count_429 = 0
        self.retry_after_ignored = 0
        self.commands: list[dict[str, str]] = []
        self.on_change: list[Callable[[Any], None]] = []
        """Called with the double after every recorded change (the CLI writes its state file here)."""
        self.polls_waiting = 0
        """getUpdates calls now parked in a long poll (tests wait on it instead of sleeping)."""
        self._chats: dict[int, Chat] = {}
        self._message_ids: dict[int, int] = {}
        self._gate = FloodGate(limits)
        self._updates: deque[dict[str, Any]] = deque()
        self._poll_serial = 0
        self._changed = asyncio.Event()
        self._closing = asyncio.Event()

    def _find_chat(self, ref: str) -> Chat | None:
        ref = ref.strip()
        if ref.startswith("@"):
            name = ref[1:].lower()
            return next((c for c in self._chats.values() if (c.username or "").lower() == name), None)
        if re.fullmatch(r"-?\d+", ref):
            return self._chats.get(int(ref))
        return None

    def _notify(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()
        for callback in self.on_change:
            callback(self)

    async def _wait_until(self, check: Callable[[], bool], timeout: float) -> bool:
        """Wait without polling until check() holds (re-checked on every change); False on timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not check():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            changed = self._changed
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                continue
        return True

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

        def done() -> bool:
            return bool(self._updates) or self._poll_serial != mine or self._closing.is_set()

        if wait:
            self.polls_waiting += 1
            self._notify()
            try:
                await self._wait_until(done, float(wait))
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


async def read_params(request: web.Request) -> Params:
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
