"""Adding an assessment year, optionally carrying last year's figures and assignments forward."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QSpinBox, QVBoxLayout, QWidget

from app.changes import Changes
from app.domain.catalogue import catalogue_in_force
from app.errors import CdhtError
from app.services.years import CarryChoice, add_year
from ui.context import AppContext
from ui.dialogs import button_box
from ui.widgets.verdict import wrapped


class AddYearDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Thêm năm đánh giá")
        years = [info.year for info in ctx.ws.years()]
        self.year = QSpinBox()
        self.year.setRange(2024, 2100)
        self.year.setValue(max(years) + 1 if years else dt.date.today().year)
        self.copy = QCheckBox()
        self.copy.setChecked(bool(years))
        self.carry = QCheckBox("Mang sang minh chứng còn hiệu lực trong năm mới (cùng tệp, mã mới)")
        self.carry.setChecked(bool(years))
        self.copy.toggled.connect(self.carry.setEnabled)
        self.year.valueChanged.connect(self._update_copy)
        form = QFormLayout()
        form.addRow("Năm đánh giá:", self.year)
        form.addRow(self.copy)
        form.addRow(self.carry)
        self.error = wrapped(object_name="error")
        self.error.hide()
        buttons = button_box(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self._create)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        deadline = catalogue_in_force(dt.date.today()).deadline_text
        layout.addWidget(wrapped(f"Số liệu của năm đánh giá tính từ 01/01 đến 31/12; hồ sơ nộp trước {deadline} năm sau.",
                                 object_name="muted"))
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(440)
        self._update_copy()

    def _source(self) -> int | None:
        earlier = [info.year for info in self.ctx.ws.years() if info.year < self.year.value()]
        return max(earlier) if earlier else None

    def _update_copy(self) -> None:
        source = self._source()
        self.copy.setEnabled(source is not None)
        self.carry.setEnabled(source is not None and self.copy.isChecked())
        self.copy.setText(f"Sao chép số liệu, nội dung và phân công từ năm {source} (sửa lại sau)" if source
                          else "Không có năm trước để sao chép")

    def _create(self) -> None:
        source = self._source() if self.copy.isChecked() else None
        carry: CarryChoice | None = "valid" if source is not None and self.carry.isChecked() else None
        year = self.year.value()

        def added(_changes: Changes) -> None:
            self.ctx.set_year(year)
            self.accept()

        def refused(error: BaseException) -> None:
            self.error.setText(error.message if isinstance(error, CdhtError) else str(error))
            self.error.show()

        self.ctx.submit(lambda ws: add_year(ws, year, copy_from=source, carry_evidence=carry).changes, self,
                        on_success=added, on_failure=refused)
