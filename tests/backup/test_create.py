"""Making backups: folder layout, manifest hashes, hard links to the previous backup, zips, cancelling."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import sqlite3
import zipfile
from pathlib import Path

import pytest

from app.backup import create_backup, create_backup_zip, list_backups, verify_backup
from app.backup.manifest import MANIFEST_NAME, iter_evidence_store
from app.errors import CancelledError, InputError
from app.progress import ProgressState
from tests.backup.helpers import add_evidence, add_store_file

T0 = dt.datetime(2026, 11, 22, 10, 30, 0).astimezone()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_folder_backup_holds_database_evidence_and_a_manifest_of_hashes(ws, tmp_path):
    stray = add_store_file(ws.data_dir, b"left over by an interrupted import")
    info = create_backup(ws, now=T0)
    assert info.path == ws.data_dir / "backups" / "2026-11-22T10-30-00"
    manifest = json.loads((info.path / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["commune"] == {"name": "Đồng Tiến", "province": "Thái Nguyên"}
    assert manifest["years"] == [2025] and manifest["app_version"] and manifest["schema_version"] >= 2
    assert manifest["database"]["sha256"] == _sha(info.path / "cdht.sqlite3")
    live = dict(iter_evidence_store(ws.data_dir))
    assert {item["sha256"] for item in manifest["evidence"]} == set(live) - {stray}
    for item in manifest["evidence"]:
        assert _sha(info.path / item["path"]) == item["sha256"]
    assert info.evidence_count == 3 and info.database_ok and "Đồng Tiến" in info.contents_text()
    assert verify_backup(info.path) == []
    # the copy is a self-contained database with the same figures
    conn = sqlite3.connect(info.path / "cdht.sqlite3")
    assert conn.execute("SELECT COUNT(*) FROM indicator_values WHERE year = 2025").fetchone()[0] > 15
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()
    assert not [p for p in info.path.parent.iterdir() if p.name.startswith(".")]


def test_unchanged_evidence_is_hard_linked_to_the_previous_backup_never_to_the_live_store(ws):
    first = create_backup(ws, now=T0)
    new_sha = add_evidence(ws, "a new scanned decision")
    second = create_backup(ws, now=T0 + dt.timedelta(minutes=30))
    live = dict(iter_evidence_store(ws.data_dir))
    for sha, path in live.items():
        copy = second.path / "evidence" / sha[:2] / sha
        assert copy.stat().st_ino != path.stat().st_ino
        if sha != new_sha:
            assert copy.stat().st_ino == (first.path / "evidence" / sha[:2] / sha).stat().st_ino
    assert second.evidence_count == 4


def test_without_hard_links_files_are_copied(ws, monkeypatch):
    create_backup(ws, now=T0)

    def no_links(*_args, **_kwargs):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", no_links)
    second = create_backup(ws, now=T0 + dt.timedelta(minutes=1))
    assert verify_backup(second.path) == []
    assert all(p.stat().st_nlink == 1 for p in (second.path / "evidence").rglob("*") if p.is_file())


def test_two_backups_in_the_same_second_get_distinct_folders(ws):
    a = create_backup(ws, now=T0)
    b = create_backup(ws, now=T0)
    assert a.path != b.path and b.path.name == "2026-11-22T10-30-00-2"
    assert len(list_backups(ws.data_dir / "backups")) == 2


def test_a_final_name_is_found_however_many_backups_share_a_second(ws, tmp_path):
    from app.backup.create import _rename_into_place

    root = tmp_path / "backups"
    root.mkdir()
    for attempt in range(1, 131):
        (root / ("2026-11-22T10-30-00" if attempt == 1 else f"2026-11-22T10-30-00-{attempt}")).mkdir()
    staging = root / ".dang-sao-luu.partial"
    staging.mkdir()
    (staging / "backup.json").write_text("{}", encoding="utf-8")
    final = _rename_into_place(staging, root, "2026-11-22T10-30-00")
    assert final.name == "2026-11-22T10-30-00-131"
    assert (final / "backup.json").exists() and not staging.exists()


def test_altered_or_missing_evidence_is_not_copied_and_is_listed_as_skipped(ws):
    (sha, path), (gone, gone_path) = list(iter_evidence_store(ws.data_dir))[:2]
    path.write_bytes(b"overwritten by a virus")
    gone_path.unlink()
    info = create_backup(ws, now=T0)
    assert not {sha, gone} & {item["sha256"] for item in info.manifest["evidence"]}
    assert {(item["sha256"], item["reason"]) for item in info.manifest["skipped"]} == {(sha, "altered"), (gone, "missing")}
    assert not (info.path / "evidence" / sha[:2] / sha).exists()
    assert verify_backup(info.path) == [] and info.evidence_count == 1


def test_a_chosen_folder_such_as_a_usb_drive(ws, tmp_path):
    usb = tmp_path / "usb"
    info = create_backup(ws, usb, now=T0)
    assert info.path.parent == usb and verify_backup(info.path) == []


def test_zip_backup_has_the_same_contents_and_refuses_to_overwrite(ws, tmp_path):
    target = tmp_path / "out" / "sao-luu.zip"
    info = create_backup_zip(ws, target, now=T0)
    with zipfile.ZipFile(target) as archive:
        names = set(archive.namelist())
    assert {"cdht.sqlite3", MANIFEST_NAME} <= names and len(names) == 2 + 3
    assert info.evidence_count == 3 and verify_backup(target) == []
    assert info.manifest["database"].keys() == {"path", "sha256", "size", "check"}  # nothing a next backup links
    assert sorted(p.name for p in target.parent.iterdir()) == ["sao-luu.zip"]
    with pytest.raises(InputError, match="đã có"):
        create_backup_zip(ws, target)


def test_cancelling_leaves_no_backup_behind(ws):
    progress = ProgressState()
    progress.cancel()
    with pytest.raises(CancelledError):
        create_backup(ws, now=T0, progress=progress)
    root = ws.data_dir / "backups"
    assert list(root.iterdir()) == []
