"""Test-wide settings."""

import os

# python-telegram-bot 22 warns inside RetryAfter unless timedeltas are opted into; under
# `filterwarnings = error` that warning would turn every in-process 429 into an exception.
os.environ.setdefault("PTB_TIMEDELTA", "1")
