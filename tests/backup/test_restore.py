"""Restoring: exact data back, hashes verified before anything is placed, never overwriting, safe archives."""

from __future__ import annotations

import datetime as dt
import shutil
import stat
import zipfile
from pathlib import Path

import pytest

from app.backup import create_backup, create_backup_zip, list_backups, maybe_auto_backup, restore_backup
from app.backup.manifest import MANIFEST_NAME
from app.errors import InputError
from app.services.assignments import set_assignment
from app.services.indicators import set_values
from app.services.recognitions import add_recognition
from app.services.years import add_year
from app.storage.workspace import Workspace
from tests.backup.helpers import add_evidence, make_workspace, snapshot

T0 = dt.datetime(2026, 11, 22, 9, 0, 0).astimezone()


def _edit_a_year_of_work(ws: Workspace) -> None:
    set_values(ws, 2025, "5.1", {"achieved": 9001, "total": 14870, "notes": "Số liệu Công an xã, 31/12/2025"})
    add_year(ws, 2026, copy_from=2025)
    set_assignment(ws, 2026, "1.1", "Văn phòng HĐND và UBND xã", ["Hội Khuyến học"], "30/06/2026", "in_progress")
    add_recognition(ws, 1, "125/QĐ-UBND", "15/03/2024", "UBND huyện", 2023)
    add_evidence(ws, "Biên bản họp Hội đồng tự đánh giá", year=2026, indicator="1.2", repeat=300)


def test_restore_from_the_latest_automatic_backup_after_deleting_the_data_folder(tmp_path):
    """The commune PC is replaced: only the backup drive survives, and it brings back exactly the same data."""
    data = tmp_path / "C" / "CDHT-xa"
    backup_drive = tmp_path / "D" / "CDHT-saoluu"
    ws = make_workspace(data / "cdht.sqlite3")
    ws.write_setting("backup.folder", str(backup_drive))
    assert maybe_auto_backup(ws, T0) is not None
    _edit_a_year_of_work(ws)
    assert maybe_auto_backup(ws, T0 + dt.timedelta(minutes=10)) is None  # too soon …
    assert maybe_auto_backup(ws, T0 + dt.timedelta(minutes=12), closing=True) is not None  # … but on close
    ws.close()
    before = snapshot(data / "cdht.sqlite3")
    shutil.rmtree(data)

    latest = list_backups(backup_drive)[0]
    assert latest.kind == "auto" and latest.years == (2025, 2026)
    restored = restore_backup(latest.path, tmp_path / "new-pc" / "cdht.sqlite3")
    after = snapshot(restored)
    assert after["years"] == before["years"]
    assert after["evidence"] == before["evidence"] and len(after["evidence"]) == 4
    assert all(sha == actual for sha, actual in after["evidence"].items())
    assert after["settings"] == before["settings"] and after["audit_rows"] == before["audit_rows"]


def test_restore_from_a_zip_and_from_a_folder_give_the_same_data(ws, tmp_path):
    _edit_a_year_of_work(ws)
    folder = create_backup(ws, now=T0)
    archive = create_backup_zip(ws, tmp_path / "usb" / "cdht.zip", now=T0)
    ws.close()
    a = restore_backup(folder.path, tmp_path / "a" / "cdht.sqlite3")
    b = restore_backup(archive.path, tmp_path / "b" / "cdht.sqlite3")
    assert snapshot(a) == snapshot(b) == snapshot(ws.path)
    assert not [p for p in (tmp_path / "a").iterdir() if p.name.startswith(".restore")]


def test_restore_refuses_to_overwrite_an_existing_database(ws, tmp_path):
    info = create_backup(ws, now=T0)
    with pytest.raises(InputError, match="không ghi đè"):
        restore_backup(info.path, ws.path)
    other = tmp_path / "other" / "cdht.sqlite3"
    other.parent.mkdir()
    other.with_name("cdht.sqlite3-wal").write_bytes(b"x")
    with pytest.raises(InputError, match="không ghi đè"):
        restore_backup(info.path, other)


@pytest.mark.parametrize("damage", ["evidence", "database", "manifest-missing-file"])
def test_a_damaged_backup_is_refused_before_anything_is_written(ws, tmp_path, damage):
    info = create_backup(ws, now=T0)
    if damage == "evidence":
        victim = next((info.path / "evidence").rglob("*/*"))
        victim.write_bytes(victim.read_bytes()[:-1] + b"!")
    elif damage == "database":
        with open(info.path / "cdht.sqlite3", "r+b") as handle:
            handle.seek(5000)
            handle.write(b"\xff" * 64)
    else:
        next((info.path / "evidence").rglob("*/*")).unlink()
    target = tmp_path / "new" / "cdht.sqlite3"
    with pytest.raises(InputError, match="không toàn vẹn"):
        restore_backup(info.path, target)
    assert not target.exists()
    assert not (target.parent / "evidence").exists()
    assert [p.name for p in target.parent.iterdir()] == []


def test_a_tampered_zip_is_refused(ws, tmp_path):
    info = create_backup_zip(ws, tmp_path / "b.zip", now=T0)
    tampered = tmp_path / "t.zip"
    with zipfile.ZipFile(info.path) as source, zipfile.ZipFile(tampered, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("evidence/"):
                data = data.replace(b"QU", b"qu", 1) + b"extra"
            target.writestr(item, data)
    with pytest.raises(InputError, match="không toàn vẹn"):
        restore_backup(tampered, tmp_path / "new" / "cdht.sqlite3")
    assert not (tmp_path / "new" / "cdht.sqlite3").exists()


def _evil_zip(path: Path, manifest: bytes, name: str, symlink: bool = False) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(MANIFEST_NAME, manifest)
        info = zipfile.ZipInfo(name)
        if symlink:
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, b"owned")
    return path


@pytest.mark.parametrize("name", ["../evil.txt", "evidence/../../evil.txt", "/tmp/evil.txt", "C:/evil.txt",
                                  "evidence\\..\\..\\evil.txt", "link-out"])
def test_archives_never_extract_outside_their_target(ws, tmp_path, name):
    good = create_backup_zip(ws, tmp_path / "good.zip", now=T0)
    with zipfile.ZipFile(good.path) as archive:
        manifest = archive.read(MANIFEST_NAME)
    evil = _evil_zip(tmp_path / "evil.zip", manifest, name, symlink=name == "link-out")
    target = tmp_path / "deep" / "inside" / "cdht.sqlite3"
    with pytest.raises(InputError, match="không an toàn"):
        restore_backup(evil, target)
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path / "deep" / "evil.txt").exists()
    assert not Path("/tmp/evil.txt").exists()
    assert not target.exists()


def test_a_folder_that_is_not_a_backup_is_refused_with_a_clear_message(tmp_path):
    (tmp_path / "random").mkdir()
    with pytest.raises(InputError, match="không phải bản sao lưu hoàn chỉnh"):
        restore_backup(tmp_path / "random", tmp_path / "new" / "cdht.sqlite3")
    (tmp_path / "x.zip").write_bytes(b"PK not really")
    with pytest.raises(InputError, match="không phải bản sao lưu"):
        restore_backup(tmp_path / "x.zip", tmp_path / "new" / "cdht.sqlite3")


def test_a_restored_workspace_keeps_working_and_backs_up_again(ws, tmp_path):
    info = create_backup(ws, now=T0)
    restored = Workspace.open(restore_backup(info.path, tmp_path / "r" / "cdht.sqlite3"))
    try:
        set_values(restored, 2025, "1.2", {"notes": "sửa sau khi khôi phục"})
        again = create_backup(restored, now=T0 + dt.timedelta(hours=1))
        assert again.evidence_count == 3
    finally:
        restored.close()
