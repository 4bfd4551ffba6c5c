"""Catalogue fields of one evidence item (số/ký hiệu, ngày, cơ quan, trích yếu) and its indicator links.

The fields store themselves as they are typed (`ui.widgets.typing.SavedFields`); selecting another item first
stores what was typed for the one shown. Links are ticked with the mouse or the space bar."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.changes import Changes
from app.domain.catalogue import Indicator
from app.errors import InputError
from app.evidence.library import EvidenceItem, date_warning, parse_optional_date
from app.services import evidence as ev
from app.storage.workspace import Workspace
from app.text import format_date_short, format_int
from ui.context import AppContext
from ui.widgets.typing import SavedFields
from ui.widgets.verdict import wrapped

#: The narrowest a catalogue field may get (at 1366×768 with the checklist open).
FIELD_MIN_WIDTH = 220


def _date(value: object) -> str:
    return format_date_short(value) if value else ""  # type: ignore[arg-type]


class DetailsPanel(QWidget):
    """The item's fields, saved as typed; emits `link_toggled(id, indicator_id, linked)` for the page to store."""

    link_toggled = Signal(int, str, bool)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.item: EvidenceItem | None = None
        self.fields = SavedFields(ctx, self._change, self)
        self.code = QLabel()
        self.code.setObjectName("cardTitle")
        self.file = QLabel(wordWrap=True)
        self.file.setObjectName("muted")
        add = self.fields.add_line
        self.doc_number = add("doc_number", QLineEdit(placeholderText="ví dụ 15/KH-UBND"), "Số, ký hiệu")
        self.issued_date = add("issued_date", QLineEdit(placeholderText="ngày/tháng/năm"), "Ngày ban hành",
                               show=_date)
        self.issuer = add("issuer", QLineEdit(placeholderText="ví dụ UBND xã"), "Cơ quan ban hành")
        self.summary = self.fields.add_text("summary", QPlainTextEdit(placeholderText="Nội dung tóm tắt của văn bản"),
                                            "Trích yếu")
        self.summary.setFixedHeight(64)
        self.valid_until = add("valid_until", QLineEdit(placeholderText="ngày/tháng/năm — văn bản nhiều năm"),
                               "Hiệu lực đến", show=_date)
        for edit in (self.doc_number, self.issued_date, self.issuer, self.summary, self.valid_until):
            edit.setMinimumWidth(FIELD_MIN_WIDTH)
        self.warning = QLabel(wordWrap=True)
        self.warning.setStyleSheet("color: #b45309;")
        self.warning.hide()
        self.problem = wrapped(object_name="error")
        self.problem.hide()
        self.fields.problem.connect(self._show_problem)
        for edit in (self.issued_date, self.valid_until):
            edit.textChanged.connect(self._update_warning)

        form_box = QGroupBox("Thông tin văn bản")
        form = QFormLayout(form_box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.code)
        form.addRow(self.file)
        form.addRow("Số, ký hiệu:", self.doc_number)
        form.addRow("Ngày ban hành:", self.issued_date)
        form.addRow("Cơ quan ban hành:", self.issuer)
        form.addRow("Trích yếu:", self.summary)
        form.addRow("Hiệu lực đến:", self.valid_until)
        form.addRow(self.warning)
        form.addRow(self.problem)
        form.addRow(wrapped("Lưu tự động khi gõ.", object_name="muted"))

        links_box = QGroupBox("Minh chứng cho chỉ tiêu")
        self.links = QListWidget()
        self.links.setAccessibleName("Minh chứng cho chỉ tiêu")
        self.links.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.links.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.links.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.links.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.links.itemChanged.connect(self._link_changed)
        hint = QLabel("Đánh dấu (bấm chuột hoặc phím cách) các chỉ tiêu mà văn bản này chứng minh; mã minh chứng "
                      "theo chỉ tiêu đầu tiên.", wordWrap=True)
        hint.setObjectName("muted")
        links_layout = QVBoxLayout(links_box)
        links_layout.addWidget(hint)
        links_layout.addWidget(self.links)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(form_box)
        layout.addWidget(links_box)
        layout.addStretch(1)
        self.set_catalogue([])
        self.show_item(None)

    def set_catalogue(self, indicators: Sequence[Indicator]) -> None:
        self.links.blockSignals(True)
        self.links.clear()
        for indicator in indicators:
            entry = QListWidgetItem(indicator.label)
            entry.setData(Qt.ItemDataRole.UserRole, indicator.id)
            entry.setToolTip(indicator.text)
            entry.setFlags(entry.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            entry.setCheckState(Qt.CheckState.Unchecked)
            self.links.addItem(entry)
        self.links.blockSignals(False)
        rows = sum(self.links.sizeHintForRow(row) for row in range(self.links.count()))
        self.links.setFixedHeight(rows + 2 * self.links.frameWidth() + 4)  # every indicator shown, no inner scrolling

    def show_item(self, item: EvidenceItem | None, editable: bool = True) -> None:
        """Show `item` (what was typed for the item shown before is stored first); the same item again only
        refreshes the fields not being typed in."""
        self.item = item
        self.fields.load({"doc_number": item.doc_number, "issued_date": item.issued_date, "issuer": item.issuer,
                          "summary": item.summary, "valid_until": item.valid_until} if item else
                         dict.fromkeys(("doc_number", "issued_date", "issuer", "summary", "valid_until"), ""),
                         subject=item.id if item else None)
        self.fields.set_read_only(item is None or not editable)
        self.links.setEnabled(item is not None and editable)
        self.code.setText(f"Mã minh chứng: {item.code}" if item else "Chưa chọn minh chứng")
        self.file.setText(f"{item.original_name} · {item.kind_label} · {format_int(max(1, item.size // 1024))} KB"
                          if item else "")
        self.links.blockSignals(True)
        linked = set(item.indicator_ids) if item else set()
        for row in range(self.links.count()):
            entry = self.links.item(row)
            state = Qt.CheckState.Checked if entry.data(Qt.ItemDataRole.UserRole) in linked else Qt.CheckState.Unchecked
            if entry.checkState() != state:
                entry.setCheckState(state)
        self.links.blockSignals(False)
        self._update_warning()

    def flush(self) -> None:
        self.fields.flush()

    def _change(self, key: str, text: str, _continuing: bool) -> Callable[[Workspace], Changes]:
        evidence_id = self.fields.subject
        return lambda ws: ev.update_evidence(ws, evidence_id, **{key: text})

    def _show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def _update_warning(self) -> None:
        text = ""
        if self.item is not None:
            try:
                issued = parse_optional_date(self.issued_date.text(), "Ngày ban hành")
                valid = parse_optional_date(self.valid_until.text(), "Hiệu lực đến")
                text = date_warning(issued, self.item.year, valid)
            except InputError as error:
                text = error.message
        self.warning.setText(text)
        self.warning.setVisible(bool(text))

    def _link_changed(self, entry: QListWidgetItem) -> None:
        if self.item is not None:
            self.link_toggled.emit(self.item.id, entry.data(Qt.ItemDataRole.UserRole),
                                   entry.checkState() == Qt.CheckState.Checked)
