"""The window's heavier pages (evidence, documents, dossier), built the first time they are shown.

These pages pull in heavy libraries (PDF rendering, signing, spreadsheets), so the window holds a `LazyPage`
for each and builds the real page the first time it is shown: the window opens without paying for them.
The page modules are imported plainly when built; a page whose constructor fails is a bug, reported as one.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QApplication, QWidget

from ui.context import AppContext
from ui.pages.deferred import BuiltOnDemand


def evidence_page(ctx: AppContext) -> QWidget:
    from ui.evidence.page import EvidencePage

    return EvidencePage(ctx)


def documents_page(ctx: AppContext) -> QWidget:
    from ui.documents.page import DocumentsPage

    return DocumentsPage(ctx)


def dossier_page(ctx: AppContext) -> QWidget:
    from ui.dossier.page import DossierPage

    return DossierPage(ctx)


class LazyPage(BuiltOnDemand):
    """Holds the place of a page in the window; builds it with `build(ctx)` on first show (or `page()`)."""

    def __init__(self, ctx: AppContext, title: str, build: Callable[[AppContext], QWidget],
                 parent: QWidget | None = None) -> None:
        super().__init__(lambda _holder: build(ctx), parent)
        self.ctx = ctx
        self.title = title

    def page(self) -> QWidget:
        """The real page, built now if it was not yet."""
        return self.widget()

    def widget(self) -> QWidget:
        if self.is_built():
            return super().widget()
        from PySide6.QtCore import Qt

        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            return super().widget()
        finally:
            QApplication.restoreOverrideCursor()
