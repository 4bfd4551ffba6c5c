"""List icons for evidence: a cached thumbnail of the image or first PDF page, else a badge with the file type.

Thumbnails are made one by one from a timer on the GUI thread, only for the rows the list shows
(`ui.evidence.list_model` asks), so that a long list appears at once and fills in; each is cached as PNG
(`app.evidence.thumbs`) and reused across sessions.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QIcon, QImage, QPainter, QPixmap
from PySide6.QtPdf import QPdfDocument

from app.errors import CdhtError
from app.evidence.library import EvidenceItem, stored_file
from app.evidence.thumbs import image_thumbnail, thumbnail_path
from app.fileio import write_bytes_atomic

if TYPE_CHECKING:
    from app.storage.workspace import Workspace

SIZE = 96
_BADGES = {
    "application/pdf": ("PDF", "#c0392b"), "image/jpeg": ("JPG", "#1b7f3b"), "image/png": ("PNG", "#1b7f3b"),
    "image/tiff": ("TIFF", "#1b7f3b"), "application/msword": ("DOC", "#1d5fa8"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("DOCX", "#1d5fa8"),
    "application/vnd.ms-excel": ("XLS", "#217346"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("XLSX", "#217346"),
    "application/vnd.oasis.opendocument.text": ("ODT", "#1d5fa8"),
    "application/vnd.oasis.opendocument.spreadsheet": ("ODS", "#217346"), "video/mp4": ("MP4", "#6b3fa0"),
}


@lru_cache(maxsize=32)
def badge_icon(mime: str) -> QIcon:
    """A page-shaped badge with the file type written on it."""
    text, color = _BADGES.get(mime, ("TỆP", "#5f6b7a"))
    pixmap = QPixmap(SIZE, SIZE)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor("#c3cad4"))
    painter.setBrush(QColor("white"))
    painter.drawRoundedRect(QRectF(18, 6, 60, 84), 4, 4)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(color))
    painter.drawRoundedRect(QRectF(10, 50, 76, 26), 4, 4)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(15)
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(QRectF(10, 50, 76, 26), Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return QIcon(pixmap)


def render_pdf_page(path: Path | str, size: int) -> QImage | None:
    """The first page of a PDF rendered to fit `size` pixels, or None when it cannot be read."""
    document = QPdfDocument()
    document.load(str(path))
    try:
        if document.status() != QPdfDocument.Status.Ready or document.pageCount() < 1:
            return None
        page = document.pagePointSize(0)
        scale = size / max(page.width(), page.height(), 1)
        image = document.render(0, QSize(max(1, int(page.width() * scale)), max(1, int(page.height() * scale))))
        return None if image.isNull() else image
    finally:
        document.close()


def make_thumbnail(ws: Workspace, item: EvidenceItem, size: int = SIZE) -> QIcon | None:
    """The item's thumbnail (from the cache, or made now); None for types without one."""
    target = thumbnail_path(ws, item.sha256, size)
    if not target.exists():
        source = stored_file(ws, item)
        if not source.exists():
            return None
        if item.mime.startswith("image/"):
            try:
                if image_thumbnail(source, target, size) is None:
                    return None
            except CdhtError:
                return None
        elif item.mime == "application/pdf":
            image = render_pdf_page(source, size)
            if image is None:
                return None
            canvas = QImage(image.size(), QImage.Format.Format_ARGB32)
            canvas.fill(QColor("white"))
            painter = QPainter(canvas)
            painter.drawImage(0, 0, image)
            painter.end()
            if not _save_png(canvas, target):
                return QIcon(_square(QPixmap.fromImage(canvas), size))
        else:
            return None
    pixmap = QPixmap(str(target))
    return None if pixmap.isNull() else QIcon(_square(pixmap, size))


def _save_png(image: QImage, target: Path) -> bool:
    """Encode `image` as PNG and write it with the app's durable writer; False when either step fails."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # PySide6 6.11 takes the format as str at run time (bytes raises ValueError); its stub says bytes
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]
        return False
    try:
        write_bytes_atomic(target, bytes(data.data()))
    except CdhtError:
        return False
    return True


def _square(pixmap: QPixmap, size: int) -> QPixmap:
    """Centre a thumbnail on a square so list texts line up whatever the page's shape."""
    canvas = QPixmap(size, size)
    canvas.fill(Qt.GlobalColor.transparent)
    painter = QPainter(canvas)
    painter.drawPixmap((size - pixmap.width()) // 2, (size - pixmap.height()) // 2, pixmap)
    painter.end()
    return canvas


class ThumbnailQueue(QObject):
    """Makes thumbnails one per event-loop turn and hands each icon to `deliver(item_id, icon)`.

    The newest request goes first (the rows just scrolled into view); only the latest `MAX_PENDING` requests are
    kept, so scrolling fast through thousands of rows never builds a backlog."""

    MAX_PENDING = 200

    def __init__(self, ws: Workspace, deliver: Callable[[int, QIcon], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.deliver = deliver
        self._pending: list[EvidenceItem] = []
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._next)

    def request(self, item: EvidenceItem) -> None:
        """Make `item`'s thumbnail soon (images and PDFs; other types keep their badge)."""
        if not (item.mime.startswith("image/") or item.mime == "application/pdf"):
            return
        self._pending.append(item)
        del self._pending[:-self.MAX_PENDING]
        self._timer.start()

    def clear(self) -> None:
        """Forget requests (the list was refilled)."""
        self._pending.clear()
        self._timer.stop()

    def idle(self) -> bool:
        return not self._pending

    def _next(self) -> None:
        if not self._pending:
            self._timer.stop()
            return
        item = self._pending.pop()
        icon = make_thumbnail(self.ws, item)
        if icon is not None:
            self.deliver(item.id, icon)
