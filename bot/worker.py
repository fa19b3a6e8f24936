"""Worker processes (feed parsing, extraction) die with the process that started them.

Without this, a pressbot killed with SIGKILL leaves its forkserver and pool workers behind,
orphaned, for ever.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask Linux to kill this process when its parent exits (a no-op elsewhere)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before we asked
        os._exit(0)


# Imported as a forkserver preload, this runs in the forkserver itself; pool workers forked from
# it call die_with_parent() again as their initializer (the setting is not inherited across fork).
die_with_parent()
