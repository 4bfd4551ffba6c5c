"""Nhập kết quả công nhận: the commune takes in the signed result package its recipient sent back, so that the
decision is never typed by hand. A signer outside the trusted CAs is accepted only after the user confirms that
the fingerprint shown matches the one the recipient gave."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.changes import Changes
from app.recipient.results import UntrustedSignerError
from app.services.recognitions import ImportedResult, import_result
from ui.context import AppContext
from ui.dialogs import button_box
from ui.tasks import run_in_background, user_message
from ui.widgets.verdict import wrapped


class ResultImportDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.imported: ImportedResult | None = None
        self.fingerprint = ""
        self.setWindowTitle("Nhập kết quả công nhận")
        self.path = QLineEdit()
        self.path.setPlaceholderText("Gói kết quả (.zip) cơ quan tiếp nhận gửi về")
        self.trust = QLineEdit()
        self.trust.setPlaceholderText("Không bắt buộc: chứng thư CA tin cậy (.pem)")
        form = QFormLayout()
        for label, line, handler in (("Gói kết quả:", self.path, self._choose_package),
                                     ("Chứng thư CA:", self.trust, self._choose_trust)):
            button = QPushButton("Chọn…")
            button.clicked.connect(handler)
            row = QHBoxLayout()
            row.addWidget(line, 1)
            row.addWidget(button)
            form.addRow(label, row)
        self.message = wrapped(selectable=True)
        self.message.hide()
        self.accept_signer = QCheckBox("Tôi đã đối chiếu mã chứng thư trên với cơ quan tiếp nhận; chấp nhận người ký này")
        self.accept_signer.hide()
        self.buttons = button_box(QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel, self)
        self.import_button = self.buttons.button(QDialogButtonBox.StandardButton.Open)
        self.import_button.setText("Nhập")
        self.buttons.accepted.connect(self.run_import)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(wrapped("Gói kết quả có chữ ký số của cơ quan tiếp nhận. Ứng dụng kiểm tra chữ ký và mọi tệp "
                                 "trong gói, rồi tự ghi quyết định vào lịch sử công nhận.", object_name="muted"))
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.accept_signer)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)

    def _choose_package(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(self, "Gói kết quả công nhận", "", "Gói kết quả (*.zip)")
        if chosen:
            self.path.setText(chosen)

    def _choose_trust(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(self, "Chứng thư CA tin cậy", "", "Chứng thư (*.pem *.cer *.crt)")
        if chosen:
            self.trust.setText(chosen)

    def _show(self, text: str, error: bool) -> None:
        self.message.setObjectName("error" if error else "")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)
        self.message.show()

    def run_import(self) -> None:
        path = Path(self.path.text().strip())
        trust = [Path(self.trust.text().strip())] if self.trust.text().strip() else None
        accept = self.fingerprint if self.accept_signer.isChecked() else None
        self.import_button.setEnabled(False)
        (run_in_background(lambda _p: import_result(self.ctx.ws, path, trust, accept))
         .success(self._done).failure(self._failed).run())

    def _done(self, outcome: tuple[ImportedResult, Changes]) -> None:
        result, changes = outcome
        self.imported = result
        self.ctx.apply(changes)
        self.import_button.setEnabled(True)
        self._show(result.message(), error=False)
        self.accept_signer.hide()
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Đóng")
        self.import_button.hide()

    def _failed(self, error: BaseException) -> None:
        self.import_button.setEnabled(True)
        if isinstance(error, UntrustedSignerError):
            self.fingerprint = error.fingerprint
            self.accept_signer.setChecked(False)
            self.accept_signer.show()
        self._show(user_message(error), error=True)
