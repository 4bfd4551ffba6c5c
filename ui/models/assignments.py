"""The assignment table (chỉ tiêu × đơn vị chủ trì × đơn vị phối hợp × hạn × trạng thái), and its unit filter.

The model holds plain `Assignment` rows; editing a cell emits `edit_requested` with the whole new row,
and the page stores it through the workspace. Every indicator of the year has a row, assigned or not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush

from app.domain.catalogue import Catalogue
from app.domain.records import ASSIGNMENT_STATUSES, Assignment
from app.text import format_date_short, parse_date
from ui.theme import status_background, status_icon

COL_INDICATOR, COL_LEAD, COL_PARTNERS, COL_DUE, COL_STATUS, COL_NOTE = range(6)
COLUMNS = ("Chỉ tiêu", "Đơn vị\nchủ trì", "Đơn vị\nphối hợp", "Hạn\nhoàn thành", "Trạng thái", "Ghi chú")
ROW_ROLE = Qt.ItemDataRole.UserRole
EDIT_ROLE = Qt.ItemDataRole.EditRole
Index = QModelIndex | QPersistentModelIndex


def split_units(text: str) -> tuple[str, ...]:
    """'Hội Khuyến học; Các thôn' -> ('Hội Khuyến học', 'Các thôn'); commas inside a name are kept."""
    return tuple(part.strip() for part in text.split(";") if part.strip())


class AssignmentsTableModel(QAbstractTableModel):
    edit_requested = Signal(object)  # the new Assignment

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Assignment] = []
        self._labels: dict[str, str] = {}
        self._texts: dict[str, str] = {}
        self.today = dt.date.today()
        self.editable = True

    def set_rows(self, catalogue: Catalogue, assignments: list[Assignment], today: dt.date) -> None:
        by_id = {a.indicator_id: a for a in assignments}
        self.beginResetModel()
        self.today = today
        self._labels = {ind.id: ind.label for ind in catalogue.indicators}
        self._texts = {ind.id: ind.text for ind in catalogue.indicators}
        self._rows = [by_id.get(ind.id, Assignment(ind.id)) for ind in catalogue.indicators]
        self.endResetModel()

    def row_at(self, row: int) -> Assignment:
        return self._rows[row]

    def overdue_count(self) -> int:
        return sum(1 for a in self._rows if a.overdue(self.today))

    def done_count(self) -> int:
        return sum(1 for a in self._rows if a.status == "done")

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(COLUMNS)

    def _display(self, a: Assignment, column: int) -> str:
        if column == COL_INDICATOR:
            return self._labels.get(a.indicator_id, a.indicator_id)
        if column == COL_LEAD:
            return a.lead_unit or ""
        if column == COL_PARTNERS:
            return "; ".join(a.coordinating_units)
        if column == COL_DUE:
            return format_date_short(a.due_date) if a.due_date else ""
        if column == COL_STATUS:
            word = ASSIGNMENT_STATUSES[a.status]
            return f"Quá hạn — {word.lower()}" if a.overdue(self.today) else word
        return a.note

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        a = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(a, column)
        if role == EDIT_ROLE:
            if column == COL_STATUS:
                return a.status
            if column == COL_DUE:
                return format_date_short(a.due_date) if a.due_date else ""
            return self._display(a, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == COL_INDICATOR:
                return self._texts.get(a.indicator_id, "")
            return self._display(a, column) or None
        if role == Qt.ItemDataRole.DecorationRole and column == COL_STATUS:
            return status_icon("overdue" if a.overdue(self.today) else a.status)
        if role == Qt.ItemDataRole.BackgroundRole and a.overdue(self.today):
            return QBrush(status_background("overdue"))
        if role == ROW_ROLE:
            return a
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.editable and index.column() != COL_INDICATOR:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: Index, value: Any, role: int = EDIT_ROLE) -> bool:
        if not index.isValid() or role != EDIT_ROLE or index.column() == COL_INDICATOR:
            return False
        old = self._rows[index.row()]
        text = str(value or "").strip()
        column = index.column()
        if column == COL_LEAD:
            new = replace(old, lead_unit=text or None)
        elif column == COL_PARTNERS:
            new = replace(old, coordinating_units=split_units(text))
        elif column == COL_DUE:
            try:
                new = replace(old, due_date=parse_date(text) if text else None)
            except ValueError:
                return False
        elif column == COL_STATUS:
            if text not in ASSIGNMENT_STATUSES:
                return False
            new = replace(old, status=text)
        else:
            new = replace(old, note=text)
        if new == old:
            return False
        self._rows[index.row()] = new
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), len(COLUMNS) - 1))
        self.edit_requested.emit(new)
        return True


class AssignmentsFilterModel(QSortFilterProxyModel):
    """Shows only the work of one unit (as lead or coordinator), optionally only overdue items."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.unit: str | None = None
        self.overdue_only = False

    def set_unit(self, unit: str | None) -> None:
        self.beginFilterChange()
        self.unit = unit or None
        self.endFilterChange()

    def set_overdue_only(self, flag: bool) -> None:
        self.beginFilterChange()
        self.overdue_only = flag
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, AssignmentsTableModel):
            return True
        a = model.row_at(source_row)
        if self.overdue_only and not a.overdue(model.today):
            return False
        if self.unit is not None:
            return a.lead_unit == self.unit or self.unit in a.coordinating_units
        return True
