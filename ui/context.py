"""The application context every page and dialog shares: the workspace, the current year, change signals."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from app.changes import Changes
from app.storage.workspace import Workspace

if TYPE_CHECKING:
    from app.domain.checklist import Checklist


class AppContext(QObject):
    """Holds the open `Workspace` and the selected year; broadcasts `changes_applied` after mutations.

    Pages connect to `changes_applied(Changes)` and refresh only what is flagged, and to
    `year_changed(int)` when the user picks another assessment year. `checklist()` is computed once per
    change and shared by every panel that shows verdicts.
    """

    changes_applied = Signal(object)
    year_changed = Signal(int)
    #: Emitted after every stored edit (with the Changes) so the window can say "đã lưu".
    saved = Signal(object)
    #: When the data opened read-only (full or read-only drive): why, and what to do, for the window's banner.
    read_only_banner = ""

    def __init__(self, ws: Workspace, year: int | None = None, parent: QObject | None = None,
                 demo: bool = False) -> None:
        super().__init__(parent)
        self.ws = ws
        self.demo = demo
        years = [info.year for info in ws.years()]
        self.year: int | None = year if year is not None else (years[-1] if years else None)
        self._checklist: Checklist | None = None
        # connected first, so the cache is fresh before any page reads it
        self.changes_applied.connect(self._invalidate)
        self.year_changed.connect(lambda _year: self._drop_checklist())

    def set_year(self, year: int) -> None:
        if year != self.year:
            self.year = year
            self.year_changed.emit(year)

    def apply(self, changes: Changes) -> Changes:
        """Announce a mutation's changes to every page (call on the GUI thread)."""
        if changes.any():
            self.changes_applied.emit(changes)
        return changes

    def checklist(self) -> Checklist | None:
        """The current year's checklist, cached until the next change that affects verdicts."""
        if self.year is None:
            return None
        if self._checklist is None:
            self._checklist = self.ws.checklist(self.year)
        return self._checklist

    def _drop_checklist(self) -> None:
        self._checklist = None

    def _invalidate(self, changes: Changes) -> None:
        if changes.checklist or changes.evidence or changes.years or changes.profile or changes.indicators:
            self._checklist = None

    def submit(self, change: Callable[[Workspace], Changes], parent: QWidget | None = None,
               on_success: Callable[[Changes], Any] | None = None,
               on_failure: Callable[[BaseException], Any] | None = None) -> None:
        """Run one mutation on the database thread, then announce its changes on the GUI thread.

        Without `on_failure`, errors are shown in the standard Vietnamese dialog.
        """
        from ui.tasks import run_in_background, show_error

        def done(changes: Changes) -> None:
            self.apply(changes)
            self.saved.emit(changes)
            if on_success is not None:
                on_success(changes)

        def failed(error: BaseException) -> None:
            if on_failure is not None:
                on_failure(error)
            else:
                show_error(parent, error)

        run_in_background(lambda _progress: change(self.ws)).success(done).failure(failed).run()
