"""The evidence page at 1366×768 with the checklist open: no field over another, each at least 220 px wide, the
preview at least 300 px tall, and the splitter sizes the user chose kept for the next start."""

from __future__ import annotations

from itertools import combinations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt

from app.evidence.demo import add_demo_evidence
from tests.ui.conftest import YEAR, open_main_window
from tests.ui.journey import settle
from ui.context import AppContext
from ui.evidence.details import FIELD_MIN_WIDTH
from ui.evidence.page import PREVIEW_MIN_HEIGHT
from ui.main_window import MainWindow

EVIDENCE_PAGE = 3


def open_window(qtbot, ws) -> MainWindow:
    return open_main_window(qtbot, AppContext(ws, YEAR), EVIDENCE_PAGE)


@pytest.fixture
def ws_with_evidence(ws):
    add_demo_evidence(ws, YEAR)
    return ws


def rect_in(widget, page) -> QRect:
    return QRect(widget.mapTo(page, QPoint(0, 0)), widget.size())


def test_fields_are_wide_enough_and_never_overlap_and_the_preview_is_tall(qtbot, ws_with_evidence) -> None:
    window = open_window(qtbot, ws_with_evidence)
    assert window.dock.isVisible() and window.width() == 1366
    page = window.external_pages[0].page()
    details = page.details
    fields = [details.doc_number, details.issued_date, details.issuer, details.summary, details.valid_until]
    inner = details  # the fields' own container (it scrolls under the preview)
    for field in fields:
        assert field.width() >= FIELD_MIN_WIDTH, (field.accessibleName(), field.width())
    for first, second in combinations(fields, 2):
        assert not rect_in(first, inner).intersects(rect_in(second, inner)), (first.accessibleName(),
                                                                               second.accessibleName())
    assert page.preview.stack.height() >= PREVIEW_MIN_HEIGHT
    area = page.details_area.viewport()
    assert area.width() >= details.minimumSizeHint().width()  # no field cut at the right


def test_the_splitter_sizes_are_kept_for_the_next_start(qtbot, ws_with_evidence) -> None:
    window = open_window(qtbot, ws_with_evidence)
    page = window.external_pages[0].page()
    handle = page.right.handle(1)
    start = handle.rect().center()
    qtbot.mousePress(handle, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(handle, QPoint(start.x(), start.y() + 60))
    qtbot.mouseRelease(handle, Qt.MouseButton.LeftButton, pos=QPoint(start.x(), start.y() + 60))
    dragged = page.right.sizes()
    assert dragged[0] >= PREVIEW_MIN_HEIGHT + 60
    window.close()
    settle(qtbot)
    again = open_window(qtbot, ws_with_evidence)
    assert again.external_pages[0].page().right.sizes() == dragged
