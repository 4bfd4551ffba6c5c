"""Typed input that stores itself: saved soon after typing stops, at once when focus leaves, one undo step a burst.

    self.typing = TypingSaver(self.store, parent=self)   # store(continuing: bool) writes what differs
    self.typing.watch(edit)                              # focus-out saves; Ctrl+Z / Ctrl+Y go to the window
    edit.textEdited.connect(lambda _text: self.typing.edited(edit))   # QPlainTextEdit: textChanged

`store(continuing)` is called `SAVE_DELAY_MS` after the last keystroke, and at once when the field loses
focus. `continuing` is True when the same field was already saved during this burst of typing (no focus
change, no other field typed in between): the store passes it on (`Workspace.set_values(...,
continue_edit=True)`) so that undo takes the whole burst back in one step instead of one step per pause.
Anything to show on every keystroke (a preview) belongs in the field's own edit handler, before `edited()`.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QWidget

#: Pause after the last keystroke before typed text is stored (the write itself takes a few ms more).
SAVE_DELAY_MS = 250


class TypingSaver(QObject):
    """Debounced, focus-aware saving of the fields it watches (see the module docstring)."""

    def __init__(self, store: Callable[[bool], None], parent: QObject | None = None,
                 delay_ms: int = SAVE_DELAY_MS) -> None:
        super().__init__(parent)
        self._store = store
        self._field: QWidget | None = None  # the field typed in last
        self._saved_in_burst: QWidget | None = None  # the field whose burst already has a stored step
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)  # a coarse timer may fire 5 % late
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.flush)

    def watch(self, widget: QWidget) -> None:
        """Save `widget`'s typing when it loses focus, and leave Ctrl+Z / Ctrl+Y to the window."""
        widget.installEventFilter(self)

    def edited(self, widget: QWidget) -> None:
        """A keystroke changed `widget`: (re)start the pause before saving."""
        if self._field is not None and self._field is not widget:
            self.flush()  # what was typed in the other field first
            self._saved_in_burst = None
        self._field = widget
        self._timer.start()

    def pending(self) -> bool:
        """Whether typed text waits for its save."""
        return self._timer.isActive()

    def flush(self) -> None:
        """Save pending typing now (nothing happens when nothing waits)."""
        if not self._timer.isActive() and self._field is None:
            return
        self._timer.stop()
        field, self._field = self._field, None
        continuing = field is not None and field is self._saved_in_burst
        self._saved_in_burst = field
        self._store(continuing)

    def end_burst(self) -> None:
        """Save pending typing; the next save starts a new undo step."""
        self.flush()
        self._saved_in_burst = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            if event.matches(QKeySequence.StandardKey.Undo) or event.matches(QKeySequence.StandardKey.Redo):
                event.ignore()  # not the field's own undo: the window's, of stored edits
                return True
        elif kind == QEvent.Type.FocusOut:
            self.end_burst()
        return False
