"""A full disk or a read-only folder during backup, restore and export: a clean error, nothing half-written shown as done.

CI runs as root, where chmod does not stop writes, so faults are injected: every file Python opens for writing
shares a byte budget (a disk with that much free space) and fails with ENOSPC/EROFS beyond it; SQLite's own
writes get "database or disk is full" from the online-backup step.
"""

from __future__ import annotations

import builtins
import errno
import io
import sqlite3
from pathlib import Path

import pytest

from app.backup import create_backup, create_backup_zip, list_backups, restore_backup, verify_backup
from app.cli import main
from app.errors import StorageError
from app.services.integrity import check_workspace
from tests.backup.helpers import make_workspace, snapshot


class _LimitedWriter:
    """A file object whose writes fail once the shared budget is spent."""

    def __init__(self, handle, disk: Disk) -> None:
        self._handle, self._disk = handle, disk

    def write(self, data):
        self._disk.spend(len(data))
        return self._handle.write(data)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._handle.close()

    def __iter__(self):
        return iter(self._handle)

    def __getattr__(self, name):
        return getattr(self._handle, name)


class Disk:
    """Injects a disk with `free` bytes left (or read-only when `code` is EROFS and free is 0)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, free: int, code: int = errno.ENOSPC) -> None:
        self.free, self.code = free, code
        real_open = builtins.open

        def fake_open(file, mode="r", *args, **kwargs):
            handle = real_open(file, mode, *args, **kwargs)
            if any(flag in mode for flag in "wax+"):
                if self.code != errno.ENOSPC and self.free == 0:
                    handle.close()
                    raise OSError(self.code, "Read-only file system", str(file))
                return _LimitedWriter(handle, self)
            return handle

        monkeypatch.setattr(builtins, "open", fake_open)
        monkeypatch.setattr(io, "open", fake_open)

    def spend(self, size: int) -> None:
        if size > self.free:
            self.free = 0
            raise OSError(self.code, "No space left on device")
        self.free -= size


def _bytes_needed(monkeypatch: pytest.MonkeyPatch, action) -> int:
    """How many bytes `action` writes through Python files (measured on an unlimited disk)."""
    with monkeypatch.context() as patch:
        disk = Disk(patch, 10**12)
        action()
    return 10**12 - disk.free


FRACTIONS = [0.0, 0.01, 0.5, 0.99]


@pytest.fixture
def ws(tmp_path):
    workspace = make_workspace(tmp_path / "data" / "cdht.sqlite3", evidence_files=3)
    yield workspace
    workspace.close()


def _hidden(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".")] if folder.exists() else []


@pytest.mark.parametrize("fraction", FRACTIONS)
def test_backup_on_a_full_disk_fails_cleanly_and_leaves_nothing(ws, tmp_path, monkeypatch, fraction):
    usb = tmp_path / "usb"
    before = snapshot(ws.path)
    folder_need = _bytes_needed(monkeypatch, lambda: create_backup(ws, tmp_path / "scratch"))
    zip_need = _bytes_needed(monkeypatch, lambda: create_backup_zip(ws, tmp_path / "scratch" / "a.zip"))
    assert folder_need > 5_000 and zip_need > 5_000
    with monkeypatch.context() as patch:
        disk = Disk(patch, int(folder_need * fraction))
        with pytest.raises(StorageError, match="ổ đĩa đã đầy"):
            create_backup(ws, usb)
        disk.free = int(zip_need * fraction)
        with pytest.raises(StorageError, match="ổ đĩa đã đầy"):
            create_backup_zip(ws, tmp_path / "usb.zip")
    assert list_backups(usb) == [] and _hidden(usb) == []
    assert [p.name for p in tmp_path.iterdir() if "usb.zip" in p.name or p.name.startswith(".cdht")] == []
    assert snapshot(ws.path) == before and check_workspace(ws).ok
    assert verify_backup(create_backup(ws, usb).path) == []  # with space again, it works


def test_sqlite_reporting_a_full_disk_during_the_database_copy(ws, tmp_path, monkeypatch):
    def full(*_args, **_kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr("app.backup.create.backup_copy", full)
    with pytest.raises(StorageError, match="ổ đĩa đã đầy"):
        create_backup(ws, tmp_path / "usb")
    assert list_backups(tmp_path / "usb") == [] and _hidden(tmp_path / "usb") == []


def test_backup_to_a_read_only_usb_drive(ws, tmp_path, monkeypatch):
    (tmp_path / "usb").mkdir()
    with monkeypatch.context() as patch:
        Disk(patch, 0, errno.EROFS)
        with pytest.raises(StorageError, match="chỉ cho phép đọc"):
            create_backup(ws, tmp_path / "usb")
    assert list(Path(tmp_path / "usb").iterdir()) == []


@pytest.mark.parametrize("fraction", FRACTIONS)
@pytest.mark.parametrize("kind", ["folder", "zip"])
def test_restore_on_a_full_disk_leaves_no_database_and_can_be_retried(ws, tmp_path, monkeypatch, fraction, kind):
    source = create_backup(ws).path if kind == "folder" else create_backup_zip(ws, tmp_path / "b.zip").path
    expected = snapshot(ws.path)
    need = _bytes_needed(monkeypatch, lambda: restore_backup(source, tmp_path / "scratch" / "cdht.sqlite3"))
    assert need > 5_000
    target = tmp_path / "new" / "cdht.sqlite3"
    with monkeypatch.context() as patch:
        Disk(patch, int(need * fraction))
        with pytest.raises(StorageError, match="ổ đĩa đã đầy"):
            restore_backup(source, target)
    assert not target.exists() and _hidden(target.parent) == []
    restore_backup(source, target)
    assert snapshot(target) == expected


def test_restore_reports_too_little_space_before_writing_anything(ws, tmp_path, monkeypatch):
    import shutil

    source = create_backup(ws).path

    class Usage:
        total, used, free = 10**9, 10**9 - 1000, 1000

    monkeypatch.setattr(shutil, "disk_usage", lambda _path: Usage)
    target = tmp_path / "new" / "cdht.sqlite3"
    with pytest.raises(StorageError, match="không đủ chỗ để ghi dữ liệu khôi phục: còn 1 KB, cần ít nhất"):
        restore_backup(source, target)
    assert list(target.parent.iterdir()) == []


def test_dataset_export_on_a_full_disk_is_a_clean_error_with_no_file(ws, tmp_path, monkeypatch, capsys):
    ws.close()
    out = tmp_path / "export" / "2025.json"
    with monkeypatch.context() as patch:
        Disk(patch, 10)
        code = main(["--db", str(ws.path), "dataset", "export", "--year", "2025", str(out)])
    _, err = capsys.readouterr()
    assert code == 1 and err.startswith("Lỗi: Ổ đĩa chứa") and "đã đầy" in err and err.count("\n") == 1
    assert not out.exists() and _hidden(out.parent) == []
