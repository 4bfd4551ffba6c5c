"""The next step of a year's dossier: the service's order of the work, its line in `cdht status`, and the overview's
"Bước tiếp theo" button, which opens the place where the step is done. "0/15 phân công" is no success."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.changes import Changes
from app.cli import main
from app.services import documents as docs
from app.services import evidence as ev
from app.services.assignments import set_assignment
from app.services.indicators import set_values
from app.services.next_step import next_step
from tests.dossier.conftest import YEAR, make_ready_workspace
from tests.ui.conftest import open_main_window
from tests.ui.journey import settle
from ui.context import AppContext
from ui.main_window import PAGE_INDICATORS, MainWindow


@pytest.fixture
def ready(tmp_path):
    ws = make_ready_workspace(tmp_path / "xa")
    yield ws
    ws.close()


def test_the_steps_follow_the_order_of_the_work(ready) -> None:
    ws = ready
    assert next_step(ws, YEAR).action == "finalize" and "Mọi mục đã đủ" in next_step(ws, YEAR).reason
    docs.set_document_texts(ws, YEAR, {"number.bien_ban": ""})
    step = next_step(ws, YEAR)
    assert (step.action, step.reason) == ("numbers", "Biên bản: chưa có số (…/BB-UBND).")
    docs.set_document_texts(ws, YEAR, {"strengths": ""})
    assert next_step(ws, YEAR).action == "narrative" and "ưu điểm" in next_step(ws, YEAR).reason
    item = ev.list_evidence(ws, YEAR)[0]
    ev.update_evidence(ws, item.id, summary="")
    step = next_step(ws, YEAR)
    assert step.action == "register" and item.code in step.reason
    set_values(ws, YEAR, "3.3", {"no_evidence_explanation": None})
    step = next_step(ws, YEAR)
    assert (step.action, step.indicator_id, step.title) == ("evidence", "3.3", "Thêm minh chứng cho chỉ tiêu 3.3")
    set_values(ws, YEAR, "5.2", {"trained": None})
    step = next_step(ws, YEAR)
    assert (step.action, step.indicator_id) == ("indicator", "5.2")
    assert step.reason == "Còn 1 chỉ tiêu chưa có số liệu: 5.2."


def test_after_finalizing_the_step_is_signing(ready) -> None:
    from app.dossier.finalize import finalize

    finalize(ready, YEAR)
    step = next_step(ready, YEAR)
    assert step.action == "sign" and "đã chốt" in step.reason


def test_cdht_status_ends_with_the_next_step(ready, capsys) -> None:
    docs.set_document_texts(ready, YEAR, {"number.to_trinh": ""})
    path = str(ready.path)
    ready.close()
    assert main(["--db", path, "status", "--year", str(YEAR)]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == (
        "Bước tiếp theo: Nhập số, ngày văn bản. Tờ trình: chưa có số (…/TTr-UBND).")


def open_window(qtbot, ws) -> MainWindow:
    return open_main_window(qtbot, AppContext(ws, YEAR), 0)


@pytest.mark.parametrize(("change", "button", "lands"), [
    ({"indicator": ("5.1", {"achieved": None})}, "Nhập số liệu chỉ tiêu 5.1", "indicator"),
    ({"indicator": ("1.3", {"no_evidence_explanation": "x"}), "evidence": "1.3"}, "Thêm minh chứng cho chỉ tiêu 1.3",
     "evidence"),
    ({"texts": {"process": ""}}, "Viết nội dung báo cáo", "narrative"),
    ({}, f"Chốt hồ sơ năm {YEAR}", "dossier"),
])
def test_the_overview_button_opens_where_the_step_is_done(qtbot, ready, change, button, lands) -> None:
    ws = ready
    if "indicator" in change:
        indicator, values = change["indicator"]
        set_values(ws, YEAR, indicator, values)
    if "evidence" in change:
        for item in ev.list_evidence(ws, YEAR):
            if change["evidence"] in item.indicator_ids:
                ev.remove_evidence(ws, item.id)
        set_values(ws, YEAR, change["evidence"], {"no_evidence_explanation": None})
    if "texts" in change:
        docs.set_document_texts(ws, YEAR, change["texts"])
    window = open_window(qtbot, ws)
    overview = window.overview
    qtbot.waitUntil(lambda: overview.next_button.text() == button, timeout=10000)
    assert overview.next_text.text() == overview.next_button.toolTip() != ""
    qtbot.mouseClick(overview.next_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    if lands == "indicator":
        assert window.nav.currentRow() == PAGE_INDICATORS and window.indicators.editor.indicator.id == "5.1"
    elif lands == "evidence":
        page = window.external_pages[0].page()
        assert window.nav.currentRow() == 3 and page.indicator_filter() == "1.3"
        assert page.explanation_box.isVisible()  # import a file or explain why there is none
    elif lands == "narrative":
        page = window.external_pages[1].page()
        assert window.nav.currentRow() == 4 and page.tabs.currentIndex() == 0
    else:
        assert window.nav.currentRow() == 5


def test_no_assignment_is_not_shown_as_a_success(qtbot, ready) -> None:
    window = open_window(qtbot, ready)
    card = window.overview.assign_card
    assert card.value.text() == "0/15" and card.icon.status == "todo"
    assert "trang Phân công" in card.detail.text()
    set_assignment(ready, YEAR, "1.1", lead_unit="Hội Khuyến học xã", status="done")
    window.ctx.apply(Changes(assignments=True))
    settle(qtbot)
    assert card.value.text() == "1/15" and card.icon.status == "in_progress"
