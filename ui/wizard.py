"""First start: choose between setting up our commune (a two-step wizard) and opening the demo commune."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

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

from app.services.workspace import DEFAULT_RECIPIENT, Profile, Workspace
from ui.widgets.verdict import wrapped

SIGNER_TITLES = ("Chủ tịch", "Phó Chủ tịch")


def default_assessment_year(today: dt.date | None = None) -> int:
    """Until the February deadline the dossier being prepared is last year's; after it, this year's."""
    today = today or dt.date.today()
    return today.year if today.month >= 3 else today.year - 1


@dataclass(frozen=True)
class SetupData:
    profile: Profile
    year: int
    user_name: str


def create_commune_workspace(path: Path, data: SetupData) -> Workspace:
    """Create (or complete) the commune's database from the wizard's answers."""
    ws = Workspace.open(path, user=data.user_name or None)
    if data.user_name:
        ws.set_setting("user_name", data.user_name)
    ws.save_profile(data.profile)
    if all(info.year != data.year for info in ws.years()):
        ws.add_year(data.year)
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
                        "theo Thông tư số 25/2023/TT-BGDĐT. Dữ liệu được lưu trên máy này, không cần Internet.")
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
        form = QFormLayout(self)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow("Tên xã:", self.commune)
        form.addRow("Tỉnh, thành phố:", self.province)
        form.addRow(self.disadvantaged)
        self.registerField("commune*", self.commune)
        self.registerField("province*", self.province)
        self.registerField("disadvantaged", self.disadvantaged)


class _DossierPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Hồ sơ đề nghị công nhận")
        self.setSubTitle("Người ký văn bản, cơ quan nhận hồ sơ và năm đánh giá đầu tiên.")
        self.recipient = QLineEdit(DEFAULT_RECIPIENT)
        self.signer = QLineEdit()
        self.signer.setPlaceholderText("Họ và tên người ký")
        self.signer_title = QComboBox()
        self.signer_title.setEditable(True)
        self.signer_title.addItems(SIGNER_TITLES)
        self.year = QSpinBox()
        self.year.setRange(2024, 2100)
        self.year.setValue(default_assessment_year())
        self.user_name = QLineEdit()
        self.user_name.setPlaceholderText("Tên của bạn, ghi vào nhật ký thay đổi")
        form = QFormLayout(self)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow("Cơ quan nhận hồ sơ:", self.recipient)
        form.addRow("Người ký:", self.signer)
        form.addRow("Chức vụ người ký:", self.signer_title)
        form.addRow("Năm đánh giá:", self.year)
        form.addRow("Người sử dụng:", self.user_name)
        self.registerField("recipient*", self.recipient)


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
