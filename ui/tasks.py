"""Running work off the GUI thread with a progress bar and cancel (Anki's CollectionOp / QueryOp shape).

Database work runs on one worker thread (the workspace's connection is used by one thread at a time);
other work runs in a pool. Results and errors come back to the GUI thread through signals.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.errors import CdhtError
from app.progress import ProgressState

_db_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cdht-db")
_pool_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="cdht-work")


class _Relay(QObject):
    finished = Signal(object, object)  # (result, error)


class Task:
    """One background job: `fn(progress)` runs off the GUI thread; callbacks run on it."""

    def __init__(self, fn: Callable[[ProgressState], Any], *, uses_db: bool = True) -> None:
        self.fn = fn
        self.uses_db = uses_db
        self.progress = ProgressState()
        self._on_success: Callable[[Any], object] | None = None
        self._on_failure: Callable[[BaseException], object] | None = None
        self._relay = _Relay()
        self._relay.finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._dialog: QProgressDialog | None = None
        self._timer: QTimer | None = None
        self.future: Future[None] | None = None

    def success(self, callback: Callable[[Any], object]) -> Task:
        self._on_success = callback
        return self

    def failure(self, callback: Callable[[BaseException], object]) -> Task:
        self._on_failure = callback
        return self

    def with_progress(self, parent: QWidget | None, title: str, cancellable: bool = True) -> Task:
        """Show a modal progress dialog with a Hủy (cancel) button while the task runs."""
        dialog = QProgressDialog(title, "Hủy" if cancellable else "", 0, 1000, parent)
        dialog.setWindowTitle(title)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        if not cancellable:
            dialog.setCancelButton(None)
        dialog.canceled.connect(self.progress.cancel)
        self._dialog = dialog
        self._timer = QTimer(dialog)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self._poll)
        return self

    def _poll(self) -> None:
        if self._dialog is not None:
            self._dialog.setValue(int(self.progress.fraction * 1000))
            if self.progress.message:
                self._dialog.setLabelText(self.progress.message)

    def _work(self) -> None:
        try:
            result = self.fn(self.progress)
        except BaseException as exc:  # noqa: BLE001 - every failure is delivered to the GUI thread
            exc.__cdht_traceback__ = traceback.format_exc()  # type: ignore[attr-defined]
            self._relay.finished.emit(None, exc)
        else:
            self._relay.finished.emit(result, None)

    def run(self) -> Task:
        if self._timer is not None:
            self._timer.start()
        executor = _db_executor if self.uses_db else _pool_executor
        self.future = executor.submit(self._work)
        _running.add(self)
        return self

    def _deliver(self, result: Any, error: BaseException | None) -> None:
        _running.discard(self)
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._dialog is not None:
            self._dialog.close()
            self._dialog.deleteLater()
            self._dialog = None
        # The worker thread may hold the last reference to this task. Everything that can reach a widget (the
        # job's closure, the callbacks) is let go here, on the GUI thread: a widget wrapper freed on a worker
        # thread is deleted later by shiboken, and that deferred delete crashes if Qt deleted the widget first.
        on_success, on_failure = self._on_success, self._on_failure
        self.fn = self._on_success = self._on_failure = None  # type: ignore[assignment]
        if error is None:
            if on_success:
                on_success(result)
        elif on_failure:
            on_failure(error)
        else:
            show_error(None, error)


_running: set[Task] = set()


def run_in_background(fn: Callable[[ProgressState], Any], *, uses_db: bool = True) -> Task:
    """Shorthand: `run_in_background(fn).success(cb).with_progress(parent, 'Đang nhập…').run()`."""
    return Task(fn, uses_db=uses_db)


def user_message(error: BaseException) -> str:
    """The Vietnamese text to show for an error: the cause when the core, the OS or SQLite named one."""
    from app.errors import user_message as core_message

    return core_message(error) or "Đã xảy ra lỗi không mong muốn. Không có thay đổi nào được ghi dở dang."


def show_error(parent: QWidget | None, error: BaseException, title: str = "Không thực hiện được") -> None:
    """One dialog for every failure: a Vietnamese message, technical details kept in the log."""
    from ui.dialogs import message_box

    if not isinstance(error, CdhtError):
        from ui.errorlog import log_exception

        log_exception(error)
    message_box(parent, title, user_message(error), kind="warning")


def wait_for_idle(timeout_ms: int = 10000) -> None:
    """Block (processing events) until every background task has delivered; for tests and shutdown."""
    from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QElapsedTimer

    timer = QElapsedTimer()
    timer.start()
    while _running and timer.elapsed() < timeout_ms:
        QCoreApplication.processEvents()
        QDeadlineTimer(5)
        _db_executor.submit(lambda: None).result()
        QCoreApplication.processEvents()
