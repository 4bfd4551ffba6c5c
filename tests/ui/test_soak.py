"""A long working session in the real window (slow; not in the default run — `pytest -m slow tests/ui`): 20 000
saved edits typed into the indicator editor and the report's texts, and 5 000 mouse-wheel steps over the
checklist and over an evidence list of 5 000 items. The process must stay alive and its memory flat (within
50 MB of what it held after the first stretch of work)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from app.services import documents as docs
from app.services.indicators import set_values
from tests.benchmarks.bench_pages import add_many_evidence
from tests.ui.conftest import YEAR, open_main_window, type_text
from tests.ui.journey import settle
from ui.tasks import wait_for_idle

pytestmark = pytest.mark.slow

EDITS = 20000
SCROLL_STEPS = 5000
EVIDENCE_ITEMS = 5000
WARM_UP = 0.1  # the share of the work done before the memory baseline is read
FLAT_MB = 50


def resident_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS:"))


def wheel(widget: QWidget, down: bool) -> None:
    """One notch of the mouse wheel over `widget`."""
    centre = QPointF(widget.rect().center())
    delta = QPoint(0, -120 if down else 120)
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(), delta,
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def test_a_long_session_keeps_the_process_alive_and_its_memory_flat(qtbot, ctx, ws) -> None:
    for indicator in ws.catalogue(YEAR).indicators:
        if indicator.input == "boolean":
            set_values(ws, YEAR, indicator.id, {"met": True})
    add_many_evidence(ws, YEAR, EVIDENCE_ITEMS)
    window = open_main_window(qtbot, ctx, 3)  # the evidence list of 5 000 items, built once
    evidence = window.external_pages[0].page()
    assert evidence.model.rowCount() == EVIDENCE_ITEMS
    window.show_page(4)
    settle(qtbot)
    narrative = window.external_pages[1].page().narrative.editors["limitations"]
    window.open_indicator("5.1")
    settle(qtbot)
    editor = window.indicators.editor
    achieved, total = editor._bindings["achieved"].widget, editor._bindings["total"].widget
    type_text(total, "10000")
    checklist = window.checklist.findChild(type(window.indicators.editor_scroll))

    baseline = None
    text_edits = EDITS // 4
    figure_edits = EDITS - text_edits
    for step in range(EDITS):
        if baseline is None and step >= EDITS * WARM_UP:
            wait_for_idle()
            baseline = resident_mb()
        if step == figure_edits:
            window.show_page(4)
            settle(qtbot)
        if step < figure_edits:  # a figure typed into indicator 5.1, stored when Tab leaves the field
            achieved.setFocus()
            achieved.selectAll()
            QTest.keyClicks(achieved, str(4000 + step % 4000))
            QTest.keyClick(achieved, Qt.Key.Key_Tab)
            if step % 3 == 0 and step // 3 < SCROLL_STEPS // 2:  # and the mouse wheel over the checklist
                wheel(checklist.viewport(), down=(step // 300) % 2 == 0)
        else:  # a report text typed on the Văn bản page, stored when Tab leaves the field
            narrative.setFocus()
            QTest.keyClick(narrative, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
            type_text(narrative, "x")
            QTest.keyClick(narrative, Qt.Key.Key_Tab)
        if step % 50 == 0:
            wait_for_idle()
        QApplication.processEvents()
    wait_for_idle()
    assert ws.values(YEAR)["5.1"]["achieved"] == 4000 + (figure_edits - 1) % 4000
    assert docs.document_texts(ws, YEAR)["limitations"] == "x" * text_edits

    window.show_page(3)
    settle(qtbot)
    for step in range(SCROLL_STEPS - SCROLL_STEPS // 2):  # the wheel over 5 000 items, thumbnails made lazily
        wheel(evidence.list.viewport(), down=(step // 1000) % 2 == 0)
        QApplication.processEvents()
    settle(qtbot)
    grown = resident_mb() - baseline
    print(f"Bộ nhớ: {baseline:.0f} MB sau phần đầu, tăng {grown:+.1f} MB đến cuối phiên")  # shown with -rP / -s
    assert window.isVisible() and evidence.model.rowCount() == EVIDENCE_ITEMS
    assert grown <= FLAT_MB, f"memory grew {grown:.0f} MB over the session"
