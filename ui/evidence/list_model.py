"""The evidence list as a table model: one row per item, thumbnails made only for rows that come into view.

A year can hold thousands of items, so the list is a model/view, not one widget item per file: a row costs
nothing until the view paints it. The first time the view asks for a row's icon, the row shows its file-type
badge and its thumbnail is requested from a `ThumbnailQueue` (newest requests first, so the rows on screen
come before those scrolled past); the icon replaces the badge when it is ready. Only the most recently used
icons stay in memory.

Columns: the list view shows column 0 (code and title on the first line, the facts on the second); the other
columns hold the same parts separately, for a table view or sorting.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QIcon

from app.evidence.library import EvidenceItem
from app.text import format_date_short

COLUMNS = ("Minh chứng", "Trích yếu", "Thông tin")
ID_ROLE = Qt.ItemDataRole.UserRole
#: How many thumbnails stay in memory (a screenful is a dozen; scrolling back finds them on disk, cached as PNG).
ICON_CACHE = 300
Index = QModelIndex | QPersistentModelIndex


def facts(item: EvidenceItem) -> str:
    """The second line of a row: type, number, date, indicators, and a warning when the date is outside the year."""
    parts = [item.kind_label]
    if item.doc_number:
        parts.append(f"Số {item.doc_number}")
    if item.issued_date:
        parts.append(format_date_short(item.issued_date))
    parts.append(f"Chỉ tiêu {', '.join(item.indicator_ids)}" if item.indicator_ids else "Chưa gắn chỉ tiêu")
    if item.date_warning():
        parts.append("⚠ ngày ngoài năm")
    return " · ".join(parts)


class EvidenceListModel(QAbstractTableModel):
    """Evidence items for a list or table view; `request_thumbnail(item)` is called for rows shown with a badge."""

    def __init__(self, badge: Callable[[str], QIcon], request_thumbnail: Callable[[EvidenceItem], None],
                 parent: Any = None) -> None:
        super().__init__(parent)
        self._badge = badge
        self._request = request_thumbnail
        self._items: list[EvidenceItem] = []
        self._rows: dict[int, int] = {}
        self._icons: OrderedDict[int, QIcon] = OrderedDict()
        self._asked: set[int] = set()

    # ------------------------------------------------------------------ content

    def set_items(self, items: list[EvidenceItem]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self._rows = {item.id: row for row, item in enumerate(self._items)}
        self._asked.clear()
        self.endResetModel()

    def items(self) -> list[EvidenceItem]:
        return self._items

    def item(self, row: int) -> EvidenceItem | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    def row_of(self, evidence_id: int) -> int:
        """The row showing `evidence_id`, or -1."""
        return self._rows.get(evidence_id, -1)

    def set_icon(self, evidence_id: int, icon: QIcon) -> None:
        """A thumbnail is ready: keep it (most recent `ICON_CACHE`) and repaint its row."""
        self._icons[evidence_id] = icon
        self._icons.move_to_end(evidence_id)
        while len(self._icons) > ICON_CACHE:
            self._icons.popitem(last=False)
        row = self.row_of(evidence_id)
        if row >= 0:
            index = self.index(row, 0)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    # ------------------------------------------------------------------ Qt model

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        """Qt's default asks rowCount and columnCount (two calls into Python) for each index a view lays out."""
        if parent.isValid() or not (0 <= row < len(self._items) and 0 <= column < len(COLUMNS)):
            return QModelIndex()
        return self.createIndex(row, column)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item, column = self._items[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return f"{item.code}   {item.title}\n{facts(item)}"
            return item.title if column == 1 else facts(item)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{item.original_name}\n{item.date_warning()}".strip()
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return self._icon(item)
        if role == ID_ROLE:
            return item.id
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None

    def _icon(self, item: EvidenceItem) -> QIcon:
        icon = self._icons.get(item.id)
        if icon is not None:
            self._icons.move_to_end(item.id)
            return icon
        if item.id not in self._asked:
            self._asked.add(item.id)
            self._request(item)
        return self._badge(item.mime)
