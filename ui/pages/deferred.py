"""Pages that are built, and fill themselves, only while they are on screen.

A page hidden behind another one in the window does not need its table or editor filled: asking it to
reload while hidden only marks it stale, and it loads when it is next shown (or when code that needs its
content calls `ensure_loaded()`). A page not yet shown need not even exist: `BuiltOnDemand` holds its
place. This keeps opening the window and switching years quick.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget


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


class BuiltOnDemand(QWidget):
    """Holds the place of a widget that is built the first time it is shown or asked for (`widget()`), so that a
    window opens without building what is not on screen. While `hold()` is in force, showing does not build
    (the window paints first); `release()` builds it then if it is visible."""

    def __init__(self, factory: Callable[[QWidget], QWidget], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self._factory = factory
        self._widget: QWidget | None = None
        self._held = False
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    def is_built(self) -> bool:
        return self._widget is not None

    def widget(self) -> QWidget:
        """The real widget, built now (with this holder as its parent) if it was not yet."""
        if self._widget is None:
            from ui.widgets.keyboard import pass_tab_on

            self._widget = self._factory(self)
            pass_tab_on(self._widget)  # text boxes and read-only tables let Tab move on
            self._layout.addWidget(self._widget)
            if self.isVisible():
                self._widget.show()
        return self._widget

    def hold(self) -> None:
        self._held = True

    def release(self) -> None:
        self._held = False
        if self.isVisible():
            self.widget()

    def showEvent(self, event: QShowEvent) -> None:
        if not self._held:
            self.widget()
        super().showEvent(event)
