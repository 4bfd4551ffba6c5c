"""The database file: pragmas, fresh creation, upgrade with a backup first, too-new refused, failed steps rolled back."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.errors import StorageError
from app.storage.db import SCHEMA_VERSION, migrate, open_database, user_version
from app.storage.migrations import MIGRATIONS


def test_fresh_database_runs_every_migration_with_a_rollback_journal_no_mmap_and_foreign_keys(tmp_path: Path):
    db = open_database(tmp_path / "new.sqlite3")
    assert user_version(db) == SCHEMA_VERSION == len(MIGRATIONS) >= 2
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert db.execute("PRAGMA mmap_size").fetchone()[0] == 0
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert {"profile", "years", "indicator_values", "assignments", "recognitions", "audit_log", "units"} <= set(
        db.table_names())
    db.close()


def test_older_file_is_backed_up_before_upgrade(tmp_path: Path):
    path = tmp_path / "old.sqlite3"
    db = open_database(path, migrations=MIGRATIONS[:1])
    db.execute("INSERT INTO settings (key, value) VALUES ('marker', '\"giữ nguyên\"')")
    db.conn.commit()
    db.close()
    db = open_database(path)
    assert user_version(db) == SCHEMA_VERSION
    assert db.execute("SELECT value FROM settings WHERE key = 'marker'").fetchone()[0] == '"giữ nguyên"'
    db.close()
    backups = list(tmp_path.glob("old.before-*.bak"))
    assert len(backups) == 1
    copy = sqlite3.connect(backups[0])
    assert copy.execute("PRAGMA user_version").fetchone()[0] == 1
    assert copy.execute("SELECT value FROM settings WHERE key = 'marker'").fetchone()[0] == '"giữ nguyên"'
    copy.close()


def test_file_newer_than_the_app_is_refused_untouched(tmp_path: Path):
    path = tmp_path / "future.sqlite3"
    open_database(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StorageError, match="phiên bản ứng dụng mới hơn"):
        open_database(path)
    assert path.read_bytes() == before


def test_a_failing_migration_step_rolls_back_completely(tmp_path: Path):
    path = tmp_path / "rollback.sqlite3"
    open_database(path, migrations=MIGRATIONS[:1]).close()

    def broken(db):
        """Thử bước hỏng."""
        db.execute("CREATE TABLE half_done (x INTEGER)")
        db.execute("INSERT INTO no_such_table VALUES (1)")

    db = open_database(path, migrations=MIGRATIONS[:1])
    with pytest.raises(StorageError, match="lược đồ 2"):
        migrate(db, path, migrations=MIGRATIONS[:1] + [broken])
    assert user_version(db) == 1
    assert "half_done" not in db.table_names()
    db.close()


def test_a_non_database_file_gets_a_clear_message(tmp_path: Path):
    path = tmp_path / "not-a-db.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError, match="not-a-db.sqlite3"):
        open_database(path)


def test_a_file_left_in_wal_mode_is_switched_back_without_the_memory_mapped_index(tmp_path: Path):
    """Older versions used WAL, whose `-shm` index is memory-mapped (SIGBUS on a full drive); opening such a file
    switches it to the rollback journal under an exclusive lock, so no `-shm` file is ever created."""
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal"
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    assert not path.with_name("old.sqlite3-shm").exists()
    db = open_database(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert not path.with_name("old.sqlite3-shm").exists() and not path.with_name("old.sqlite3-wal").exists()
    db.close()
    assert path.read_bytes()[18:20] == b"\x01\x01"  # the header says rollback journal from now on


def test_read_only_opening_never_writes_and_refuses_writes(tmp_path: Path):
    from app.storage.db import open_read_only

    path = tmp_path / "x.sqlite3"
    open_database(path).close()
    before = sorted(p.name for p in tmp_path.iterdir()), path.read_bytes()
    db = open_read_only(path)
    assert db.execute("SELECT COUNT(*) FROM settings").fetchone()[0] >= 0
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        db.execute("INSERT INTO settings (key, value) VALUES ('a', '1')")
    db.close()
    assert (sorted(p.name for p in tmp_path.iterdir()), path.read_bytes()) == before


def test_read_only_opening_of_an_older_file_upgrades_a_copy_in_memory(tmp_path: Path):
    from app.storage.db import open_read_only

    path = tmp_path / "old.sqlite3"
    open_database(path, migrations=MIGRATIONS[:1]).close()
    before = path.read_bytes()
    db = open_read_only(path)
    assert user_version(db) == SCHEMA_VERSION
    db.close()
    assert path.read_bytes() == before and not list(tmp_path.glob("*.bak"))


def test_a_read_only_connection_never_reads_around_another_programs_write(tmp_path: Path, monkeypatch):
    """While another program holds its write lock, the read-only opening reports the file busy instead of falling
    back to reading it without locks (`immutable`), which could see a half-written state (a backup of it would)."""
    from app.storage import db as storage

    path = tmp_path / "cdht.sqlite3"
    open_database(path).close()
    writer = sqlite3.connect(str(path), isolation_level=None)
    writer.execute("BEGIN EXCLUSIVE")  # locked, its journal not yet written: nothing on disk says "being written"
    monkeypatch.setattr(storage, "BUSY_TIMEOUT_S", 0.2)
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            storage.connect_read_only(path)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    reader = storage.connect_read_only(path)  # once the write is over, the file opens read-only with its locks
    assert reader.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    reader.close()
