"""First start driven as a new user drives it: click "Thiết lập xã", type the answers, click "Hoàn tất"."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from tests.ui.conftest import type_text, when_modal
from ui.main import Launcher
from ui.wizard import SetupWizard, StartDialog, deadline_note, default_assessment_year

LEFT = Qt.MouseButton.LeftButton


def finish_button(wizard: QWizard):
    return wizard.button(QWizard.WizardButton.FinishButton)


def test_first_start_goes_from_the_wizard_to_the_window_by_typing_and_clicking(qtbot, data_dir) -> None:
    seen: dict[str, object] = {}

    def fill_wizard(wizard: SetupWizard) -> None:
        first = wizard.commune_page
        next_button = wizard.button(QWizard.WizardButton.NextButton)
        seen["next_enabled_empty"] = next_button.isEnabled()
        seen["hints_empty"] = [field.hint.text() for field in first.required if field.hint.isVisibleTo(first)]
        type_text(first.commune, "Kiến Hưng")
        type_text(first.province, "Hà Nội")
        qtbot.mouseClick(first.disadvantaged, LEFT)
        seen["hints_filled"] = [field.hint.isVisibleTo(first) for field in first.required]
        qtbot.mouseClick(next_button, LEFT)
        second = wizard.dossier_page
        seen["recipient"] = second.recipient.text()
        seen["finish_prefilled"] = finish_button(wizard).isEnabled()  # the pre-filled recipient counts
        second.recipient.selectAll()
        qtbot.keyClick(second.recipient, Qt.Key.Key_Delete)
        seen["finish_without_recipient"] = finish_button(wizard).isEnabled()
        hint = second.required[0].hint
        seen["recipient_hint"] = hint.text() if hint.isVisibleTo(second) else ""
        type_text(second.recipient, "Phòng Giáo dục và Đào tạo")
        type_text(second.signer, "Trịnh Thị Thu Huyền")
        type_text(second.user_name, "Nguyễn Văn Bình")
        seen["year_note"] = second.year_note.text()
        qtbot.mouseClick(finish_button(wizard), LEFT)

    def choose_setup(dialog: StartDialog) -> None:
        when_modal(SetupWizard, fill_wizard)
        qtbot.mouseClick(dialog.setup_button, LEFT)

    launcher = Launcher(data_dir)
    when_modal(StartDialog, choose_setup)
    assert launcher.start()
    qtbot.addWidget(launcher.window)

    assert seen["next_enabled_empty"] is False
    assert seen["hints_empty"] == ["Cần nhập tên xã.", "Cần nhập tỉnh, thành phố."]
    assert seen["hints_filled"] == [False, False]
    assert seen["recipient"] == "Sở Giáo dục và Đào tạo" and seen["finish_prefilled"] is True
    assert seen["finish_without_recipient"] is False and seen["recipient_hint"] == "Cần nhập cơ quan nhận hồ sơ."
    year = default_assessment_year()
    assert str(seen["year_note"]).startswith(f"Hạn nộp hồ sơ năm {year}:")
    ws = launcher.ctx.ws
    profile = ws.profile()
    assert (profile.commune_name, profile.province, profile.disadvantaged_area) == ("Kiến Hưng", "Hà Nội", True)
    assert (profile.recipient_authority, profile.signer_name) == ("Phòng Giáo dục và Đào tạo", "Trịnh Thị Thu Huyền")
    assert [info.year for info in ws.years()] == [year]
    assert ws.get_setting("user_name") == "Nguyễn Văn Bình"
    assert "Kiến Hưng" in launcher.window.windowTitle()
    launcher.window.close()
    ws.close()
    launcher.lock.release()


def test_the_proposed_year_is_the_one_whose_deadline_is_still_ahead() -> None:
    assert default_assessment_year(dt.date(2027, 2, 28)) == 2026  # the deadline day itself still counts
    assert default_assessment_year(dt.date(2027, 3, 1)) == 2027
    assert default_assessment_year(dt.date(2026, 11, 27)) == 2026
    text, passed = deadline_note(2025, dt.date(2026, 11, 27))
    assert passed and text.startswith("Hạn nộp hồ sơ năm 2025 (28/02/2026) đã qua 272 ngày.")
    assert "năm 2026" in text
    assert deadline_note(2026, dt.date(2026, 11, 27)) == ("Hạn nộp hồ sơ năm 2026: 28/02/2027 (còn 93 ngày).", False)


def test_choosing_a_past_year_explains_its_passed_deadline(qtbot) -> None:
    wizard = SetupWizard()
    qtbot.addWidget(wizard)
    wizard.show()
    page = wizard.dossier_page
    page.year.setFocus()
    page.year.selectAll()
    year = default_assessment_year() - 1
    type_text(page.year, str(year))
    assert page.year.value() == year
    assert "đã qua" in page.year_note.text() and page.year_note.property("warning") is True
