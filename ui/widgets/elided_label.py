"""A one-line label that shortens its text with "…" when space runs out; the tooltip then holds the full text.

For titles and folder paths that cannot wrap sensibly: the layout may squeeze the label to a few characters
instead of clipping the window's other widgets, and nothing is ever cut mid-letter.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

MIN_CHARACTERS = 8


class ElidedLabel(QLabel):
    """Shows as much of `full_text()` as fits; `setText` sets the full text."""

    def __init__(self, text: str = "", mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full_text = ""
        self._mode = mode
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setText(text)

    def full_text(self) -> str:
        return self._full_text

    def setText(self, text: str) -> None:  # noqa: N802 - Qt naming
        self._full_text = text
        self.updateGeometry()
        self._elide()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        metrics = self.fontMetrics()
        margins = self.contentsMargins()
        width = metrics.horizontalAdvance(self._full_text) + margins.left() + margins.right() + 2 * self.margin()
        return QSize(width, metrics.height() + margins.top() + margins.bottom() + 2 * self.margin())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        hint = self.sizeHint()
        shortest = self.fontMetrics().horizontalAdvance("x" * MIN_CHARACTERS + "…")
        return QSize(min(hint.width(), shortest), hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        room = max(0, self.contentsRect().width() - 2 * self.margin())
        shown = self.fontMetrics().elidedText(self._full_text, self._mode, room)
        super().setText(shown)
        self.setToolTip(self._full_text if shown != self._full_text else "")
