"""Opening the commune database: pragmas, schema version check, backup before upgrade, migrations.

The schema version is `PRAGMA user_version`. A file newer than this app is refused; an older one is
copied with SQLite's online backup API before its migrations run, each migration and its version bump
in one transaction. A fresh file runs the same chain from migration 1.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path

from app.errors import (
    CdhtError,
    DamagedDatabaseError,
    DiskFullError,
    NotFoundError,
    ReadOnlyError,
    StorageError,
    describe_os_error,
    describe_sqlite_error,
)
from app.fileio import atomic_path
from app.storage.connection import Database
from app.storage.migrations import MIGRATIONS, SCHEMA_VERSION

Migration = Callable[[Database], None]

_NEWER_SCHEMA = ("Cơ sở dữ liệu được tạo bởi phiên bản ứng dụng mới hơn (lược đồ {current}, ứng dụng này hỗ trợ đến "
                 "{latest}). Hãy cập nhật ứng dụng; tệp không bị thay đổi.")

#: `PRAGMA application_id` of each kind of database the app writes. The commune's is 0 (SQLite's default, so every
#: existing commune file qualifies); the recipient's register has its own, so neither is ever migrated as the other.
RECIPIENT_APPLICATION_ID = 0x43445452
DATABASE_KINDS = {0: "cơ sở dữ liệu của xã", RECIPIENT_APPLICATION_ID: "cơ sở dữ liệu của cơ quan tiếp nhận hồ sơ"}


def connect(path: Path) -> Database:
    """A read-write connection with the app's pragmas, usable from the DB worker thread.

    The journal is a rollback journal with `synchronous = FULL`, and memory-mapped I/O is off: WAL mode keeps
    its index in a memory-mapped `-shm` file, and a write into a mapped page the full drive cannot back kills
    the process with SIGBUS instead of returning "disk full". A file left in WAL mode by an older version is
    switched back under an exclusive lock, which keeps SQLite from creating that mapped index at all.
    """
    try:
        conn = sqlite3.connect(str(path), check_same_thread=False, timeout=10)
        db = Database(conn)
        _common_pragmas(db)
        if _in_wal_mode(path):
            db.execute("PRAGMA locking_mode = EXCLUSIVE")
            db.execute("PRAGMA journal_mode = DELETE").fetchone()
            db.execute("PRAGMA locking_mode = NORMAL")
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()  # gives the exclusive lock back
        else:
            db.execute("PRAGMA journal_mode = DELETE").fetchone()
        db.execute("PRAGMA synchronous = FULL")
    except sqlite3.DatabaseError as exc:
        raise open_error(exc, path) from None
    return db


def _common_pragmas(db: Database) -> None:
    db.execute("PRAGMA mmap_size = 0")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA busy_timeout = 10000")


def _in_wal_mode(path: Path) -> bool:
    """Whether the file's header says WAL (bytes 18 and 19 are 2), read without SQLite."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(20)
    except OSError:
        return False
    return len(header) == 20 and header[18] == 2 and header[19] == 2


def has_hot_journal(path: Path) -> bool:
    """Whether an interrupted write left a journal (or WAL) with content beside the database: reading the file
    alone, ignoring it, would show a half-written state."""
    for suffix in ("-journal", "-wal"):
        try:
            if Path(f"{path}{suffix}").stat().st_size > 0:
                return True
        except OSError:
            continue
    return False


def open_error(exc: sqlite3.Error, path: Path) -> CdhtError:
    """The one-line reason a database could not be opened: a full or read-only drive is named as such, and only
    a file SQLite calls malformed is called damaged."""
    described = describe_sqlite_error(exc, path)
    if (getattr(exc, "sqlite_errorname", "") or "").startswith("SQLITE_CANTOPEN"):
        return _folder_write_problem(Path(path).parent) or described
    if not isinstance(described, DamagedDatabaseError):
        return described
    return DamagedDatabaseError(f"Không mở được cơ sở dữ liệu {Path(path).name}: tệp bị hỏng hoặc không phải cơ sở dữ "
                        "liệu. Hãy chạy 'cdht check' hoặc khôi phục từ bản sao lưu gần nhất.")


#: How long a read-only connection waits for another program's write to finish.
BUSY_TIMEOUT_S = 10


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A connection that only reads `path`, for a full or read-only drive; raises sqlite3.Error when impossible.

    SQLite's `mode=ro` is tried first. When it fails and an interrupted write left a journal, that write is
    first rolled back by a read-write connection (reading around it would show a half-written state); when
    there is no such journal, the file is opened `immutable`, which needs no lock or index file at all. A file
    another program is writing (busy, locked) is never opened `immutable`: the error is raised instead.
    """
    uri = Path(path).resolve().as_uri()
    try:
        return _probed(f"{uri}?mode=ro")
    except sqlite3.Error as exc:
        if (getattr(exc, "sqlite_errorname", "") or "").startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            raise  # another program is writing: reading without locks (immutable) could see a half-written state
        failure = exc
    if not has_hot_journal(path):
        return _probed(f"{uri}?mode=ro&immutable=1")
    try:
        connect(path).close()
    except CdhtError:
        raise failure from None
    return _probed(f"{uri}?mode=ro")


def _probed(address: str) -> sqlite3.Connection:
    conn = sqlite3.connect(address, uri=True, check_same_thread=False, timeout=BUSY_TIMEOUT_S)
    try:
        conn.execute("PRAGMA mmap_size = 0")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error:
        conn.close()
        raise
    return conn


def _folder_write_problem(folder: Path) -> CdhtError | None:
    """Why files cannot be created in `folder` (SQLite needs to, for its journal), or None when they can."""
    try:
        handle, name = tempfile.mkstemp(prefix=".cdht-probe-", dir=folder)
    except OSError as exc:
        return describe_os_error(exc, folder, action="ghi vào thư mục")
    os.close(handle)
    with contextlib.suppress(OSError):
        os.unlink(name)
    return None


def open_read_only(path: Path) -> Database:
    """Open the database for reading only: nothing is written to the file, its folder or side files.

    Used by the commands that only read (status, check, dataset export, report, backup) and by the app's
    read-only mode, so that they work on a full or read-only drive (see `connect_read_only`). A file with an
    older schema is copied into memory and upgraded there. The connection refuses writes (`query_only`).
    """
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"Không tìm thấy cơ sở dữ liệu '{path}'.")
    try:
        db = Database(connect_read_only(path))
        _common_pragmas(db)
        version = user_version(db)
        check_kind(db, path)
    except StorageError:
        db.close()
        raise
    except sqlite3.Error as exc:
        error = open_error(exc, path)
        if has_hot_journal(path) and isinstance(error, DiskFullError | ReadOnlyError):
            raise StorageError(f"Cơ sở dữ liệu '{path}' còn một lần ghi dở cần hoàn tác, mà ổ đĩa đang đầy hoặc chỉ "
                               "đọc. Hãy giải phóng chỗ trống (hoặc cho phép ghi) rồi mở lại.") from None
        raise error from None
    if version > SCHEMA_VERSION:
        db.close()
        raise StorageError(_NEWER_SCHEMA.format(current=version, latest=SCHEMA_VERSION))
    if version < SCHEMA_VERSION:
        db = _upgraded_in_memory(db)
    db.execute("PRAGMA query_only = 1")
    return db


def _upgraded_in_memory(db: Database) -> Database:
    """A copy of an older file, upgraded in memory so that reading code sees the current schema."""
    memory = sqlite3.connect(":memory:", check_same_thread=False)
    try:
        db.conn.backup(memory)
    finally:
        db.close()
    copy = Database(memory)
    copy.execute("PRAGMA foreign_keys = ON")
    migrate(copy, None)
    return copy


def user_version(db: Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def backup_copy(db: Database, target: Path) -> Path:
    """Copy a live database with SQLite's online backup API (never a plain file copy)."""
    with atomic_path(target) as temporary:
        dest = sqlite3.connect(str(temporary))
        try:
            db.conn.backup(dest)
        finally:
            dest.close()
    return target


def check_kind(db: Database, path: Path, application_id: int = 0) -> None:
    """Refuse a file of another kind (a recipient's register opened as a commune database, or the reverse)."""
    found = int(db.execute("PRAGMA application_id").fetchone()[0])
    if found == application_id or (user_version(db) == 0 and not db.table_names()):
        return
    what = DATABASE_KINDS.get(found, "tệp của một ứng dụng khác")
    raise StorageError(f"Tệp {path.name} là {what}, không phải {DATABASE_KINDS[application_id]}; tệp không bị thay đổi.")


def migrate(db: Database, path: Path | None, migrations: list[Migration] | None = None,
            application_id: int = 0) -> int:
    """Bring the schema up to date; returns the version before. Backs up an existing older file first."""
    chain = MIGRATIONS if migrations is None else migrations
    latest = len(chain)
    current = user_version(db)
    if current > latest:
        raise StorageError(_NEWER_SCHEMA.format(current=current, latest=latest))
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
                f"Nâng cấp cơ sở dữ liệu lên lược đồ {number} ({step.__doc__ or step.__name__}) thất bại: "
                f"{describe_sqlite_error(exc).message} Dữ liệu được giữ nguyên như trước khi nâng cấp."
            ) from None
    return current


def _prove_writable(db: Database) -> None:
    """Write one row and roll it back: a file, folder or drive SQLite cannot write (read-only, no permission, full)
    is refused at opening, in one line, instead of at the first change of a command that has already done work."""
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('.write-probe', 'null')")
    finally:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")


def open_database(path: Path, migrations: list[Migration] | None = None, application_id: int = 0) -> Database:
    """Open (creating when absent) and migrate the database at `path`; `migrations` and `application_id` name
    another kind of database than the commune's."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise describe_os_error(exc, path.parent, action="tạo thư mục") from None
    db = connect(path)
    try:
        result = db.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise StorageError(f"Cơ sở dữ liệu {path.name} bị hỏng ({result}). Hãy khôi phục từ bản sao lưu gần nhất.")
        check_kind(db, path, application_id)
        migrate(db, path, migrations, application_id)
        _prove_writable(db)
    except sqlite3.DatabaseError as exc:
        db.close()
        raise open_error(exc, path) from None
    except OSError as exc:
        db.close()
        raise describe_os_error(exc, path) from None
    except StorageError:
        db.close()
        raise
    return db


__all__ = ["Database", "open_database", "open_read_only", "connect_read_only", "open_error", "has_hot_journal", "connect", "migrate", "user_version", "backup_copy", "SCHEMA_VERSION"]
