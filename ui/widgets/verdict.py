"""Small building blocks that show a status: an icon with a word, and a verdict cell with its reason."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ui.theme import TEXT_MUTED, status_color, status_pixmap, status_word


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
    """Icon, status word (coloured, bold) and the reason underneath, wrapped.

    Drawn as one widget rather than a label per part: the checklist shows forty of them, and fewer
    widgets make the window open and repaint faster. The word and reason are its accessible name and
    description.
    """

    ICON = 16
    GAP = 6
    TEXT_WIDTH = 200  # preferred width of the text; it wraps to whatever width the layout gives

    def __init__(self, parent: QWidget | None = None, prefix: str = "") -> None:
        super().__init__(parent)
        self.prefix = prefix
        self._status = "missing"
        self._word = ""
        self._reason = ""
        self._shown: tuple[str, str] | None = None
        self._heights: dict[tuple[int, ...], int] = {}  # heightForWidth by width; layouts ask many times per pass
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def set_verdict(self, status: str, reason: str) -> None:
        if self._shown == (status, reason):
            return
        self._shown = (status, reason)
        height = self.heightForWidth(self.width())
        self._status = status
        self._word = f"{self.prefix}{status_word(status)}"
        self._reason = reason
        self.setAccessibleName(self._word)
        self.setAccessibleDescription(reason)
        self._heights.clear()
        if self.heightForWidth(self.width()) != height:  # a new layout pass only when the text needs more room
            self.updateGeometry()
        self.update()

    def word_text(self) -> str:
        """The status word as shown (with the prefix)."""
        return self._word

    def reason_text(self) -> str:
        return self._reason

    def _word_font(self) -> QFont:
        font = QFont(self.font())
        font.setBold(True)
        return font

    def _text_rects(self, width: int) -> tuple[QRect, QRect]:
        """Where the word and the reason go for a widget `width` pixels wide (contents margins included)."""
        margins = self.contentsMargins()
        left = margins.left() + self.ICON + self.GAP
        text_width = max(40, width - left - margins.right())
        flags = Qt.TextFlag.TextWordWrap
        word = QFontMetrics(self._word_font()).boundingRect(QRect(0, 0, text_width, 100000), flags, self._word)
        word_rect = QRect(left, margins.top(), text_width, word.height())
        reason_rect = QRect(left, word_rect.bottom() + 1, text_width, 0)
        if self._reason:
            reason = self.fontMetrics().boundingRect(QRect(0, 0, text_width, 100000), flags, self._reason)
            reason_rect.setHeight(reason.height())
        return word_rect, reason_rect

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        margins = self.contentsMargins()
        key = (width, margins.left(), margins.top(), margins.right(), margins.bottom())
        if key not in self._heights:
            word, reason = self._text_rects(width)
            bottom = reason.bottom() + 1 if self._reason else word.bottom() + 1
            self._heights[key] = max(margins.top() + self.ICON, bottom) + margins.bottom()
        return self._heights[key]

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._heights.clear()
            self.updateGeometry()
        super().changeEvent(event)

    def sizeHint(self) -> QSize:
        margins = self.contentsMargins()
        width = margins.left() + self.ICON + self.GAP + self.TEXT_WIDTH + margins.right()
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:
        margins = self.contentsMargins()
        width = margins.left() + self.ICON + self.GAP + 60 + margins.right()
        return QSize(width, self.ICON + margins.top() + margins.bottom())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        margins = self.contentsMargins()
        painter.drawPixmap(margins.left(), margins.top(), status_pixmap(self._status, self.ICON))
        word, reason = self._text_rects(self.width())
        flags = Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
        painter.setFont(self._word_font())
        painter.setPen(status_color(self._status))
        painter.drawText(word, flags, self._word)
        if self._reason:
            painter.setFont(self.font())
            painter.setPen(QColor(TEXT_MUTED))
            painter.drawText(reason, flags, self._reason)
        painter.end()


def card(parent: QWidget | None = None) -> tuple[QFrame, QVBoxLayout]:
    """A white rounded panel and its layout."""
    frame = QFrame(parent)
    frame.setObjectName("card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(14, 12, 14, 12)
    layout.setSpacing(8)
    return frame, layout
