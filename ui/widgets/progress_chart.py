"""A bar chart of indicators met per criterion at level 1 and level 2, drawn with QPainter."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

LEVEL_COLORS = {1: QColor("#2f855a"), 2: QColor("#2b6cb0")}
TRACK = QColor("#e5e9ef")
TEXT = QColor("#1f2933")
MUTED = QColor("#5f6b7a")
LABEL_WIDTH = 210
ROW_GAP = 14
BAR_HEIGHT = 14


@dataclass(frozen=True)
class ChartRow:
    label: str
    met: dict[int, int]
    total: int


class ProgressChart(QWidget):
    """One row per criterion (plus a total row): two bars, level 1 and level 2, with 'đạt x/y'."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ChartRow] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Biểu đồ tiến độ theo tiêu chí")

    def set_rows(self, rows: list[ChartRow]) -> None:
        self.rows = rows
        self.setAccessibleDescription("; ".join(
            f"{r.label}: mức độ 1 đạt {r.met[1]}/{r.total}, mức độ 2 đạt {r.met[2]}/{r.total}" for r in rows))
        self.updateGeometry()
        self.update()

    def _row_height(self) -> int:
        line = QFontMetrics(self.font()).height()
        return max(2 * BAR_HEIGHT + 6, 2 * line) + ROW_GAP

    def sizeHint(self) -> QSize:
        return QSize(560, 34 + len(self.rows) * self._row_height())

    def minimumSizeHint(self) -> QSize:
        return QSize(420, self.sizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = QFontMetrics(self.font())
        line = metrics.height()
        # legend
        x = LABEL_WIDTH + 8
        for level, color in LEVEL_COLORS.items():
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(color)
            painter.drawRoundedRect(QRectF(x, 6 + (line - 12) / 2, 12, 12), 2, 2)
            painter.setPen(TEXT)
            text = f"Mức độ {level}"
            painter.drawText(QRectF(x + 18, 6, 120, line), Qt.AlignmentFlag.AlignVCenter, text)
            x += 18 + metrics.horizontalAdvance(text) + 24
        top = 34
        row_height = self._row_height()
        count_width = metrics.horizontalAdvance("đạt 15/15") + 10
        bar_width = max(60, self.width() - LABEL_WIDTH - 16 - count_width)
        for index, row in enumerate(self.rows):
            y = top + index * row_height
            painter.setPen(TEXT)
            font = painter.font()
            font.setBold(index == len(self.rows) - 1 and row.label.startswith("Tổng"))
            painter.setFont(font)
            painter.drawText(QRectF(0, y, LABEL_WIDTH, row_height - ROW_GAP),
                             Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap, row.label)
            for offset, level in enumerate((1, 2)):
                bar_y = y + (row_height - ROW_GAP - 2 * BAR_HEIGHT - 6) / 2 + offset * (BAR_HEIGHT + 6)
                rect = QRectF(LABEL_WIDTH + 8, bar_y, bar_width, BAR_HEIGHT)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(TRACK)
                painter.drawRoundedRect(rect, 4, 4)
                share = row.met[level] / row.total if row.total else 0
                if share:
                    painter.setBrush(LEVEL_COLORS[level])
                    painter.drawRoundedRect(QRectF(rect.x(), rect.y(), rect.width() * share, rect.height()), 4, 4)
                painter.setPen(MUTED if row.met[level] < row.total else LEVEL_COLORS[level])
                painter.drawText(QRectF(rect.right() + 8, bar_y - (line - BAR_HEIGHT) / 2, count_width, line),
                                 Qt.AlignmentFlag.AlignVCenter, f"đạt {row.met[level]}/{row.total}")
        painter.end()
