"""Pages that fill themselves only while they are on screen.

A page hidden behind another one in the window does not need its table or editor filled: asking it to
reload while hidden only marks it stale, and it loads when it is next shown (or when code that needs its
content calls `ensure_loaded()`). This keeps opening the window and switching years quick.
"""

from __future__ import annotations

from PySide6.QtGui import QShowEvent


class LoadsWhenShown:
    """Mixin for a QWidget page: implement `_load()`; call `request_load()` wherever a reload is wanted."""

    _stale = True

    def request_load(self) -> None:
        """Load now when visible, else at the next show."""
        self._stale = True
        if self.isVisible():  # type: ignore[attr-defined]
            self.ensure_loaded()

    def ensure_loaded(self) -> None:
        if self._stale:
            self._stale = False
            self._load()

    def _load(self) -> None:
        raise NotImplementedError

    def showEvent(self, event: QShowEvent) -> None:
        self.ensure_loaded()
        super().showEvent(event)  # type: ignore[misc]
