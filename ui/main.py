"""`cdht-gui`: start the desktop app — theme, choosing the commune (or the demo), the main window.

The core services the start needs are imported before anything from Qt: once PySide6 is loaded it reads
the source of every module imported after it, which would make each start slower. Everything else (backup,
evidence, documents, signing, the pages not on screen) is imported when first used, after the window's
first paint (tests/ui/test_start_imports.py keeps it so).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import app.storage.lock  # noqa: F401 - loaded before Qt (see module docstring)
from app.errors import CdhtError, StorageError
from app.storage.workspace import Workspace
from ui.context import AppContext
from ui.locations import data_dir, demo_database, real_database, ui_state
from ui.theme import FUSION, apply_theme

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QWidget

    from app.backup.recovery import DatabaseHealth
    from app.services.opening import ReadOnlyReason
    from app.storage.lock import WriterLock

MODE_REAL, MODE_DEMO, MODE_RECIPIENT = "real", "demo", "recipient"


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with the bundled font, the app's theme and Vietnamese locale (reused when one exists)."""
    import os

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        # by environment, as Qt allows: the enum would load PySide's Qt namespace (ms) before the first paint
        os.environ.setdefault("QT_SCALE_FACTOR_ROUNDING_POLICY", "PassThrough")
        arguments = list(argv if argv is not None else sys.argv) or ["cdht-gui"]
        # the style by argument: asking Qt for it from Python would load PySide's QStyle type (ms) before the paint
        app = QApplication(arguments + ([] if "-style" in arguments else ["-style", FUSION]))
        app.setProperty("cdhtStyle", FUSION)
    app.setApplicationName("CĐHT xã")
    app.setOrganizationName("CDHT-xa")
    apply_theme(app)  # type: ignore[arg-type]
    from ui.i18n import install_vietnamese

    install_vietnamese(app)  # vi_VN dates and numbers; Qt's own dialogs and menus in Vietnamese
    from ui.gc_guard import collect_on_gui_thread

    collect_on_gui_thread(app)  # type: ignore[arg-type]
    return app  # type: ignore[return-value]


def _damage(path: Path, error: StorageError) -> DatabaseHealth:
    """After opening failed: the file's health when it is damaged (recovery is offered), else the error again."""
    from app.backup.recovery import diagnose_database

    health = diagnose_database(path)
    if health.status != "damaged":
        raise error
    return health


def _has_commune(path: Path) -> bool:
    """Whether `path` holds a set-up commune; a damaged file counts, so that opening it offers recovery.

    Read-only, so that a full or read-only drive still counts. The full integrity check runs only when opening
    fails, not at every start."""
    if not path.exists() or path.stat().st_size == 0:
        return False
    try:
        ws = Workspace.open(path, read_only=True)
    except StorageError as error:
        return _damage(path, error) is not None
    try:
        return ws.has_profile() and bool(ws.years())
    finally:
        ws.close()


def _lost(path: Path) -> bool:
    """Whether the database at `path` vanished while its backups or evidence remain (see find_lost_database)."""
    from app.backup.recovery import find_lost_database

    return find_lost_database(path) is not None


def _recover_interrupted_work(ws: Workspace) -> None:
    """Clear what interrupted imports, backups, restores and signings left behind, on the database thread."""
    from app.services.integrity import recover_interrupted_work
    from ui.errorlog import log_exception
    from ui.tasks import run_in_background

    if not ws.read_only:
        run_in_background(lambda _progress: recover_interrupted_work(ws)).failure(log_exception).run()


class Launcher:
    """Opens the right workspace and window, and switches between the commune's data and the demo."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.window: QWidget | None = None  # the main window, or the recipient's register
        self.ctx: AppContext | None = None
        self.lock: WriterLock | None = None  # the data folder's single-writer lock, held while a workspace is open
        self.read_only_reason: ReadOnlyReason | None = None  # why the open workspace is read-only (full or read-only drive), if it is

    def start(self) -> bool:
        """Open the last used workspace, or ask on first start; False when the user cancels."""
        last = ui_state(self.folder).value("launcher/mode", MODE_REAL)
        if last == MODE_RECIPIENT:
            return self.open_recipient()
        if last == MODE_DEMO and _has_commune(demo_database(self.folder)):
            return self.open(MODE_DEMO)
        if _has_commune(real_database(self.folder)):
            return self.open(MODE_REAL)
        if _lost(real_database(self.folder)):
            return self.recover_lost()
        return self.first_start()

    def recover_lost(self) -> bool:
        """The database vanished (deleted, emptied) but its backups or evidence remain: the recovery screen, never
        the first-start wizard, which would set up an empty commune on top of them."""
        from app.backup.recovery import DatabaseHealth, find_lost_database
        from ui.backup.recovery_dialog import RecoveryDialog

        path = real_database(self.folder)
        lost = find_lost_database(path)
        if lost is None:
            return self.open(MODE_REAL)
        dialog = RecoveryDialog(path, DatabaseHealth(path, lost.state, lost.summary()))
        if not dialog.exec() or dialog.restored_path is None:
            return False
        return self.open(MODE_REAL)

    def first_start(self) -> bool:
        from ui.wizard import StartDialog

        dialog = StartDialog()
        if not dialog.exec():
            return False
        if dialog.choice == "demo":
            return self.open(MODE_DEMO)
        if dialog.choice == MODE_RECIPIENT:
            return self.open_recipient()
        return self.setup()

    def open_recipient(self) -> bool:
        """The receiving side's register (ui/recipient), remembered as the workspace to open next time."""
        from ui.recipient.launch import open_recipient

        session = open_recipient(self.folder)
        if session is not None:
            self.window = session.window
            ui_state(self.folder).setValue("launcher/mode", MODE_RECIPIENT)
        return session is not None

    def setup(self) -> bool:
        from ui.wizard import SetupWizard, create_commune_workspace

        wizard = SetupWizard()
        if not wizard.exec():
            return False
        ws = create_commune_workspace(real_database(self.folder), wizard.data())
        return self.open(MODE_REAL, ws)

    def _open_real(self, cannot_write: CdhtError | None = None) -> Workspace | None:
        """Open the commune's database; read-only (with the reason) when its drive is full or cannot be written,
        and a damaged one gets the recovery screen instead of an error."""
        from app.services.opening import READ_ONLY_CAUSES, open_read_only

        path = real_database(self.folder)
        try:
            if cannot_write is None:
                return Workspace.open(path)
        except READ_ONLY_CAUSES as error:
            cannot_write = error
        except StorageError as error:
            health = _damage(path, error)
        if cannot_write is not None:
            if self.lock is not None:
                self.lock.release()
                self.lock = None
            ws, self.read_only_reason = open_read_only(path, cannot_write)
            return ws
        from ui.backup.recovery_dialog import RecoveryDialog

        dialog = RecoveryDialog(path, health)
        if not dialog.exec() or dialog.restored_path is None:
            return None
        return Workspace.open(dialog.restored_path)

    def open(self, mode: str, ws: Workspace | None = None) -> bool:
        from app.services.opening import READ_ONLY_CAUSES
        from app.storage.lock import acquire_single_writer
        from ui.main_window import MainWindow

        database = demo_database(self.folder) if mode == MODE_DEMO else real_database(self.folder)
        if self.lock is not None:
            self.lock.release()
        self.lock, self.read_only_reason, cannot_write = None, None, None
        try:
            self.lock = acquire_single_writer(database.parent)
        except READ_ONLY_CAUSES as error:
            if mode == MODE_DEMO:
                raise
            cannot_write = error
        if ws is None:
            if mode == MODE_DEMO:
                from app.demo import create_demo_workspace

                ws = create_demo_workspace(database)
            else:
                ws = self._open_real(cannot_write)
                if ws is None:
                    return False
        state = ui_state(self.folder)
        state.setValue("launcher/mode", mode)
        self.ctx = AppContext(ws, demo=(mode == MODE_DEMO))
        self.ctx.read_only_banner = self.read_only_reason.banner if self.read_only_reason else ""
        window = MainWindow(self.ctx, self.switch)
        self.window = window
        window.call_after_first_paint(state.sync)  # written to disk once the window is on screen
        window.call_after_first_paint(lambda: _recover_interrupted_work(ws))
        window.show()
        return True

    def switch(self, mode: str) -> None:
        old_window, old_ctx = self.window, self.ctx
        if old_window is not None:
            old_window.close()
        if mode == MODE_DEMO or _has_commune(real_database(self.folder)):
            opened = self.open(mode)
        elif _lost(real_database(self.folder)):
            opened = self.recover_lost()
        else:
            opened = self.setup()
        if old_ctx is not None:
            from ui.tasks import wait_for_idle

            wait_for_idle()  # a save the closing window started is answered before its database closes
            old_ctx.ws.close()
        if not opened and old_window is not None:
            self.open(MODE_DEMO if old_ctx is not None and old_ctx.demo else MODE_REAL)


SELF_TEST_WINDOW_FLAG = "--self-test-window"


def _self_test_window(argv: list[str]) -> int:
    """`cdht-gui --self-test-window` (run by `cdht self-test`): the demo commune's main window, offscreen, in the
    data folder the self-test chose; checked and closed by ui.selftest."""
    import os

    from ui.selftest import run_window_check

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    create_application([a for a in argv if a != SELF_TEST_WINDOW_FLAG])
    launcher = Launcher(data_dir())

    def make_window() -> QWidget | None:
        launcher.open(MODE_DEMO)
        return launcher.window

    return run_window_check(make_window=make_window)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    if SELF_TEST_WINDOW_FLAG in argv:
        return _self_test_window(argv)
    if "--recipient" in argv:  # the receiving side (Sở/Phòng GDĐT)
        from ui.recipient.launch import main as recipient_main

        return recipient_main(argv)
    app = create_application(argv)
    try:
        launcher = Launcher(data_dir())
        if not launcher.start():
            return 0
    except CdhtError as error:
        from ui.dialogs import message_box

        message_box(None, "Không mở được dữ liệu", error.message, kind="error")
        return 1
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
