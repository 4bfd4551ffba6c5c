"""For benchmarks that drive the real window: open it on a data folder, and know when a widget has repainted.

Import inside the measuring function, after setting QT_QPA_PLATFORM (the benchmarks run offscreen).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QWidget


def open_window(folder: Path, year: int) -> tuple[Any, Any, Any, Any]:
    """(app, workspace, context, window): the main window (1366×768) on the commune in `folder`, fully opened."""
    os.environ["CDHT_DATA_DIR"] = str(folder)
    from app.storage.workspace import Workspace
    from ui.context import AppContext
    from ui.locations import real_database
    from ui.main import create_application
    from ui.main_window import MainWindow
    from ui.tasks import wait_for_idle

    app = create_application([])
    ws = Workspace.open(real_database(folder))
    ctx = AppContext(ws, year)
    window = MainWindow(ctx)
    window.resize(1366, 768)
    window.show()
    while not window.has_opened():
        app.processEvents()
    wait_for_idle()
    return app, ws, ctx, window


def checklist_cell(window: Any, indicator_id: str = "5.1", level: int = 1) -> QWidget:
    """Open the indicator's editor and scroll the checklist so that its cell for `level` is on screen."""
    window.open_indicator(indicator_id)
    for _ in range(5):
        QApplication.processEvents()
    panel = window.checklist
    cell = panel._cells[(indicator_id, level)]
    panel.findChild(type(window.indicators.editor_scroll)).ensureWidgetVisible(cell)
    QApplication.processEvents()
    return cell


class Painted(QObject):
    """Remembers when each watched widget last painted."""

    def __init__(self, *widgets: QWidget) -> None:
        super().__init__()
        self.at: dict[QObject, float] = {}
        self.watch(*widgets)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.at[watched] = time.perf_counter()
        return False

    def watch(self, *widgets: QWidget) -> None:
        for widget in widgets:
            widget.installEventFilter(self)

    def until(self, widgets: tuple[QWidget, ...], since: float, also: Callable[[], bool] = lambda: True,
              limit: float = 10) -> float:
        """Seconds from `since` to the last of `widgets` repainting after it (processing events meanwhile), once
        `also()` holds."""
        while time.perf_counter() - since < limit:
            if all(self.at.get(widget, 0) > since for widget in widgets) and also():
                return max(self.at[widget] for widget in widgets) - since
            QApplication.processEvents()
        raise RuntimeError("the widgets did not repaint")
