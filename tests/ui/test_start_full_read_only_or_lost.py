"""Starting the app when its data folder is on a full or read-only drive, or its database vanished: the window opens
read-only with a banner saying why (and a refused edit says so in one line), and a lost database leads to the
recovery screen, never to the first-start wizard."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QPushButton

from app.backup import create_backup
from tests.backup.helpers import make_workspace, snapshot
from tests.robustness.drives import small_drive
from tests.ui.conftest import type_text
from ui.backup.recovery_dialog import RecoveryDialog
from ui.locations import real_database
from ui.main import Launcher
from ui.tasks import wait_for_idle

SHOTS = Path(os.environ.get("CDHT_SCREENSHOTS", "")) if os.environ.get("CDHT_SCREENSHOTS") else None


def _no_wizard(monkeypatch) -> None:
    from ui import wizard

    def refuse(*_args, **_kwargs):
        raise AssertionError("the first-start dialog must not be shown when the commune's data exists")

    monkeypatch.setattr(wizard.StartDialog, "exec", refuse)
    monkeypatch.setattr(wizard.SetupWizard, "exec", refuse)


def _shot(widget, name: str) -> None:
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(SHOTS / f"{name}.png"))


def _commune(folder: Path) -> Path:
    ws = make_workspace(real_database(folder), evidence_files=2)
    ws.close()
    return ws.path


@pytest.mark.parametrize("cause", ["full", "read-only"])
def test_a_full_or_read_only_drive_opens_read_only_with_a_banner_and_reopens_for_writing(qtbot, tmp_path,
                                                                                           monkeypatch, cause):
    _no_wizard(monkeypatch)
    with small_drive(tmp_path / "disk") as drive:
        folder = drive.path / "data"
        db = _commune(folder)
        expected = snapshot(db)
        if cause == "full":
            drive.leave_free(0)
        else:
            drive.read_only()
        launcher = Launcher(folder)
        assert launcher.start()
        window = launcher.window
        qtbot.addWidget(window)
        qtbot.waitExposed(window)
        assert launcher.ctx.ws.read_only and launcher.lock is None
        text = window.read_only_text.text()
        assert ("đã đầy" if cause == "full" else "không cho phép ghi") in text and "chế độ chỉ đọc" in text
        assert window.read_only_text.isVisible()
        _shot(window, f"read-only-{cause}")

        window.open_indicator("5.1")
        editor = window.indicators.editor
        achieved = editor._bindings["achieved"].widget
        achieved.selectAll()
        type_text(achieved, "9.000")
        editor.commit()
        qtbot.waitUntil(lambda: editor.error_label.isVisible(), timeout=5000)
        assert editor.error_label.text().startswith("Chưa lưu: Dữ liệu đang mở ở chế độ chỉ đọc")
        assert editor.error_label.text().count("\n") == 0
        wait_for_idle()

        if cause == "full":
            drive.release()
        else:
            drive.read_only(False)
        [button] = [b for b in window.findChildren(QPushButton) if b.text() == "Mở lại để ghi"]
        button.click()
        qtbot.waitUntil(lambda: launcher.window is not window, timeout=5000)
        qtbot.addWidget(launcher.window)
        assert not launcher.ctx.ws.read_only and launcher.lock is not None
        assert not hasattr(launcher.window, "read_only_text")
        launcher.window.close()
        launcher.ctx.ws.close()
        launcher.lock.release()
        assert snapshot(db) == expected


def _restore_in_dialog(seen: list[RecoveryDialog]):
    def run(dialog: RecoveryDialog) -> int:
        seen.append(dialog)
        wait_for_idle()
        assert dialog.backup is not None and dialog.restore_button.isEnabled()
        _shot(dialog, "recovery-lost-database")
        dialog.restore_button.click()
        wait_for_idle()
        return dialog.result()

    return run


@pytest.mark.parametrize("how", ["deleted", "emptied"])
def test_a_lost_database_opens_the_recovery_screen_not_the_wizard(qtbot, tmp_path, monkeypatch, how):
    _no_wizard(monkeypatch)
    folder = tmp_path / "data"
    db = _commune(folder)
    ws = make_workspace(db)
    create_backup(ws, kind="auto", now=dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC))
    ws.close()
    expected = snapshot(db)
    if how == "deleted":
        db.unlink()
    else:
        db.write_bytes(b"")
    seen: list[RecoveryDialog] = []
    monkeypatch.setattr(RecoveryDialog, "exec", _restore_in_dialog(seen))
    launcher = Launcher(folder)
    assert launcher.start()
    qtbot.addWidget(launcher.window)
    [dialog] = seen
    assert dialog.windowTitle() == "Không tìm thấy dữ liệu"
    assert any("1 bản sao lưu" in label.text() and "kho minh chứng" in label.text()
               for label in dialog.findChildren(QLabel))
    assert snapshot(db) == expected and not launcher.ctx.ws.read_only
    launcher.ctx.ws.close()
    launcher.lock.release()


def test_the_recovery_screen_offers_the_next_older_backup_when_the_chosen_one_is_damaged(qtbot, tmp_path):
    from app.backup.manifest import read_backup_info

    folder = tmp_path / "data"
    db = _commune(folder)
    ws = make_workspace(db)
    older = create_backup(ws, kind="auto", now=dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC))
    newer = create_backup(ws, kind="auto", now=dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC))
    ws.close()
    expected = snapshot(db)
    db.unlink()
    damaged = newer.path / "cdht.sqlite3"
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    dialog = RecoveryDialog(db)
    qtbot.addWidget(dialog)
    wait_for_idle()
    assert dialog.backup is not None and dialog.backup.path == older.path  # the damaged newest one is skipped
    dialog.show_backup(read_backup_info(newer.path))  # the user picks the newest anyway
    dialog.restore_button.click()
    wait_for_idle()
    assert "không toàn vẹn" in dialog.status.text() and "cdht.sqlite3" in dialog.status.text()
    assert dialog.backup.path == older.path and dialog.restore_button.isEnabled()
    dialog.restore_button.click()
    wait_for_idle()
    assert dialog.restored_path == db and snapshot(db) == expected
