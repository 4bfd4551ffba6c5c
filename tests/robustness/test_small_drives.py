"""A full or read-only drive, for real (loop-mounted ext4 images): every command that writes answers with the cause
in one Vietnamese line and a non-zero exit, no process dies by a signal (SIGBUS once did, at 8 KB free), reading
and backing up to another drive keep working, and once room or permission is back the data is exactly as before
(every year's dataset export, the evidence rows and the stored files' hashes).

Each command runs as its own process, so that a death by signal shows as a negative exit code instead of taking
the test runner down.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.services.datasets import export_dataset
from app.storage.workspace import Workspace
from tests.dossier.conftest import YEAR
from tests.robustness.dossier import PASSWORD_VARIABLE, export_argv, finalized_dossier
from tests.robustness.drives import SmallDrive, mounted_drives, small_drive

ROOT = Path(__file__).resolve().parents[2]
FREE_SIZES = [0, 8 * 1024, 64 * 1024, 200 * 1024]
FULL_WORDS = ("đã đầy", "không đủ chỗ")
READ_ONLY_WORDS = ("chỉ cho phép đọc", "chỉ đọc", "không có quyền")


def cdht(*argv: object, data_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "CDHT_DATA_DIR": str(data_dir), PASSWORD_VARIABLE: "mật-khẩu-p12"}
    return subprocess.run([sys.executable, "-m", "app", *map(str, argv)], capture_output=True, text=True,
                          encoding="utf-8", cwd=ROOT, env=env, timeout=120)


def assert_answer(result: subprocess.CompletedProcess, cause: tuple[str, ...] | None) -> None:
    """No death by signal, no traceback, and a failure is one 'Lỗi: …' line naming `cause`."""
    assert result.returncode >= 0, f"killed by signal {-result.returncode}: {result.stderr}"
    text = result.stdout + result.stderr
    assert "Traceback" not in text and "không mong muốn" not in text, text
    if result.returncode != 0:
        assert result.stderr.startswith("Lỗi: ") and result.stderr.count("\n") == 1, result.stderr
        if cause is not None:
            assert any(word in result.stderr for word in cause), result.stderr


def state(db: Path) -> tuple:
    """Everything the commune's data is, read without writing: datasets, evidence rows, stored files' hashes."""
    ws = Workspace.open(db, read_only=True)
    try:
        years = {info.year: export_dataset(ws, info.year) for info in ws.years()}
        with ws.lock:
            rows = ws.db.execute("SELECT year, code, sha256, deleted_at IS NULL FROM evidence ORDER BY id").fetchall()
            audit = ws.db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
    finally:
        ws.close()
    store = db.parent / "evidence"
    files = sorted(hashlib.sha256(p.read_bytes()).hexdigest() for p in store.rglob("*") if p.is_file()
                   and len(p.name) == 64)
    return years, rows, audit, files


def _data_commands(template: Path, drive: Path) -> list[list[object]]:
    """Every command that writes into the data folder (which lives on the small drive)."""
    db, inputs = drive / "data" / "cdht.sqlite3", template / "inputs"
    [workbook] = inputs.glob("*.xlsx")
    base = ["--db", db]
    return [
        ["--db", drive / "xa-moi" / "cdht.sqlite3", "init", "--commune", "Kiến Hưng", "--province", "Hà Nội"],
        [*base, "year", "add", "2026", "--copy-from", str(YEAR)],
        [*base, "dataset", "import", inputs / "so-lieu.json"],
        [*base, "evidence", "add", "--year", YEAR, "--indicator", "1.1", inputs / "bao-cao-them.pdf"],
        [*base, "evidence", "remove", "H01.01", "--year", YEAR],
        [*base, "evidence", "restore", "H99.01", "--year", YEAR],
        [*base, "evidence", "link", "H02.01", "--indicator", "1.1", "--year", YEAR],
        [*base, "evidence", "trash", "--empty"],
        [*base, "narrative", "set", "--year", YEAR, "situation=Xã có 12 thôn, 14.870 công dân."],
        [*base, "meeting", "set", "--year", YEAR, "--place", "Hội trường UBND xã"],
        [*base, "recipients", "set", "--year", YEAR, "Sở Giáo dục và Đào tạo", "Lưu: VT, VHXH"],
        [*base, "collect", "import", workbook],
        [*base, "backup"],
        [*base, "check", "--repair"],
        [*base, "finalize", "--year", YEAR],
    ]


@pytest.mark.parametrize("free", FREE_SIZES)
def test_every_command_writing_the_data_folder_on_a_full_drive(template, tmp_path, free):
    with small_drive(tmp_path) as drive:
        shutil.copytree(template / "data", drive.path / "data")
        db = drive.path / "data" / "cdht.sqlite3"
        expected = state(db)
        failures = 0
        for argv in _data_commands(template, drive.path):
            drive.leave_free(free)
            result = cdht(*argv, data_dir=tmp_path / "user")
            assert_answer(result, FULL_WORDS)
            now = state(db)
            if result.returncode == 0:
                expected = now
            else:
                failures += 1
                assert now == expected, f"{argv[2:]} failed but changed the data"
        drive.release()
        assert failures >= (14 if free == 0 else 1)
        assert [p for p in drive.leftovers() if "backups" not in p.parts] == []
        assert state(db) == expected
        repaired = cdht("--db", db, "check", "--repair", data_dir=tmp_path / "user")
        assert repaired.returncode == 0 and "Sau khi sửa: dữ liệu toàn vẹn." in repaired.stdout, repaired.stdout
        assert not (drive.path / "xa-moi" / "cdht.sqlite3").exists() or free > 0
    assert str(drive.path) not in mounted_drives()


@pytest.fixture(scope="module")
def dossier(tmp_path_factory):
    return finalized_dossier(tmp_path_factory.mktemp("dossier"))


def _output_commands(template: Path, dossier, out: Path) -> list[tuple[list[object], Path]]:
    """Commands that read the data (on an ordinary drive) and write onto the small drive, with what they create;
    the signed export only when a finalized `dossier` is given."""
    db = template / "data" / "cdht.sqlite3"
    [backup] = (template / "outside-backups").iterdir()
    signed = [] if dossier is None else [(export_argv(dossier.db, out / "HoSo.zip", dossier.pki.p12), out / "HoSo.zip")]
    return [
        (["--db", db, "report", "--year", YEAR, "--out", out / "ho-so"], out / "ho-so"),
        (["--db", db, "dataset", "export", "--year", YEAR, out / "so-lieu.json"], out / "so-lieu.json"),
        (["--db", db, "collect", "export", "--year", YEAR, "--out", out / "phieu"], out / "phieu"),
        (["--db", db, "backup", out / "usb"], out / "usb"),
        (["--db", db, "backup", out / "sao-luu.zip"], out / "sao-luu.zip"),
        (["restore", backup, "--to", out / "khoi-phuc"], out / "khoi-phuc"),
        *signed,
    ]


@pytest.mark.parametrize("free", FREE_SIZES)
def test_every_command_writing_onto_a_full_usb_drive(template, dossier, tmp_path, free):
    work = tmp_path / "copy"
    shutil.copytree(template, work)
    before = state(work / "data" / "cdht.sqlite3")
    with small_drive(tmp_path / "usb") as drive:
        for argv, output in _output_commands(work, dossier, drive.path):
            drive.leave_free(free)
            result = cdht(*argv, data_dir=tmp_path / "user")
            assert_answer(result, FULL_WORDS)
            if result.returncode != 0:
                assert not output.exists() or (output.is_dir() and not any(output.rglob("*"))), \
                    (argv, result.stderr, list(output.rglob("*")))
            else:
                assert free > 0, (argv, result.stdout)
            assert drive.leftovers() == [], argv
            drive.release()
            if output.is_dir():
                shutil.rmtree(output)
            else:
                output.unlink(missing_ok=True)
    assert state(work / "data" / "cdht.sqlite3") == before


READING = [
    ["status", "--year", YEAR], ["status", "--year", YEAR, "--json"], ["check"], ["year", "list"],
    ["evidence", "list", "--year", YEAR], ["evidence", "search", "quyết định", "--year", YEAR],
    ["meeting", "show", "--year", YEAR], ["narrative", "show", "--year", YEAR], ["recipients", "show", "--year", YEAR],
]


def _read_and_copy_elsewhere(db: Path, elsewhere: Path, user: Path) -> None:
    """Every reading command succeeds, and so do copies to another drive (export, report, backups)."""
    for argv in READING:
        result = cdht("--db", db, *argv, data_dir=user)
        assert result.returncode == 0 and result.stderr == "", (argv, result.stderr)
    for argv in (["dataset", "export", "--year", YEAR, elsewhere / "so-lieu.json"],
                 ["report", "--year", YEAR, "--out", elsewhere / "ho-so"],
                 ["backup", elsewhere / "usb"], ["backup", elsewhere / "sao-luu.zip"]):
        result = cdht("--db", db, *argv, data_dir=user)
        assert result.returncode == 0 and result.stderr == "", (argv, result.stderr)
    assert len(list((elsewhere / "ho-so").iterdir())) == 10
    assert json.loads((elsewhere / "so-lieu.json").read_text(encoding="utf-8"))["year"] == YEAR


def _copy_without_stray_file(template: Path, drive: SmallDrive) -> None:
    shutil.copytree(template / "data", drive.path / "data", ignore=shutil.ignore_patterns("ghi-chu.txt"))


def test_reading_checking_and_backing_up_elsewhere_work_on_a_full_drive(template, tmp_path):
    with small_drive(tmp_path) as drive:
        _copy_without_stray_file(template, drive)
        db = drive.path / "data" / "cdht.sqlite3"
        expected = state(db)
        assert drive.leave_free(0) == 0
        _read_and_copy_elsewhere(db, tmp_path / "elsewhere", tmp_path / "user")
        assert state(db) == expected
        drive.release()


def test_a_read_only_drive_reads_and_refuses_every_write_in_one_line(template, dossier, tmp_path):
    with small_drive(tmp_path) as drive:
        _copy_without_stray_file(template, drive)
        db = drive.path / "data" / "cdht.sqlite3"
        expected = state(db)
        drive.read_only()
        _read_and_copy_elsewhere(db, tmp_path / "elsewhere", tmp_path / "user")
        for argv in _data_commands(template, drive.path):
            result = cdht(*argv, data_dir=tmp_path / "user")
            assert result.returncode == 1, argv
            assert_answer(result, READ_ONLY_WORDS)
        for argv, _ in _output_commands(template, dossier, drive.path):
            result = cdht(*argv, data_dir=tmp_path / "user")
            assert result.returncode == 1, argv
            assert_answer(result, READ_ONLY_WORDS)
        drive.read_only(False)
        assert state(db) == expected


def _immutable(paths: list[Path], on: bool) -> None:
    for path in paths:
        result = subprocess.run(["chattr", "+i" if on else "-i", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("what", ["database file", "evidence folder", "data folder"])
def test_read_only_files_and_folders_refuse_writes_in_one_line(template, tmp_path, what):
    """A file or folder the OS will not let anyone change (even root: the immutable attribute)."""
    with small_drive(tmp_path) as drive:
        shutil.copytree(template / "data", drive.path / "data")
        data = drive.path / "data"
        db = data / "cdht.sqlite3"
        expected = state(db)
        locked = {"database file": [db], "data folder": [data],
                  "evidence folder": [data / "evidence", *[p for p in (data / "evidence").rglob("*") if p.is_dir()]]}
        writes = [["evidence", "add", "--year", YEAR, "--indicator", "1.1", template / "inputs" / "bao-cao-them.pdf"]]
        if what != "evidence folder":  # the figures live in the database, not in the evidence store
            writes.append(["year", "add", "2026"])
        _immutable(locked[what], True)
        try:
            for argv in writes:
                result = cdht("--db", db, *argv, data_dir=tmp_path / "user")
                assert result.returncode == 1, (what, argv, result.stdout)
                assert_answer(result, READ_ONLY_WORDS)
            result = cdht("--db", db, "status", "--year", YEAR, data_dir=tmp_path / "user")
            assert result.returncode == 0 and result.stderr == ""
        finally:
            _immutable(locked[what], False)
        assert state(db) == expected


def test_no_test_drive_is_left_mounted(tmp_path):
    with small_drive(tmp_path) as drive:
        assert str(drive.path) in mounted_drives()
        assert isinstance(drive, SmallDrive) and drive.free() > 0
    assert str(drive.path) not in mounted_drives()


def test_a_file_left_in_wal_mode_is_still_read_on_a_read_only_drive(tmp_path):
    """An older version's WAL file needs its index to be read with `mode=ro`; on a read-only drive with no pending
    write it is read `immutable`, and with a pending write the answer says what to do, in one line."""
    import sqlite3

    from app.errors import StorageError
    from app.storage.db import open_database, open_read_only

    with small_drive(tmp_path) as drive:
        path = drive.path / "cu.sqlite3"
        open_database(path).close()
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal"
        conn.execute("INSERT INTO settings VALUES ('a', '1')")
        conn.commit()
        conn.close()
        drive.read_only()
        db = open_read_only(path)
        assert db.execute("SELECT value FROM settings WHERE key = 'a'").fetchone()[0] == "1"
        db.close()
        drive.read_only(False)
        held = sqlite3.connect(path)  # a writer that stops halfway leaves a WAL with content
        held.execute("PRAGMA journal_mode = WAL")
        held.execute("INSERT INTO settings VALUES ('b', '2')")
        held.commit()
        copy = drive.path / "dang-ghi"
        copy.mkdir()
        for name in ("cu.sqlite3", "cu.sqlite3-wal"):
            shutil.copyfile(drive.path / name, copy / name)
        held.close()
        drive.read_only()
        with pytest.raises(StorageError, match="lần ghi dở cần hoàn tác"):
            open_read_only(copy / "cu.sqlite3")
        drive.read_only(False)
