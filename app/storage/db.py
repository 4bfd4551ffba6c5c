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

import sqlite_utils

from app.errors import StorageError
from app.storage.migrations import MIGRATIONS, SCHEMA_VERSION

Migration = Callable[[sqlite_utils.Database], None]

#: `PRAGMA application_id` of each kind of database the app writes. The commune's is 0 (SQLite's default, so every
#: existing commune file qualifies); the recipient's register has its own, so neither is ever migrated as the other.
RECIPIENT_APPLICATION_ID = 0x43445452
DATABASE_KINDS = {0: "cơ sở dữ liệu của xã", RECIPIENT_APPLICATION_ID: "cơ sở dữ liệu của cơ quan tiếp nhận hồ sơ"}


def connect(path: Path) -> sqlite_utils.Database:
    """A connection with the app's pragmas, usable from the DB worker thread."""
    try:
        conn = sqlite3.connect(str(path), check_same_thread=False, timeout=10)
        db = sqlite_utils.Database(conn, execute_plugins=False)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA busy_timeout = 10000")
        mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        db.execute("PRAGMA synchronous = FULL" if mode != "wal" else "PRAGMA synchronous = NORMAL")
    except sqlite3.DatabaseError as exc:
        raise StorageError(f"Không mở được cơ sở dữ liệu {path.name}: tệp bị hỏng hoặc không phải cơ sở dữ liệu ({exc}).") from None
    return db


def user_version(db: sqlite_utils.Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def backup_copy(db: sqlite_utils.Database, target: Path) -> Path:
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


def check_kind(db: sqlite_utils.Database, path: Path, application_id: int = 0) -> None:
    """Refuse a file of another kind (a recipient's register opened as a commune database, or the reverse)."""
    found = int(db.execute("PRAGMA application_id").fetchone()[0])
    if found == application_id or (user_version(db) == 0 and not db.table_names()):
        return
    what = DATABASE_KINDS.get(found, "tệp của một ứng dụng khác")
    raise StorageError(f"Tệp {path.name} là {what}, không phải {DATABASE_KINDS[application_id]}; tệp không bị thay đổi.")


def migrate(db: sqlite_utils.Database, path: Path | None, migrations: list[Migration] | None = None,
            application_id: int = 0) -> int:
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
                if number == 1 and application_id:
                    db.execute(f"PRAGMA application_id = {int(application_id)}")
                step(db)
                db.execute(f"PRAGMA user_version = {number}")
        except sqlite3.Error as exc:
            raise StorageError(
                f"Nâng cấp cơ sở dữ liệu lên lược đồ {number} ({step.__doc__ or step.__name__}) thất bại: {exc}. "
                "Dữ liệu được giữ nguyên như trước khi nâng cấp."
            ) from None
    return current


def open_database(path: Path, migrations: list[Migration] | None = None,
                  application_id: int = 0) -> sqlite_utils.Database:
    """Open (creating when absent) and migrate the database at `path`; `migrations` and `application_id` name
    another kind of database than the commune's."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = connect(path)
    try:
        result = db.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise StorageError(f"Cơ sở dữ liệu {path.name} bị hỏng ({result}). Hãy khôi phục từ bản sao lưu gần nhất.")
        check_kind(db, path, application_id)
        migrate(db, path, migrations, application_id)
    except sqlite3.DatabaseError as exc:
        db.close()
        raise StorageError(f"Không mở được cơ sở dữ liệu {path.name}: {exc}.") from None
    except StorageError:
        db.close()
        raise
    return db


__all__ = ["open_database", "connect", "migrate", "user_version", "backup_copy", "SCHEMA_VERSION"]
