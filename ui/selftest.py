"""The window step of the installed copy's self-test (`cdht-gui --self-test-window`).

`ui.main.main()` does its normal start-up (fonts, theme, workspace in the data folder — the self-test points
CDHT_DATA_DIR at a temporary folder) and then calls `run_window_check(window)` instead of the event loop.
The check shows the main window (offscreen), lets it finish loading, looks at what it drew, closes it and
returns the exit code. One line goes to stdout; a failure goes to stderr and the log.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QElapsedTimer
from PySide6.QtGui import QFontInfo, QImage
from PySide6.QtWidgets import QApplication, QWidget

APP_TITLE_PART = "CĐHT"
UI_FONT = "Noto Sans"
MIN_SIZE = (640, 400)
LOAD_TIMEOUT_MS = 20_000
SCREENSHOT_ENV = "CDHT_SELFTEST_SCREENSHOT"  # optional path: save what the window drew (for a human to look)


class WindowCheckError(Exception):
    """The main window did not come up as it should (the message says what, in Vietnamese)."""


def _say(text: str, error: bool = False) -> None:
    stream = sys.stderr if error else sys.stdout
    if stream is not None:  # a windowed Windows executable has no console streams
        print(text, file=stream, flush=True)


def _process_until(condition: Callable[[], bool], timeout_ms: int) -> bool:
    timer = QElapsedTimer()
    timer.start()
    while not condition():
        if timer.elapsed() > timeout_ms:
            return False
        QCoreApplication.processEvents()
        time.sleep(0.005)
    return True


def _distinct_colours(image: QImage) -> int:
    """How many different colours the window drew (a blank window shows one or two)."""
    pixels = image.convertToFormat(QImage.Format.Format_RGB32)
    return len(set(memoryview(bytes(pixels.constBits())).cast("I")))


def check_window(window: QWidget) -> str:
    """Show, inspect and close the main window; returns a one-line description or raises WindowCheckError."""
    start = time.perf_counter()
    window.show()
    if not _process_until(lambda: window.isVisible() and window.windowHandle() is not None
                          and window.windowHandle().isExposed(), LOAD_TIMEOUT_MS):
        raise WindowCheckError("cửa sổ chính không hiện lên")
    opened = getattr(window, "has_opened", None)
    if opened is not None and not _process_until(opened, LOAD_TIMEOUT_MS):  # pages are built after the first paint
        raise WindowCheckError("cửa sổ chính không dựng xong trang đang hiện")
    try:
        from ui.tasks import wait_for_idle

        wait_for_idle(LOAD_TIMEOUT_MS)  # pages load their data in the background
    except ImportError:
        pass
    QCoreApplication.processEvents()
    shown = time.perf_counter() - start
    if APP_TITLE_PART not in window.windowTitle():
        raise WindowCheckError(f"tiêu đề cửa sổ \"{window.windowTitle()}\" không có \"{APP_TITLE_PART}\"")
    family = QFontInfo(window.font()).family()
    if UI_FONT not in family:
        raise WindowCheckError(f"giao diện dùng phông \"{family}\" thay vì {UI_FONT} đi kèm")
    if window.width() < MIN_SIZE[0] or window.height() < MIN_SIZE[1]:
        raise WindowCheckError(f"cửa sổ chính quá nhỏ ({window.width()}×{window.height()})")
    image = window.grab().toImage()
    if image.isNull() or _distinct_colours(image) < 4:
        raise WindowCheckError("cửa sổ chính không vẽ ra nội dung")
    target = os.environ.get(SCREENSHOT_ENV)
    if target:
        image.save(target)
    window.close()
    QCoreApplication.processEvents()
    return (f"cửa sổ chính {window.width()}×{window.height()}, phông {family}, "
            f"hiện xong sau {shown:.2f} s".replace(".", ","))


def run_window_check(window: QWidget | None = None, make_window: Callable[[], QWidget | None] | None = None) -> int:
    """Exit code of the window check (0 = the main window came up, drew itself and closed).

    `ui.main.main()` passes its ready `window` (or a `make_window` factory, called after the QApplication
    exists). Never raises: a failure is one Vietnamese line on stderr, with details in the error log.
    """
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "cdht-gui"])  # noqa: F841
    try:
        if window is None and make_window is not None:
            window = make_window()
        if window is None:
            raise WindowCheckError("không có cửa sổ chính để kiểm tra")
        _say(f"✔ {check_window(window)}")
        return 0
    except WindowCheckError as exc:
        _say(f"✘ {exc}", error=True)
        return 1
    except Exception as exc:  # noqa: BLE001 - the self-test reports, it never shows a traceback
        from ui.errorlog import log_exception

        log_exception(exc)
        _say(f"✘ lỗi khi mở cửa sổ chính: {type(exc).__name__}: {exc}", error=True)
        return 1
