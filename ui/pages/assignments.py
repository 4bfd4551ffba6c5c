"""The "Phân công" page: who gathers each indicator's figures and evidence, with whom, by when.

Overdue items are tinted and marked "Quá hạn" with an icon; the filter "Việc của đơn vị" shows one
unit's work, whether it leads or coordinates.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.changes import Changes
from app.domain.records import ASSIGNMENT_STATUSES, Assignment
from app.services.assignments import set_assignment
from app.text import parse_date
from ui.context import AppContext
from ui.models.assignments import (
    COL_DUE,
    COL_LEAD,
    COL_PARTNERS,
    COL_STATUS,
    AssignmentsFilterModel,
    AssignmentsTableModel,
)
from ui.pages.deferred import LoadsWhenShown
from ui.theme import status_icon
from ui.widgets.verdict import wrapped

ALL_UNITS = "Tất cả đơn vị"


class AssignmentDelegate(QStyledItemDelegate):
    """Editors in Vietnamese: a unit picker, a status list, a dd/mm/yyyy date field."""

    def __init__(self, page: AssignmentsPage) -> None:
        super().__init__(page)
        self.page = page

    def createEditor(self, parent: QWidget, option: Any, index: QModelIndex | QPersistentModelIndex) -> QWidget:
        column = index.column()
        if column == COL_LEAD:
            combo = QComboBox(parent)
            combo.setEditable(True)
            combo.addItems([u.name for u in self.page.ctx.ws.units()])
            return combo
        if column == COL_STATUS:
            combo = QComboBox(parent)
            for key, label in ASSIGNMENT_STATUSES.items():
                combo.addItem(status_icon(key), label, key)
            return combo
        edit = QLineEdit(parent)
        if column == COL_DUE:
            edit.setPlaceholderText("ngày/tháng/năm")
        if column == COL_PARTNERS:
            edit.setPlaceholderText("Các đơn vị, cách nhau bằng dấu chấm phẩy (;)")
        return edit

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QComboBox):
            if index.column() == COL_STATUS:
                editor.setCurrentIndex(max(0, editor.findData(value)))
            else:
                editor.setCurrentText(value or "")
        elif isinstance(editor, QLineEdit):
            editor.setText(value or "")

    def setModelData(self, editor: QWidget, model: Any, index: QModelIndex | QPersistentModelIndex) -> None:
        if isinstance(editor, QComboBox):
            value = editor.currentData() if index.column() == COL_STATUS else editor.currentText()
        else:
            value = cast(QLineEdit, editor).text()  # `createEditor` gives the other columns a line edit
            if index.column() == COL_DUE and value.strip():
                try:
                    parse_date(value)
                except ValueError:
                    self.page.show_message(f"Hạn hoàn thành \"{value}\" không phải ngày hợp lệ (ngày/tháng/năm).")
                    return
        model.setData(index, value, Qt.ItemDataRole.EditRole)


class AssignmentsPage(LoadsWhenShown, QWidget):
    """The assignment table with its filters; filled when first shown, refreshed on changes while visible."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.ctx = ctx
        self._today = today
        self.model = AssignmentsTableModel(self)
        self.proxy = AssignmentsFilterModel(self)
        self.proxy.setSourceModel(self.model)
        self.model.edit_requested.connect(self._store)

        title = QLabel("Phân công thu thập số liệu, minh chứng")
        title.setObjectName("pageTitle")
        self.summary = wrapped()
        self.unit_filter = QComboBox()
        self.unit_filter.setAccessibleName("Việc của đơn vị")
        self.unit_filter.setMinimumContentsLength(24)
        self.unit_filter.currentIndexChanged.connect(self._filter_changed)
        self.overdue_only = QCheckBox("Chỉ hiện việc quá hạn")
        self.overdue_only.toggled.connect(self.proxy.set_overdue_only)
        self.message = wrapped(object_name="error")
        self.message.hide()

        filters = QHBoxLayout()
        unit_label = QLabel("Việc của đơn vị:")
        unit_label.setBuddy(self.unit_filter)
        filters.addWidget(unit_label)
        filters.addWidget(self.unit_filter)
        filters.addSpacing(16)
        filters.addWidget(self.overdue_only)
        filters.addStretch(1)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setItemDelegate(AssignmentDelegate(self))
        self.table.setWordWrap(True)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.table.setAccessibleName("Bảng phân công")
        header = self.table.horizontalHeader()
        for column in range(self.model.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        for column, width in ((COL_DUE, 100), (COL_STATUS, 150)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            self.table.setColumnWidth(column, width)
        header.sectionResized.connect(lambda *_: self._fit_rows())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 16)
        layout.setSpacing(8)
        layout.addWidget(title)
        layout.addWidget(wrapped("Nhấn đúp hoặc F2 vào một ô để sửa; thay đổi được lưu ngay. "
                                 "Đơn vị phối hợp cách nhau bằng dấu chấm phẩy.", object_name="muted"))
        layout.addLayout(filters)
        layout.addWidget(self.summary)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)

        ctx.changes_applied.connect(self._on_changes)
        ctx.year_changed.connect(lambda _year: self.reload())

    def today(self) -> dt.date:
        return self._today or dt.date.today()

    def reload(self) -> None:
        self.request_load()

    def _fit_rows(self) -> None:
        """Row heights follow the wrapped text; a hidden table is fitted when it is shown (it resizes then)."""
        if self.table.isVisible():
            self.table.resizeRowsToContents()

    def _load(self) -> None:
        year = self.ctx.year
        if year is None:
            return
        ws = self.ctx.ws
        self.model.editable = not ws.year(year).locked
        self.model.set_rows(ws.catalogue(year), ws.assignments(year), self.today())
        self._reload_units()
        self._update_summary()
        self._fit_rows()

    def _reload_units(self) -> None:
        current = self.proxy.unit
        names = sorted({u.name for u in self.ctx.ws.units()}, key=str.casefold)
        self.unit_filter.blockSignals(True)
        self.unit_filter.clear()
        self.unit_filter.addItem(ALL_UNITS, None)
        for name in names:
            self.unit_filter.addItem(name, name)
        self.unit_filter.setCurrentIndex(max(0, self.unit_filter.findData(current)))
        self.unit_filter.blockSignals(False)

    def _filter_changed(self, _index: int) -> None:
        self.proxy.set_unit(self.unit_filter.currentData())
        self._fit_rows()

    def set_unit_filter(self, unit: str | None) -> None:
        self.ensure_loaded()
        self.unit_filter.setCurrentIndex(max(0, self.unit_filter.findData(unit)))

    def _update_summary(self) -> None:
        overdue = self.model.overdue_count()
        total = self.model.rowCount()
        done = self.model.done_count()
        parts = [f"Đã hoàn thành {done}/{total} chỉ tiêu."]
        if overdue:
            parts.append(f"<b style='color:#c0392b'>⚠ {overdue} việc quá hạn.</b>")
        self.summary.setText(" ".join(parts))

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _store(self, a: Assignment) -> None:
        year = self.ctx.year
        if year is None:
            return
        self.show_message("")
        self.ctx.submit(
            lambda ws: set_assignment(ws, year, a.indicator_id, a.lead_unit, a.coordinating_units, a.due_date,
                                         a.status, a.note),
            self, on_failure=self._store_failed)

    def _store_failed(self, error: BaseException) -> None:
        self.show_message(getattr(error, "message", str(error)))
        self.reload()

    def _on_changes(self, changes: Changes) -> None:
        if changes.assignments or changes.years:
            self.reload()
