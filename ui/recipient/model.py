"""The register as a Qt table model, and the filters of the register view (status, late, accent-free search)."""

from __future__ import annotations

from typing import Any, cast

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor

from app.recipient import register as reg
from app.text import fold, format_local_time

COLUMNS = ("Xã", "Tình trạng", "Đề nghị", "Tự đánh giá", "Hội đồng", "Nộp", "Nhận lúc", "Phiên bản")
#: The widest text each column shows, for its width (measuring every row would slow opening a large register).
WIDEST = ("Thị trấn Nông trường Mộc Châu", "Chưa xác nhận người ký", "Mức độ 1", "Tự đánh giá", "Không đạt",
          "Sau hạn", "22:05 ngày 27/11/2026", "Phiên bản")
STATUS_COLOURS = {
    reg.NOT_RECEIVED: "#5f6b7a", reg.RECEIVED: "#1d5fa8", reg.SIGNER_UNCONFIRMED: "#b45309",
    reg.INVALID_PACKAGE: "#c0392b", reg.IN_APPRAISAL: "#6b46c1", reg.APPRAISED: "#2f855a", reg.DECIDED: "#1b7f3b",
}
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


def _level(level: int | None, none: str = "") -> str:
    if level is None:
        return none
    return f"Mức độ {level}" if level else "Không đạt"


class RegisterModel(QAbstractTableModel):
    """One row per commune and year; text is computed once per reload, so scrolling stays cheap."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[reg.RegisterRow] = []
        self._cells: list[tuple[str, ...]] = []

    def set_rows(self, rows: list[reg.RegisterRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self._cells = [(r.commune, r.status_label, _level(r.level_requested), _level(r.level_self),
                        _level(r.level_verified), "Sau hạn" if r.late else "", format_local_time(r.received_at),
                        str(r.version) + (f" (có {r.versions})" if r.versions > 1 else "") if r.version else "")
                       for r in rows]
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cells[index.row()][index.column()]
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 1:
            return QBrush(QColor(STATUS_COLOURS[row.status]))
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 5 and row.late:
            return QBrush(QColor("#c0392b"))
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.commune}: {row.status_label}" + (" — nộp sau hạn" if row.late else "")
        return None


class RegisterFilter(QSortFilterProxyModel):
    """Status, late-only and a search on the commune's name typed with or without accents."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.status = ""
        self.late_only = False
        self.text = ""
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_filters(self, status: str | None = None, late_only: bool | None = None, text: str | None = None) -> None:
        self.beginFilterChange()
        if status is not None:
            self.status = status
        if late_only is not None:
            self.late_only = late_only
        if text is not None:
            self.text = fold(text).strip()
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:  # noqa: N802 - Qt API
        row = cast(RegisterModel, self.sourceModel()).rows[source_row]
        if self.status and row.status != self.status:
            return False
        if self.late_only and not row.late:
            return False
        return not self.text or self.text in row.search_key

    def lessThan(self, left: Index, right: Index) -> bool:  # noqa: N802 - Qt API
        if left.column() == 0:
            return fold(left.data() or "") < fold(right.data() or "")
        return super().lessThan(left, right)

    def visible_rows(self) -> list[reg.RegisterRow]:
        return [self.data(self.index(r, 0), ROW_ROLE) for r in range(self.rowCount())]
