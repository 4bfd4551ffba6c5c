"""Printing a generated PDF: a light preview at screen resolution, and printing at the printer's resolution.

Qt's own QPrintPreviewDialog paints every page at printer resolution (an A4 page at 1200 dpi is a 560 MB image)
and then shrinks the pictures for the screen: slow, memory-hungry and blurred. Here the preview is a QPdfView
on the document already loaded for the Văn bản page, so pages are rendered only when in view and at the size
shown, as the page's own preview does. Printing renders each page at the printer's resolution in horizontal
bands of at most `BAND_BYTES`, so memory stays small at any resolution.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, QPointF, QRect, QSize, QSizeF, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QPageLayout, QPainter, QResizeEvent
from PySide6.QtPdf import QPdfDocument, QPdfDocumentRenderOptions
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget

BAND_BYTES = 24 << 20  # one band of a page at printer resolution (ARGB, 4 bytes a pixel)
ZOOM_STEP = 1.25
ZOOM_RANGE = (0.25, 4.0)

#: progress(done_pages, total_pages) -> False to cancel
Progress = Callable[[int, int], bool]


def pages_to_print(printer: QPrinter, count: int) -> list[int]:
    """Zero-based page numbers the print dialog asked for: a "Từ trang … đến …" range, else every page."""
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        last = min(count, printer.toPage() or count)
        return list(range(printer.fromPage() - 1, last))
    return list(range(count))


def match_orientation(printer: QPrinter, document: QPdfDocument) -> None:
    """Landscape paper for a landscape document (the Tổng hợp table), portrait otherwise: printed at 100 %."""
    points = document.pagePointSize(0)
    landscape = points.width() > points.height()
    printer.setPageOrientation(QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait)


def print_pdf(document: QPdfDocument, printer: QPrinter, progress: Progress | None = None) -> bool:
    """Draw the document's pages on `printer`, each scaled to fit its page rectangle at the printer's resolution.

    False when the printer cannot start a job or `progress` asked to stop (the job is then aborted).
    """
    pages = pages_to_print(printer, document.pageCount())
    painter = QPainter()
    if not pages or not painter.begin(printer):
        return False
    try:
        area = printer.pageRect(QPrinter.Unit.DevicePixel).size().toSize()
        for done, page in enumerate(pages):
            if progress is not None and not progress(done, len(pages)):
                printer.abort()
                return False
            if done:
                printer.newPage()
            paint_page(painter, document, page, area)
    finally:
        painter.end()
    if progress is not None:
        progress(len(pages), len(pages))
    return True


def fitted_size(points: QSizeF, area: QSize) -> QSize:
    """A page of `points` scaled to fit `area` (pixels), keeping its proportions."""
    scale = min(area.width() / points.width(), area.height() / points.height())
    return QSize(max(1, round(points.width() * scale)), max(1, round(points.height() * scale)))


def paint_page(painter: QPainter, document: QPdfDocument, page: int, area: QSize) -> None:
    """One page scaled to fit `area` (device pixels), rendered band by band so that no image exceeds BAND_BYTES."""
    size = fitted_size(document.pagePointSize(page), area)
    rows = max(1, BAND_BYTES // (4 * size.width()))
    for top in range(0, size.height(), rows):
        height = min(rows, size.height() - top)
        options = QPdfDocumentRenderOptions()
        options.setScaledSize(size)
        # QtPdf scales the clip by (right - left) / image width, and QRect.right() is left + width - 1:
        # a clip one pixel wider and taller than the band keeps the band at exactly the page's scale.
        options.setScaledClipRect(QRect(0, top, size.width() + 1, height + 1))
        painter.drawImage(QPoint(0, top), document.render(page, QSize(size.width(), height), options))


class PrintPreview(QDialog):
    """"Xem trước khi in": the pages as they will print, page by page, with zoom and the "In…" button."""

    def __init__(self, document: QPdfDocument, title: str, print_document: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Xem trước khi in — {title}")
        self.document = document
        self.page_total = document.pageCount()  # fixed while the dialog is open (it is modal)
        self.first_page = document.pagePointSize(0)
        self._print_document = print_document
        self.view = QPdfView(self)
        self.view.setDocument(document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setPageSpacing(12)
        self.view.setStyleSheet("QPdfView { background: #8a939e; }")
        navigator = self.view.pageNavigator()

        self.previous_button = QPushButton("‹ Trang trước")
        self.next_button = QPushButton("Trang sau ›")
        self.page_box = QSpinBox()
        self.page_box.setRange(1, max(1, self.page_total))
        self.page_box.setAccessibleName("Trang đang xem")
        self.page_count = QLabel(f"/ {self.page_total}")
        self.zoom_out_button = QPushButton("−")
        self.zoom_out_button.setToolTip("Thu nhỏ")
        self.zoom_out_button.setAccessibleName("Thu nhỏ")
        self.zoom_in_button = QPushButton("+")
        self.zoom_in_button.setToolTip("Phóng to")
        self.zoom_in_button.setAccessibleName("Phóng to")
        self.zoom_label = QLabel()
        self.zoom_label.setMinimumWidth(48)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.fit_width_button = QPushButton("Vừa chiều ngang")
        self.fit_page_button = QPushButton("Cả trang")
        self.print_button = QPushButton("In…")
        self.print_button.setObjectName("primary")
        close_button = QPushButton("Đóng")

        self.previous_button.clicked.connect(lambda: self.go_to(navigator.currentPage() - 1))
        self.next_button.clicked.connect(lambda: self.go_to(navigator.currentPage() + 1))
        self.page_box.valueChanged.connect(lambda number: self.go_to(number - 1))
        navigator.currentPageChanged.connect(self._page_changed)
        self.zoom_in_button.clicked.connect(lambda: self.zoom_by(ZOOM_STEP))
        self.zoom_out_button.clicked.connect(lambda: self.zoom_by(1 / ZOOM_STEP))
        self.fit_width_button.clicked.connect(lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth))
        self.fit_page_button.clicked.connect(lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitInView))
        self.view.zoomFactorChanged.connect(lambda _factor: self._show_zoom())
        self.view.zoomModeChanged.connect(lambda _mode: self._show_zoom())
        self.print_button.clicked.connect(self._print)
        close_button.clicked.connect(self.reject)

        bar = QHBoxLayout()
        bar.addWidget(self.previous_button)
        bar.addWidget(QLabel("Trang"))
        bar.addWidget(self.page_box)
        bar.addWidget(self.page_count)
        bar.addWidget(self.next_button)
        bar.addSpacing(16)
        for widget in (self.zoom_out_button, self.zoom_label, self.zoom_in_button, self.fit_width_button,
                       self.fit_page_button):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.print_button)
        bar.addWidget(close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self._page_changed(0)
        self._show_zoom()
        self._fit_to_screen(parent)

    def _fit_to_screen(self, parent: QWidget | None) -> None:
        """A large window (most of the main window, never beyond the screen) so the page text reads at 100 %."""
        screen = (parent.screen() if parent is not None else QGuiApplication.primaryScreen()).availableGeometry()
        self.resize(min(1000, screen.width() - 40), screen.height() - 60)

    def go_to(self, page: int) -> None:
        page = max(0, min(self.page_total - 1, page))
        navigator = self.view.pageNavigator()
        if page != navigator.currentPage():
            navigator.jump(page, QPointF(), navigator.currentZoom())

    def zoom_by(self, factor: float) -> None:
        current = self.view.zoomFactor() if self.view.zoomMode() == QPdfView.ZoomMode.Custom else self._shown_zoom()
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(ZOOM_RANGE[0], min(ZOOM_RANGE[1], current * factor)))

    def _shown_zoom(self) -> float:
        """The zoom a fit mode gives right now: the first page's shown width against its size at 100 %."""
        points = self.first_page
        if points.width() <= 0:
            return 1.0
        width_at_100 = points.width() * self.view.logicalDpiX() / 72
        available = self.view.viewport().width() - 2 * self.view.documentMargins().left()
        fit = available / width_at_100
        if self.view.zoomMode() == QPdfView.ZoomMode.FitInView:
            height_at_100 = points.height() * self.view.logicalDpiY() / 72
            fit = min(fit, (self.view.viewport().height() - 2 * self.view.documentMargins().top()) / height_at_100)
        return max(ZOOM_RANGE[0], fit)

    def _show_zoom(self) -> None:
        mode = self.view.zoomMode()
        factor = self.view.zoomFactor() if mode == QPdfView.ZoomMode.Custom else self._shown_zoom()
        self.zoom_label.setText(f"{round(factor * 100)}%")
        self.fit_width_button.setEnabled(mode != QPdfView.ZoomMode.FitToWidth)
        self.fit_page_button.setEnabled(mode != QPdfView.ZoomMode.FitInView)

    def _page_changed(self, page: int) -> None:
        self.page_box.blockSignals(True)
        self.page_box.setValue(page + 1)
        self.page_box.blockSignals(False)
        self.previous_button.setEnabled(page > 0)
        self.next_button.setEnabled(page < self.page_total - 1)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        QTimer.singleShot(0, self._show_zoom)  # once the view has taken its new size

    def _print(self) -> None:
        self._print_document()
