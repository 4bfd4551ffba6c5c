"""The preview of one evidence file: PDF pages (QtPdf), images, or a button to open it in the system app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QMargins, QObject, QPointF, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QPixmap
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import CdhtError
from app.evidence.library import EvidenceItem, copy_for_opening, stored_file
from ui.tasks import show_error
from ui.widgets.elided_label import ElidedLabel

if TYPE_CHECKING:
    from app.storage.workspace import Workspace

EMPTY, PDF, IMAGE, OTHER = range(4)


class PreviewPane(QWidget):
    """Shows the selected item; "Mở bằng ứng dụng khác" opens a copy with the system's app."""

    opened = Signal(str)

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.item: EvidenceItem | None = None
        self._pixmap: QPixmap | None = None
        self.document = QPdfDocument(self)
        self.pdf_view = QPdfView(self)
        self.pdf_view.setDocument(self.document)
        self.pdf_view.setPageMode(QPdfView.PageMode.MultiPage)
        self.pdf_view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.image = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.image_area = QScrollArea()
        self.image_area.setWidgetResizable(True)
        self.image_area.setWidget(self.image)
        self.image_area.setStyleSheet("background: #2b2f36;")
        self.image_area.viewport().installEventFilter(self)
        self.message = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.message.setObjectName("muted")
        other = QWidget()
        other_layout = QVBoxLayout(other)
        other_layout.addStretch()
        other_layout.addWidget(self.message)
        other_layout.addStretch()
        empty = QLabel("Chọn một minh chứng để xem trước.", alignment=Qt.AlignmentFlag.AlignCenter)
        empty.setObjectName("muted")
        self.stack = QStackedWidget()
        for widget in (empty, self.pdf_view, self.image_area, other):
            self.stack.addWidget(widget)
        self.title = ElidedLabel()
        self.title.setObjectName("cardTitle")
        self.open_button = QPushButton("Mở bằng ứng dụng khác")
        self.open_button.setToolTip("Mở bản sao của tệp bằng chương trình mặc định của máy (Word, Excel, trình xem ảnh…)")
        self.open_button.clicked.connect(self.open_external)
        self.open_button.setEnabled(False)
        bar = QHBoxLayout()
        bar.addWidget(self.title, 1)
        bar.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)

    def mode(self) -> int:
        return self.stack.currentIndex()

    def show_item(self, item: EvidenceItem | None) -> None:
        self.item = item
        self.document.close()
        self.image.clear()
        self._pixmap = None
        self.open_button.setEnabled(item is not None)
        if item is None:
            self.title.setText("")
            self.stack.setCurrentIndex(EMPTY)
            return
        self.title.setText(f"{item.code} — {item.original_name}")
        path = stored_file(self.ws, item)
        if not path.exists():
            self._other(f"Tệp của minh chứng {item.code} không còn trong kho. Hãy chạy Kiểm tra dữ liệu.")
            return
        if item.mime == "application/pdf":
            self.document.load(str(path))
            if self.document.status() == QPdfDocument.Status.Ready:
                self.stack.setCurrentIndex(PDF)
                self.pdf_view.pageNavigator().jump(0, QPointF(), self.pdf_view.zoomFactor())
                return
            self._other(f"Không hiển thị được tệp PDF '{item.original_name}' (có thể có mật khẩu hoặc bị hỏng).")
            return
        if item.mime.startswith("image/"):
            pixmap = QPixmap(str(path))
            if not pixmap.isNull():
                self._pixmap = pixmap
                self.stack.setCurrentIndex(IMAGE)
                self._fit_image()
                return
        self._other(f"{item.kind_label}: không xem trước được trong ứng dụng.\n"
                    "Bấm \"Mở bằng ứng dụng khác\" để mở bằng chương trình của máy.")

    def _fit_image(self) -> None:
        """Show the whole image, never larger than it is."""
        if self._pixmap is None:
            return
        room = self.image_area.viewport().size().shrunkBy(QMargins(8, 8, 8, 8))
        pixmap = self._pixmap
        if pixmap.width() > room.width() or pixmap.height() > room.height():
            pixmap = pixmap.scaled(room, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
        self.image.setPixmap(pixmap)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.image_area.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_image()
        return super().eventFilter(watched, event)

    def _other(self, text: str) -> None:
        self.message.setText(text)
        self.stack.setCurrentIndex(OTHER)

    def open_external(self) -> None:
        if self.item is None:
            return
        try:
            path = copy_for_opening(self.ws, self.item)
        except CdhtError as error:
            show_error(self, error)
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        self.opened.emit(str(path))
