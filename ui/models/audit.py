"""The change history of one indicator, newest first, as a read-only table model."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.domain.records import AuditEntry
from app.text import format_local_time
from ui.labels import ACTION_NAMES, FIELD_NAMES, value_text

COLUMNS = ("Thời gian", "Người thực hiện", "Thay đổi")
Index = QModelIndex | QPersistentModelIndex


def describe(entry: AuditEntry) -> str:
    field = entry.entity_key.split("/", 1)[-1]
    name = FIELD_NAMES.get(field, field)
    action = ACTION_NAMES.get(entry.action, entry.action)
    return f"{action} «{name}»: {value_text(field, entry.old)} → {value_text(field, entry.new)}"


class AuditTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._entries: list[AuditEntry] = []
        self._texts: dict[int, tuple[str, str, str]] = {}  # by audit id: the row's cells, formatted once

    def set_entries(self, entries: list[AuditEntry]) -> None:
        self.beginResetModel()
        self._entries = list(entries)
        self._texts.clear()
        self.endResetModel()

    def add_newer(self, entries: list[AuditEntry], keep: int) -> int:
        """Put rows newer than those shown on top (newest first), keeping at most `keep` rows; the rows already
        shown stay as they are (a view keeps their heights). Returns how many rows were added."""
        entries = list(entries)[:keep]
        if not entries:
            return 0
        self.beginInsertRows(QModelIndex(), 0, len(entries) - 1)
        self._entries[:0] = entries
        self.endInsertRows()
        if len(self._entries) > keep:
            self.beginRemoveRows(QModelIndex(), keep, len(self._entries) - 1)
            for entry in self._entries[keep:]:
                self._texts.pop(entry.id, None)
            del self._entries[keep:]
            self.endRemoveRows()
        return len(entries)

    def newest_id(self) -> int | None:
        return self._entries[0].id if self._entries else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            entry = self._entries[index.row()]
            texts = self._texts.get(entry.id)
            if texts is None:
                texts = self._texts[entry.id] = (format_local_time(entry.at), entry.user, describe(entry))
            return texts[index.column()]
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None
