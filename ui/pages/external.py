"""Pages and dialogs built by other parts of the app, loaded only when they are installed.

The window works whether or not they exist yet: a missing (or failing) page is replaced by a short
"Chức năng đang được hoàn thiện" notice, and the failure goes to the error log. These pages pull in
heavy libraries (PDF rendering, signing, spreadsheets), so the window holds a `LazyPage` for each and
builds the real page the first time it is shown — the window opens without paying for them.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

from ui.context import AppContext
from ui.pages.deferred import BuiltOnDemand


def find_class(module_name: str, class_name: str) -> Any | None:
    """The class `module_name.class_name` when that module is installed, else None."""
    try:
        if importlib.util.find_spec(module_name) is None:
            return None
    except ModuleNotFoundError:
        return None
    try:
        module = importlib.import_module(module_name)
    except Exception as error:  # noqa: BLE001 - a broken optional module must not stop the window
        from ui.errorlog import log_exception

        log_exception(error)
        return None
    return getattr(module, class_name, None)


class PlaceholderPage(QWidget):
    """Stands in for a page that is not available in this version."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        from PySide6.QtCore import Qt

        from ui.widgets.verdict import wrapped

        super().__init__(parent)
        self.setObjectName("page")
        heading = QLabel(title)
        heading.setObjectName("pageTitle")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 16)
        layout.addWidget(heading)
        note = wrapped("Chức năng đang được hoàn thiện và sẽ có trong phiên bản tới.", object_name="muted")
        layout.addWidget(note)
        layout.addStretch(1)
        layout.setAlignment(Qt.AlignmentFlag.AlignTop)


def make_page(ctx: AppContext, title: str, module_name: str, class_name: str) -> QWidget:
    page_class = find_class(module_name, class_name)
    if page_class is not None:
        try:
            page: QWidget = page_class(ctx)
            return page
        except Exception as error:  # noqa: BLE001 - see module docstring
            from ui.errorlog import log_exception

            log_exception(error)
    return PlaceholderPage(title)


class LazyPage(BuiltOnDemand):
    """Holds the place of page `module_name.class_name` in the window; builds it on first show (or `page()`)."""

    def __init__(self, ctx: AppContext, title: str, module_name: str, class_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(lambda _holder: make_page(ctx, title, module_name, class_name), parent)
        self.ctx = ctx
        self.title = title
        self.module_name = module_name
        self.class_name = class_name

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
