"""A file of a received package shown in place: PDF pages through QtPdf, images, otherwise a button that opens a
copy with the computer's own program."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QPixmap
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QLabel, QPushButton, QScrollArea, QStackedWidget, QVBoxLayout, QWidget

EMPTY, PDF, IMAGE, OTHER = range(4)
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp")


class FilePreview(QWidget):
    def __init__(self, empty_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path: Path | None = None
        self.document = QPdfDocument(self)
        self.pdf_view = QPdfView(self)
        self.pdf_view.setDocument(self.document)
        self.pdf_view.setPageMode(QPdfView.PageMode.MultiPage)
        self.pdf_view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.image = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        images = QScrollArea()
        images.setWidgetResizable(True)
        images.setWidget(self.image)
        self.message = QLabel(empty_text, alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.message.setObjectName("muted")
        self.open_button = QPushButton("Mở bằng ứng dụng khác")
        self.open_button.clicked.connect(self.open_external)
        self.open_button.setEnabled(False)
        other = QWidget()
        other_layout = QVBoxLayout(other)
        other_layout.addStretch()
        other_layout.addWidget(self.message)
        other_layout.addStretch()
        self.stack = QStackedWidget()
        for widget in (other, self.pdf_view, images):
            self.stack.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignRight)

    def mode(self) -> int:
        return {0: OTHER, 1: PDF, 2: IMAGE}[self.stack.currentIndex()] if self.path else EMPTY

    def show_file(self, path: Path | None, text: str = "") -> None:
        self.document.close()
        self.image.clear()
        self.path = path
        self.open_button.setEnabled(path is not None)
        if path is None:
            self.message.setText(text)
            self.stack.setCurrentIndex(0)
            return
        if path.suffix.lower() == ".pdf":
            self.document.load(str(path))
            if self.document.status() == QPdfDocument.Status.Ready:
                self.stack.setCurrentIndex(1)
                self.pdf_view.pageNavigator().jump(0, QPointF(), self.pdf_view.zoomFactor())
                return
            self.message.setText(f"Không hiển thị được tệp PDF '{path.name}' (có thể bị hỏng hoặc có mật khẩu).")
            self.stack.setCurrentIndex(0)
            return
        if path.suffix.lower() in IMAGE_SUFFIXES:
            pixmap = QPixmap(str(path))
            if not pixmap.isNull():
                self.image.setPixmap(pixmap.scaledToWidth(min(pixmap.width(), 900),
                                                          Qt.TransformationMode.SmoothTransformation))
                self.stack.setCurrentIndex(2)
                return
        self.message.setText(f"'{path.name}': không xem trước được trong ứng dụng. Bấm \"Mở bằng ứng dụng khác\".")
        self.stack.setCurrentIndex(0)

    def open_external(self) -> None:
        if self.path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.path)))
