"""The dossier page: chốt hồ sơ, signing options, export to USB or a folder, ký ngoài, e-mail outbox, verify.

All database, signing and file work runs through `ui.tasks` off the GUI thread; this module runs no SQL.
Passwords and PINs are asked in a dialog each time (the SMTP password may live in the OS keyring) and are
never stored by the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.changes import Changes
from app.dossier import drives, finalize, outbox, records
from app.dossier.before_signing import check_before_signing, key_problem, signing_key
from app.dossier.delivery import copy_package, export_package
from app.dossier.external import export_unsigned, import_signed
from app.dossier.tokens import diagnose
from app.dossier.verify import INVALID, MARKS, UNBOUND, VALID, verify_package
from app.errors import InputError
from app.text import format_local_time, format_size
from ui.context import AppContext
from ui.dialogs import ask_yes_no, confirm, message_box
from ui.dossier.registry_ui import FittingLabel, RegistryBox
from ui.tasks import run_in_background, show_error

if TYPE_CHECKING:
    from app.dossier.delivery import Delivered
    from app.dossier.external import ImportResult
    from app.dossier.tokens import TokenReport
    from app.dossier.verify import VerifyReport
    from app.progress import ProgressState
    from app.storage.workspace import Workspace

OK_COLOR, FAIL_COLOR = "#1b7f3b", "#b3261e"
AUTO_SEND_MS = 60_000


def ask_secret(parent: QWidget, title: str, label: str) -> str | None:
    """A password/PIN dialog with Vietnamese buttons; None when cancelled."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
    dialog.setOkButtonText("Đồng ý")
    dialog.setCancelButtonText("Hủy")
    return dialog.textValue() if dialog.exec() else None


def ask_text(parent: QWidget, title: str, label: str) -> str | None:
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.setOkButtonText("Đồng ý")
    dialog.setCancelButtonText("Hủy")
    return dialog.textValue() if dialog.exec() else None


def table(headers: list[str]) -> QTableWidget:
    widget = QTableWidget(0, len(headers))
    widget.setHorizontalHeaderLabels(headers)
    widget.verticalHeader().setVisible(False)
    widget.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    widget.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    widget.horizontalHeader().setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)
    widget.setWordWrap(True)
    widget.resizeColumnsToContents()  # an empty table still shows every heading in full
    return widget


def fill(widget: QTableWidget, rows: list[list[str]]) -> None:
    widget.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            widget.setItem(r, c, QTableWidgetItem(value))
    widget.resizeColumnsToContents()
    widget.horizontalHeader().setSectionResizeMode(widget.columnCount() - 1, QHeaderView.ResizeMode.Stretch)
    widget.resizeRowsToContents()


def note(text: str = "", color: str | None = None) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if color:
        label.setStyleSheet(f"color: {color}; font-weight: bold;")
    return label


def file_row(edit: QLineEdit, pattern: str) -> QWidget:
    """A path field with a "Chọn…" button that opens a file dialog starting from the current path."""
    holder = QWidget()
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(edit, 1)
    button = QPushButton("Chọn…")

    def pick() -> None:
        path, _ = QFileDialog.getOpenFileName(holder, "Chọn tệp", edit.text(), pattern)
        if path:
            edit.setText(path)

    button.clicked.connect(pick)
    row.addWidget(button)
    return holder


class FinalizeTab(QWidget):
    """Step 1: the pre-flight list with ✔/✘ and reasons; "Chốt hồ sơ…" after confirming what the lock freezes,
    and "Mở khóa…" with a reason."""

    finalized = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._info = None
        self._frozen = ""
        layout = QVBoxLayout(self)
        self.status = note()
        layout.addWidget(self.status)
        self.checks = QTreeWidget()
        self.checks.setHeaderHidden(True)
        self.checks.setWordWrap(True)
        layout.addWidget(self.checks, 1)
        buttons = QHBoxLayout()
        self.finalize_button = QPushButton("Chốt hồ sơ…")
        self.finalize_button.setObjectName("primary")
        self.unlock_button = QPushButton("Mở khóa…")
        self.finalize_button.clicked.connect(self.finalize)
        self.unlock_button.clicked.connect(self.unlock)
        buttons.addWidget(self.finalize_button)
        buttons.addWidget(self.unlock_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

    def refresh(self) -> None:
        year = self.ctx.year
        if year is None:
            self.status.setText("Chưa có năm đánh giá.")
            return
        ws = self.ctx.ws

        def load(_progress: ProgressState) -> tuple[Any, ...]:
            info = ws.year(year)
            return (info, finalize.preflight(ws, year), records.package_uuid(ws, year) if info.locked else None,
                    len(ws.catalogue(year).indicators))

        run_in_background(load).success(self._show).failure(lambda e: show_error(self, e)).run()

    def _show(self, loaded: tuple[Any, ...]) -> None:
        info, items, uuid, indicator_count = loaded
        self._info = info
        self._frozen = frozen_text(indicator_count)
        self.checks.clear()
        for item in items:
            node = QTreeWidgetItem([f"{'✔' if item.ok else '✘'}  {item.label}"])
            node.setForeground(0, Qt.GlobalColor.darkGreen if item.ok else Qt.GlobalColor.darkRed)
            for problem in item.problems:
                QTreeWidgetItem(node, [problem])
            self.checks.addTopLevelItem(node)
            node.setExpanded(True)
        ready = all(item.ok for item in items)
        if info.locked:
            self.status.setText(f"Hồ sơ năm {info.year} ĐÃ CHỐT lúc {format_local_time(info.locked_at)} — phiên bản "
                                f"gói {info.package_version}, mã gói {uuid}. Đang khóa: {self._frozen}. Muốn sửa, "
                                "bấm \"Mở khóa…\" và nêu lý do; lần chốt sau lập phiên bản gói mới.")
        else:
            self.status.setText(f"Hồ sơ năm {info.year} đang nhập liệu. "
                                + ("Đã đủ điều kiện chốt hồ sơ." if ready else "Còn các mục ✘ dưới đây cần hoàn thành."))
        self.finalize_button.setEnabled(not info.locked and ready)
        self.finalize_button.setToolTip("" if info.locked or ready else "Còn mục ✘ trong danh sách kiểm tra.")
        self.unlock_button.setEnabled(info.locked)

    def finalize(self) -> None:
        info = self._info
        if info is None or info.locked:
            return
        if not confirm(self, f"Chốt hồ sơ năm {info.year}?",
                       f"Sau khi chốt, không sửa được: {self._frozen}. Các văn bản được lập thành gói hồ sơ "
                       f"phiên bản {info.package_version + 1} để ký và gửi đi.\n\nMuốn sửa lại phải mở khóa "
                       "(nêu lý do, được ghi vào nhật ký); lần chốt sau lập phiên bản gói mới.", "Chốt hồ sơ"):
            return
        year, ws = info.year, self.ctx.ws
        run_in_background(lambda _p: finalize.finalize(ws, year)).success(self._finalized) \
            .failure(lambda e: show_error(self, e)).run()

    def _finalized(self, changes: Changes) -> None:
        self.ctx.apply(changes)
        self.finalized.emit()

    def unlock(self) -> None:
        reason = ask_text(self, "Mở khóa hồ sơ", "Lý do mở khóa (được ghi vào nhật ký thay đổi):")
        if reason is None:
            return
        year = self.ctx.year
        if year is None:
            return
        run_in_background(lambda _p: finalize.unlock(self.ctx.ws, year, reason)).success(self.ctx.apply) \
            .failure(lambda e: show_error(self, e)).run()


def frozen_text(indicator_count: int) -> str:
    """What chốt hồ sơ freezes (every mutation of a finalized year is refused by the core)."""
    return (f"số liệu và nội dung của {indicator_count} chỉ tiêu, minh chứng và giải trình, nội dung báo cáo, "
            "biên bản họp xét")


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
            return ask_secret(self, "Mật khẩu chứng thư số",
                              f"Mật khẩu của tệp {Path(settings.pkcs12_path.strip()).name}:")
        return ask_secret(self, "Mã PIN thiết bị ký số", "Mã PIN (thiết bị sẽ bị khóa sau 3 lần nhập sai):")

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

    def show_import(self, results: list[ImportResult]) -> None:
        fill(self.import_results, [[r.file, r.document or "—", ("✔ " if r.accepted else "✘ ") + r.message]
                                   for r in results])
        self.ctx.apply(Changes(documents=True))


class ExportTab(QWidget):
    """Export to a USB drive or folder in the background, with progress and cancel; then "Có thể rút ổ USB ra"."""

    def __init__(self, ctx: AppContext, signing: SigningTab, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.signing = ctx, signing
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Chọn nơi ghi gói hồ sơ:"))
        self.targets = QListWidget()
        self.targets.setMaximumHeight(130)
        layout.addWidget(self.targets)
        row = QHBoxLayout()
        refresh = QPushButton("Tìm lại ổ USB")
        refresh.clicked.connect(self.refresh_drives)
        folder = QPushButton("Chọn thư mục khác…")
        folder.clicked.connect(self.choose_folder)
        self.level = QComboBox()
        self.level.addItem("Mức độ đề nghị: theo kết quả đánh giá", None)
        self.level.addItem("Mức độ 1", 1)
        self.level.addItem("Mức độ 2", 2)
        self.level.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        row.addWidget(refresh)
        row.addWidget(folder)
        row.addWidget(self.level)
        row.addStretch(1)
        layout.addLayout(row)
        actions = QHBoxLayout()
        self.build_button = QPushButton("Lập, ký và ghi gói hồ sơ")
        self.build_button.clicked.connect(self.export)
        self.copy_button = QPushButton("Chép lại gói đã lập (không lập lại)")
        self.copy_button.clicked.connect(self.copy_latest)
        actions.addWidget(self.build_button)
        actions.addWidget(self.copy_button)
        actions.addStretch(1)
        layout.addLayout(actions)
        self.result = note(color=OK_COLOR)
        layout.addWidget(self.result)
        layout.addWidget(QLabel("Các gói đã lập:"))
        self.history = table(["Phiên bản", "Mức độ", "Lập lúc", "Cách ký", "Người ký", "Dung lượng", "Tệp"])
        layout.addWidget(self.history, 1)
        self.refresh_drives()

    def refresh_drives(self, extra: Path | None = None) -> None:
        current = [self.targets.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.targets.count())]
        self.targets.clear()
        for drive in drives.removable_drives():
            item = QListWidgetItem(f"🖴 {drive.describe()}")
            item.setData(Qt.ItemDataRole.UserRole, str(drive.path))
            self.targets.addItem(item)
        folders = [c for c in current if c and not any(c == d for d in self._drive_paths())]
        for folder in folders + ([str(extra)] if extra else []):
            item = QListWidgetItem(f"📁 {folder}")
            item.setData(Qt.ItemDataRole.UserRole, folder)
            self.targets.addItem(item)
        if self.targets.count() == 0:
            placeholder = QListWidgetItem("Chưa thấy ổ USB nào. Cắm ổ USB rồi bấm \"Tìm lại ổ USB\", hoặc chọn thư mục.")
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.targets.addItem(placeholder)
        for index in range(self.targets.count()):
            if self.targets.item(index).data(Qt.ItemDataRole.UserRole):
                self.targets.setCurrentRow(index if extra is None else self.targets.count() - 1)
                break

    def _drive_paths(self) -> list[str]:
        return [str(d.path) for d in drives.removable_drives()]

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Chọn thư mục ghi gói hồ sơ")
        if folder:
            self.refresh_drives(Path(folder))

    def target_folder(self) -> Path:
        item = self.targets.currentItem()
        if item is None or not item.data(Qt.ItemDataRole.UserRole):
            raise InputError("Hãy chọn ổ USB hoặc thư mục để ghi gói hồ sơ.")
        return Path(item.data(Qt.ItemDataRole.UserRole))

    def export(self) -> None:
        """Check everything that can be checked (year locked, key chosen, documents made) before asking for
        the password or PIN; then sign, write and verify the package in the background."""
        try:
            folder = self.target_folder()
        except InputError as error:
            show_error(self, error)
            return
        ws, year, level, settings = self.ctx.ws, self.ctx.year, self.level.currentData(), self.signing.settings()
        if year is None:
            return
        run_in_background(lambda progress: check_before_signing(ws, year, level, settings, progress)) \
            .success(lambda _checked: self._sign_and_write(folder, level, settings)) \
            .failure(lambda e: show_error(self, e, "Chưa thể ký và lập gói")) \
            .with_progress(self, "Đang kiểm tra hồ sơ trước khi ký…").run()

    def _sign_and_write(self, folder: Path, level: int | None, settings: records.SigningSettings) -> None:
        secret = self.signing.ask_for_secret(settings)
        if secret is None:
            return
        try:
            key = signing_key(settings, secret)
        except InputError as error:
            show_error(self, error)
            return
        ws, year = self.ctx.ws, self.ctx.year
        if year is None:
            return

        def work(progress: ProgressState) -> Delivered:
            from app.dossier.package import package_name

            target = folder / f"{package_name(ws, year, ws.year(year).package_version)}.zip"
            return export_package(ws, year, target, key, level=level, progress=progress)

        run_in_background(work).success(self._done).failure(lambda e: show_error(self, e)) \
            .with_progress(self, "Đang ký, lập và ghi gói hồ sơ…").run()

    def copy_latest(self) -> None:
        try:
            folder = self.target_folder()
        except InputError as error:
            show_error(self, error)
            return
        year = self.ctx.year
        if year is None:
            return

        def work(progress: ProgressState) -> Delivered:
            record = records.latest_package(self.ctx.ws, year)
            if record is None:
                raise InputError("Chưa có gói nào cho phiên bản hiện tại; hãy lập gói trước.")
            return copy_package(Path(record.path), folder, progress)

        run_in_background(work).success(self._done).failure(lambda e: show_error(self, e)) \
            .with_progress(self, "Đang chép gói hồ sơ…").run()

    def _done(self, delivered: Delivered) -> None:
        self.result.setText(delivered.message)
        self.ctx.apply(Changes(documents=True))
        message_box(self, "Đã ghi gói hồ sơ", delivered.message)

    def refresh(self) -> None:
        year = self.ctx.year
        run_in_background(lambda _p: records.packages(self.ctx.ws, year)).success(self._show_history).run()

    def _show_history(self, packages: list[records.PackageRecord]) -> None:
        fill(self.history, [[str(p.version), str(p.level), format_local_time(p.built_at),
                             records.SIGNING_METHODS[p.signing_method], p.signer, format_size(p.size), p.path]
                            for p in packages])


class MailTab(QWidget):
    """SMTP settings, queueing the package, and the outbox with each message's state; sends in the background."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._password: str | None = None  # kept in memory for this session only
        layout = QVBoxLayout(self)
        settings_box = QGroupBox("Máy chủ thư đi (SMTP)")
        form = QFormLayout(settings_box)
        self.host = QLineEdit()
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.security = QComboBox()
        for key, label in outbox.SECURITY.items():
            self.security.addItem(label, key)
        self.username = QLineEdit()
        self.sender_address = QLineEdit()
        self.max_mb = QSpinBox()
        self.max_mb.setRange(1, 100)
        self.max_mb.setSuffix(" MB mỗi thư")
        self.remember = QCheckBox("Lưu mật khẩu vào két mật khẩu của hệ điều hành")
        form.addRow("Máy chủ:", self.host)
        form.addRow("Cổng:", self.port)
        form.addRow("Bảo mật:", self.security)
        form.addRow("Tên đăng nhập:", self.username)
        form.addRow("Địa chỉ người gửi:", self.sender_address)
        form.addRow("Giới hạn tệp đính kèm:", self.max_mb)
        form.addRow("", self.remember)
        buttons = QHBoxLayout()
        self.save_button = QPushButton("Lưu cài đặt thư")
        self.save_button.clicked.connect(self.save)
        self.test_button = QPushButton("Thử kết nối")
        self.test_button.clicked.connect(self.test_connection)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        form.addRow("", buttons)
        layout.addWidget(settings_box)
        row = QHBoxLayout()
        self.recipient = QLineEdit()
        self.recipient.setPlaceholderText("địa chỉ thư của Phòng/Sở Giáo dục và Đào tạo")
        self.queue_button = QPushButton("Xếp gói đã lập vào hộp thư đi")
        self.queue_button.clicked.connect(self.queue)
        self.send_button = QPushButton("Gửi ngay")
        self.send_button.clicked.connect(lambda: self.send(interactive=True))
        self.retry_button = QPushButton("Xếp lại thư gửi lỗi")
        self.retry_button.clicked.connect(self.retry_failed)
        row.addWidget(QLabel("Gửi tới:"))
        row.addWidget(self.recipient, 1)
        row.addWidget(self.queue_button)
        row.addWidget(self.send_button)
        row.addWidget(self.retry_button)
        layout.addLayout(row)
        layout.addWidget(note("Thư điện tử có thể tới nơi nhận hai lần (ví dụ khi mạng ngắt đúng lúc máy chủ vừa nhận "
                              "thư). Mỗi phần mang mã gói, số thứ tự và mã băm nên bản trùng được bỏ qua khi ghép."))
        self.status = FittingLabel()
        layout.addWidget(self.status)
        self.messages = table(["Trạng thái", "Người nhận", "Năm", "Phiên bản", "Phần", "Lần gửi", "Lúc",
                               "Ghi chú"])
        layout.addWidget(self.messages, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(AUTO_SEND_MS)
        self.timer.timeout.connect(lambda: self.send(interactive=False))
        self.timer.start()

    def refresh(self) -> None:
        def load(_p: ProgressState) -> tuple[outbox.MailSettings, list[outbox.OutboxMessage]]:
            return outbox.mail_settings(self.ctx.ws), outbox.outbox_messages(self.ctx.ws)

        run_in_background(load).success(self._show).run()

    def _show(self, loaded: tuple[outbox.MailSettings, list[outbox.OutboxMessage]]) -> None:
        settings, messages = loaded
        self.host.setText(settings.host)
        self.port.setValue(settings.port)
        self.security.setCurrentIndex(max(0, self.security.findData(settings.security)))
        self.username.setText(settings.username)
        self.sender_address.setText(settings.sender)
        self.max_mb.setValue(max(1, settings.max_attachment_bytes // 1_000_000))
        fill(self.messages, [[m.state_label, m.recipient, str(m.year), str(m.version), f"{m.part_index}/{m.part_count}",
                              str(m.attempts), self._when(m), m.last_error if m.state != "sent" else ""]
                             for m in messages])

    @staticmethod
    def _when(message: outbox.OutboxMessage) -> str:
        """When it was sent, or when it will be tried again."""
        if message.state == "sent":
            return f"đã gửi {format_local_time(message.sent_at)}" if message.sent_at else ""
        if message.state == "queued":
            return f"gửi lúc {format_local_time(message.next_try_at)}"
        return ""

    def current_settings(self) -> outbox.MailSettings:
        return outbox.MailSettings(self.host.text(), self.port.value(), self.security.currentData(),
                                   self.username.text(), self.sender_address.text(), self.max_mb.value() * 1_000_000)

    def save(self) -> None:
        settings = self.current_settings()
        if settings.username and self.remember.isChecked():
            password = ask_secret(self, "Mật khẩu thư điện tử", f"Mật khẩu của {settings.username}:")
            if password:
                self._password = password
                if not outbox.remember_password(settings, password):
                    self.status.setText("Máy này không có két mật khẩu; mật khẩu sẽ được hỏi mỗi lần mở ứng dụng.")
        run_in_background(lambda _p: outbox.save_mail_settings(self.ctx.ws, settings)).success(self.ctx.apply) \
            .failure(lambda e: show_error(self, e)).run()

    def _ensure_password(self, settings: outbox.MailSettings, interactive: bool) -> bool:
        """The SMTP password for this session: from memory, the OS keyring, or (interactively) a dialog."""
        if not settings.username or self._password is not None:
            return True
        self._password = outbox.stored_password(settings)
        if self._password is None and interactive:
            self._password = ask_secret(self, "Mật khẩu thư điện tử", f"Mật khẩu của {settings.username}:")
        return self._password is not None

    def test_connection(self) -> None:
        settings = self.current_settings()
        if not self._ensure_password(settings, interactive=True):
            return
        password = self._password
        run_in_background(lambda _p: outbox.check_connection(settings, password), uses_db=False) \
            .success(self.status.setText).failure(lambda e: show_error(self, e)) \
            .with_progress(self, "Đang thử kết nối máy chủ thư…").run()

    def queue(self) -> None:
        year, recipient = self.ctx.year, self.recipient.text()
        if year is None:
            return

        def work(_p: ProgressState) -> outbox.QueueResult:
            record = records.latest_package(self.ctx.ws, year)
            if record is None:
                raise InputError("Chưa có gói hồ sơ cho phiên bản hiện tại; hãy lập gói ở thẻ Xuất gói trước.")
            return outbox.queue_package(self.ctx.ws, Path(record.path), recipient)

        def queued(result: outbox.QueueResult) -> None:
            self.status.setText(result.describe() + " Thư sẽ tự gửi khi có mạng.")
            self.ctx.apply(Changes(documents=True))
            self.send(interactive=True)

        run_in_background(work).success(queued) \
            .failure(lambda e: show_error(self, e)).with_progress(self, "Đang chia gói thành các tệp đính kèm…").run()

    def retry_failed(self) -> None:
        def requeued(count: int) -> None:
            self.status.setText(f"Đã xếp lại {count} thư gửi lỗi, từ đúng các phần đã xếp trước." if count
                                else "Không có thư gửi thất bại nào để xếp lại.")
            self.refresh()

        run_in_background(lambda _p: outbox.requeue_failed(self.ctx.ws)).success(requeued) \
            .failure(lambda e: show_error(self, e)).run()

    def send(self, interactive: bool) -> None:
        settings = self.current_settings()
        if not self._ensure_password(settings, interactive):
            return
        password = self._password

        def work(_p: ProgressState) -> outbox.FlushResult | None:
            if not interactive and outbox.pending_count(self.ctx.ws) == 0:
                return None
            return outbox.flush_outbox(self.ctx.ws, password)

        run_in_background(work).success(self._sent).failure(lambda e: show_error(self, e) if interactive else None).run()

    def _sent(self, result: outbox.FlushResult | None) -> None:
        if result is None:
            return
        if result.error and "mật khẩu" in result.error:
            self._password = None
        self.status.setText(result.describe())
        self.refresh()


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


@dataclass(frozen=True)
class Steps:
    """Where the year stands in chốt → ký → ghi → gửi (read off the GUI thread)."""

    year: int
    locked: bool
    key_problem: str  # "" once a key (or ký ngoài) is chosen
    package_version: int
    has_package: bool  # a package of the current version was written


def read_steps(ws: Workspace, year: int) -> Steps:
    info = ws.year(year)
    return Steps(year, info.locked, key_problem(records.signing_settings(ws)), info.package_version,
                 info.locked and records.latest_package(ws, year) is not None)


STEP_TITLES = ("1. Chốt hồ sơ", "2. Ký số", "3. Ghi gói hồ sơ", "4. Gửi thư điện tử")
VERIFY_TITLE = "Kiểm tra gói"


def blocked_reasons(steps: Steps) -> list[str]:
    """Per step, why it cannot be taken yet ("" when it can): each needs the one before it."""
    reasons = ["", f"Cần chốt hồ sơ năm {steps.year} ở bước 1 trước."]
    if not steps.locked:
        return reasons + [reasons[1]] * 2
    third = f"Cần chọn cách ký ở bước 2 trước: {steps.key_problem}" if steps.key_problem else ""
    # A package already written for the locked year can be sent whatever the signing settings say now.
    fourth = "" if steps.has_package else (third or "Cần lập và ghi gói hồ sơ ở bước 3 trước.")
    return ["", "", third, fourth]


def next_step(steps: Steps) -> tuple[int, str]:
    """The step to take now and what to do there."""
    if not steps.locked:
        return 0, (f"Bước 1/4 — Chốt hồ sơ năm {steps.year}: khi mọi mục trong danh sách có dấu ✔, bấm "
                   "\"Chốt hồ sơ…\". Các bước ký, ghi và gửi mở sau khi chốt.")
    if steps.key_problem:
        return 1, f"Bước 2/4 — Chọn cách ký rồi bấm \"Lưu cài đặt ký số\". {steps.key_problem}"
    if not steps.has_package:
        return 2, ("Bước 3/4 — Chọn ổ USB hoặc thư mục, rồi bấm \"Lập, ký và ghi gói hồ sơ\". Mật khẩu hoặc mã "
                   "PIN chỉ được hỏi sau khi mọi điều kiện đã được kiểm tra.")
    return 3, (f"Bước 4/4 — Gói hồ sơ phiên bản {steps.package_version} đã ghi. Gửi qua thư điện tử ở bước 4, "
               "hoặc nộp ổ USB đã ghi.")


class StepPage(QWidget):
    """One step's tab: the step itself, greyed while closed, under a line saying why it is closed."""

    def __init__(self, step: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.step = step
        self.notice = note()
        self.notice.setObjectName("stepClosed")
        self.notice.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.notice)
        layout.addWidget(step, 1)

    def set_blocked(self, reason: str) -> None:
        self.notice.setText(f"Bước này chưa mở. {reason}")
        self.notice.setVisible(bool(reason))
        self.step.setEnabled(not reason)

    def blocked(self) -> bool:
        return not self.step.isEnabled()


class DossierPage(QWidget):
    """Hồ sơ as a guided sequence: 1. chốt, 2. ký số, 3. ghi gói, 4. gửi; each step opens when the one before it
    holds, and the line above the steps says what to do next (and why a later step is still closed)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.steps: Steps | None = None
        layout = QVBoxLayout(self)
        guide = QFrame()
        guide.setObjectName("card")
        guide_row = QHBoxLayout(guide)
        self.guide = note()
        self.guide.setObjectName("headline")
        self.guide_button = QPushButton()
        self.guide_button.setObjectName("primary")
        self.guide_button.clicked.connect(self._go_to_next_step)
        guide_row.addWidget(self.guide, 1)
        guide_row.addWidget(self.guide_button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(guide)
        self.tabs = QTabWidget()
        self.finalize_tab = FinalizeTab(ctx)
        self.signing_tab = SigningTab(ctx)
        self.export_tab = ExportTab(ctx, self.signing_tab)
        self.mail_tab = MailTab(ctx)
        self.verify_tab = VerifyTab(ctx)
        self.step_pages = [StepPage(step) for step in (self.finalize_tab, self.signing_tab, self.export_tab,
                                                       self.mail_tab)]
        for widget, title in zip((*self.step_pages, self.verify_tab), (*STEP_TITLES, VERIFY_TITLE), strict=True):
            self.tabs.addTab(widget, title)
        self.tabs.currentChanged.connect(lambda _index: self._show_guide())
        layout.addWidget(self.tabs)
        self.finalize_tab.finalized.connect(lambda: self._after_step(1))
        ctx.changes_applied.connect(self._on_changes)
        ctx.year_changed.connect(lambda _year: self.refresh())
        self.refresh()

    def _on_changes(self, changes: Changes) -> None:
        if self.ctx.year is None:
            return
        if changes.years or changes.checklist or changes.documents or changes.evidence or changes.profile:
            self.finalize_tab.refresh()
            self.export_tab.refresh()
            self.mail_tab.refresh()
            self.refresh_steps()
        elif changes.settings:
            self.signing_tab.refresh()
            self.mail_tab.refresh()
            self.refresh_steps()

    def refresh(self) -> None:
        if self.ctx.year is None or not self.ctx.ws.has_profile():
            return
        self.finalize_tab.refresh()
        self.signing_tab.refresh()
        self.export_tab.refresh()
        self.mail_tab.refresh()
        self.refresh_steps()

    def refresh_steps(self) -> None:
        ws, year = self.ctx.ws, self.ctx.year
        if year is None:
            return
        run_in_background(lambda _p: read_steps(ws, year)).success(self.show_steps) \
            .failure(lambda e: show_error(self, e)).run()

    def show_steps(self, steps: Steps) -> None:
        """Open the steps whose predecessor holds; a closed step's tab says why in its tooltip."""
        self.steps = steps
        for index, reason in enumerate(blocked_reasons(steps)):
            self.step_pages[index].set_blocked(reason)
            self.tabs.setTabToolTip(index, reason)
        self._show_guide()

    def _show_guide(self) -> None:
        if self.steps is None:
            return
        index, text = next_step(self.steps)
        self.guide.setText(text)
        self.guide_button.setText(f"Đến bước {index + 1} ›")
        self.guide_button.setVisible(self.tabs.currentIndex() != index)

    def _go_to_next_step(self) -> None:
        if self.steps is not None:
            self.tabs.setCurrentIndex(next_step(self.steps)[0])

    def _after_step(self, index: int) -> None:
        """After a step succeeds, show the next one (it opens when the new state has been read)."""
        self.tabs.setCurrentIndex(index)
