"""Cài đặt: commune profile, recipient authority, this year's deadline, user name, data folder."""

from __future__ import annotations

from collections.abc import Callable
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
from app.services.profile import update_profile
from app.services.settings import set_settings
from app.storage.workspace import Workspace
from app.text import format_date_short, parse_date
from ui.context import AppContext
from ui.dialogs import button_box
from ui.locations import choose_data_dir, data_dir_overridden
from ui.tasks import user_message
from ui.widgets.typing import SavedFields
from ui.widgets.verdict import wrapped
from ui.wizard import SIGNER_TITLES


def _form_tab() -> tuple[QWidget, QFormLayout]:
    tab = QWidget()
    form = QFormLayout(tab)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
    return tab, form


class SettingsDialog(QDialog):
    """Every field stores itself as it is typed (`ui.widgets.typing.SavedFields`), each check box when it is
    clicked; "Đóng" stores what is still being typed. What a name was normalised to shows under the fields."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Cài đặt")
        ws = ctx.ws
        profile = ws.profile()
        self.year = ctx.year
        self.notes = wrapped(object_name="muted")
        self.notes.hide()
        self.error = wrapped(object_name="error")
        self.error.hide()
        self.fields = SavedFields(ctx, self._change, self)
        self.fields.problem.connect(self._show_problem)
        self.fields.saved.connect(lambda _key: self._reload())
        self._notes: dict[str, tuple[str, ...]] = {}
        self.tabs = QTabWidget()

        tab, form = _form_tab()
        self.commune = self.fields.add_line("commune_name", QLineEdit(), "Tên xã")
        self.province = self.fields.add_line("province", QLineEdit(), "Tỉnh, thành phố")
        self.disadvantaged = QCheckBox("Xã thuộc vùng khó khăn (mặc định cho các năm đánh giá mới)")
        self.disadvantaged.setChecked(profile.disadvantaged_area)
        self.disadvantaged.toggled.connect(lambda on: self._submit(
            lambda ws: update_profile(ws, disadvantaged_area=on).changes))
        self.signer = self.fields.add_line("signer_name", QLineEdit(), "Người ký")
        self.signer_title = QComboBox()
        self.signer_title.setEditable(True)
        self.signer_title.addItems(SIGNER_TITLES)
        self.signer_title.setCurrentText(profile.signer_title)
        title_edit = self.signer_title.lineEdit()
        assert title_edit is not None  # an editable combo box always has its line edit
        self.fields.add_line("signer_title", title_edit, "Chức vụ người ký")
        self.signer_title.activated.connect(lambda _i: self.fields.edited("signer_title"))  # chosen from the list
        form.addRow("Tên xã:", self.commune)
        form.addRow("Tỉnh, thành phố:", self.province)
        form.addRow(self.disadvantaged)
        form.addRow("Người ký:", self.signer)
        form.addRow("Chức vụ người ký:", self.signer_title)
        self.tabs.addTab(tab, "Thông tin xã")

        tab, form = _form_tab()
        self.recipient = self.fields.add_line("recipient_authority", QLineEdit(), "Cơ quan nhận hồ sơ")
        form.addRow("Cơ quan nhận hồ sơ:", self.recipient)
        self.deadline = self.fields.add_line("deadline", QLineEdit(), "Hạn nộp hồ sơ", show=_date_text)
        self.year_disadvantaged = QCheckBox()
        year = self.year
        values = self._stored()
        if year is not None:
            configured = values["deadline"]
            default = ws.submission_deadline(year) if not configured else None
            self.deadline.setPlaceholderText(
                f"Mặc định: {format_date_short(default)}" if default else "ngày/tháng/năm")
            self.year_disadvantaged.setText(f"Năm {year}: xã thuộc vùng khó khăn")
            self.year_disadvantaged.setChecked(ws.year(year).disadvantaged_area)
            self.year_disadvantaged.setEnabled(not ws.year(year).locked)
            self.year_disadvantaged.toggled.connect(lambda on: self._submit(
                lambda ws: set_settings(ws, {f"disadvantaged.{year}": on})))
            form.addRow(f"Hạn nộp hồ sơ năm {year}:", self.deadline)
            form.addRow(self.year_disadvantaged)
            form.addRow(wrapped(f"Để trống hạn nộp để dùng hạn mặc định ({ws.catalogue(year).deadline_text} năm sau).",
                                object_name="muted"))
        self.tabs.addTab(tab, "Hồ sơ, hạn nộp")

        tab, form = _form_tab()
        self.user_name = self.fields.add_line("user_name", QLineEdit(), "Tên người sử dụng")
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
        self.folder_note = wrapped(note, object_name="muted")
        form.addRow(self.folder_note)
        self.tabs.addTab(tab, "Thư mục dữ liệu")
        self.fields.load(values, subject=year)

        saved_note = wrapped("Mỗi thay đổi được lưu ngay khi gõ.", object_name="muted")
        buttons = button_box(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.notes)
        layout.addWidget(self.error)
        layout.addWidget(saved_note)
        layout.addWidget(buttons)
        self.setMinimumWidth(560)

    # ------------------------------------------------------------------ storing

    def _stored(self) -> dict[str, str]:
        ws, profile = self.ctx.ws, self.ctx.ws.profile()
        return {"commune_name": profile.commune_name, "province": profile.province,
                "signer_name": profile.signer_name, "signer_title": profile.signer_title,
                "recipient_authority": profile.recipient_authority,
                "user_name": ws.get_setting("user_name") or ws.user,
                "deadline": (ws.get_setting(f"deadline.{self.year}") or "") if self.year is not None else ""}

    def _reload(self) -> None:
        """Show what was stored (a name without its leading "Xã"), and what it was normalised to."""
        self.fields.load(self._stored(), subject=self.year)
        self._show_notes()

    def _change(self, key: str, text: str, _continuing: bool) -> Callable[[Workspace], Changes]:
        year = self.year

        def profile_field(ws: Workspace) -> Changes:
            saved = update_profile(ws, **{key: text})
            self._notes[key] = saved.notes
            return saved.changes

        def setting(ws: Workspace) -> Changes:
            return set_settings(ws, {f"deadline.{year}" if key == "deadline" else key: text})

        return setting if key in ("deadline", "user_name") else profile_field

    def _submit(self, change: Callable[[Workspace], Changes]) -> None:
        self.ctx.submit(change, self, on_failure=lambda error: self._show_problem(f"Chưa lưu: {user_message(error)}"))

    def _show_problem(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def _show_notes(self) -> None:
        """What the commune's and the province's names were stored as, when that differs from what was typed."""
        notes = [note for key in ("commune_name", "province") for note in self._notes.get(key, ())]
        self.notes.setText("\n".join(notes))
        self.notes.setVisible(bool(notes))

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Chọn thư mục dữ liệu", self.folder.text())
        if not folder or Path(folder) == self.ctx.ws.data_dir:
            return
        choose_data_dir(Path(folder))
        self.folder.setText(folder)
        self.folder_note.setText(f"Từ lần mở sau, ứng dụng dùng thư mục: {folder}")

    def done(self, result: int) -> None:
        """Closing stores what is still being typed."""
        self.fields.flush()
        super().done(result)


def _date_text(value: object) -> str:
    """A stored ISO date as typed dates are shown (05/02/2026)."""
    try:
        return format_date_short(parse_date(str(value))) if value else ""
    except ValueError:
        return str(value)
