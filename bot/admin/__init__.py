"""What admins get inside the running bot: Telegram commands (`AdminBot`) and alerts (`Alerter`)."""

from bot.admin.alerts import Alerter
from bot.admin.commands import COMMANDS, AdminActions, Command, Reply, format_feeds, parse_command, preview_post
from bot.admin.updates import AdminBot

__all__ = [
    "COMMANDS",
    "AdminActions",
    "AdminBot",
    "Alerter",
    "Command",
    "Reply",
    "format_feeds",
    "parse_command",
    "preview_post",
]
