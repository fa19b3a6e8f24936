"""`python -m bot` is the `pressbot` command."""

import sys

from bot.cli import main

sys.exit(main())
