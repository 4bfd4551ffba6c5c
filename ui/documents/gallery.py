"""Gallery shots of the documents page: forms filled from the workspace and a generated Tờ trình previewed."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtWidgets import QWidget

from app.documents import render_document_pdf
from ui.context import AppContext
from ui.documents.page import DocumentsPage
from ui.documents.printing import PrintPreview
from ui.tasks import wait_for_idle


def shots(ctx: AppContext) -> list[tuple[str, QWidget]]:
    page = DocumentsPage(ctx)
    page.resize(760, 640)  # the room the page has in a 1366×768 window with the checklist open
    wait_for_idle()
    if ctx.year is not None and ctx.ws.has_profile():
        path = Path(tempfile.mkdtemp(prefix="cdht-gallery-")) / "to_trinh.pdf"
        try:
            page.load_preview(render_document_pdf(ctx.ws, ctx.year, "to_trinh", path))
        except Exception:  # noqa: BLE001 - a workspace without a met level still shows the page
            pass
    shots: list[tuple[str, QWidget]] = [("documents_page", page)]
    if page.pdf.pageCount():
        preview = PrintPreview(page.pdf, page.document.currentText(), lambda: None)
        preview.resize(1000, 708)  # what "Xem trước khi in…" opens on a 1366×768 screen
        shots.append(("documents_print_preview", preview))
    return shots
