"""Typed input that stores itself: saved soon after typing stops, at once when focus leaves, one undo step a burst.

    self.typing = TypingSaver(self.store, parent=self)   # store(continuing: bool) writes what differs
    self.typing.watch(edit)                              # focus-out saves
    edit.textEdited.connect(lambda _text: self.typing.edited(edit))   # QPlainTextEdit: textChanged

`store(continuing)` is called `SAVE_DELAY_MS` after the last keystroke, and at once when the field loses
focus. `continuing` is True when the same field was already saved during this burst of typing (no focus
change, no other field typed in between): the store passes it on (`app.services.indicators.set_values(...,
continue_edit=True)`) so that undo takes the whole burst back in one step instead of one step per pause.
Anything to show on every keystroke (a preview) belongs in the field's own edit handler, before `edited()`.

Ctrl+Z / Ctrl+Y inside a text field are the field's own undo and redo of its typing (what they undo is saved
like any other typing); the window's undo of stored edits applies outside text fields.

`SavedFields` builds on it for forms whose fields each store one value through an `app` service (the
documents' texts, an evidence item's catalogue fields, the settings): one service call per field, a refused
value kept in its field with the reason, and loading that never overwrites what is being typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QWidget

if TYPE_CHECKING:
    from app.changes import Changes
    from app.storage.workspace import Workspace
    from ui.context import AppContext

#: Pause after the last keystroke before typed text is stored (the write itself takes a few ms more).
SAVE_DELAY_MS = 250


class TypingSaver(QObject):
    """Debounced, focus-aware saving of the fields it watches (see the module docstring)."""

    #: A watched field lost focus (emitted after its typing was saved).
    left = Signal(QObject)

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
        """Save `widget`'s typing when it loses focus."""
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

    def typing_in(self) -> QWidget | None:
        """The field whose typing waits for its save, if any."""
        return self._field if self._timer.isActive() else None

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
        if event.type() == QEvent.Type.FocusOut:
            self.end_burst()
            self.left.emit(watched)
        return False


@dataclass(eq=False)
class _Field:
    key: str
    widget: QWidget
    label: str
    get: Callable[[], str]
    put: Callable[[Any], None]
    known: str = ""  # the text whose value is stored: as loaded, or as last sent
    stored: Any = None  # the value as last loaded
    refused: str | None = None  # the text the core refused (kept in the field until corrected)
    reason: str = ""
    in_flight: int = 0  # saves sent and not answered yet
    deferred: bool = False  # a newer stored value waits until the field loses focus

    def dirty(self) -> bool:
        return self.get() != self.known


def set_read_only(widget: QWidget, read_only: bool) -> None:
    """Make a text field read-only (readable, copyable, grey) or editable again; other widgets are disabled."""
    if isinstance(widget, (QLineEdit, QPlainTextEdit)):
        if widget.isReadOnly() != read_only:
            widget.setReadOnly(read_only)
            widget.style().unpolish(widget)  # the theme's [readOnly="true"] rule is read when polished
            widget.style().polish(widget)
    else:
        widget.setEnabled(not read_only)


def _put_line(edit: QLineEdit, text: str) -> None:
    if edit.text() != text:
        edit.setText(text)  # not when equal: setting the text clears the field's own undo


def _put_text(edit: QPlainTextEdit, text: str) -> None:
    if edit.toPlainText() != text:
        edit.setPlainText(text)


class SavedFields(QObject):
    """Fields that each store one value through an `app` service as they are typed (see the module docstring).

        fields = SavedFields(ctx, lambda key, text, continuing: lambda ws: service(ws, year, {key: text}))
        fields.add_line("number.to_trinh", edit, "Số Tờ trình")
        fields.load({"number.to_trinh": "05"}, subject=year)   # the stored values; `subject` is what they belong to

    `problem(text)` tells the form what was refused ('' once everything is stored). Fields the user is typing in,
    whose save is on its way, or whose value was refused keep their text when values are loaded again; a field
    with the focus takes the stored form of its value (a number "5" stored as "05") when it loses the focus.
    """

    problem = Signal(str)
    #: A field's value was stored (its key).
    saved = Signal(str)

    def __init__(self, ctx: AppContext, change: Callable[[str, str, bool], Callable[[Workspace], Changes]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._change = change
        self._parent = parent
        self._fields: dict[str, _Field] = {}
        self._by_widget: dict[QObject, _Field] = {}
        self._last: _Field | None = None  # the field typed in last
        self._loading = False
        self.subject: Any = None
        self.read_only = False
        self.typing = TypingSaver(self._store, self)
        self.typing.left.connect(self._left)

    # ------------------------------------------------------------------ binding

    def add(self, key: str, widget: QWidget, label: str, get: Callable[[], str], put: Callable[[Any], None]) -> None:
        """Bind `widget` to stored value `key`; call `edited(key)` on each keystroke (the add_* helpers do)."""
        field = _Field(key, widget, label, get, put)
        self._fields[key] = field
        self._by_widget[widget] = field
        self.typing.watch(widget)

    def add_line(self, key: str, edit: QLineEdit, label: str,
                 show: Callable[[Any], str] = lambda value: str(value or "")) -> QLineEdit:
        """A one-line field; `show` turns the stored value into the text shown (a date as 05/02/2026)."""
        self.add(key, edit, label, edit.text, lambda value: _put_line(edit, show(value)))
        edit.textEdited.connect(lambda _text: self.edited(key))
        edit.setAccessibleName(edit.accessibleName() or label)
        return edit

    def add_text(self, key: str, edit: QPlainTextEdit, label: str) -> QPlainTextEdit:
        """A text box (Tab moves on to the next field, as everywhere in the app)."""
        edit.setTabChangesFocus(True)
        self.add(key, edit, label, edit.toPlainText, lambda value: _put_text(edit, str(value or "")))
        edit.textChanged.connect(lambda: self.edited(key))
        edit.setAccessibleName(edit.accessibleName() or label)
        return edit

    def widget(self, key: str) -> QWidget:
        return self._fields[key].widget

    def edited(self, key: str) -> None:
        if self._loading or self.read_only:
            return
        field = self._fields[key]
        self._last = field
        self.typing.edited(field.widget)

    # ------------------------------------------------------------------ loading

    def load(self, values: dict[str, Any], subject: Any = None) -> None:
        """Show stored `values` (keys not given keep theirs). A new `subject` (another year, another item) first
        stores what was typed for the old one, then replaces every field."""
        if subject != self.subject:
            self.flush()
            self.subject = subject
            for each in self._fields.values():
                each.refused, each.reason, each.in_flight, each.deferred = None, "", 0, False
                self._mark(each, False)
            self._announce()
            fresh = True
        else:
            fresh = False
        self._loading = True
        try:
            for key, value in values.items():
                field = self._fields.get(key)
                if field is None:
                    continue
                field.stored = value
                if not fresh and (field.dirty() or field.refused is not None or field.in_flight
                                  or self.typing.typing_in() is field.widget):
                    continue  # being typed, on its way, or refused: the user's text stays
                if not fresh and field.widget.hasFocus():
                    field.deferred = True  # not under the cursor: when the field is left
                    continue
                field.put(value)
                field.known, field.deferred = field.get(), False
        finally:
            self._loading = False

    def set_read_only(self, read_only: bool) -> None:
        """A finalized year: text can be read and copied, not changed (the theme greys it)."""
        self.read_only = read_only
        for field in self._fields.values():
            set_read_only(field.widget, read_only)

    # ------------------------------------------------------------------ saving

    def flush(self) -> None:
        """Store what was typed now; the next keystroke starts a new undo step."""
        self.typing.end_burst()

    def pending(self) -> bool:
        return self.typing.pending() or any(field.in_flight for field in self._fields.values())

    def unsaved(self) -> list[str]:
        """Each field whose typed value the core refused, with the reason ('Số Tờ trình “0”: …')."""
        return [f"{field.label} “{field.get()}”: {field.reason}" for field in self._fields.values()
                if field.refused is not None and field.dirty()]

    def _store(self, continuing: bool) -> None:
        if self.read_only:
            return
        for field in self._fields.values():
            text = field.get()
            if text == field.known or text == field.refused:
                continue
            self._send(field, text, continuing and field is self._last)

    def _send(self, field: _Field, text: str, continuing: bool) -> None:
        subject, previous = self.subject, field.known
        field.known = text
        field.in_flight += 1
        self.ctx.submit(self._change(field.key, text, continuing), self._parent,
                        on_success=lambda _changes: self._stored(field, subject, text),
                        on_failure=lambda error: self._refused(field, subject, text, previous, error))

    def _stored(self, field: _Field, subject: Any, text: str) -> None:
        if subject != self.subject:
            return
        field.in_flight = max(0, field.in_flight - 1)
        if field.refused is not None and field.get() == text:
            field.refused, field.reason = None, ""
            self._mark(field, False)
            self._announce()
        self.saved.emit(field.key)
        if field.deferred and not field.in_flight and not field.dirty() and not field.widget.hasFocus():
            self._put_stored(field)

    def _refused(self, field: _Field, subject: Any, text: str, previous: str, error: BaseException) -> None:
        from app.errors import CdhtError
        from ui.tasks import show_error, user_message

        if subject != self.subject:
            show_error(self._parent, error)  # typed for an item or year no longer shown: say so in a dialog
            return
        field.in_flight = max(0, field.in_flight - 1)
        if field.known == text:
            field.known = previous
        if not isinstance(error, CdhtError):
            from ui.errorlog import log_exception

            log_exception(error)
        field.refused, field.reason = text, (error.message if isinstance(error, CdhtError) else user_message(error))
        self._mark(field, field.get() == text)
        self._announce()

    def _left(self, widget: QObject) -> None:
        field = self._by_widget.get(widget)
        if field is not None and field.deferred and not field.in_flight and not field.dirty():
            self._put_stored(field)

    def _put_stored(self, field: _Field) -> None:
        self._loading = True
        try:
            field.put(field.stored)
            field.known, field.deferred = field.get(), False
        finally:
            self._loading = False

    def _mark(self, field: _Field, invalid: bool) -> None:
        widget = field.widget
        if bool(widget.property("invalid")) != invalid:
            widget.setProperty("invalid", invalid)
            widget.style().unpolish(widget)
            widget.style().polish(widget)

    def _announce(self) -> None:
        refused = [field for field in self._fields.values() if field.refused is not None]
        self.problem.emit(f"Chưa lưu: {refused[0].reason}" if refused else "")
