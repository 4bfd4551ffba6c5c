"""Opening the commune database: pragmas, schema version check, backup before upgrade, migrations.

The schema version is `PRAGMA user_version`. A file newer than this app is refused; an older one is
copied with SQLite's online backup API before its migrations run, each migration and its version bump
in one transaction. A fresh file runs the same chain from migration 1.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from pathlib import Path

from app.errors import StorageError
from app.storage.connection import Database
from app.storage.migrations import MIGRATIONS, SCHEMA_VERSION

Migration = Callable[[Database], None]


def connect(path: Path) -> Database:
    """A connection with the app's pragmas, usable from the DB worker thread."""
    try:
        conn = sqlite3.connect(str(path), check_same_thread=False, timeout=10)
        db = Database(conn)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA busy_timeout = 10000")
        mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        db.execute("PRAGMA synchronous = FULL" if mode != "wal" else "PRAGMA synchronous = NORMAL")
    except sqlite3.DatabaseError as exc:
        raise StorageError(f"Không mở được cơ sở dữ liệu {path.name}: tệp bị hỏng hoặc không phải cơ sở dữ liệu ({exc}).") from None
    return db


def user_version(db: Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def backup_copy(db: Database, target: Path) -> Path:
    """Copy a live database with SQLite's online backup API (never a plain file copy)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".tmp")
    temporary.unlink(missing_ok=True)
    dest = sqlite3.connect(str(temporary))
    try:
        db.conn.backup(dest)
    finally:
        dest.close()
    temporary.replace(target)
    return target


def migrate(db: Database, path: Path | None, migrations: list[Migration] | None = None) -> int:
    """Bring the schema up to date; returns the version before. Backs up an existing older file first."""
    chain = MIGRATIONS if migrations is None else migrations
    latest = len(chain)
    current = user_version(db)
    if current > latest:
        raise StorageError(
            f"Cơ sở dữ liệu được tạo bởi phiên bản ứng dụng mới hơn (lược đồ {current}, ứng dụng này hỗ trợ đến {latest}). "
            "Hãy cập nhật ứng dụng; tệp không bị thay đổi."
        )
    if current == latest:
        return current
    if current > 0 and path is not None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        backup_copy(db, path.with_name(f"{path.stem}.before-v{latest}-{stamp}{path.suffix}.bak"))
    for number in range(current + 1, latest + 1):
        step = chain[number - 1]
        try:
            with db.atomic():
                step(db)
                db.execute(f"PRAGMA user_version = {number}")
        except sqlite3.Error as exc:
            raise StorageError(
                f"Nâng cấp cơ sở dữ liệu lên lược đồ {number} ({step.__doc__ or step.__name__}) thất bại: {exc}. "
                "Dữ liệu được giữ nguyên như trước khi nâng cấp."
            ) from None
    return current


def open_database(path: Path, migrations: list[Migration] | None = None) -> Database:
    """Open (creating when absent) and migrate the database at `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = connect(path)
    try:
        result = db.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise StorageError(f"Cơ sở dữ liệu {path.name} bị hỏng ({result}). Hãy khôi phục từ bản sao lưu gần nhất.")
        migrate(db, path, migrations)
    except sqlite3.DatabaseError as exc:
        db.close()
        raise StorageError(f"Không mở được cơ sở dữ liệu {path.name}: {exc}.") from None
    except StorageError:
        db.close()
        raise
    return db


__all__ = ["Database", "open_database", "connect", "migrate", "user_version", "backup_copy", "SCHEMA_VERSION"]
