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
