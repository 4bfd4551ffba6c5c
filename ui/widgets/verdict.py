"""Small building blocks that show a status: an icon with a word, and a verdict cell with its reason."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ui.theme import status_color, status_pixmap, status_word


class StatusIcon(QLabel):
    """A status icon drawn by the theme; the status word is its tooltip and accessible name."""

    def __init__(self, status: str = "missing", size: int = 16, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._size = size
        self._status = ""
        self.setFixedSize(size, size)
        self.set_status(status)

    def set_status(self, status: str) -> None:
        if status != self._status:
            self._status = status
            self.setPixmap(status_pixmap(status, self._size))
            self.setToolTip(status_word(status))
            self.setAccessibleName(status_word(status))

    @property
    def status(self) -> str:
        return self._status


def wrapped(text: str = "", object_name: str = "", selectable: bool = False) -> QLabel:
    """A label that wraps instead of clipping long Vietnamese text."""
    label = QLabel(text)
    label.setWordWrap(True)
    if object_name:
        label.setObjectName(object_name)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class VerdictCell(QWidget):
    """Icon, status word (coloured, bold) and the reason underneath, wrapped."""

    def __init__(self, parent: QWidget | None = None, prefix: str = "") -> None:
        super().__init__(parent)
        self.prefix = prefix
        self.icon = StatusIcon("missing", 16)
        self.word = wrapped()
        self.reason = wrapped(object_name="muted")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        texts = QVBoxLayout()
        texts.setSpacing(0)
        texts.addWidget(self.word)
        texts.addWidget(self.reason)
        layout.addLayout(texts, 1)
        self._shown: tuple[str, str] | None = None

    def set_verdict(self, status: str, reason: str) -> None:
        if self._shown == (status, reason):
            return
        self._shown = (status, reason)
        self.icon.set_status(status)
        self.word.setText(f"{self.prefix}{status_word(status)}")
        self.word.setStyleSheet(f"color: {status_color(status).name()}; font-weight: bold;")
        self.reason.setText(reason)
        self.reason.setVisible(bool(reason))


def card(parent: QWidget | None = None) -> tuple[QFrame, QVBoxLayout]:
    """A white rounded panel and its layout."""
    frame = QFrame(parent)
    frame.setObjectName("card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(14, 12, 14, 12)
    layout.setSpacing(8)
    return frame, layout
