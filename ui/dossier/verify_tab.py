"""The dossier page's Kiểm tra gói tab: verify a package file and manage the register of known signers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.dossier.verify import INVALID, MARKS, UNBOUND, VALID, verify_package
from ui.context import AppContext
from ui.dialogs import ask_yes_no
from ui.dossier.common import FAIL_COLOR, OK_COLOR, file_row, fill, table
from ui.dossier.registry_ui import FittingLabel, RegistryBox
from ui.tasks import run_in_background, show_error

if TYPE_CHECKING:
    from app.dossier.verify import VerifyReport
    from app.progress import ProgressState

VERDICT_COLORS = {VALID: OK_COLOR, UNBOUND: "#8a5a00", INVALID: FAIL_COLOR}


class VerifyTab(QWidget):
    """Check a package (or its e-mail parts): the verdict in one sentence, the signer, each check, and the
    recipient's register of communes (a package's signer is added to it only when the user asks)."""

    def __init__(self, ctx: AppContext | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.report: VerifyReport | None = None
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.package = QLineEdit()
        self.trust = QLineEdit()
        self.trust.setPlaceholderText("không bắt buộc: thêm chứng thư CA ngoài các chứng thư gốc quốc gia đi kèm")
        form.addRow("Gói hồ sơ:", file_row(self.package, "Gói hồ sơ (*.zip *.parts.json *.001)"))
        form.addRow("CA tin cậy thêm:", file_row(self.trust, "Chứng thư (*.pem *.cer *.crt)"))
        self.online = QCheckBox("Kiểm tra chứng thư đã bị thu hồi chưa (cần mạng: CRL/OCSP)")
        form.addRow("", self.online)
        layout.addLayout(form)
        row = QHBoxLayout()
        self.check_button = QPushButton("Kiểm tra gói")
        self.check_button.clicked.connect(self.verify)
        self.tofu_button = QPushButton("Ghi nhận người ký này cho xã…")
        self.tofu_button.setEnabled(False)
        self.tofu_button.setToolTip("Chỉ dùng khi đã xác minh với xã (công văn, điện thoại) rằng đây đúng là chứng "
                                    "thư của xã.")
        self.tofu_button.clicked.connect(self.register_signer)
        row.addWidget(self.check_button)
        row.addWidget(self.tofu_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.summary = FittingLabel()
        layout.addWidget(self.summary)
        self.signer = FittingLabel()
        layout.addWidget(self.signer)
        splitter = QSplitter(Qt.Orientation.Vertical)
        self.checks = table(["", "Nội dung kiểm tra", "Kết quả"])
        splitter.addWidget(self.checks)
        self.registry = RegistryBox(self.registry_path)
        self.registry.changed.connect(self._registry_changed)
        splitter.addWidget(self.registry)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout.addWidget(splitter, 1)
        self.registry.refresh()

    def registry_path(self) -> Path:
        from app.dossier.registry import default_registry_path
        from app.paths import default_data_dir

        return default_registry_path(self.ctx.ws.data_dir if self.ctx is not None else default_data_dir())

    def verify(self) -> None:
        from app.dossier.registry import load_registry

        package, trust = Path(self.package.text().strip()), self.trust.text().strip()
        online, path = self.online.isChecked(), self.registry_path()

        def work(progress: ProgressState) -> VerifyReport:
            registry = load_registry(path) if path.is_file() else None
            return verify_package(package, [Path(trust)] if trust else None, progress=progress, registry=registry,
                                  online=online)

        run_in_background(work, uses_db=False).success(self.show_report).failure(lambda e: show_error(self, e)) \
            .with_progress(self, "Đang kiểm tra gói hồ sơ…").run()

    def show_report(self, report: VerifyReport) -> None:
        self.report = report
        self.summary.setText(report.summary())
        self.summary.setStyleSheet(f"color: {VERDICT_COLORS[report.verdict]}; font-weight: bold;")
        signer = report.signer
        self.signer.setText(f"Người ký: {signer.subject}\nDấu vân tay SHA-256: {signer.fingerprint}" if signer else "")
        fill(self.checks, [[MARKS[c.status], c.title, c.detail] for c in report.checks])
        self.tofu_button.setEnabled(report.verdict == UNBOUND and signer is not None and signer.trusted
                                    and not signer.bound)

    def register_signer(self) -> None:
        from app.dossier.registry import register_signer

        report = self.report
        if report is None or report.signer is None:
            return
        signer = report.signer
        question = (f"Ghi nhận chứng thư sau là chứng thư ký của {report.organisation}?\n\n{signer.subject}\n"
                    f"Dấu vân tay SHA-256: {signer.fingerprint}\n\nChỉ đồng ý khi đã xác minh với xã qua công văn "
                    "hoặc điện thoại rằng đây đúng là chứng thư của xã. Các gói sau ký bằng chứng thư này sẽ được "
                    "xác nhận là của xã.")
        if not ask_yes_no(self, "Ghi nhận người ký", question):
            return
        path = self.registry_path()

        def registered(_entry: object) -> None:
            self.registry.refresh()
            self.verify()

        run_in_background(lambda _p: register_signer(path, report), uses_db=False) \
            .success(registered) \
            .failure(lambda e: show_error(self, e)).run()

    def _registry_changed(self) -> None:
        if self.report is not None and self.package.text().strip():
            self.verify()
