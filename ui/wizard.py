"""First start: choose between setting up our commune (a two-step wizard) and opening the demo commune."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCommandLinkButton,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.domain.catalogue import catalogue_in_force, legal_deadline, open_assessment_year
from app.domain.records import DEFAULT_RECIPIENT, Profile
from app.services.profile import save_profile
from app.services.years import add_year
from app.storage.workspace import Workspace
from app.text import format_date_short
from ui.widgets.verdict import wrapped

SIGNER_TITLES = ("Chủ tịch", "Phó Chủ tịch")


def default_assessment_year(today: dt.date | None = None) -> int:
    """The year whose dossier is due next: last year's until its legal deadline (28/02) has passed."""
    return open_assessment_year(today or dt.date.today())


def deadline_note(year: int, today: dt.date | None = None) -> tuple[str, bool]:
    """What the wizard says under the year: its deadline, and whether that deadline has already passed."""
    today = today or dt.date.today()
    deadline = legal_deadline(year)
    days = (deadline - today).days
    if days >= 0:
        return f"Hạn nộp hồ sơ năm {year}: {format_date_short(deadline)} (còn {days} ngày).", False
    return (f"Hạn nộp hồ sơ năm {year} ({format_date_short(deadline)}) đã qua {-days} ngày. Chỉ chọn năm này khi "
            f"cần lập lại hồ sơ đã nộp; hồ sơ cần chuẩn bị bây giờ là của năm {default_assessment_year(today)}.",
            True)


@dataclass(frozen=True)
class SetupData:
    profile: Profile
    year: int
    user_name: str


def create_commune_workspace(path: Path, data: SetupData) -> Workspace:
    """Create (or complete) the commune's database from the wizard's answers."""
    ws = Workspace.open(path, user=data.user_name or None)
    if data.user_name:
        ws.write_setting("user_name", data.user_name)
    save_profile(ws, data.profile)
    if all(info.year != data.year for info in ws.years()):
        add_year(ws, data.year)
    return ws


class StartDialog(QDialog):
    """Big choices; `choice` is 'setup', 'demo' or 'recipient' after acceptance."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("CĐHT xã — Bắt đầu")
        self.choice = ""
        title = QLabel("Chào mừng đến với CĐHT xã")
        title.setObjectName("pageTitle")
        intro = wrapped("Phần mềm giúp xã tự đánh giá, chuẩn bị hồ sơ đề nghị công nhận \"Cộng đồng học tập\" "
                        f"theo {catalogue_in_force(dt.date.today()).short_title}. Dữ liệu được lưu trên máy này, "
                        "không cần Internet.")
        self.setup_button = QCommandLinkButton("Thiết lập xã của chúng tôi",
                                               "Nhập tên xã, tỉnh, người ký và năm đánh giá (khoảng 1 phút).")
        self.demo_button = QCommandLinkButton("Mở xã mẫu để dùng thử",
                                              "Dữ liệu minh họa của một xã, lưu riêng, không lẫn với dữ liệu thật.")
        self.recipient_button = QCommandLinkButton("Cơ quan tiếp nhận hồ sơ",
                                                   "Sở, Phòng Giáo dục và Đào tạo: nhận, kiểm tra, thẩm định hồ sơ các xã.")
        self.setup_button.clicked.connect(lambda: self._choose("setup"))
        self.demo_button.clicked.connect(lambda: self._choose("demo"))
        self.recipient_button.clicked.connect(lambda: self._choose("recipient"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(12)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(self.setup_button)
        layout.addWidget(self.demo_button)
        layout.addWidget(self.recipient_button)
        self.setMinimumWidth(520)
        self.setup_button.setFocus()

    def _choose(self, choice: str) -> None:
        self.choice = choice
        self.accept()


class _RequiredField(QWidget):
    """A text field the page cannot finish without; while it is empty, the line under it names what is missing.

    Pages check these themselves (`isComplete`) instead of registering "field*": Qt counts a registered
    field as filled only once it differs from its starting value, so a pre-filled answer would block the page.
    """

    def __init__(self, edit: QLineEdit, missing: str, page: QWizardPage) -> None:
        super().__init__()
        self.edit = edit
        self.hint = QLabel(missing)
        self.hint.setObjectName("fieldHint")
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(edit)
        column.addWidget(self.hint)
        edit.textChanged.connect(self._update)
        edit.textChanged.connect(page.completeChanged)
        self._update()

    def filled(self) -> bool:
        return bool(self.edit.text().strip())

    def _update(self) -> None:
        self.hint.setVisible(not self.filled())


class _CommunePage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Thông tin xã")
        self.setSubTitle("Tên xã và tỉnh được in trên mọi văn bản; có thể sửa sau trong Cài đặt.")
        self.commune = QLineEdit()
        self.commune.setPlaceholderText("Ví dụ: Đồng Tiến (không cần gõ chữ \"xã\")")
        self.province = QLineEdit()
        self.province.setPlaceholderText("Ví dụ: Hưng Yên")
        self.disadvantaged = QCheckBox("Xã thuộc vùng khó khăn (áp dụng ngưỡng riêng của chỉ tiêu 5.2)")
        self.required = [_RequiredField(self.commune, "Cần nhập tên xã.", self),
                         _RequiredField(self.province, "Cần nhập tỉnh, thành phố.", self)]
        form = QFormLayout(self)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow("Tên xã:", self.required[0])
        form.addRow("Tỉnh, thành phố:", self.required[1])
        form.addRow(self.disadvantaged)

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return all(field.filled() for field in self.required)


class _DossierPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Hồ sơ đề nghị công nhận")
        self.setSubTitle("Người ký văn bản, cơ quan nhận hồ sơ và năm đánh giá đầu tiên.")
        self.recipient = QLineEdit(DEFAULT_RECIPIENT)
        self.signer = QLineEdit()
        self.signer.setPlaceholderText("Họ và tên người ký (có thể bổ sung sau trong Cài đặt)")
        self.signer_title = QComboBox()
        self.signer_title.setEditable(True)
        self.signer_title.addItems(SIGNER_TITLES)
        self.year = QSpinBox()
        self.year.setRange(2024, 2100)
        self.year.setValue(default_assessment_year())
        self.year_note = wrapped(object_name="fieldNote")
        self.year.valueChanged.connect(self._show_deadline)
        self.user_name = QLineEdit()
        self.user_name.setPlaceholderText("Tên của bạn, ghi vào nhật ký thay đổi")
        self.required = [_RequiredField(self.recipient, "Cần nhập cơ quan nhận hồ sơ.", self)]
        year_box = QWidget()
        year_column = QVBoxLayout(year_box)
        year_column.setContentsMargins(0, 0, 0, 0)
        year_column.setSpacing(2)
        year_column.addWidget(self.year, 0, Qt.AlignmentFlag.AlignLeft)
        year_column.addWidget(self.year_note)
        form = QFormLayout(self)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow("Cơ quan nhận hồ sơ:", self.required[0])
        form.addRow("Người ký:", self.signer)
        form.addRow("Chức vụ người ký:", self.signer_title)
        form.addRow("Năm đánh giá:", year_box)
        form.addRow("Người sử dụng:", self.user_name)
        self._show_deadline()

    def _show_deadline(self) -> None:
        text, passed = deadline_note(self.year.value())
        self.year_note.setText(text)
        self.year_note.setProperty("warning", passed)
        self.year_note.style().unpolish(self.year_note)
        self.year_note.style().polish(self.year_note)

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return all(field.filled() for field in self.required)


class SetupWizard(QWizard):
    """Collects the commune profile; `data()` gives the answers after acceptance."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Thiết lập xã")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage)
        for button, text in ((QWizard.WizardButton.BackButton, "< Quay lại"),
                             (QWizard.WizardButton.NextButton, "Tiếp theo >"),
                             (QWizard.WizardButton.FinishButton, "Hoàn tất"),
                             (QWizard.WizardButton.CancelButton, "Hủy"),
                             (QWizard.WizardButton.HelpButton, "Trợ giúp")):
            self.setButtonText(button, text)
        self.commune_page = _CommunePage()
        self.dossier_page = _DossierPage()
        self.addPage(self.commune_page)
        self.addPage(self.dossier_page)
        self.setMinimumSize(600, 420)

    def data(self) -> SetupData:
        page1, page2 = self.commune_page, self.dossier_page
        profile = Profile(
            commune_name=page1.commune.text().strip(),
            province=page1.province.text().strip(),
            recipient_authority=page2.recipient.text().strip() or DEFAULT_RECIPIENT,
            disadvantaged_area=page1.disadvantaged.isChecked(),
            signer_name=page2.signer.text().strip(),
            signer_title=page2.signer_title.currentText().strip(),
        )
        return SetupData(profile, page2.year.value(), page2.user_name.text().strip())
