"""Driving the real indicator editor: live checklist, refused input, autosave, undo and redo."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from app.services.indicators import set_values
from tests.ui.conftest import YEAR, type_text
from ui.main_window import MainWindow
from ui.tasks import wait_for_idle


def open_window(qtbot, ctx, indicator_id: str) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.open_indicator(indicator_id)
    return window


def test_entering_a_ratio_flips_the_checklist_and_undo_flips_it_back(qtbot, ctx, ws, clock) -> None:
    set_values(ws, YEAR, "5.1", {"achieved": 5000, "total": 10000})
    clock.tick()
    window = open_window(qtbot, ctx, "5.1")
    panel, editor = window.checklist, window.indicators.editor
    assert panel.verdict_text("5.1", 1) == "Không đạt"

    achieved = editor._bindings["achieved"].widget
    achieved.selectAll()
    type_text(achieved, "6.000")
    assert "60,00%" in editor.live_ratio.text()  # shown while typing, before anything is stored
    editor.commit()
    qtbot.waitUntil(lambda: panel.verdict_text("5.1", 1) == "Đạt", timeout=3000)
    assert panel.verdict_text("5.1", 2) == "Không đạt"
    assert ws.values(YEAR)["5.1"]["achieved"] == 6000
    assert "Đủ điều kiện" not in panel.headline.text()  # other indicators are still missing
    clock.tick()

    # Ctrl+Z outside text fields (here in the criteria tree) is the window's undo of stored edits
    tree = window.indicators.tree
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: panel.verdict_text("5.1", 1) == "Không đạt", timeout=3000)
    assert ws.values(YEAR)["5.1"]["achieved"] == 5000
    qtbot.waitUntil(lambda: achieved.text() == "5.000", timeout=3000)
    entries = ws.audit_entries(entity="indicator_value", key_prefix="5.1/", year=YEAR)
    assert entries[0].action == "undo" and entries[0].user == "Lê Thị Hoa"

    window.redo_action.trigger()
    qtbot.waitUntil(lambda: panel.verdict_text("5.1", 1) == "Đạt", timeout=3000)
    assert achieved.text() == "6.000"
    clock.tick()

    # Ctrl+Z inside the field undoes the field's own typing, not a stored edit
    rows = len(ws.audit_entries(entity="indicator_value", key_prefix="5.1/", year=YEAR))
    achieved.selectAll()
    type_text(achieved, "9.000")
    qtbot.keyClick(achieved, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert achieved.text() == "6.000" and "60,00%" in editor.live_ratio.text()
    editor.commit()
    wait_for_idle()
    assert ws.values(YEAR)["5.1"]["achieved"] == 6000
    assert len(ws.audit_entries(entity="indicator_value", key_prefix="5.1/", year=YEAR)) == rows
    qtbot.keyClick(achieved, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)  # and Ctrl+Y its redo
    assert achieved.text() == "9.000"


def test_a_refused_figure_stays_in_the_field_with_the_reason(qtbot, ctx, ws) -> None:
    set_values(ws, YEAR, "5.1", {"achieved": 50, "total": 100})
    window = open_window(qtbot, ctx, "5.1")
    editor = window.indicators.editor
    achieved = editor._bindings["achieved"].widget
    achieved.selectAll()
    type_text(achieved, "900")
    live = editor.live_ratio.text()  # the rules engine's shares and the dataset's check, while typing
    assert "900,00%" in live and "mức độ 1 (≥ 60%)" in live and "lớn hơn tổng số công dân (100)" in live
    editor.commit()
    qtbot.waitUntil(editor.error_label.isVisible, timeout=3000)
    assert "lớn hơn tổng số" in editor.error_label.text()
    assert ws.values(YEAR)["5.1"]["achieved"] == 50
    assert achieved.text() == "900"

    total = editor._bindings["total"].widget
    total.selectAll()
    type_text(total, "1000")
    editor.commit()
    qtbot.waitUntil(lambda: ws.values(YEAR)["5.1"] == {"achieved": 900, "total": 1000}, timeout=3000)
    qtbot.waitUntil(lambda: not editor.error_label.isVisible(), timeout=3000)
    assert window.checklist.verdict_text("5.1", 2) == "Đạt"


def test_typed_text_is_stored_without_saving_even_when_the_window_closes_at_once(qtbot, ctx, ws) -> None:
    window = open_window(qtbot, ctx, "1.2")
    editor = window.indicators.editor
    description = editor._bindings["description"].widget
    type_text(description, "Ban hành Kế hoạch số 18/KH-UBND ngày 12/02/2025")
    assert "1.2" not in ws.values(YEAR)  # still inside the typing pause
    window.close()
    assert ws.values(YEAR)["1.2"]["description"] == "Ban hành Kế hoạch số 18/KH-UBND ngày 12/02/2025"


def test_yes_no_choice_is_stored_at_once_and_shown_in_the_tree(qtbot, ctx, ws) -> None:
    window = open_window(qtbot, ctx, "3.1")
    editor = window.indicators.editor
    yes = next(b for b in editor._group.buttons() if b.text().startswith("Đã"))
    qtbot.mouseClick(yes, Qt.MouseButton.LeftButton, pos=QPoint(8, yes.height() // 2))
    qtbot.waitUntil(lambda: window.checklist.verdict_text("3.1", 1) == "Đạt", timeout=3000)
    assert ws.values(YEAR)["3.1"] == {"met": True}
    item = window.indicators.tree._items["3.1"]
    assert "Đạt" in item.toolTip(1)
    rows = editor.audit_model.rowCount()
    assert rows == 1 and "Nhập" in editor.audit_model.index(0, 2).data()


def test_level_choice_and_decision_date(qtbot, ctx, ws) -> None:
    window = open_window(qtbot, ctx, "4.2")
    editor = window.indicators.editor
    combo = editor._bindings["level"].widget
    combo.setCurrentIndex(combo.findData(2))
    qtbot.waitUntil(lambda: window.checklist.verdict_text("4.2", 1) == "Đạt", timeout=3000)
    assert window.checklist.verdict_text("4.2", 2) == "Không đạt"
    date = editor._bindings["decision_date"].widget
    type_text(date, "05/12/2025")
    editor.commit()
    wait_for_idle()
    assert ws.values(YEAR)["4.2"]["decision_date"] == "2025-12-05"
    date.clear()
    type_text(date, "32/13/2025")
    editor.commit()
    assert date.property("invalid") is True
    assert ws.values(YEAR)["4.2"]["decision_date"] == "2025-12-05"
    QApplication.processEvents()


def test_verdict_follows_each_keystroke_and_a_burst_of_typing_is_one_undo_step(qtbot, ctx, ws, clock) -> None:
    from PySide6.QtTest import QTest

    set_values(ws, YEAR, "5.1", {"achieved": 5000, "total": 10000})
    clock.tick()
    window = open_window(qtbot, ctx, "5.1")
    editor = window.indicators.editor
    achieved = editor._bindings["achieved"].widget
    achieved.setFocus()
    achieved.selectAll()
    QTest.keyClick(achieved, Qt.Key.Key_6)
    assert editor.level_cells[1]._status == "not_met"  # 6 of 10 000, judged before anything is stored
    for key in (Qt.Key.Key_5, Qt.Key.Key_0, Qt.Key.Key_0):
        QTest.keyClick(achieved, key)
    assert editor.level_cells[1]._status == "met" and "65,00%" in editor.level_cells[1].accessibleDescription()
    assert ws.values(YEAR)["5.1"]["achieved"] == 5000 and editor.typing.pending()
    qtbot.waitUntil(lambda: ws.values(YEAR)["5.1"]["achieved"] == 6500, timeout=3000)  # stored after the pause
    clock.tick()
    QTest.keyClick(achieved, Qt.Key.Key_Backspace)
    QTest.keyClick(achieved, Qt.Key.Key_9)
    qtbot.waitUntil(lambda: ws.values(YEAR)["5.1"]["achieved"] == 6509, timeout=3000)
    clock.tick()
    QTest.keyClick(achieved, Qt.Key.Key_Backspace)
    QTest.keyClick(achieved, Qt.Key.Key_7)
    assert editor.typing.pending()
    QTest.keyClick(achieved, Qt.Key.Key_Tab)  # leaving the field saves at once, without the pause
    assert not editor.typing.pending()
    qtbot.waitUntil(lambda: ws.values(YEAR)["5.1"]["achieved"] == 6507, timeout=3000)
    wait_for_idle()
    # three saves of one burst of typing: one undo step back to what was there before the burst
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: ws.values(YEAR)["5.1"]["achieved"] == 5000, timeout=3000)
    qtbot.waitUntil(lambda: achieved.text() == "5.000", timeout=3000)
    assert editor.level_cells[1]._status == "not_met"
