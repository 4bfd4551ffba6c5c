"""Step 2 of the dossier page: how the dossier is signed (file key, USB token, or ký ngoài with the CA's tool)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.changes import Changes
from app.dossier import records
from app.dossier.external import export_unsigned, import_signed
from app.dossier.tokens import diagnose
from ui.context import AppContext
from ui.dialogs import message_box
from ui.dossier.common import ask_text, file_row, fill, note, table
from ui.tasks import run_in_background, show_error

if TYPE_CHECKING:
    from app.dossier.external import SignedImportResult
    from app.dossier.tokens import TokenReport


class SigningTab(QWidget):
    """How to sign: a PKCS#12 file, a USB token (diagnostics, choose the certificate), or ký ngoài."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        method_box = QGroupBox("Cách ký")
        methods = QVBoxLayout(method_box)  # one per line: the three long names do not fit side by side
        self.method_group = QButtonGroup(self)
        self.method_buttons: dict[str, QRadioButton] = {}
        for key, label in records.SIGNING_METHODS.items():
            button = QRadioButton(label)
            self.method_group.addButton(button)
            self.method_buttons[key] = button
            methods.addWidget(button)
            button.toggled.connect(self._update_visibility)
        layout.addWidget(method_box)

        self.p12_box = QGroupBox("Tệp chứng thư số")
        p12_form = QFormLayout(self.p12_box)
        self.p12_path = QLineEdit()
        p12_form.addRow("Tệp .p12/.pfx:", file_row(self.p12_path, "Chứng thư số (*.p12 *.pfx)"))
        layout.addWidget(self.p12_box)

        self.token_box = QGroupBox("Thiết bị ký số (USB token)")
        token_layout = QVBoxLayout(self.token_box)
        token_form = QFormLayout()
        self.module_path = QLineEdit()
        self.module_path.setPlaceholderText("Ví dụ: C:\\Windows\\System32\\vgca_csp11.dll")
        token_form.addRow("Thư viện PKCS#11:", file_row(self.module_path, "Thư viện (*.dll *.so *.dylib)"))
        self.key_id = QLineEdit()
        self.key_id.setPlaceholderText("chọn chứng thư trong bảng bên dưới")
        token_form.addRow("Mã khóa đã chọn:", self.key_id)
        self.cert_serial = QLineEdit()
        self.cert_serial.setReadOnly(True)  # taken from the chosen row; the key is found by it when it has no key id
        self.cert_serial.setPlaceholderText("chọn chứng thư trong bảng bên dưới")
        token_form.addRow("Số hiệu chứng thư:", self.cert_serial)
        token_layout.addLayout(token_form)
        read_button = QPushButton("Đọc thiết bị")
        read_button.clicked.connect(self.read_token)
        token_layout.addWidget(read_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.token_info = note()
        token_layout.addWidget(self.token_info)
        self.certificates = table(["Khe", "Thiết bị", "Mã khóa", "Người sở hữu", "Hiệu lực", "Số hiệu", "Cấp bởi"])
        self.certificates.itemSelectionChanged.connect(self._pick_certificate)
        token_layout.addWidget(self.certificates, 1)
        self.certificates.setMinimumHeight(150)
        layout.addWidget(self.token_box)

        images = QGroupBox("Hình ảnh trên chữ ký (không bắt buộc, PNG nền trong suốt)")
        image_form = QFormLayout(images)
        self.seal_image = QLineEdit()
        self.signature_image = QLineEdit()
        image_form.addRow("Con dấu (màu đỏ):", file_row(self.seal_image, "Ảnh PNG (*.png)"))
        image_form.addRow("Chữ ký (màu xanh):", file_row(self.signature_image, "Ảnh PNG (*.png)"))
        layout.addWidget(images)

        self.external_box = QGroupBox("Ký ngoài bằng phần mềm của nhà cung cấp chữ ký số")
        external = QVBoxLayout(self.external_box)
        external.addWidget(note("1. Xuất các văn bản chưa ký ra một thư mục. 2. Ký từng tệp bằng phần mềm ký số của "
                                "nhà cung cấp. 3. Nhập lại các tệp đã ký: ứng dụng kiểm tra người ký, thời gian và "
                                "tính toàn vẹn trước khi đóng gói."))
        row = QHBoxLayout()
        export_button = QPushButton("Xuất văn bản để ký ngoài…")
        import_button = QPushButton("Nhập văn bản đã ký…")
        export_button.clicked.connect(self.export_unsigned)
        import_button.clicked.connect(self.import_signed)
        row.addWidget(export_button)
        row.addWidget(import_button)
        row.addStretch(1)
        external.addLayout(row)
        self.import_results = table(["Tệp", "Văn bản", "Kết quả"])
        self.import_results.setMinimumHeight(150)
        external.addWidget(self.import_results)
        layout.addWidget(self.external_box)

        save_button = QPushButton("Lưu cài đặt ký số")
        save_button.clicked.connect(self.save)
        layout.addWidget(save_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)

    def method(self) -> str:
        return next((k for k, b in self.method_buttons.items() if b.isChecked()), "pkcs12")

    def _update_visibility(self) -> None:
        method = self.method()
        self.p12_box.setVisible(method == "pkcs12")
        self.token_box.setVisible(method == "pkcs11")
        self.external_box.setVisible(method == "external")

    def refresh(self) -> None:
        run_in_background(lambda _p: records.signing_settings(self.ctx.ws)).success(self._show).run()

    def _show(self, settings: records.SigningSettings) -> None:
        self.method_buttons[settings.method].setChecked(True)
        self.p12_path.setText(settings.pkcs12_path)
        self.module_path.setText(settings.pkcs11_module)
        self.key_id.setText(settings.key_id)
        self.cert_serial.setText(settings.cert_serial)
        self.seal_image.setText(settings.seal_image)
        self.signature_image.setText(settings.signature_image)
        self._update_visibility()

    def settings(self) -> records.SigningSettings:
        return records.SigningSettings(self.method(), self.p12_path.text(), self.module_path.text(), self.key_id.text(),
                                       self.cert_serial.text(), self.seal_image.text(), self.signature_image.text())

    def save(self) -> None:
        settings = self.settings()
        run_in_background(lambda _p: records.save_signing_settings(self.ctx.ws, settings)).success(self.ctx.apply) \
            .failure(lambda e: show_error(self, e)).run()

    def read_token(self) -> None:
        module = self.module_path.text().strip()
        run_in_background(lambda _p: diagnose(Path(module)), uses_db=False).success(self.show_token) \
            .failure(lambda e: show_error(self, e)).with_progress(self, "Đang đọc thiết bị ký số…", False).run()

    def show_token(self, report: TokenReport) -> None:
        self.token_info.setText(f"Thư viện {report.module} (ứng dụng {report.app_bits}-bit): {len(report.slots)} thiết bị, "
                                f"{len(report.certificates)} chứng thư."
                                + "".join(f" {s.token_label}: {s.pin_warning}." for s in report.slots if s.pin_warning))
        fill(self.certificates, [
            [str(slot.slot_id), slot.token_label or slot.model, cert.key_id or "(trống)", cert.holder or cert.subject,
             f"{cert.not_before:%d/%m/%Y} – {cert.not_after:%d/%m/%Y}", cert.serial_hex, cert.issuer]
            for slot, cert in report.certificates])

    def _pick_certificate(self) -> None:
        rows = self.certificates.selectionModel().selectedRows()
        if rows:
            key_id, serial = self.certificates.item(rows[0].row(), 2), self.certificates.item(rows[0].row(), 5)
            self.key_id.setText(key_id.text().replace("(trống)", "") if key_id else "")
            self.cert_serial.setText(serial.text() if serial else "")

    def ask_for_secret(self, settings: records.SigningSettings) -> str | None:
        """The password of the .p12 file or the token's PIN, asked now (after every check passed); "" for ký ngoài,
        None when cancelled."""
        if settings.method == "external":
            return ""
        if settings.method == "pkcs12":
            return ask_text(self, "Mật khẩu chứng thư số",
                            f"Mật khẩu của tệp {Path(settings.pkcs12_path.strip()).name}:", secret=True)
        return ask_text(self, "Mã PIN thiết bị ký số", "Mã PIN (thiết bị sẽ bị khóa sau 3 lần nhập sai):", secret=True)

    def export_unsigned(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Chọn thư mục để xuất văn bản chưa ký")
        if not folder:
            return
        year = self.ctx.year
        if year is None:
            return
        run_in_background(lambda _p: export_unsigned(self.ctx.ws, year, Path(folder))) \
            .success(lambda files: message_box(self, "Ký ngoài", f"Đã xuất {len(files)} văn bản vào {folder}.")) \
            .failure(lambda e: show_error(self, e)).with_progress(self, "Đang xuất văn bản…").run()

    def import_signed(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Chọn các văn bản đã ký", "", "PDF (*.pdf)")
        if files:
            self.import_files([Path(f) for f in files])

    def import_files(self, files: list[Path]) -> None:
        year = self.ctx.year
        if year is None:
            return
        run_in_background(lambda _p: import_signed(self.ctx.ws, year, files)).success(self.show_import) \
            .failure(lambda e: show_error(self, e)).with_progress(self, "Đang kiểm tra chữ ký…").run()

    def show_import(self, results: list[SignedImportResult]) -> None:
        fill(self.import_results, [[r.file, r.document or "—", ("✔ " if r.accepted else "✘ ") + r.message]
                                   for r in results])
        self.ctx.apply(Changes(documents=True))
