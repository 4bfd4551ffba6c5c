"""Adding a recognition decision (quyết định công nhận) to the commune's history."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.catalogue import catalogue_for_year
from app.errors import CdhtError
from app.services.recognitions import add_recognition
from app.text import parse_date
from ui.context import AppContext
from ui.dialogs import button_box
from ui.widgets.verdict import wrapped


class RecognitionDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Thêm quyết định công nhận")
        self.level = QComboBox()
        self.level.addItem("Mức độ 1", 1)
        self.level.addItem("Mức độ 2", 2)
        self.number = QLineEdit()
        self.number.setPlaceholderText("Ví dụ: 245/QĐ-UBND")
        self.date = QLineEdit()
        self.date.setPlaceholderText("ngày/tháng/năm, ví dụ 18/03/2024")
        self.issuer = QLineEdit()
        self.issuer.setPlaceholderText("Ví dụ: Ủy ban nhân dân tỉnh")
        self.assessment_year = QSpinBox()
        self.assessment_year.setRange(2000, 2100)
        self.assessment_year.setValue(ctx.year or dt.date.today().year)
        self.note = QLineEdit()
        form = QFormLayout()
        form.addRow("Mức độ được công nhận:", self.level)
        form.addRow("Số quyết định:", self.number)
        form.addRow("Ngày quyết định:", self.date)
        form.addRow("Cơ quan ra quyết định:", self.issuer)
        form.addRow("Năm đánh giá:", self.assessment_year)
        form.addRow("Ghi chú:", self.note)
        self.error = wrapped(object_name="error")
        self.error.hide()
        buttons = button_box(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        terms = catalogue_for_year(self.assessment_year.value()).recognition_terms
        layout.addWidget(wrapped(terms, object_name="muted"))
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    def _save(self) -> None:
        try:
            day = parse_date(self.date.text())
        except ValueError:
            self._fail("Ngày quyết định phải có dạng ngày/tháng/năm, ví dụ 18/03/2024.")
            return
        level, number, issuer = self.level.currentData(), self.number.text(), self.issuer.text()
        year, note = self.assessment_year.value(), self.note.text()
        try:
            changes = add_recognition(self.ctx.ws, level, number, day, issuer, year, note)
        except CdhtError as error:
            self._fail(error.message)
            return
        self.ctx.apply(changes)
        self.accept()

    def _fail(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
