"""Incremental folder backups: the database copy is hard-linked from the previous backup only while the live
database provably has not changed, evidence is linked by hash, and every backup still verifies and restores."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from app.backup import create_backup, restore_backup, verify_backup
from app.backup.incremental import database_fingerprint
from app.backup.manifest import MANIFEST_NAME
from app.services.indicators import set_values
from app.storage.workspace import Workspace
from tests.backup.helpers import add_evidence, make_workspace, snapshot

T0 = dt.datetime(2026, 11, 22, 10, 30, 0).astimezone()


def _later(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def _inode(path: Path) -> int:
    return path.stat().st_ino


def _db(info) -> Path:
    return info.path / "cdht.sqlite3"


def _figure(db_file: Path) -> int:
    conn = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT value FROM indicator_values WHERE year = 2025 AND indicator_id = '5.1' "
                           "AND field = 'achieved'").fetchone()
    finally:
        conn.close()
    return json.loads(row[0]) if isinstance(row[0], str) else row[0]


def _ready_to_link(ws):
    """Two backups of the same database state in two separate files: the next one may link the newer copy."""
    create_backup(ws, now=T0)
    return create_backup(ws, now=_later(1))


def test_an_unchanged_database_is_kept_in_two_files_then_linked_and_still_verifies(ws):
    first = create_backup(ws, now=T0)
    assert first.manifest["database"]["source"] == database_fingerprint(ws)
    second = create_backup(ws, now=_later(5))
    third = create_backup(ws, now=_later(10))
    fourth = create_backup(ws, now=_later(15))
    assert _inode(_db(first)) != _inode(_db(second)) == _inode(_db(third)) == _inode(_db(fourth))
    assert _inode(_db(fourth)) != _inode(ws.path)
    twin = {"backup": first.path.name, "inode": _inode(_db(first))}
    assert second.manifest["database"]["twin"] == fourth.manifest["database"]["twin"] == twin
    recorded = {key: value for key, value in second.manifest["database"].items() if key != "copy"}
    assert {key: value for key, value in fourth.manifest["database"].items() if key != "copy"} == recorded
    assert fourth.manifest["database"]["copy"]["inode"] == _inode(_db(second))
    for key in ("schema_version", "commune", "years", "last_audit_id"):
        assert fourth.manifest[key] == first.manifest[key]
    assert [item["sha256"] for item in fourth.manifest["evidence"]] == [item["sha256"] for item in first.manifest["evidence"]]
    assert verify_backup(fourth.path) == [] and fourth.database_ok and fourth.evidence_count == 3


def test_when_the_second_file_is_gone_the_next_backup_copies_again(ws):
    first = create_backup(ws, now=T0)
    second = create_backup(ws, now=_later(5))
    shutil.rmtree(first.path)  # pruned by the rotation, or deleted by hand
    third = create_backup(ws, now=_later(10))
    fourth = create_backup(ws, now=_later(15))
    assert _inode(_db(third)) != _inode(_db(second)) and _inode(_db(fourth)) == _inode(_db(third))
    assert fourth.manifest["database"]["twin"] == {"backup": second.path.name, "inode": _inode(_db(second))}


def test_damage_to_a_linked_copy_leaves_a_good_older_backup_of_the_same_state(ws, tmp_path):
    first = create_backup(ws, now=T0)
    create_backup(ws, now=_later(5))
    third = create_backup(ws, now=_later(10))
    before = snapshot(ws.path)
    data = bytearray(_db(third).read_bytes())
    data[len(data) // 2] ^= 0xFF
    _db(third).write_bytes(bytes(data))  # in place: every backup linking this file is hit
    assert verify_backup(third.path) != [] and verify_backup(first.path) == []
    assert snapshot(restore_backup(first.path, tmp_path / "may-moi" / "cdht.sqlite3")) == before


def test_a_change_that_keeps_the_file_size_and_time_gets_a_fresh_copy(ws):
    previous = _ready_to_link(ws)
    before = ws.path.stat()
    set_values(ws, 2025, "5.1", {"achieved": 8923, "total": 14870})
    after = ws.path.stat()
    os.utime(ws.path, ns=(before.st_atime_ns, before.st_mtime_ns))  # as if the clock said nothing changed
    assert after.st_size == before.st_size and after.st_ino == before.st_ino  # only SQLite's counter tells
    new = create_backup(ws, now=_later(5))
    assert _inode(_db(new)) != _inode(_db(previous))
    assert _figure(_db(previous)) == 8922 and _figure(_db(new)) == 8923
    assert new.manifest["database"]["sha256"] != previous.manifest["database"]["sha256"]
    assert "twin" not in new.manifest["database"] and verify_backup(new.path) == []


def test_a_change_from_another_connection_gets_a_fresh_copy(ws):
    previous = _ready_to_link(ws)
    other = sqlite3.connect(ws.path)
    other.execute("UPDATE profile SET commune_name = 'Đồng Tâm' WHERE id = 1")
    other.commit()
    other.close()
    new = create_backup(ws, now=_later(5))
    assert _inode(_db(new)) != _inode(_db(previous))
    assert new.manifest["commune"]["name"] == "Đồng Tâm" and previous.manifest["commune"]["name"] == "Đồng Tiến"


def test_a_restore_from_a_linked_backup_brings_back_the_same_data(ws, tmp_path):
    previous = _ready_to_link(ws)
    linked = create_backup(ws, now=_later(5))
    assert _inode(_db(linked)) == _inode(_db(previous))
    before = snapshot(ws.path)
    restored = restore_backup(linked.path, tmp_path / "may-moi" / "cdht.sqlite3")
    assert snapshot(restored) == before
    assert _inode(restored) != _inode(_db(linked))  # the restore copied, the backup's file is untouched
    assert verify_backup(linked.path) == []


def test_an_untouched_previous_copy_is_linked_without_reading_it_a_touched_one_is_hashed_again(ws, monkeypatch):
    import app.backup.incremental as incremental

    previous = _ready_to_link(ws)
    hashed = []
    real_hash = incremental.sha256_file
    monkeypatch.setattr(incremental, "sha256_file", lambda path: hashed.append(path) or real_hash(path))
    linked = create_backup(ws, now=_later(5))
    assert _inode(_db(linked)) == _inode(_db(previous))
    assert hashed == []  # its inode, size and times are those recorded when its hash was checked
    stamp = _db(linked).stat()
    os.utime(_db(linked), ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # touched: the inode change time moves
    again = create_backup(ws, now=_later(10))
    assert len(hashed) == 1 and Path(hashed[0]).name == "cdht.sqlite3"  # the linked copy, read once
    assert _inode(_db(again)) == _inode(_db(linked)) and verify_backup(again.path) == []


def test_a_previous_copy_altered_with_its_times_put_back_is_not_linked(ws):
    previous = _ready_to_link(ws)
    copy = _db(previous)
    stamp = copy.stat()
    data = bytearray(copy.read_bytes())
    data[-100] ^= 0xFF
    with open(copy, "r+b") as handle:  # in place: same inode, same size
        handle.write(bytes(data))
    os.utime(copy, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    new = create_backup(ws, now=_later(5))
    assert _inode(_db(new)) != _inode(copy)
    assert verify_backup(new.path) == [] and verify_backup(previous.path) != []


def test_a_previous_copy_altered_since_is_not_linked(ws):
    previous = _ready_to_link(ws)
    copy = _db(previous)
    data = bytearray(copy.read_bytes())
    data[-100] ^= 0xFF  # one byte of the last page, same size
    copy.write_bytes(bytes(data))
    new = create_backup(ws, now=_later(5))
    assert _inode(_db(new)) != _inode(copy) and "twin" not in new.manifest["database"]
    assert hashlib.sha256(_db(new).read_bytes()).hexdigest() == new.manifest["database"]["sha256"]
    assert verify_backup(new.path) == [] and verify_backup(previous.path) != []


def test_a_restored_or_replaced_database_file_is_copied_afresh(tmp_path):
    db_path = tmp_path / "data" / "cdht.sqlite3"
    ws = make_workspace(db_path)
    previous = _ready_to_link(ws)
    ws.close()
    shutil.copy2(db_path, tmp_path / "same-bytes.sqlite3")  # the same bytes and times, another file
    os.replace(tmp_path / "same-bytes.sqlite3", db_path)
    ws = Workspace.open(db_path)
    try:
        new = create_backup(ws, now=_later(5))
    finally:
        ws.close()
    assert _inode(_db(new)) != _inode(_db(previous)) and verify_backup(new.path) == []


def test_a_commit_during_the_copy_leaves_no_fingerprint_so_the_next_backup_copies(ws, monkeypatch):
    import app.backup.create as create

    real_copy = create.backup_copy
    writes = []

    def copy_while_another_program_writes(db, target):
        real_copy(db, target)
        writes.append(f"Hà Nội {len(writes)}")  # a new value each time: an identical one changes nothing
        other = sqlite3.connect(ws.path)
        other.execute("UPDATE profile SET province = ? WHERE id = 1", (writes[-1],))
        other.commit()
        other.close()

    monkeypatch.setattr(create, "backup_copy", copy_while_another_program_writes)
    create_backup(ws, now=T0)
    first = create_backup(ws, now=_later(1))
    assert "source" not in first.manifest["database"]
    monkeypatch.setattr(create, "backup_copy", real_copy)
    second = create_backup(ws, now=_later(5))
    third = create_backup(ws, now=_later(10))
    assert _inode(_db(second)) != _inode(_db(first)) and "twin" not in second.manifest["database"]
    assert second.manifest["commune"]["province"] == "Hà Nội 1" and "source" in second.manifest["database"]
    assert third.manifest["database"]["twin"]["backup"] == second.path.name


def test_a_database_in_wal_mode_is_always_copied(ws):
    other = sqlite3.connect(ws.path)
    assert other.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal"
    try:
        assert database_fingerprint(ws) is None
        first = create_backup(ws, now=T0)
        second = create_backup(ws, now=_later(5))
    finally:
        other.close()
    assert "source" not in first.manifest["database"]
    assert _inode(_db(second)) != _inode(_db(first)) and verify_backup(second.path) == []


@pytest.mark.parametrize("by_folder_handle", [True, False], ids=["linux", "paths-as-on-windows"])
def test_evidence_is_linked_by_hash_new_files_copied_and_a_replaced_previous_copy_not_trusted(ws, monkeypatch,
                                                                                              by_folder_handle):
    import app.backup.incremental as incremental

    monkeypatch.setattr(incremental, "_DIR_FDS", incremental._DIR_FDS and by_folder_handle)
    first = create_backup(ws, now=T0)
    (kept, _), (replaced, _) = [(item["sha256"], item["size"]) for item in first.manifest["evidence"]][:2]
    (first.path / "evidence" / replaced[:2] / replaced).unlink()
    (first.path / "evidence" / replaced[:2] / replaced).write_bytes(b"a stub left by a cleaning program")
    new = add_evidence(ws, "Quyết định công nhận mới")
    second = create_backup(ws, now=_later(5))
    evidence = second.path / "evidence"
    assert _inode(evidence / kept[:2] / kept) == _inode(first.path / "evidence" / kept[:2] / kept)
    assert _inode(evidence / replaced[:2] / replaced) != _inode(first.path / "evidence" / replaced[:2] / replaced)
    assert _inode(evidence / new[:2] / new) != _inode(ws.data_dir / "evidence" / new[:2] / new)
    assert second.evidence_count == 4 and second.manifest["skipped"] == []
    assert verify_backup(second.path) == []


def test_a_file_lost_from_the_store_is_still_carried_by_the_next_backup(ws):
    first = create_backup(ws, now=T0)
    sha = first.manifest["evidence"][0]["sha256"]
    (ws.data_dir / "evidence" / sha[:2] / sha).unlink()
    second = create_backup(ws, now=_later(5))
    assert sha in {item["sha256"] for item in second.manifest["evidence"]}
    assert verify_backup(second.path) == []


def test_a_file_lost_from_the_store_and_the_previous_backup_is_listed_as_missing(ws):
    first = create_backup(ws, now=T0)
    sha = first.manifest["evidence"][0]["sha256"]
    (ws.data_dir / "evidence" / sha[:2] / sha).unlink()
    (first.path / "evidence" / sha[:2] / sha).unlink()
    second = create_backup(ws, now=_later(5))
    assert second.manifest["skipped"] == [{"path": f"evidence/{sha[:2]}/{sha}", "sha256": sha, "reason": "missing"}]
    assert second.evidence_count == 2 and verify_backup(second.path) == []


@pytest.mark.parametrize("damage", ["not json", "evidence entry", "database entry", "other format"])
def test_a_damaged_previous_manifest_means_a_full_backup(ws, damage):
    from app.backup.manifest import manifest_text

    first = create_backup(ws, now=T0)
    manifest_path = first.path / MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if damage == "not json":
        manifest_path.write_text("{", encoding="utf-8")
    else:
        if damage == "evidence entry":
            manifest["evidence"][0]["sha256"] = "../../cdht.sqlite3"
        elif damage == "database entry":
            manifest["database"] = "cdht.sqlite3"
        else:
            manifest["format"] = "cdht-backup/0"
        manifest_path.write_text(manifest_text(manifest), encoding="utf-8")
    second = create_backup(ws, now=_later(5))
    assert _inode(_db(second)) != _inode(_db(first))
    for item in second.manifest["evidence"]:
        assert (second.path / item["path"]).stat().st_nlink == 1
    assert verify_backup(second.path) == [] and second.evidence_count == 3


def test_a_manifest_is_read_back_line_by_line_exactly_as_written_and_nothing_else_is_accepted(ws):
    from app.backup.manifest import manifest_text, parse_written_manifest

    info = create_backup(ws, now=T0)
    text = (info.path / MANIFEST_NAME).read_text(encoding="utf-8")
    written = parse_written_manifest(text)
    assert written.evidence == {item["sha256"]: item["size"] for item in info.manifest["evidence"]}
    assert written.summary == {key: value for key, value in info.manifest.items() if key != "evidence"}
    assert manifest_text(info.manifest, written.evidence_lines) == text == manifest_text(info.manifest)
    line = text.splitlines()[-4]  # an evidence line followed by another
    edits = {
        "missing comma": text.replace(line, line.rstrip(",")),
        "comma after the last line": text.replace("}\n ]\n}", "},\n ]\n}"),
        "extra line": text.replace(line, line + "\n  {}"),
        "path of another file": text.replace(line, line.replace('"path": "evidence/', '"path": "evidence/x', 1)),
        "two entries on a line": text.replace(line + "\n  ", line + " "),
        "reformatted": json.dumps(json.loads(text), indent=2),
        "summary cut": text.replace('"format"', '"format" "'),
    }
    for name, edited in edits.items():
        assert edited != text, name
        assert parse_written_manifest(edited) is None, name
    empty = manifest_text({**info.manifest, "evidence": []})
    assert parse_written_manifest(empty).evidence == {}
