"""Qt test setup: offscreen platform, the app's theme, and a commune workspace in a temporary folder."""

from __future__ import annotations

import itertools
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QEvent, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QKeyEvent  # noqa: E402
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget  # noqa: E402

import app.storage.session as workspace_module  # noqa: E402
from app.domain.records import Profile  # noqa: E402
from app.services.profile import save_profile
from app.services.years import add_year
from app.storage.workspace import Workspace  # noqa: E402
from ui.context import AppContext  # noqa: E402
from ui.tasks import wait_for_idle  # noqa: E402
from ui.theme import apply_theme  # noqa: E402

YEAR = 2025


class Clock:
    """The audit clock, advanced by hand: edits between two ticks count as one step for undo."""

    def __init__(self) -> None:
        self._seconds = itertools.count()
        self.now = ""
        self.tick()

    def tick(self) -> None:
        self.now = f"2026-01-01T{next(self._seconds):08d}"

    def __call__(self) -> str:
        return self.now


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    monkeypatch.setenv("CDHT_DATA_DIR", str(folder))
    return folder


@pytest.fixture(scope="session", autouse=True)
def themed(qapp):
    apply_theme(qapp)
    return qapp


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(workspace_module, "utc_now", clock)
    return clock


@pytest.fixture
def ws(data_dir, clock):
    ws = Workspace.open(data_dir / "cdht.sqlite3", user="Lê Thị Hoa")
    save_profile(ws, Profile("Đồng Tiến", "Hưng Yên", signer_name="Trần Văn Ân"))
    add_year(ws, YEAR)
    clock.tick()
    yield ws
    wait_for_idle()
    ws.close()


@pytest.fixture
def ctx(ws) -> AppContext:
    return AppContext(ws, YEAR)


def type_text(widget: QWidget, text: str) -> None:
    """Type like a person, one key event per character (QTest.keyClicks aborts on Vietnamese letters); a line
    break is the Enter key."""
    widget.setFocus()
    for ch in text:
        key, ch = (Qt.Key.Key_Return, "\r") if ch == "\n" else (Qt.Key.Key_unknown, ch)
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, ch))


def open_main_window(qtbot, ctx: AppContext, page: int | None = None):  # noqa: ANN201 - a MainWindow
    """The main window at 1366×768, active (focus moves only in the active window), opened, on `page`."""
    from ui.main_window import MainWindow

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    qtbot.waitUntil(window.has_opened, timeout=10000)
    if page is not None:
        window.show_page(page)
    for _ in range(3):
        wait_for_idle()
        qtbot.wait(10)
    return window


def when_modal(kind: type, act: Callable[[QWidget], None], timeout_ms: int = 15000) -> None:
    """Act on the next modal dialog the way a user would, once it is open (inside its exec()).

    The first modal dialog to appear (progress windows aside) must be a `kind`, so a password prompt that
    should not appear fails the test; it is closed if the act leaves it open, so a failed assertion never hangs the test."""
    from PySide6.QtCore import QElapsedTimer

    clock = QElapsedTimer()
    clock.start()

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or not dialog.isVisible() or (isinstance(dialog, QProgressDialog) and kind is not QProgressDialog):
            if clock.elapsed() < timeout_ms:
                QTimer.singleShot(20, poll)
            return
        try:
            assert isinstance(dialog, kind), f"expected a {kind.__name__}, got {dialog!r}: {dialog.windowTitle()}"
            act(dialog)
        finally:
            if dialog.isVisible():
                dialog.reject()

    QTimer.singleShot(0, poll)


def pytest_collection_modifyitems(config, items) -> None:
    """The slow tests here (the soak test) run only when asked for by marker: `pytest -m slow tests/ui`."""
    if config.getoption("markexpr"):
        return
    here = Path(__file__).parent
    slow = [item for item in items if item.get_closest_marker("slow") and here in Path(str(item.fspath)).parents]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if item not in slow]
