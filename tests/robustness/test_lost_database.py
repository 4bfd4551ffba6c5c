"""A database that vanished (deleted, or truncated to 0 bytes) while its backups and evidence remain is found again:
every command says so and points to `cdht restore --latest` (with the user's --db), nothing creates an empty
commune on top of it, and the restore brings back exactly what the newest good backup holds. A damaged backup is
refused in one line naming the damaged entry and offering the next older good one."""

from __future__ import annotations

import datetime as dt
import struct
import zipfile
from pathlib import Path

import pytest

from app.backup import create_backup, create_backup_zip, list_backups
from app.backup.recovery import find_lost_database
from tests.backup.helpers import make_workspace, snapshot
from tests.robustness.fuzzing import assert_clean_failure, run_cli

T0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)

COMMANDS = [
    ["status", "--year", "2025"], ["check"], ["check", "--repair"], ["year", "list"], ["year", "add", "2026"],
    ["dataset", "export", "--year", "2025", "OUT/x.json"], ["evidence", "list"], ["report", "--year", "2025",
    "--out", "OUT/ho-so"], ["backup"], ["narrative", "set", "--year", "2025", "situation=x"],
    ["init", "--commune", "Đồng Tiến", "--province", "Thái Nguyên"],
]


@pytest.fixture
def lost(tmp_path):
    """A commune with an automatic backup and evidence, whose database file is then lost."""
    ws = make_workspace(tmp_path / "data" / "cdht.sqlite3", evidence_files=3)
    create_backup(ws, kind="auto", now=T0)
    ws.close()
    return ws.path, snapshot(ws.path)


def _argv(command: list[str], out: Path) -> list[str]:
    return [part.replace("OUT", str(out)) for part in command]


@pytest.mark.parametrize("how", ["deleted", "emptied"])
def test_every_command_points_to_the_restore_and_creates_nothing(lost, tmp_path, how):
    db, _ = lost
    if how == "deleted":
        db.unlink()
    else:
        db.write_bytes(b"")
    before = sorted(p.relative_to(db.parent) for p in db.parent.rglob("*"))
    for command in COMMANDS:
        code, out, err = run_cli("--db", str(db), *_argv(command, tmp_path / "out"))
        assert_clean_failure(code, err)
        assert f"cdht --db {db} restore --latest" in err, (command, err)
        assert "rỗng (0 byte)" in err if how == "emptied" else "Không tìm thấy cơ sở dữ liệu" in err
        assert "1 bản sao lưu" in err and "kho minh chứng với 3 tệp" in err and out == ""
    assert sorted(p.relative_to(db.parent) for p in db.parent.rglob("*")) == before
    assert not (tmp_path / "out").exists()


def test_restore_latest_brings_the_commune_back_in_place(lost):
    db, expected = lost
    db.unlink()
    code, out, err = run_cli("--db", str(db), "restore", "--latest")
    assert code == 0 and err == "" and out.startswith("Đã khôi phục bản sao lưu lúc ")
    assert snapshot(db) == expected and find_lost_database(db) is None
    code, _, err = run_cli("--db", str(db), "restore", "--latest")
    assert_clean_failure(code, err)
    assert "vẫn mở được" in err and "--to THƯ_MỤC_MỚI" in err


def test_an_emptied_database_is_kept_aside_when_restored(lost):
    db, expected = lost
    db.write_bytes(b"")
    assert run_cli("--db", str(db), "restore", "--latest")[0] == 0
    assert snapshot(db) == expected
    [aside] = db.parent.glob("cdht.sqlite3.damaged-*")
    assert aside.stat().st_size == 0


def test_init_on_a_lost_database_needs_new_commune_anyway(lost):
    db, _ = lost
    db.unlink()
    code, _, err = run_cli("--db", str(db), "init", "--commune", "Kiến Hưng", "--province", "Hà Nội")
    assert_clean_failure(code, err)
    assert "--new-commune-anyway" in err and not db.exists()
    code, out, err = run_cli("--db", str(db), "init", "--commune", "Kiến Hưng", "--province", "Hà Nội",
                             "--new-commune-anyway")
    assert code == 0 and "Kiến Hưng" in out and err == ""


def test_a_backup_on_a_usb_drive_is_remembered_and_found(tmp_path):
    ws = make_workspace(tmp_path / "data" / "cdht.sqlite3", evidence_files=2)
    create_backup(ws, tmp_path / "usb", now=T0)
    ws.close()
    expected = snapshot(ws.path)
    ws.path.unlink()
    code, _, err = run_cli("--db", str(ws.path), "status", "--year", "2025")
    assert_clean_failure(code, err)
    assert "1 bản sao lưu" in err and "restore --latest" in err
    assert run_cli("--db", str(ws.path), "restore", "--latest")[0] == 0
    assert snapshot(ws.path) == expected


def test_a_missing_database_with_no_trace_of_data_is_a_new_start(tmp_path):
    db = tmp_path / "moi" / "cdht.sqlite3"
    code, _, err = run_cli("--db", str(db), "status", "--year", "2025")
    assert_clean_failure(code, err)
    assert f"Không có cơ sở dữ liệu '{db}'" in err and f"cdht --db {db} init --commune" in err
    assert not db.parent.exists()
    code, _, err = run_cli("--db", str(db), "restore", "--latest")
    assert_clean_failure(code, err)
    assert "Không tìm thấy bản sao lưu dùng được" in err
    assert run_cli("--db", str(db), "init", "--commune", "Kiến Hưng", "--province", "Hà Nội")[0] == 0


def _flip_inside(zip_path: Path, member: str) -> None:
    """Flip one byte in the middle of a member's stored data (its CRC no longer matches)."""
    with zipfile.ZipFile(zip_path) as archive:
        info = archive.getinfo(member)
    data = bytearray(zip_path.read_bytes())
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_length + extra_length
    data[start + info.compress_size // 2] ^= 0xFF
    zip_path.write_bytes(bytes(data))


@pytest.mark.parametrize("member", ["cdht.sqlite3", "evidence"])
def test_a_damaged_backup_zip_is_refused_naming_the_entry_and_the_older_good_one_is_offered(tmp_path, member):
    ws = make_workspace(tmp_path / "data" / "cdht.sqlite3", evidence_files=2)
    older = create_backup_zip(ws, tmp_path / "usb" / "cu.zip", now=T0)
    newer = create_backup_zip(ws, tmp_path / "usb" / "moi.zip", now=T0 + dt.timedelta(days=1))
    ws.close()
    name = member if member == "cdht.sqlite3" else newer.manifest["evidence"][0]["path"]
    _flip_inside(newer.path, name)
    target = tmp_path / "khoi-phuc"
    code, out, err = run_cli("--db", str(ws.path), "restore", str(newer.path), "--to", str(target))
    assert_clean_failure(code, err)
    assert name in err and "Không khôi phục gì" in err and f"'{older.path}'" in err
    assert not target.exists() and out == ""
    ws.path.unlink()
    for backup in list_backups(ws.data_dir / "backups"):
        assert backup.path.exists()
    code, out, err = run_cli("--db", str(ws.path), "restore", "--latest")
    assert code == 0 and older.path.name in out, err
