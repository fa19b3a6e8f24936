"""The admin bot's own getUpdates long-polling loop: admins' commands in, replies out."""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Callable
from datetime import timedelta

import telegram
from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from bot.admin.commands import COMMANDS, HELP, AdminActions, Command, Reply, parse_command
from bot.publish.telegram import quiet_http_loggers, redact

log = logging.getLogger("bot.admin")

LONG_POLL = 25
"""Seconds Telegram holds a getUpdates request open when nothing happens."""
REPLY_GAP = 1.05
"""Seconds between two replies in one chat: Telegram allows about one message a second per chat."""
STALE_AFTER = 600.0
"""Commands older than this (sent while pressbot was down) are skipped, not acted on late."""
_MAX_BACKOFF = 60.0
_REJECTED_PAUSE = 300.0


class AdminBot:
    """Polls getUpdates in its own task and answers the user ids in `telegram.admins`.

    It has its own `telegram.Bot` (same token and base URL as the sender) so a 25 s long poll
    never holds a connection the publisher needs.
    """

    def __init__(
        self,
        *,
        token: str,
        base_url: str,
        timeout: float,
        admins: Callable[[], tuple[int, ...]],
        actions: AdminActions,
        long_poll: int = LONG_POLL,
        reply_gap: float = REPLY_GAP,
        clock: Callable[[], float] = time.time,
    ) -> None:
        quiet_http_loggers()
        self._token = token
        request = HTTPXRequest(
            connection_pool_size=8, read_timeout=timeout, write_timeout=timeout,
            connect_timeout=timeout, pool_timeout=timeout,
        )
        self._bot = telegram.Bot(token, base_url=base_url, request=request)
        self.admins = admins
        self.actions = actions
        self.long_poll = long_poll
        self.reply_gap = reply_gap
        self.clock = clock
        self._offset: int | None = None
        self._last_reply: dict[int, float] = {}
        self._chat_locks: dict[int, asyncio.Lock] = {}
        self._handling: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:
        return "AdminBot(token=<token>)"

    def _redact(self, text: str) -> str:
        return redact(text, self._token)

    async def start(self) -> None:
        """Registers the command menu; a failure is logged, not fatal (publishing matters more)."""
        try:
            await self._bot.initialize()
            await self._bot.set_my_commands([BotCommand(name, text) for name, text in COMMANDS])
        except TelegramError as exc:
            log.warning("admin: registering the command menu failed: %s", self._describe(exc))

    async def close(self) -> None:
        for task in list(self._handling):
            task.cancel()
        await asyncio.gather(*self._handling, return_exceptions=True)
        try:
            await self._bot.shutdown()
        except TelegramError as exc:
            log.warning("admin: closing the connection pool failed: %s", self._describe(exc))

    def _describe(self, exc: TelegramError) -> str:
        if isinstance(exc, InvalidToken):
            return "token rejected by Telegram"  # PTB's own text quotes the token
        return self._redact(f"{type(exc).__name__}: {exc.message}")

    async def run(self) -> None:
        failures = 0
        log.info("admin: listening for commands from %d admin(s)", len(self.admins()))
        while True:
            try:
                updates = await self._bot.get_updates(
                    offset=self._offset, timeout=self.long_poll, allowed_updates=["message"]
                )
            except InvalidToken:
                # Returning would end a task the app watches; a revoked token is also the publisher's news.
                log.error("admin: Telegram rejected the token; trying again in %.0f s", _REJECTED_PAUSE)
                await asyncio.sleep(_REJECTED_PAUSE)
                continue
            except RetryAfter as exc:
                await asyncio.sleep(_seconds(exc))
                continue
            except (TelegramError, Warning) as exc:  # a Warning: PTB's, when warnings are errors
                failures += 1
                delay = min(_MAX_BACKOFF, 2.0 ** min(failures, 6))
                # Conflict: another process polls this token (or a webhook is set); say so plainly.
                level = logging.ERROR if isinstance(exc, Conflict) else logging.WARNING
                text = self._describe(exc) if isinstance(exc, TelegramError) else self._redact(repr(exc))
                log.log(level, "admin: getUpdates failed (%s); again in %.0f s", text, delay)
                await asyncio.sleep(delay)
                continue
            failures = 0
            for update in updates:
                self._offset = update.update_id + 1
                try:
                    self._dispatch(update)
                except Exception:  # one odd update must not end admin commands (nor the app)
                    log.exception("admin: update %d could not be handled", update.update_id)

    def _dispatch(self, update: Update) -> None:
        message = update.message
        if message is None or message.text is None or message.from_user is None:
            return
        user = message.from_user.id
        command = parse_command(message.text)
        if user not in self.admins():
            log.warning("admin: ignored a message from user %d (not in telegram.admins)%s", user,
                        f": /{command.name}" if command else "")
            return
        if message.date is not None and self.clock() - message.date.timestamp() > STALE_AFTER:
            log.warning("admin: skipped a command from user %d sent %.0f s ago (while pressbot was down)",
                        user, self.clock() - message.date.timestamp())
            return
        chat = message.chat.id
        log.info("admin: user %d: %s", user, f"/{command.name} {command.arg}".strip() if command else "text")
        # Each command in its own task: a slow /preview does not hold up a /status behind it.
        task = asyncio.create_task(self._answer(chat, command), name=f"admin:{chat}")
        self._handling.add(task)
        task.add_done_callback(self._handling.discard)

    async def _answer(self, chat: int, command: Command | None) -> None:
        try:
            reply = await self.actions.handle(command) if command is not None else Reply(HELP)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("admin: command %r failed", command)
            reply = Reply("That command failed inside pressbot; the log has the details.")
        await self._send(chat, reply)

    async def _send(self, chat: int, reply: Reply) -> None:
        lock = self._chat_locks.setdefault(chat, asyncio.Lock())
        async with lock:
            wait = self._last_reply.get(chat, 0.0) + self.reply_gap - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            for attempt in range(3):
                try:
                    await self._bot.send_message(
                        chat, reply.text, parse_mode=ParseMode.HTML if reply.html else None,
                        link_preview_options=LinkPreviewOptions(is_disabled=True),
                    )
                    break
                except RetryAfter as exc:
                    await asyncio.sleep(_seconds(exc))
                except TelegramError as exc:
                    log.warning("admin: reply to chat %d failed (attempt %d): %s", chat, attempt + 1,
                                self._describe(exc))
                    await asyncio.sleep(1.0 + attempt)
                except Exception as exc:  # e.g. PTB's deprecation warning, raised when warnings are errors
                    log.warning("admin: reply to chat %d failed: %s", chat, self._redact(repr(exc)))
                    break
            self._last_reply[chat] = time.monotonic()


def _seconds(exc: RetryAfter) -> float:
    # PTB 22 warns when the int form is read; a warning must not stop the admin loop.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
