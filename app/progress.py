"""The progress-and-cancel protocol long services accept, with no Qt in it (calibre's ThreadedJob idea)."""

from __future__ import annotations

import threading
from typing import Protocol

from app.errors import CancelledError


class Progress(Protocol):
    def report(self, fraction: float, message: str = "") -> None:
        """Tell how far the work is (0.0–1.0) and what it is doing now."""

    def cancelled(self) -> bool:
        """True once the user asked to stop; the service then stops cleanly and raises CancelledError."""


class NullProgress:
    """Progress that reports nowhere and is never cancelled (command line, tests)."""

    def report(self, fraction: float, message: str = "") -> None:
        pass

    def cancelled(self) -> bool:
        return False


class ProgressState:
    """A thread-safe progress record: the worker reports, another thread reads and may cancel."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self.fraction = 0.0
        self.message = ""

    def report(self, fraction: float, message: str = "") -> None:
        with self._lock:
            self.fraction = max(0.0, min(1.0, fraction))
            if message:
                self.message = message

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()


def check_cancelled(progress: Progress | None) -> None:
    """Raise CancelledError when the user asked to stop."""
    if progress is not None and progress.cancelled():
        raise CancelledError()
