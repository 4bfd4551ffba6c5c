"""Catalogue fields of one evidence item (số/ký hiệu, ngày, cơ quan, trích yếu) and its indicator links."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import InputError
from app.evidence.library import EvidenceItem, date_warning, parse_optional_date
from app.text import format_date_short, format_int
from ui.labels import indicator_label


class DetailsPanel(QWidget):
    """Emits `save_requested(id, fields)` and `link_toggled(id, indicator_id, linked)`; the page does the work."""

    save_requested = Signal(int, dict)
    link_toggled = Signal(int, str, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item: EvidenceItem | None = None
        self.code = QLabel()
        self.code.setObjectName("cardTitle")
        self.file = QLabel(wordWrap=True)
        self.file.setObjectName("muted")
        self.doc_number = QLineEdit(placeholderText="ví dụ 15/KH-UBND")
        self.issued_date = QLineEdit(placeholderText="dd/mm/yyyy")
        self.issuer = QLineEdit(placeholderText="ví dụ UBND xã")
        self.summary = QPlainTextEdit(placeholderText="Nội dung tóm tắt của văn bản")
        self.summary.setFixedHeight(72)
        self.valid_until = QLineEdit(placeholderText="dd/mm/yyyy — cho văn bản nhiều năm")
        self.warning = QLabel(wordWrap=True)
        self.warning.setStyleSheet("color: #b45309;")
        self.warning.hide()
        self.save_button = QPushButton("Lưu thông tin")
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self._save)
        for edit in (self.issued_date, self.valid_until):
            edit.textChanged.connect(self._update_warning)

        form_box = QGroupBox("Thông tin văn bản")
        form = QFormLayout(form_box)
        form.addRow(self.code)
        form.addRow(self.file)
        form.addRow("Số, ký hiệu:", self.doc_number)
        form.addRow("Ngày ban hành:", self.issued_date)
        form.addRow("Cơ quan ban hành:", self.issuer)
        form.addRow("Trích yếu:", self.summary)
        form.addRow("Hiệu lực đến:", self.valid_until)
        form.addRow(self.warning)
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(self.save_button)
        form.addRow(buttons)

        links_box = QGroupBox("Minh chứng cho chỉ tiêu")
        self.links = QListWidget()
        self.links.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.links.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.links.itemChanged.connect(self._link_changed)
        hint = QLabel("Đánh dấu các chỉ tiêu mà văn bản này chứng minh; mã minh chứng theo chỉ tiêu đầu tiên.",
                      wordWrap=True)
        hint.setObjectName("muted")
        links_layout = QVBoxLayout(links_box)
        links_layout.addWidget(hint)
        links_layout.addWidget(self.links)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(form_box, 3)
        layout.addWidget(links_box, 2)
        self.set_catalogue([])
        self.show_item(None)

    def set_catalogue(self, indicators: list) -> None:
        self.links.blockSignals(True)
        self.links.clear()
        for indicator in indicators:
            entry = QListWidgetItem(indicator_label(indicator))
            entry.setData(Qt.ItemDataRole.UserRole, indicator.id)
            entry.setToolTip(indicator.text)
            entry.setFlags(entry.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            entry.setCheckState(Qt.CheckState.Unchecked)
            self.links.addItem(entry)
        self.links.blockSignals(False)

    def show_item(self, item: EvidenceItem | None, editable: bool = True) -> None:
        self.item = item
        enabled = item is not None and editable
        for widget in (self.doc_number, self.issued_date, self.issuer, self.summary, self.valid_until,
                       self.save_button, self.links):
            widget.setEnabled(enabled)
        self.code.setText(f"Mã minh chứng: {item.code}" if item else "Chưa chọn minh chứng")
        self.file.setText(f"{item.original_name} · {item.kind_label} · {format_int(max(1, item.size // 1024))} KB"
                          if item else "")
        self.doc_number.setText(item.doc_number if item else "")
        self.issued_date.setText(format_date_short(item.issued_date) if item and item.issued_date else "")
        self.issuer.setText(item.issuer if item else "")
        self.summary.setPlainText(item.summary if item else "")
        self.valid_until.setText(format_date_short(item.valid_until) if item and item.valid_until else "")
        self.links.blockSignals(True)
        linked = set(item.indicator_ids) if item else set()
        for row in range(self.links.count()):
            entry = self.links.item(row)
            state = Qt.CheckState.Checked if entry.data(Qt.ItemDataRole.UserRole) in linked else Qt.CheckState.Unchecked
            entry.setCheckState(state)
        self.links.blockSignals(False)
        self._update_warning()

    def fields(self) -> dict[str, str]:
        return {"doc_number": self.doc_number.text(), "issued_date": self.issued_date.text(),
                "issuer": self.issuer.text(), "summary": self.summary.toPlainText(),
                "valid_until": self.valid_until.text()}

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

    def _save(self) -> None:
        if self.item is not None:
            self.save_requested.emit(self.item.id, self.fields())

    def _link_changed(self, entry: QListWidgetItem) -> None:
        if self.item is not None:
            self.link_toggled.emit(self.item.id, entry.data(Qt.ItemDataRole.UserRole),
                                   entry.checkState() == Qt.CheckState.Checked)
