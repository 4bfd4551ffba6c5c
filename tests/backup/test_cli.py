"""`cdht backup` and `cdht restore` on the command line: one Vietnamese line per outcome, honest exit codes."""

from __future__ import annotations

import subprocess
import sys

from app.cli import main
from app.storage.lock import acquire_single_writer
from tests.backup.helpers import snapshot


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_backup_to_default_place_to_a_folder_and_to_a_zip_then_restore_each(ws, tmp_path, capsys):
    ws.close()
    expected = snapshot(ws.path)
    code, out, _ = _run(capsys, "--db", ws.path, "backup")
    assert code == 0 and out.startswith("Đã sao lưu: ") and "3 minh chứng" in out
    default = next((ws.data_dir / "backups").iterdir())
    code, out, _ = _run(capsys, "--db", ws.path, "backup", tmp_path / "usb")
    assert code == 0
    usb = next((tmp_path / "usb").iterdir())
    code, out, _ = _run(capsys, "--db", ws.path, "backup", tmp_path / "sao-luu.zip")
    assert code == 0 and (tmp_path / "sao-luu.zip").is_file()
    for index, source in enumerate([default, usb, tmp_path / "sao-luu.zip"]):
        target = tmp_path / f"restored-{index}" / "cdht.sqlite3"
        code, out, err = _run(capsys, "restore", source, "--to", target)
        assert code == 0 and out.startswith("Đã khôi phục bản sao lưu lúc ") and f"vào {target};" in out and err == ""
        assert snapshot(target) == expected
    code, out, err = _run(capsys, "restore", default, "--to", tmp_path / "restored-0" / "cdht.sqlite3")
    assert code == 1 and err.startswith("Lỗi: Đã có tệp") and "không ghi đè" in err and err.count("\n") == 1


def test_restore_into_a_folder_another_copy_is_writing_is_refused(ws, tmp_path, capsys):
    ws.close()
    assert _run(capsys, "--db", ws.path, "backup")[0] == 0
    source = next((ws.data_dir / "backups").iterdir())
    lock = acquire_single_writer(tmp_path / "busy")
    try:
        code, _, err = _run(capsys, "restore", source, "--to", tmp_path / "busy" / "cdht.sqlite3")
    finally:
        lock.release()
    assert code == 1 and "đang được mở bởi" in err


def test_the_console_script_runs_backup_and_check_as_subprocesses(ws, tmp_path):
    ws.close()
    for argv in (["backup", str(tmp_path / "x.zip")], ["check"]):
        result = subprocess.run([sys.executable, "-m", "app", "--db", str(ws.path), *argv],
                                capture_output=True, text=True, encoding="utf-8")
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
