"""Cài đặt: commune profile, recipient authority, this year's deadline, user name, data folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.changes import Changes
from app.errors import CdhtError
from app.services.settings import save_settings
from app.text import format_date_short, parse_date
from ui.context import AppContext
from ui.dialogs import button_box, message_box
from ui.locations import choose_data_dir, data_dir_overridden
from ui.widgets.verdict import wrapped
from ui.wizard import SIGNER_TITLES


def _form_tab() -> tuple[QWidget, QFormLayout]:
    tab = QWidget()
    form = QFormLayout(tab)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
    return tab, form


class SettingsDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Cài đặt")
        ws = ctx.ws
        profile = ws.profile()
        self.tabs = QTabWidget()

        tab, form = _form_tab()
        self.commune = QLineEdit(profile.commune_name)
        self.province = QLineEdit(profile.province)
        self.disadvantaged = QCheckBox("Xã thuộc vùng khó khăn (mặc định cho các năm đánh giá mới)")
        self.disadvantaged.setChecked(profile.disadvantaged_area)
        self.signer = QLineEdit(profile.signer_name)
        self.signer_title = QComboBox()
        self.signer_title.setEditable(True)
        self.signer_title.addItems(SIGNER_TITLES)
        self.signer_title.setCurrentText(profile.signer_title)
        form.addRow("Tên xã:", self.commune)
        form.addRow("Tỉnh, thành phố:", self.province)
        form.addRow(self.disadvantaged)
        form.addRow("Người ký:", self.signer)
        form.addRow("Chức vụ người ký:", self.signer_title)
        self.tabs.addTab(tab, "Thông tin xã")

        tab, form = _form_tab()
        self.recipient = QLineEdit(profile.recipient_authority)
        form.addRow("Cơ quan nhận hồ sơ:", self.recipient)
        self.deadline = QLineEdit()
        self.year_disadvantaged = QCheckBox()
        year = ctx.year
        if year is not None:
            configured = ws.get_setting(f"deadline.{year}")
            self.deadline.setText(format_date_short(parse_date(configured)) if configured else "")
            default = ws.submission_deadline(year) if not configured else None
            self.deadline.setPlaceholderText(
                f"Mặc định: {format_date_short(default)}" if default else "ngày/tháng/năm")
            self.year_disadvantaged.setText(f"Năm {year}: xã thuộc vùng khó khăn")
            self.year_disadvantaged.setChecked(ws.year(year).disadvantaged_area)
            form.addRow(f"Hạn nộp hồ sơ năm {year}:", self.deadline)
            form.addRow(self.year_disadvantaged)
            form.addRow(wrapped("Để trống hạn nộp để dùng hạn mặc định (28/02 năm sau).", object_name="muted"))
        self.tabs.addTab(tab, "Hồ sơ, hạn nộp")

        tab, form = _form_tab()
        self.user_name = QLineEdit(ws.get_setting("user_name") or ws.user)
        form.addRow("Tên người sử dụng:", self.user_name)
        form.addRow(wrapped("Tên này được ghi vào nhật ký thay đổi cạnh mỗi lần sửa số liệu.", object_name="muted"))
        self.tabs.addTab(tab, "Người dùng")

        tab, form = _form_tab()
        self.folder = QLineEdit(str(ws.data_dir.parent if ctx.demo else ws.data_dir))
        self.folder.setReadOnly(True)
        choose = QPushButton("Chọn thư mục khác…")
        choose.clicked.connect(self._choose_folder)
        choose.setEnabled(not data_dir_overridden() and not ctx.demo)
        open_button = QPushButton("Mở thư mục")
        open_button.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(ws.data_dir))))
        row = QHBoxLayout()
        row.addWidget(choose)
        row.addWidget(open_button)
        row.addStretch(1)
        form.addRow("Thư mục dữ liệu:", self.folder)
        form.addRow(row)
        note = ("Thư mục đang được chỉ định bởi biến môi trường CDHT_DATA_DIR." if data_dir_overridden() else
                "Thư mục mới được dùng từ lần mở ứng dụng sau. Dữ liệu hiện có không tự chuyển sang: "
                "hãy sao lưu rồi khôi phục vào thư mục mới.")
        form.addRow(wrapped(note, object_name="muted"))
        self.tabs.addTab(tab, "Thư mục dữ liệu")

        self.error = wrapped(object_name="error")
        self.error.hide()
        buttons = button_box(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(560)

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Chọn thư mục dữ liệu", self.folder.text())
        if folder:
            self.folder.setText(folder)

    def _save(self) -> None:
        ws, year = self.ctx.ws, self.ctx.year
        profile = {"commune_name": self.commune.text(), "province": self.province.text(),
                   "recipient_authority": self.recipient.text(), "disadvantaged_area": self.disadvantaged.isChecked(),
                   "signer_name": self.signer.text(), "signer_title": self.signer_title.currentText()}
        settings: dict[str, object] = {}
        if self.user_name.text().strip():
            settings["user_name"] = self.user_name.text()
        if year is not None:
            settings[f"deadline.{year}"] = self.deadline.text()
            if not ws.year(year).locked:
                settings[f"disadvantaged.{year}"] = self.year_disadvantaged.isChecked()
        try:
            saved = save_settings(ws, profile, settings)
        except CdhtError as error:
            self.error.setText(error.message)
            self.error.show()
            return
        changes = saved.changes
        folder = Path(self.folder.text())
        if not self.ctx.demo and not data_dir_overridden() and folder != ws.data_dir:
            choose_data_dir(folder)
            message_box(self, "Thư mục dữ liệu", f"Từ lần mở sau, ứng dụng dùng thư mục:\n{folder}")
        self.ctx.apply(changes | Changes(settings=True))
        if saved.notes:  # what the names were normalised to (a leading "Xã", extra spaces…)
            message_box(self, "Thông tin xã", "\n".join(saved.notes))
        self.accept()

