"""pressbot: syndicates Korean regional press releases to Telegram channels and RSS."""

__version__ = "0.1.0"
