"""When the database will not open at start: say what is wrong, find the newest good backup, restore it.

The damaged file is never deleted: it is renamed aside (`cdht.sqlite3.damaged-<stamp>`) before the backup
is restored in its place, and put back if the restore fails.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from app.backup.manifest import BackupInfo, iter_evidence_store, list_backups, read_backup_info
from app.backup.places import backup_places
from app.backup.restore import DamagedBackupError, restore_backup, verify_backup
from app.errors import CdhtError, DamagedDatabaseError, describe_os_error
from app.progress import Progress
from app.storage.db import connect_read_only, open_error
from app.storage.migrations import SCHEMA_VERSION
from app.text import format_local_time

_SQLITE_MAGIC = b"SQLite format 3\0"
_SIDE_FILES = ("-wal", "-shm", "-journal")



@dataclass(frozen=True)
class DatabaseHealth:
    """What is wrong with a database file, if anything: status 'ok' | 'missing' | 'empty' | 'damaged' | 'newer' |
    'unreadable'."""

    path: Path
    status: str
    message: str
    details: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def diagnose_database(path: Path) -> DatabaseHealth:
    """Examine a database file without changing it (no migrations, no repairs)."""
    path = Path(path)
    if not path.exists():
        return DatabaseHealth(path, "missing", f"Không tìm thấy tệp dữ liệu '{path}'.")
    if path.is_file() and path.stat().st_size == 0:
        return DatabaseHealth(path, "empty", f"Tệp dữ liệu '{path}' rỗng (0 byte).")
    try:
        with path.open("rb") as handle:
            header = handle.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        return DatabaseHealth(path, "unreadable", describe_os_error(exc, path, action="đọc").message)
    if header != _SQLITE_MAGIC and path.stat().st_size > 0:
        return DatabaseHealth(path, "damaged", f"Tệp dữ liệu '{path.name}' bị hỏng: phần đầu tệp không còn đúng "
                                               "định dạng (có thể do mất điện, virus hoặc ổ đĩa lỗi).")
    try:
        conn = connect_read_only(path)
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            rows = [r[0] for r in conn.execute("PRAGMA integrity_check(20)").fetchall()]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        error = open_error(exc, path)
        if not isinstance(error, DamagedDatabaseError):  # a full or read-only drive, a busy file: not damage
            return DatabaseHealth(path, "unreadable", error.message, (str(exc),))
        return DatabaseHealth(path, "damaged", f"Tệp dữ liệu '{path.name}' bị hỏng và không mở được.", (str(exc),))
    if rows != ["ok"]:
        return DatabaseHealth(path, "damaged", f"Tệp dữ liệu '{path.name}' bị hỏng ({len(rows)} lỗi khi kiểm tra).",
                              tuple(rows))
    if version > SCHEMA_VERSION:
        return DatabaseHealth(path, "newer", "Tệp dữ liệu được tạo bởi phiên bản ứng dụng mới hơn; hãy cập nhật "
                                             "ứng dụng. Tệp không bị thay đổi.")
    return DatabaseHealth(path, "ok", "Tệp dữ liệu bình thường.")


@dataclass(frozen=True)
class LostDatabase:
    """A database file that is missing or empty (0 bytes) while its folder shows that the commune had data:
    backups, an evidence store, or files kept aside by an earlier recovery. Starting a new commune there would
    bury that data, so every front-end sends the user to the restore instead."""

    path: Path
    state: str
    """'missing' | 'empty'."""
    traces: tuple[str, ...]
    """What was found, in Vietnamese ('12 bản sao lưu', 'kho minh chứng với 30 tệp'…)."""
    newest_backup: BackupInfo | None

    def summary(self) -> str:
        """What is wrong and what is left: 'Không tìm thấy cơ sở dữ liệu …, nhưng thư mục dữ liệu vẫn còn …'."""
        problem = (f"Không tìm thấy cơ sở dữ liệu '{self.path}'" if self.state == "missing"
                   else f"Cơ sở dữ liệu '{self.path}' rỗng (0 byte)")
        return f"{problem}, nhưng thư mục dữ liệu vẫn còn {', '.join(self.traces)}."

    def message(self, restore_hint: str = "cdht restore --latest") -> str:
        """One line for the command line: what is wrong, what is left, and the command that brings the data back."""
        if self.newest_backup is not None:
            when = format_local_time(self.newest_backup.created_at)
            way = (f"Dữ liệu có thể lấy lại từ bản sao lưu gần nhất (lúc {when}): chạy '{restore_hint}', hoặc mở "
                   "ứng dụng để dùng màn hình khôi phục")
        else:
            way = ("Không thấy bản sao lưu trong thư mục dữ liệu; nếu có bản sao lưu trên USB hoặc thư mục khác, "
                   f"hãy khôi phục bằng '{restore_hint.replace('--latest', 'ĐƯỜNG_DẪN_SAO_LƯU')}'")
        return f"{self.summary()} {way}. Đừng khai báo xã mới ở đây kẻo lẫn với dữ liệu cũ."


def _database_traces(db_path: Path) -> tuple[list[str], list[BackupInfo]]:
    """Signs in the database's folder that a commune's data lived there, and the backups found."""
    data_dir = db_path.parent
    traces: list[str] = []
    backups = [info for root in backup_places(data_dir) for info in list_backups(root)]
    backups.sort(key=lambda info: info.created_at, reverse=True)
    if backups:
        traces.append(f"{len(backups)} bản sao lưu")
    evidence = sum(1 for _ in iter_evidence_store(data_dir))
    if evidence:
        traces.append(f"kho minh chứng với {evidence} tệp")
    kept = [p for p in data_dir.glob(f"{db_path.name}.damaged-*")] + list(data_dir.glob(f"{db_path.stem}.before-*.bak"))
    if kept:
        traces.append(f"{len(kept)} tệp cơ sở dữ liệu cũ được giữ lại bên cạnh")
    return traces, backups


def find_lost_database(db_path: Path) -> LostDatabase | None:
    """The lost database at `db_path` (missing or 0 bytes, with traces of earlier data beside it), or None.

    None means either the file is there with content, or the folder holds nothing of a commune (a new start).
    """
    db_path = Path(db_path)
    try:
        size = db_path.stat().st_size
    except FileNotFoundError:
        state = "missing"
    except OSError:
        return None
    else:
        if size > 0:
            return None
        state = "empty"
    try:
        traces, backups = _database_traces(db_path)
    except OSError:
        return None
    if not traces:
        return None
    newest = next((info for info in backups if info.database_ok), None)
    return LostDatabase(db_path, state, tuple(traces), newest)


def _candidates(data_dir: Path, extra_roots: tuple[Path, ...]) -> list[BackupInfo]:
    found: dict[Path, BackupInfo] = {}
    for root in dict.fromkeys([*backup_places(Path(data_dir)), *extra_roots]):
        found.update((info.path, info) for info in list_backups(root))
    return sorted(found.values(), key=lambda info: info.created_at, reverse=True)


def latest_good_backup(data_dir: Path, extra_roots: tuple[Path, ...] = (),
                       progress: Progress | None = None, before: dt.datetime | None = None) -> BackupInfo | None:
    """The newest backup (in the data folder's backup places and `extra_roots`) whose every file checks out, or
    None; with `before`, only backups made earlier than that."""
    for info in _candidates(data_dir, extra_roots):
        if before is not None and info.created_at >= before:
            continue
        if info.database_ok and not verify_backup(info.path, progress):
            return info
    return None


def older_good_backup(damaged: BackupInfo, data_dir: Path, progress: Progress | None = None) -> BackupInfo | None:
    """The newest good backup older than a damaged one (beside it, or in the data folder's backup places)."""
    return latest_good_backup(data_dir, (damaged.path.parent,), progress, before=damaged.created_at)


def move_aside(db_path: Path, now: dt.datetime | None = None) -> list[tuple[Path, Path]]:
    """Rename a damaged database and its side files out of the way; returns (old, new) pairs."""
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    moved = []
    for suffix in ("", *_SIDE_FILES):
        source = db_path.with_name(db_path.name + suffix)
        if source.exists():
            target = db_path.with_name(f"{db_path.name}.damaged-{stamp}{suffix}")
            os.replace(source, target)
            moved.append((source, target))
    return moved


def recover_from_backup(backup: Path, db_path: Path, progress: Progress | None = None) -> Path:
    """Replace a damaged or lost database with a backup; a damaged file is kept beside it under another name.

    A backup that does not check out is refused before anything moves (DamagedBackupError naming the damaged
    entry and, when there is one, the next older good backup).
    """
    db_path = Path(db_path)
    verify_problems = verify_backup(backup, progress)
    if verify_problems:
        damaged = read_backup_info(backup)
        raise DamagedBackupError(damaged, verify_problems, older_good_backup(damaged, db_path.parent))
    try:
        moved = move_aside(db_path)
    except OSError as exc:
        raise describe_os_error(exc, db_path, action="đổi tên") from None
    try:
        return restore_backup(backup, db_path, progress)
    except DamagedBackupError as error:
        _put_back(moved)
        raise error.with_older(older_good_backup(error.info, db_path.parent)) from None
    except CdhtError:
        _put_back(moved)
        raise


def _put_back(moved: list[tuple[Path, Path]]) -> None:
    for original, aside in reversed(moved):
        if not original.exists():
            os.replace(aside, original)


__all__ = ["DatabaseHealth", "LostDatabase", "find_lost_database", "diagnose_database", "latest_good_backup",
           "older_good_backup", "recover_from_backup", "move_aside"]
