"""The assignment table: overdue highlighting, the unit filter, editing through the model."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from app.services.assignments import set_assignment
from tests.ui.conftest import YEAR
from ui.models.assignments import COL_LEAD, COL_STATUS, ROW_ROLE, AssignmentsTableModel
from ui.pages.assignments import AssignmentsPage
from ui.theme import status_background

TODAY = dt.date(2025, 10, 15)


def make_page(qtbot, ctx, ws) -> AssignmentsPage:
    set_assignment(ws, YEAR, "2.1", "Phòng Kinh tế", ["Phòng Văn hóa – Xã hội"], dt.date(2025, 10, 1), "in_progress")
    set_assignment(ws, YEAR, "2.2", "Hội Khuyến học", ["Các thôn", "Các đoàn thể"], dt.date(2025, 12, 1), "todo")
    set_assignment(ws, YEAR, "1.1", "Trung tâm Dịch vụ sự nghiệp công", ["Hội Khuyến học"], dt.date(2025, 9, 1), "done")
    page = AssignmentsPage(ctx, today=TODAY)
    qtbot.addWidget(page)
    page.show()
    return page


def visible_ids(page: AssignmentsPage) -> list[str]:
    proxy = page.proxy
    return [proxy.index(r, 0).data(ROW_ROLE).indicator_id for r in range(proxy.rowCount())]


def test_models_pass_the_qt_model_tester(qtbot, qtmodeltester, ctx, ws) -> None:
    page = make_page(qtbot, ctx, ws)
    qtmodeltester.check(page.model, force_py=True)
    page.proxy.set_unit("Hội Khuyến học")
    qtmodeltester.check(page.proxy, force_py=True)


def test_every_indicator_has_a_row_and_overdue_work_is_marked(qtbot, ctx, ws) -> None:
    page = make_page(qtbot, ctx, ws)
    model = page.model
    assert model.rowCount() == 15
    row = next(r for r in range(15) if model.row_at(r).indicator_id == "2.1")
    status = model.index(row, COL_STATUS)
    assert status.data().startswith("Quá hạn")
    assert status.data(Qt.ItemDataRole.BackgroundRole).color() == status_background("overdue")
    done_row = next(r for r in range(15) if model.row_at(r).indicator_id == "1.1")
    assert model.index(done_row, COL_STATUS).data() == "Đã hoàn thành"  # past due but done: not overdue
    assert model.overdue_count() == 1
    assert "1 việc quá hạn" in page.summary.text()


def test_filter_shows_the_work_of_one_unit_as_lead_or_partner(qtbot, ctx, ws) -> None:
    page = make_page(qtbot, ctx, ws)
    page.set_unit_filter("Hội Khuyến học")
    assert visible_ids(page) == ["1.1", "2.2"]
    page.set_unit_filter("Phòng Kinh tế")
    assert visible_ids(page) == ["2.1"]
    page.set_unit_filter(None)
    page.overdue_only.setChecked(True)
    assert visible_ids(page) == ["2.1"]


def test_editing_a_cell_stores_the_assignment(qtbot, ctx, ws) -> None:
    page = make_page(qtbot, ctx, ws)
    model: AssignmentsTableModel = page.model
    row = next(r for r in range(15) if model.row_at(r).indicator_id == "2.1")
    assert model.setData(model.index(row, COL_STATUS), "done", Qt.ItemDataRole.EditRole)
    qtbot.waitUntil(lambda: ws.assignments(YEAR)[1].status == "done", timeout=3000)
    qtbot.waitUntil(lambda: page.model.overdue_count() == 0, timeout=3000)
    row = next(r for r in range(15) if model.row_at(r).indicator_id == "3.2")
    assert model.setData(model.index(row, COL_LEAD), "Phòng Văn hóa – Xã hội", Qt.ItemDataRole.EditRole)
    qtbot.waitUntil(lambda: any(a.indicator_id == "3.2" for a in ws.assignments(YEAR)), timeout=3000)
    stored = next(a for a in ws.assignments(YEAR) if a.indicator_id == "3.2")
    assert stored.lead_unit == "Phòng Văn hóa – Xã hội"
    assert not model.setData(model.index(row, 3), "31/02/2025", Qt.ItemDataRole.EditRole)
