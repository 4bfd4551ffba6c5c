"""A whole-number field that accepts Vietnamese digit grouping (14.870) and may be left empty."""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QLineEdit, QWidget

from app.text import format_int


class IntegerEdit(QLineEdit):
    """Empty means "not entered" (None); dots and spaces group thousands and are ignored."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9. ]{0,15}"), self))
        self.setPlaceholderText("Chưa nhập")
        self.editingFinished.connect(self._regroup)

    def value(self) -> int | None:
        digits = self.text().replace(".", "").replace(" ", "")
        return int(digits) if digits else None

    def set_value(self, value: int | None) -> None:
        text = "" if value is None else format_int(value)
        if text != self.text():
            self.setText(text)

    def _regroup(self) -> None:
        value = self.value()
        if value is not None and format_int(value) != self.text():
            position = self.cursorPosition()
            self.setText(format_int(value))
            self.setCursorPosition(min(position + 1, len(self.text())))
