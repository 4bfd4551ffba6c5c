"""The dossier page: chốt hồ sơ, signing options, export to USB or a folder, ký ngoài, e-mail outbox, verify.

Each tab lives in its own module (finalize_tab, signing_tab, export_tab, mail_tab, verify_tab; the step logic in
steps); this module assembles them into the guided sequence.

All database, signing and file work runs through `ui.tasks` off the GUI thread; this module runs no SQL.
Passwords and PINs are asked in a dialog each time (the SMTP password may live in the OS keyring) and are
never stored by the page.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.changes import Changes
from ui.context import AppContext
from ui.dossier.common import note
from ui.dossier.export_tab import ExportTab
from ui.dossier.finalize_tab import FinalizeTab
from ui.dossier.mail_tab import MailTab
from ui.dossier.signing_tab import SigningTab
from ui.dossier.steps import STEP_TITLES, VERIFY_TITLE, StepPage, Steps, blocked_reasons, next_dossier_step, read_steps
from ui.dossier.verify_tab import VerifyTab
from ui.tasks import run_in_background, show_error


class DossierPage(QWidget):
    """Hồ sơ as a guided sequence: 1. chốt, 2. ký số, 3. ghi gói, 4. gửi; each step opens when the one before it
    holds, and the line above the steps says what to do next (and why a later step is still closed)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.steps: Steps | None = None
        layout = QVBoxLayout(self)
        guide = QFrame()
        guide.setObjectName("card")
        guide_row = QHBoxLayout(guide)
        self.guide = note()
        self.guide.setObjectName("headline")
        self.guide_button = QPushButton()
        self.guide_button.setObjectName("primary")
        self.guide_button.clicked.connect(self._go_to_next_step)
        guide_row.addWidget(self.guide, 1)
        guide_row.addWidget(self.guide_button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(guide)
        self.tabs = QTabWidget()
        self.finalize_tab = FinalizeTab(ctx)
        self.signing_tab = SigningTab(ctx)
        self.export_tab = ExportTab(ctx, self.signing_tab)
        self.mail_tab = MailTab(ctx)
        self.verify_tab = VerifyTab(ctx)
        self.step_pages = [StepPage(step) for step in (self.finalize_tab, self.signing_tab, self.export_tab,
                                                       self.mail_tab)]
        for widget, title in zip((*self.step_pages, self.verify_tab), (*STEP_TITLES, VERIFY_TITLE), strict=True):
            self.tabs.addTab(widget, title)
        self.tabs.currentChanged.connect(lambda _index: self._show_guide())
        layout.addWidget(self.tabs)
        self.finalize_tab.finalized.connect(lambda: self._after_step(1))
        ctx.changes_applied.connect(self._on_changes)
        ctx.year_changed.connect(lambda _year: self.refresh())
        self.refresh()

    def _on_changes(self, changes: Changes) -> None:
        if self.ctx.year is None:
            return
        if changes.years or changes.checklist or changes.documents or changes.evidence or changes.profile:
            self.finalize_tab.refresh()
            self.export_tab.refresh()
            self.mail_tab.refresh()
            self.refresh_steps()
        elif changes.settings:
            self.signing_tab.refresh()
            self.mail_tab.refresh()
            self.refresh_steps()

    def refresh(self) -> None:
        if self.ctx.year is None or not self.ctx.ws.has_profile():
            return
        self.finalize_tab.refresh()
        self.signing_tab.refresh()
        self.export_tab.refresh()
        self.mail_tab.refresh()
        self.refresh_steps()

    def refresh_steps(self) -> None:
        ws, year = self.ctx.ws, self.ctx.year
        if year is None:
            return
        run_in_background(lambda _p: read_steps(ws, year)).success(self.show_steps) \
            .failure(lambda e: show_error(self, e)).run()

    def show_steps(self, steps: Steps) -> None:
        """Open the steps whose predecessor holds; a closed step's tab says why in its tooltip."""
        self.steps = steps
        for index, reason in enumerate(blocked_reasons(steps)):
            self.step_pages[index].set_blocked(reason)
            self.tabs.setTabToolTip(index, reason)
        self._show_guide()

    def _show_guide(self) -> None:
        if self.steps is None:
            return
        index, text = next_dossier_step(self.steps)
        self.guide.setText(text)
        self.guide_button.setText(f"Đến bước {index + 1} ›")
        self.guide_button.setVisible(self.tabs.currentIndex() != index)

    def _go_to_next_step(self) -> None:
        if self.steps is not None:
            self.tabs.setCurrentIndex(next_dossier_step(self.steps)[0])

    def _after_step(self, index: int) -> None:
        """After a step succeeds, show the next one (it opens when the new state has been read)."""
        self.tabs.setCurrentIndex(index)
