"""First start (wizard, demo commune), the window's pages, dashboard figures and layout memory."""

from __future__ import annotations

import datetime as dt

import pytest

from app.demo import create_demo_workspace
from app.services.indicators import set_values
from app.services.recognitions import add_recognition
from app.storage.workspace import Workspace
from tests.ui.conftest import YEAR, type_text
from ui.context import AppContext
from ui.locations import demo_database, real_database
from ui.main import Launcher
from ui.main_window import PAGE_ASSIGNMENTS, MainWindow
from ui.models.audit import AuditTableModel
from ui.pages.dashboard import DashboardPage
from ui.wizard import SetupWizard, create_commune_workspace, default_assessment_year


def test_wizard_collects_the_profile_and_creates_the_commune(qtbot, data_dir) -> None:
    wizard = SetupWizard()
    qtbot.addWidget(wizard)
    wizard.show()
    page = wizard.commune_page
    assert not page.isComplete()
    type_text(page.commune, "Kiến Hưng")
    type_text(page.province, "Hà Nội")
    page.disadvantaged.setChecked(True)
    assert page.isComplete()
    wizard.next()
    second = wizard.dossier_page
    assert second.recipient.text() == "Sở Giáo dục và Đào tạo"
    type_text(second.signer, "Trịnh Thị Thu Huyền")
    second.signer_title.setCurrentText("Phó Chủ tịch")
    second.year.setValue(2026)
    type_text(second.user_name, "Nguyễn Văn Bình")
    data = wizard.data()
    ws = create_commune_workspace(real_database(data_dir), data)
    try:
        profile = ws.profile()
        assert (profile.commune_name, profile.province, profile.disadvantaged_area) == ("Kiến Hưng", "Hà Nội", True)
        assert (profile.signer_name, profile.signer_title) == ("Trịnh Thị Thu Huyền", "Phó Chủ tịch")
        assert [info.year for info in ws.years()] == [2026]
        assert ws.get_setting("user_name") == "Nguyễn Văn Bình"
        assert ws.audit_entries(entity="profile")[0].user == "Nguyễn Văn Bình"
    finally:
        ws.close()


def test_default_year_follows_the_february_deadline() -> None:
    assert default_assessment_year(dt.date(2027, 2, 10)) == 2026
    assert default_assessment_year(dt.date(2026, 11, 22)) == 2026


def test_demo_commune_lives_apart_and_opens_in_the_window(qtbot, data_dir) -> None:
    launcher = Launcher(data_dir)
    assert launcher.open("demo")
    window = launcher.window
    qtbot.addWidget(window)
    assert demo_database(data_dir).exists() and not real_database(data_dir).exists()
    assert "xã mẫu" in window.windowTitle()
    assert launcher.ctx.year == 2026
    window.close()
    launcher.ctx.ws.close()


def test_demo_data_meets_level_one_but_not_two(tmp_path) -> None:
    today = dt.date(2026, 11, 22)
    ws = create_demo_workspace(tmp_path / "demo" / "cdht.sqlite3", today=today)
    try:
        checklist = ws.checklist(2025)
        assert checklist.level == 1
        assert "còn thiếu 3 chỉ tiêu cho mức độ 2" in checklist.headline()
        assert [a.indicator_id for a in ws.assignments(2026) if a.overdue(today)] == ["2.1"]
        assert ws.year(2026).copied_from == 2025
        assert ws.recognitions()[0].level == 1
        assert ws.values(2025)["5.1"]["data_source"].startswith("Tổng số công dân từ 15 tuổi")
    finally:
        ws.close()


def test_window_pages_and_remembered_layout(qtbot, ctx, ws) -> None:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert titles[:6] == ["Tổng quan", "Chỉ tiêu & số liệu", "Phân công", "Minh chứng", "Văn bản", "Hồ sơ"]
    window.show_page(PAGE_ASSIGNMENTS)
    window.dock.hide()
    window.close()
    again = MainWindow(AppContext(Workspace.open(ws.path), YEAR))
    qtbot.addWidget(again)
    again.show()
    assert again.nav.currentRow() == PAGE_ASSIGNMENTS
    assert not again.dock.isVisible()
    again.close()
    again.ctx.ws.close()


def test_a_page_that_fails_to_build_is_reported_as_an_error_not_shown_as_unfinished(qtbot, ctx) -> None:
    from ui.pages.external import LazyPage

    def broken(_ctx):
        raise RuntimeError("hỏng khi dựng trang")

    holder = LazyPage(ctx, "Hồ sơ", broken)
    qtbot.addWidget(holder)
    with pytest.raises(RuntimeError, match="hỏng khi dựng trang"):
        holder.page()
    assert not holder.is_built()


def test_every_page_of_the_window_is_real(qtbot, ctx) -> None:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    names = [type(holder.page()).__name__ for holder in window.external_pages]
    assert names == ["EvidencePage", "DocumentsPage", "DossierPage"]
    window.close()


def test_dashboard_shows_days_to_the_configured_deadline_and_recognition(qtbot, ctx, ws) -> None:
    ws.write_setting(f"deadline.{YEAR}", "2026-02-20")
    add_recognition(ws, 1, "245/QĐ-UBND", dt.date(2024, 3, 18), "UBND huyện", 2023)
    page = DashboardPage(ctx, today=dt.date(2026, 2, 10))
    qtbot.addWidget(page)
    assert page.deadline_card.value.text() == "20/02/2026"
    assert page.deadline_card.detail.text() == "Còn 10 ngày."
    assert "hiệu lực đến 18/03/2027" in page.recognition_status.text()
    assert "Đã đủ thời gian để đề nghị công nhận mức độ 2" in page.recognition_status.text()
    assert page.chart.rows[-1].met == {1: 0, 2: 0} and page.chart.rows[-1].total == 15


def test_audit_model_passes_the_model_tester(qtmodeltester, ws) -> None:
    set_values(ws, YEAR, "5.1", {"achieved": 1, "total": 2})
    model = AuditTableModel()
    model.set_entries(ws.audit_entries(entity="indicator_value", key_prefix="5.1/", year=YEAR))
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 2
