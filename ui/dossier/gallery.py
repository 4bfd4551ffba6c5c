"""Gallery shots of the dossier page: each tab as the commune sees it."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ui.context import AppContext
from ui.dossier.page import DossierPage
from ui.tasks import wait_for_idle

TABS = ("dossier_finalize", "dossier_signing", "dossier_export", "dossier_mail", "dossier_verify")


def shots(ctx: AppContext) -> list[tuple[str, QWidget]]:
    """One page per tab (each its own widget, so the gallery can save them one after another)."""
    result: list[tuple[str, QWidget]] = []
    for index, stem in enumerate(TABS):
        page = DossierPage(ctx)
        page.resize(1200, 800)
        page.tabs.setCurrentIndex(index)
        result.append((stem, page))
    wait_for_idle()
    return result
