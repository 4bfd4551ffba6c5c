"""The backup dialogs driven like a user would, offscreen, on real data folders."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt  # noqa: E402

from PySide6.QtWidgets import QDialog  # noqa: E402

from app.backup import create_backup, list_backups  # noqa: E402
from app.backup.manifest import iter_evidence_store  # noqa: E402
from app.backup.recovery import diagnose_database  # noqa: E402
from tests.backup.helpers import snapshot  # noqa: E402
from ui.backup.dialogs import BackupDialog, CheckDialog, RestoreDialog  # noqa: E402
from ui.backup.recovery_dialog import RecoveryDialog  # noqa: E402
from ui.context import AppContext  # noqa: E402
from ui.tasks import wait_for_idle  # noqa: E402

T0 = dt.datetime(2026, 11, 22, 9, 0, 0).astimezone()


def test_backup_dialog_backs_up_to_a_usb_folder_as_zip(qtbot, ws, tmp_path):
    dialog = BackupDialog(AppContext(ws, 2025))
    qtbot.addWidget(dialog)
    assert "Chưa có bản sao lưu" in dialog.last_label.text()
    dialog.set_folder(tmp_path / "usb")
    dialog.zip_check.setChecked(True)
    dialog.start_backup()
    wait_for_idle()
    assert dialog.result_info is not None and dialog.result_info.is_zip
    assert dialog.result_info.path.parent == tmp_path / "usb"
    assert "Đã sao lưu vào" in dialog.status.text() and "3 minh chứng" in dialog.status.text()


def test_restore_dialog_lists_backups_and_returns_the_checked_new_database(qtbot, ws, tmp_path):
    create_backup(ws, kind="auto", now=T0)
    create_backup(ws, kind="manual", now=T0 + dt.timedelta(hours=1))
    dialog = RestoreDialog(AppContext(ws, 2025))
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 2
    assert dialog.table.item(0, 1).text() == "Sao lưu thủ công" and dialog.table.item(0, 4).text() == "3"
    assert "Đồng Tiến" in dialog.table.item(0, 2).text() and dialog.table.item(1, 3).text() == "2025"
    dialog.target_edit.setText(str(tmp_path / "khoi-phuc"))
    dialog.table.selectRow(1)
    dialog.start_restore()
    wait_for_idle()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.restored_path == tmp_path / "khoi-phuc" / "cdht.sqlite3"
    assert snapshot(dialog.restored_path)["evidence"] == snapshot(ws.path)["evidence"]


def test_check_dialog_finds_an_altered_file_and_repairs_it_from_a_backup(qtbot, ws):
    create_backup(ws, now=T0)
    _, path = next(iter(iter_evidence_store(ws.data_dir)))
    original = path.read_bytes()
    path.write_bytes(b"%PDF-1.4 altered")
    dialog = CheckDialog(AppContext(ws, 2025), start=False)
    qtbot.addWidget(dialog)
    dialog.start_check()
    wait_for_idle()
    assert not dialog.report.ok and dialog.repair_button.isEnabled()
    assert "bị thay đổi nội dung" in dialog.details.toPlainText()
    dialog.run_repair()
    wait_for_idle()
    assert dialog.repair_result.remaining.ok and path.read_bytes() == original
    assert "Sau khi sửa: dữ liệu toàn vẹn." in dialog.details.toPlainText()
    assert not dialog.repair_button.isEnabled()


def test_recovery_dialog_finds_the_latest_good_backup_and_restores_it_in_place(qtbot, ws):
    create_backup(ws, kind="auto", now=T0)
    ws.close()
    expected = snapshot(ws.path)
    ws.path.write_bytes(b"\x00" * 4096)
    for side in ("-wal", "-shm"):
        ws.path.with_name(ws.path.name + side).unlink(missing_ok=True)
    dialog = RecoveryDialog(ws.path)
    qtbot.addWidget(dialog)
    wait_for_idle()
    assert dialog.backup is not None and dialog.restore_button.isEnabled()
    assert "Bản sao lưu tốt gần nhất" in dialog.backup_title.text()
    dialog.start_restore()
    wait_for_idle()
    assert dialog.restored_path == ws.path and diagnose_database(ws.path).ok
    assert snapshot(ws.path) == expected
    assert list(ws.data_dir.glob("cdht.sqlite3.damaged-*"))
    assert len(list_backups(ws.data_dir / "backups")) == 1
