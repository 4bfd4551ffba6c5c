"""Hoàn thiện danh mục minh chứng: every item's số/ký hiệu, ngày ban hành, cơ quan ban hành and trích yếu in one
table — typed cell by cell, suggested from the files (file name and the first page's text), or set for several
selected items at once. Finalizing the dossier requires all four for every item."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.changes import Changes
from app.evidence import library as evidence_library
from app.evidence import register as reg
from app.services import evidence as ev
from app.storage.workspace import Workspace
from app.text import format_date_short
from ui.context import AppContext
from ui.dialogs import button_box
from ui.tasks import run_in_background, show_error

COLUMNS = ("Mã", "Tệp", "Số, ký hiệu", "Ngày ban hành", "Cơ quan ban hành", "Trích yếu")
FIELDS = (None, None, "doc_number", "issued_date", "issuer", "summary")
MISSING = QColor("#fff4e5")


class RegisterDialog(QDialog):
    """The year's evidence register; every change is saved at once through the evidence services."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.items: list[evidence_library.EvidenceItem] = []
        self._loading = False
        self.setWindowTitle("Hoàn thiện danh mục minh chứng")
        intro = QLabel("Trước khi chốt hồ sơ, mỗi minh chứng cần số, ký hiệu (hoặc “Không số”), ngày ban hành, cơ "
                       "quan ban hành và trích yếu. Sửa trực tiếp trong bảng, lấy gợi ý từ tệp, hoặc chọn nhiều dòng "
                       "rồi ghi cùng lúc.")
        intro.setWordWrap(True)
        self.only_missing = QCheckBox("Chỉ hiện minh chứng còn thiếu thông tin")
        self.only_missing.setChecked(True)
        self.only_missing.toggled.connect(lambda _on: self.refresh())
        self.count = QLabel()
        self.count.setObjectName("muted")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        self.table.itemChanged.connect(self._cell_edited)
        self.suggest_button = QPushButton("Gợi ý từ tệp cho các dòng đã chọn")
        self.suggest_button.setToolTip("Đọc tên tệp và chữ ở trang đầu của tệp PDF (không nhận dạng ảnh quét); "
                                       "chỉ điền vào các ô còn trống")
        self.suggest_button.clicked.connect(self.suggest_selected)

        bulk = QGroupBox("Ghi cùng lúc cho các dòng đã chọn (ô để trống thì giữ nguyên)")
        form = QFormLayout(bulk)
        self.bulk_number = QLineEdit(placeholderText="ví dụ 15/KH-UBND")
        self.bulk_no_number = QCheckBox(f"Văn bản không số (ghi “{reg.NO_NUMBER}”)")
        self.bulk_no_number.toggled.connect(lambda on: self.bulk_number.setEnabled(not on))
        self.bulk_date = QLineEdit(placeholderText="ngày/tháng/năm")
        self.bulk_issuer = QLineEdit(placeholderText="ví dụ Ủy ban nhân dân xã Đồng Tiến")
        self.bulk_summary = QLineEdit()
        number_row = QHBoxLayout()
        number_row.addWidget(self.bulk_number, 1)
        number_row.addWidget(self.bulk_no_number)
        form.addRow("Số, ký hiệu", number_row)
        form.addRow("Ngày ban hành", self.bulk_date)
        form.addRow("Cơ quan ban hành", self.bulk_issuer)
        form.addRow("Trích yếu", self.bulk_summary)
        self.apply_button = QPushButton("Ghi cho các dòng đã chọn")
        self.apply_button.setObjectName("primary")
        self.apply_button.clicked.connect(self.apply_to_selected)
        form.addRow("", self.apply_button)

        actions = QHBoxLayout()
        actions.addWidget(self.only_missing)
        actions.addStretch(1)
        actions.addWidget(self.count)
        actions.addWidget(self.suggest_button)
        close = button_box(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)
        layout.addWidget(bulk)
        layout.addWidget(close)
        self.resize(980, 620)
        self.refresh()

    # ------------------------------------------------------------------ the table

    def refresh(self) -> None:
        year = self.ctx.year
        if year is None:
            return
        items = evidence_library.list_evidence(self.ctx.ws, year)
        missing = sum(1 for item in items if reg.missing_fields(item))
        self.items = [item for item in items if reg.missing_fields(item)] if self.only_missing.isChecked() else items
        self.count.setText(f"{missing}/{len(items)} minh chứng còn thiếu thông tin")
        self._loading = True
        self.table.setRowCount(len(self.items))
        for row, item in enumerate(self.items):
            values = (item.code, item.original_name, item.doc_number,
                      format_date_short(item.issued_date) if item.issued_date else "", item.issuer, item.summary)
            for column, text in enumerate(values):
                cell = QTableWidgetItem(text)
                cell.setData(Qt.ItemDataRole.UserRole, item.id)
                if FIELDS[column] is None:
                    cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)
                elif not text:
                    cell.setBackground(MISSING)
                cell.setToolTip(text)
                self.table.setItem(row, column, cell)
        self.table.resizeColumnsToContents()
        for column, limit in ((1, 220), (2, 140), (4, 220)):
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), limit))
        self._loading = False

    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.table.selectedIndexes()})
        return [self.items[row].id for row in rows if row < len(self.items)]

    def _cell_edited(self, cell: QTableWidgetItem) -> None:
        field = FIELDS[cell.column()]
        if self._loading or field is None:
            return
        evidence_id, value = cell.data(Qt.ItemDataRole.UserRole), cell.text()
        if field == "doc_number" and reg.is_no_number(value):
            value = reg.NO_NUMBER
        self._run(lambda ws: ev.update_evidence(ws, evidence_id, **{field: value}))

    # ------------------------------------------------------------------ actions

    def _run(self, change: Callable[[Workspace], Changes]) -> None:
        """Save on the database thread, then reload the table (also after an error: the cell shows what is
        stored)."""
        def done(changes: Changes) -> None:
            self.ctx.apply(changes)
            self.refresh()

        def failed(error: BaseException) -> None:
            self.refresh()
            show_error(self, error)

        ws = self.ctx.ws
        run_in_background(lambda _p: change(ws)).success(done).failure(failed).run()

    def suggest_selected(self) -> None:
        ids = self.selected_ids()
        if ids:
            self._run(lambda ws: ev.apply_suggestions(ws, ids)[0])

    def bulk_fields(self) -> dict[str, str]:
        fields = {"issued_date": self.bulk_date.text(), "issuer": self.bulk_issuer.text(),
                  "summary": self.bulk_summary.text()}
        fields["doc_number"] = reg.NO_NUMBER if self.bulk_no_number.isChecked() else self.bulk_number.text()
        return {key: value for key, value in fields.items() if value.strip()}

    def apply_to_selected(self) -> None:
        ids, fields = self.selected_ids(), self.bulk_fields()
        if ids and fields:
            self._run(lambda ws: ev.update_fields(ws, ids, **fields))
