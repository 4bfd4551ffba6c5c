"""The application context every page and dialog shares: the workspace, the current year, change signals."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.services.workspace import Changes, Workspace


class AppContext(QObject):
    """Holds the open `Workspace` and the selected year; broadcasts `changes_applied` after mutations.

    Pages connect to `changes_applied(Changes)` and refresh only what is flagged, and to
    `year_changed(int)` when the user picks another assessment year.
    """

    changes_applied = Signal(object)
    year_changed = Signal(int)

    def __init__(self, ws: Workspace, year: int | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        years = [info.year for info in ws.years()]
        self.year: int | None = year if year is not None else (years[-1] if years else None)

    def set_year(self, year: int) -> None:
        if year != self.year:
            self.year = year
            self.year_changed.emit(year)

    def apply(self, changes: Changes) -> Changes:
        """Announce a mutation's changes to every page (call on the GUI thread)."""
        if changes.any():
            self.changes_applied.emit(changes)
        return changes
