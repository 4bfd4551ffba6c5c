"""Print preview and printing from the Văn bản page, driven by clicks (offscreen Qt)."""

from __future__ import annotations

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialogButtonBox

import ui.documents.printing as printing
from tests.documents.helpers import YEAR
from tests.ui.conftest import when_modal
from ui.documents.printing import PrintPreview, fitted_size, pages_to_print, paint_page

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def page(qtbot, qapp, ready_workspace):
    from ui.context import AppContext
    from ui.documents.page import DocumentsPage
    from ui.i18n import install_vietnamese
    from ui.tasks import wait_for_idle

    install_vietnamese(qapp)
    documents = DocumentsPage(AppContext(ready_workspace, YEAR))
    qtbot.addWidget(documents)
    documents.resize(1100, 700)
    documents.show()
    wait_for_idle()
    documents.document.setCurrentIndex(documents.document.findData("tong_hop"))
    documents.generate_preview()
    wait_for_idle()
    return documents


def dark_share(image: QImage) -> float:
    """Share of clearly dark pixels (text) in a picture, sampled every 3 pixels."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    dark = total = 0
    for y in range(0, image.height(), 3):
        for x in range(0, image.width(), 3):
            total += 1
            dark += QColor(image.pixel(x, y)).lightness() < 100
    return dark / max(1, total)


def largest_difference(first: QImage, second: QImage) -> int:
    """The largest lightness difference between two pictures of the same size, over every pixel."""
    assert first.size() == second.size()
    return max(abs(QColor(first.pixel(x, y)).lightness() - QColor(second.pixel(x, y)).lightness())
               for y in range(first.height()) for x in range(first.width()))


def test_the_preview_opens_on_the_loaded_document_and_turns_pages_by_click(qtbot, page):
    qtbot.mouseClick(page.print_preview_button, LEFT)
    preview = page.findChild(PrintPreview)
    assert preview is not None and preview.isVisible()
    assert preview.view.document() is page.pdf  # no second copy of the document
    assert preview.windowTitle() == "Xem trước khi in — " + page.document.currentText()
    assert preview.page_count.text() == f"/ {page.pdf.pageCount()}" and page.pdf.pageCount() >= 2
    assert not preview.previous_button.isEnabled()
    qtbot.waitUntil(lambda: dark_share(preview.view.viewport().grab().toImage()) > 0.002)
    qtbot.mouseClick(preview.next_button, LEFT)
    assert preview.page_box.value() == 2 and preview.previous_button.isEnabled()
    shown = preview.zoom_label.text()
    qtbot.mouseClick(preview.zoom_in_button, LEFT)
    assert preview.zoom_label.text() != shown and preview.fit_width_button.isEnabled()
    qtbot.mouseClick(preview.fit_width_button, LEFT)
    assert not preview.fit_width_button.isEnabled()
    qtbot.mouseClick(next(b for b in preview.findChildren(type(preview.print_button)) if b.text() == "Đóng"), LEFT)
    assert not preview.isVisible()


def test_in_from_the_preview_prints_every_page_at_the_printers_resolution(qtbot, page, tmp_path):
    printer = page._printer_instance()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    printer.setResolution(200)
    preview = page.print_preview()

    def accept_print_dialog(dialog: QPrintDialog) -> None:
        qtbot.mouseClick(dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok), LEFT)

    when_modal(QPrintDialog, accept_print_dialog)
    qtbot.mouseClick(preview.print_button, LEFT)
    assert not preview.isVisible()  # printed, so the preview closed
    reader = PdfReader(str(tmp_path / "printed.pdf"))
    assert len(reader.pages) == page.pdf.pageCount()
    first = reader.pages[0]
    widths = {image.image.width for image in first.images}
    height = sum(image.image.height for image in first.images)
    # the Tổng hợp table is landscape: landscape A4 at 200 dpi, full page, printed at 100 %
    assert len(widths) == 1 and widths.pop() == pytest.approx(297 / 25.4 * 200, rel=0.003)
    assert height == pytest.approx(210 / 25.4 * 200, rel=0.003)


def test_printing_a_page_in_bands_gives_the_same_picture_as_one_whole_render(qapp, monkeypatch, page):
    document: QPdfDocument = page.pdf
    area = QSize(620, 877)
    size = fitted_size(document.pagePointSize(0), area)
    whole = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    whole.fill(Qt.GlobalColor.white)
    painter = QPainter(whole)
    painter.drawImage(0, 0, document.render(0, size))
    painter.end()
    monkeypatch.setattr(printing, "BAND_BYTES", 4 * size.width() * 100)  # nine bands of 100 rows
    banded = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    banded.fill(Qt.GlobalColor.white)
    painter = QPainter(banded)
    paint_page(painter, document, 0, area)
    painter.end()
    assert dark_share(whole) > 0.002
    assert largest_difference(banded, whole) <= 16  # the same picture; a rule on a band seam may shade 1 row


def test_a_page_range_from_the_print_dialog_prints_only_those_pages(qapp):
    printer = QPrinter()
    assert pages_to_print(printer, 5) == [0, 1, 2, 3, 4]
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(2, 3)
    assert pages_to_print(printer, 5) == [1, 2]
    printer.setFromTo(4, 9)
    assert pages_to_print(printer, 5) == [3, 4]
