"""Delivery failures, classified once (in bot.publish.telegram) into what the dispatcher does next."""

from __future__ import annotations


class DeliveryError(Exception):
    """A send to Telegram did not produce a message."""


class Transient(DeliveryError):
    """5xx, timeout, dropped connection: retry with backoff, without limit in time."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RateLimited(DeliveryError):
    """429: only this chat waits `retry_after` seconds; not a failure."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited: retry after {retry_after:g} s")
        self.retry_after = retry_after


class Permanent(DeliveryError):
    """400/403 and the like: retrying cannot help until an admin acts."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PhotoRejected(Permanent):
    """Telegram refused the photo itself (bad URL, not an image): post the text instead."""


class Migrated(DeliveryError):
    """The group became a supergroup with a new id: follow it and resend."""

    def __init__(self, new_chat_id: int) -> None:
        super().__init__(f"chat migrated to {new_chat_id}")
        self.new_chat_id = new_chat_id
