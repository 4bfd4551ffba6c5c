"""The Qt desktop interface. It talks to the core only through `app` services.

Importing this package first protects the process from a known shiboken6 defect (see `_protect_none`).
"""

from __future__ import annotations

import sys


def _protect_none() -> bool:
    """Make `None` effectively immortal when a shiboken6 ≥ 6.12 runs on Python < 3.12; True when applied.

    shiboken6 6.12.0 drops one reference to `None` on every Qt call that returns nothing; on Python 3.11 the
    count reaches zero after a few minutes of use and the interpreter aborts ("none_dealloc"). Python 3.12
    made `None` immortal. The app pins 6.11.3 (pyproject.toml); this guard only matters for an install that
    ignored the pin: raising the count by 2**40 keeps it far from zero for any realistic session.
    """
    if sys.version_info >= (3, 12):
        return False
    try:
        import shiboken6
    except ImportError:
        return False
    major, minor = (int(part) for part in shiboken6.__version__.split(".")[:2])
    if (major, minor) < (6, 12):
        return False
    import ctypes

    ctypes.c_ssize_t.from_address(id(None)).value += 1 << 40
    return True


NONE_GUARD_APPLIED = _protect_none()
