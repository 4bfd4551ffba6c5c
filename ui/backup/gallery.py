"""Gallery shots of the backup dialogs: back up, restore, integrity check, and the recovery screen."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QWidget

from app.backup import create_backup, list_backups
from app.backup.create import backup_root
from app.backup.recovery import diagnose_database
from ui.backup.dialogs import BackupDialog, CheckDialog, RestoreDialog
from ui.backup.recovery_dialog import RecoveryDialog
from ui.context import AppContext
from ui.tasks import wait_for_idle


def _ensure_backups(ctx: AppContext) -> None:
    if len(list_backups(backup_root(ctx.ws))) >= 3:
        return
    now = dt.datetime.now().astimezone().replace(microsecond=0)
    for hours, kind in ((50, "auto"), (26, "auto"), (2, "manual"), (0, "auto")):
        create_backup(ctx.ws, kind=kind, now=now - dt.timedelta(hours=hours))


def _damaged_copy(ctx: AppContext) -> Path:
    """A data folder whose database was overwritten, with the workspace's backups beside it."""
    folder = Path(tempfile.mkdtemp(prefix="cdht-recovery-")) / "CDHT-xa"
    shutil.copytree(backup_root(ctx.ws), folder / "backups")
    (folder / "cdht.sqlite3").write_bytes(b"\x00\x13 overwritten during a power cut " * 200)
    return folder / "cdht.sqlite3"


def shots(ctx: AppContext) -> list[tuple[str, QWidget]]:
    _ensure_backups(ctx)
    backup = BackupDialog(ctx)
    backup.set_folder(Path("E:/CDHT-saoluu"))
    backup.zip_check.setChecked(True)
    done = BackupDialog(ctx)
    done.start_backup()
    restore = RestoreDialog(ctx)
    check = CheckDialog(ctx)
    wait_for_idle()
    damaged = _damaged_copy(ctx)
    recovery = RecoveryDialog(damaged, diagnose_database(damaged))
    wait_for_idle()
    return [("backup-dialog", backup), ("backup-dialog-done", done), ("backup-restore", restore),
            ("backup-check", check), ("backup-recovery", recovery)]
