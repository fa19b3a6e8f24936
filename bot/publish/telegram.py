"""Senders: python-telegram-bot behind one error classification, and a console dry run."""

from __future__ import annotations

import itertools
import logging
import os
import re
import warnings
from datetime import timedelta
from typing import Protocol, TextIO

import telegram
from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from bot.publish.errors import DeliveryError, Migrated, Permanent, PhotoRejected, RateLimited, Transient

log = logging.getLogger(__name__)

_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)

_TOKEN_SHAPE = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")
"""What a bot token looks like, so one is redacted even when it is not the token we hold."""

_PHOTO_PROBLEMS = re.compile(
    r"photo|wrong file identifier|http url|image_process_failed|file is too big|"
    r"wrong type of the web page content|failed to get http url content|webpage_",
    re.IGNORECASE,
)
"""BadRequest texts that blame the photo, not the chat or the caption."""


class Sender(Protocol):
    dry_run: bool

    async def start(self) -> None: ...
    async def close(self) -> None: ...
    async def send_text(self, chat_id: str | int, html: str, *, silent: bool) -> int: ...
    async def send_photo(
        self, chat_id: str | int, photo_url: str, caption_html: str, *, silent: bool
    ) -> int: ...


def redact(text: str, token: str | None = None) -> str:
    """`text` with any bot token in it replaced by `<token>`."""
    if token:
        text = text.replace(token, "<token>")
    return _TOKEN_SHAPE.sub("<token>", text)


def _retry_after_seconds(exc: RetryAfter) -> float:
    # PTB 22 warns when the int form is read; a warning must not turn a 429 into a crash.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _plain(message: str, prefix: str) -> str:
    """Telegram's text without its status prefix, first letter lowered as the server writes it."""
    text = re.sub(rf"^{prefix}:\s*", "", message, flags=re.IGNORECASE)
    return text[:1].lower() + text[1:]


def classify(exc: TelegramError, *, token: str | None = None, photo: bool = False) -> DeliveryError:
    """The one place a python-telegram-bot exception becomes what the dispatcher acts on."""
    if isinstance(exc, RetryAfter):
        return RateLimited(_retry_after_seconds(exc))
    if isinstance(exc, ChatMigrated):
        return Migrated(int(exc.new_chat_id))
    if isinstance(exc, InvalidToken):
        # PTB's own message quotes the token: never pass it on.
        return Permanent("token rejected by Telegram (401/404): check telegram.token")
    message = redact(exc.message, token)
    if isinstance(exc, Forbidden):
        return Permanent(f"forbidden (403): {_plain(message, 'forbidden')}")
    if isinstance(exc, BadRequest):  # before NetworkError: BadRequest is one
        if photo and _PHOTO_PROBLEMS.search(message):
            return PhotoRejected(f"photo rejected (400): {_plain(message, 'bad request')}")
        return Permanent(f"bad request (400): {_plain(message, 'bad request')}")
    if isinstance(exc, TimedOut):
        return Transient(f"timed out: {message}")
    if isinstance(exc, NetworkError):
        return Transient(f"network error: {message}")
    # Conflict and unknown errors: retrying costs time, giving up would lose the post.
    return Transient(f"{type(exc).__name__}: {message}")


def quiet_http_loggers() -> None:
    """httpx logs every request URL (which holds the token) at INFO; PTB logs it at DEBUG."""
    levels = {"httpx": logging.WARNING, "httpcore": logging.WARNING, "telegram": logging.INFO}
    for name, level in levels.items():
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < level:
            logger.setLevel(level)


class TelegramSender:
    """Sends through python-telegram-bot; pacing is the dispatcher's, so PTB has no rate limiter."""

    dry_run = False

    def __init__(self, token: str, *, base_url: str, timeout: float) -> None:
        if not token:
            raise ValueError("TelegramSender needs a token (use DryRunSender without one)")
        quiet_http_loggers()
        # PTB 22 warns inside its own RetryAfter constructor unless the timedelta form (its next
        # default) is chosen; a 429 must not come with a warning (tests turn warnings into errors).
        os.environ.setdefault("PTB_TIMEDELTA", "1")
        self._token = token
        request = HTTPXRequest(
            connection_pool_size=64,
            read_timeout=timeout,
            write_timeout=timeout,
            connect_timeout=timeout,
            pool_timeout=timeout,
            media_write_timeout=timeout,
        )
        self._bot = telegram.Bot(token, base_url=base_url, request=request)

    def __repr__(self) -> str:
        return "TelegramSender(token=<token>)"

    async def start(self) -> None:
        """Opens the connection pool and checks the token with getMe.

        A rejected token raises Permanent; Telegram being unreachable only warns, because
        the deliveries retry on their own and a service must not refuse to start over it.
        """
        try:
            await self._bot.initialize()
        except TelegramError as exc:
            problem = classify(exc, token=self._token)
            if isinstance(problem, Permanent):
                raise problem from None
            log.warning("telegram: getMe failed at start (%s); deliveries will retry", problem)

    async def close(self) -> None:
        try:
            await self._bot.shutdown()
        except TelegramError as exc:
            log.warning("telegram: closing the connection pool failed: %s", redact(exc.message, self._token))

    async def send_text(self, chat_id: str | int, html: str, *, silent: bool) -> int:
        try:
            message = await self._bot.send_message(
                chat_id,
                html,
                parse_mode=ParseMode.HTML,
                link_preview_options=_NO_PREVIEW,
                disable_notification=silent,
            )
        except TelegramError as exc:
            raise classify(exc, token=self._token) from None
        return message.message_id

    async def send_photo(self, chat_id: str | int, photo_url: str, caption_html: str, *, silent: bool) -> int:
        try:
            message = await self._bot.send_photo(
                chat_id,
                photo_url,
                caption=caption_html,
                parse_mode=ParseMode.HTML,
                disable_notification=silent,
            )
        except TelegramError as exc:
            raise classify(exc, token=self._token, photo=True) from None
        return message.message_id


class DryRunSender:
    """No token: every post is printed to the console, clearly marked, and gets a fake id."""

    dry_run = True

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._ids = itertools.count(1)

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        self._out.flush()

    def _print(self, chat_id: str | int, what: str, silent: bool) -> int:
        quiet = " (silent)" if silent else ""
        self._out.write(f"[dry run] would post {what}to {chat_id}{quiet}:\n")
        return next(self._ids)

    async def send_text(self, chat_id: str | int, html: str, *, silent: bool) -> int:
        message_id = self._print(chat_id, "", silent)
        self._out.write(f"{html}\n\n")
        self._out.flush()
        return message_id

    async def send_photo(self, chat_id: str | int, photo_url: str, caption_html: str, *, silent: bool) -> int:
        message_id = self._print(chat_id, "a photo ", silent)
        self._out.write(f"[photo] {photo_url}\n{caption_html}\n\n")
        self._out.flush()
        return message_id
