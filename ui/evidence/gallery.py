"""Gallery shots of the evidence library: the list with thumbnails, and the preview of a PDF and of a photo."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QThread
from PySide6.QtWidgets import QWidget

from app.evidence import library as evidence_library
from ui.context import AppContext
from ui.evidence.page import EvidencePage
from ui.tasks import wait_for_idle


def _ensure_demo_evidence(ctx: AppContext) -> None:
    if ctx.year is not None and not evidence_library.list_evidence(ctx.ws, ctx.year) and not ctx.ws.year(ctx.year).locked:
        from app.evidence.demo import add_demo_evidence

        add_demo_evidence(ctx.ws, ctx.year)


def _settle(page: EvidencePage) -> None:
    """Let thumbnails and the PDF view's page rendering (done in the background by QtPdf) finish."""
    page.show()
    for _ in range(200):
        if page.thumbnails.idle():
            break
        QCoreApplication.processEvents()
    wait_for_idle()
    for _ in range(30):
        QCoreApplication.processEvents()
        QThread.msleep(20)


def shots(ctx: AppContext) -> list[tuple[str, QWidget]]:
    _ensure_demo_evidence(ctx)
    library = EvidencePage(ctx)
    library.resize(1280, 820)
    if not library.select_code("H2.3.01"):
        library.select_row(0)
    _settle(library)
    photo = EvidencePage(ctx)
    photo.resize(1280, 820)
    photo.search.setText("anh khai mac")
    photo.select_code("H1.3.02")
    _settle(photo)
    return [("evidence_library", library), ("evidence_preview_photo", photo)]
