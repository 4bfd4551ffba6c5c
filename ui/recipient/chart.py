"""The province progress chart: one bar per status with its count out of all communes, drawn with QPainter."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.recipient.register import STATUS_LABELS, STATUS_ORDER
from ui.recipient.model import STATUS_COLOURS

TRACK = QColor("#e5e9ef")
TEXT = QColor("#1f2933")
BAR = 14
GAP = 10


class ProvinceChart(QWidget):
    """Communes per status for the chosen year (the counts are its accessible description)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.counts: dict[str, int] = dict.fromkeys(STATUS_ORDER, 0)
        self.total = 0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Biểu đồ tiến độ toàn tỉnh")

    def set_counts(self, counts: dict[str, int]) -> None:
        self.counts = {status: counts.get(status, 0) for status in STATUS_ORDER}
        self.total = sum(self.counts.values())
        self.setAccessibleDescription("; ".join(f"{STATUS_LABELS[s]}: {n}/{self.total}" for s, n in self.counts.items()))
        self.update()

    def _label_width(self) -> int:
        metrics = QFontMetrics(self.font())
        return max(metrics.horizontalAdvance(label) for label in STATUS_LABELS.values()) + 12

    def _row_height(self) -> int:
        return max(QFontMetrics(self.font()).height(), BAR) + GAP

    def sizeHint(self) -> QSize:
        return QSize(360, len(STATUS_ORDER) * self._row_height() + 4)

    def minimumSizeHint(self) -> QSize:
        return QSize(280, self.sizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = QFontMetrics(self.font())
        label_width = self._label_width()
        count_width = metrics.horizontalAdvance(f"{max(self.total, 100)}/{max(self.total, 100)}") + 10
        bar_width = max(40, self.width() - label_width - count_width - 8)
        for index, status in enumerate(STATUS_ORDER):
            y = index * self._row_height() + 2
            line = metrics.height()
            painter.setPen(TEXT)
            painter.drawText(QRectF(0, y, label_width, line), Qt.AlignmentFlag.AlignVCenter, STATUS_LABELS[status])
            rect = QRectF(label_width, y + (line - BAR) / 2, bar_width, BAR)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(TRACK)
            painter.drawRoundedRect(rect, 4, 4)
            share = self.counts[status] / self.total if self.total else 0
            if share:
                painter.setBrush(QColor(STATUS_COLOURS[status]))
                painter.drawRoundedRect(QRectF(rect.x(), rect.y(), max(rect.width() * share, 4), BAR), 4, 4)
            painter.setPen(TEXT)
            painter.drawText(QRectF(rect.right() + 8, y, count_width, line), Qt.AlignmentFlag.AlignVCenter,
                             f"{self.counts[status]}/{self.total}")
        painter.end()
