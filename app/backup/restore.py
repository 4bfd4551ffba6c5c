"""Checking and restoring a backup (folder or zip) into a new database file, with its evidence store beside it.

Every file is copied into a hidden staging folder beside the target while its SHA-256 is checked; only when
all of them check out are the evidence files moved into the store and, last of all, the database file put in
place. An existing database is never overwritten; an interrupted restore leaves no database behind and can
simply be run again.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Any

from app.backup.files import HashMismatch, copy_verified, remove_tree, storage_error
from app.backup.manifest import (
    DB_NAME,
    EVIDENCE_DIR,
    BackupInfo,
    evidence_relpath,
    hash_stream,
    is_sha256,
    read_backup_info,
    sha256_file,
)
from app.errors import InputError, describe_os_error
from app.fileio import check_output_path, ensure_free_space, fsync_dir
from app.progress import Progress, check_cancelled
from app.scratch import partial_name, remove_unfinished
from app.storage.migrations import SCHEMA_VERSION
from app.text import format_local_time

_SIDE_FILES = ("-wal", "-shm", "-journal")
#: What reading a damaged entry of a zip raises (bad CRC, broken deflate stream, cut-off file).
ARCHIVE_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError)


class DamagedBackupError(InputError):
    """A backup whose files do not check out; nothing was restored. `older` may name a good older backup."""

    def __init__(self, info: BackupInfo, problems: list[str], older: BackupInfo | None = None) -> None:
        shown = "; ".join(problems[:3]) + (f" và {len(problems) - 3} lỗi khác" if len(problems) > 3 else "")
        message = f"Bản sao lưu '{info.path.name}' không toàn vẹn: {shown}. Không khôi phục gì."
        if older is not None:
            message += f" Bản sao lưu cũ hơn còn tốt: '{older.path}' (lúc {format_local_time(older.created_at)})."
        super().__init__(message)
        self.info, self.problems, self.older = info, problems, older

    def with_older(self, older: BackupInfo | None) -> DamagedBackupError:
        return DamagedBackupError(self.info, self.problems, older)


def _entries(info: BackupInfo) -> list[tuple[str, str, int]]:
    """(relative path, sha, size) of every file a backup holds, database first; paths derived from the hashes."""
    database = info.manifest["database"]
    entries = [(DB_NAME, str(database["sha256"]), int(database["size"]))]
    for item in info.manifest["evidence"]:
        sha = str(item.get("sha256", ""))
        if not is_sha256(sha):
            raise InputError(f"Bản sao lưu '{info.path.name}' có mục minh chứng không hợp lệ ({sha[:20]!r}).")
        entries.append((evidence_relpath(sha), sha, int(item["size"])))
    return entries


def unsafe_member(name: str) -> bool:
    """Whether an archive member name could land outside the target folder (absolute, drive, `..`, backslash)."""
    if not name or name.startswith(("/", "\\")) or "\\" in name or "\0" in name:
        return True
    if len(name) >= 2 and name[1] == ":":
        return True
    return any(part in ("..", "") for part in PurePosixPath(name).parts) or ".." in name.split("/")


def _check_archive(archive: zipfile.ZipFile, source: Path) -> None:
    for member in archive.infolist():
        mode = member.external_attr >> 16
        if unsafe_member(member.filename.rstrip("/")) or stat.S_ISLNK(mode):
            raise InputError(
                f"Tệp sao lưu '{source.name}' chứa đường dẫn không an toàn ('{member.filename}'); "
                "tệp có thể đã bị sửa đổi. Không khôi phục gì."
            )


def _stage_from_zip(source: Path, info: BackupInfo, staging: Path, progress: Progress | None) -> list[str]:
    problems = []
    with zipfile.ZipFile(source) as archive:
        _check_archive(archive, source)
        names = set(archive.namelist())
        entries = _entries(info)
        for index, (relpath, sha, size) in enumerate(entries):
            _report(progress, index, len(entries))
            if relpath not in names:
                problems.append(f"thiếu tệp {relpath}")
                continue
            target = staging / relpath
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with archive.open(relpath) as reader, open(target, "wb") as writer:
                    actual, actual_size = hash_stream(_Limited(reader, size + 1), writer)
                    writer.flush()
                    os.fsync(writer.fileno())
            except ARCHIVE_DAMAGE:
                problems.append(f"tệp {relpath} bị hỏng trong tệp nén")
                continue
            if actual != sha or actual_size != size:
                problems.append(f"tệp {relpath} không khớp mã băm")
    return problems


def _stage_from_folder(source: Path, info: BackupInfo, staging: Path, progress: Progress | None) -> list[str]:
    problems = []
    entries = _entries(info)
    for index, (relpath, sha, _size) in enumerate(entries):
        _report(progress, index, len(entries))
        origin = source / relpath
        if not origin.is_file():
            problems.append(f"thiếu tệp {relpath}")
            continue
        try:
            copy_verified(origin, staging / relpath, sha)
        except HashMismatch:
            problems.append(f"tệp {relpath} không khớp mã băm")
    return problems


class _Limited:
    """A reader that stops after `limit` bytes (an archive cannot inflate beyond what its manifest says)."""

    def __init__(self, reader: Any, limit: int) -> None:
        self.reader, self.left = reader, limit

    def read(self, size: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        data: bytes = self.reader.read(self.left if size < 0 else min(size, self.left))
        self.left -= len(data)
        return data


def _report(progress: Progress | None, index: int, total: int) -> None:
    check_cancelled(progress)
    if progress is not None:
        progress.report(0.9 * index / max(1, total), f"Đang kiểm tra tệp {index + 1}/{total}…")


def verify_backup(source: Path, progress: Progress | None = None) -> list[str]:
    """Re-hash every file of a backup against its manifest; the problems found, in Vietnamese (empty: good)."""
    info = read_backup_info(source)
    problems = []
    entries = _entries(info)
    archive = zipfile.ZipFile(info.path) if info.is_zip else None
    try:
        for index, (relpath, sha, size) in enumerate(entries):
            _report(progress, index, len(entries))
            try:
                if archive is not None:
                    with archive.open(relpath) as reader:
                        actual, actual_size = hash_stream(_Limited(reader, size + 1))
                else:
                    actual, actual_size = sha256_file(info.path / relpath)
            except (KeyError, FileNotFoundError):
                problems.append(f"thiếu tệp {relpath}")
                continue
            except ARCHIVE_DAMAGE:
                problems.append(f"tệp {relpath} bị hỏng trong tệp nén")
                continue
            except OSError as exc:
                problems.append(f"không đọc được tệp {relpath} ({describe_os_error(exc, action='đọc').message})")
                continue
            if actual != sha or actual_size != size:
                problems.append(f"tệp {relpath} không khớp mã băm")
    finally:
        if archive is not None:
            archive.close()
    if not info.database_ok:
        problems.append("cơ sở dữ liệu trong bản sao lưu đã bị hỏng ngay khi sao lưu")
    return problems


def _check_database(path: Path) -> str:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return str(exc)


def _refuse_existing(db_path: Path) -> None:
    for suffix in ("", *_SIDE_FILES):
        candidate = db_path.with_name(db_path.name + suffix)
        if candidate.exists():
            raise InputError(
                f"Đã có cơ sở dữ liệu tại '{db_path}'. Khôi phục không ghi đè dữ liệu đang có; "
                "hãy chọn một thư mục mới."
            )


_DATABASE_SUFFIXES = (".sqlite3", ".sqlite", ".db")


def restore_target(to: Path) -> Path:
    """The database file a restore into `to` creates, after refusing targets that would mix with other data.

    `to` is either a new `.sqlite3` file in a folder that holds no database or evidence store yet, or a new
    (or empty) folder, which gets `cdht.sqlite3`. The evidence store always goes beside the restored database.
    """
    if to is None or str(to).strip() in ("", "."):
        raise InputError("Chưa chỉ nơi khôi phục (--to THƯ_MỤC_MỚI).")
    to = check_output_path(to, "dữ liệu khôi phục", folder=Path(to).suffix.lower() not in _DATABASE_SUFFIXES)
    if to.suffix.lower() in _DATABASE_SUFFIXES:
        if to.exists() or to.is_symlink():
            raise InputError(f"Đã có tệp '{to}'; khôi phục không ghi đè. Hãy chọn một thư mục mới.")
        folder = to.parent
        if folder.is_dir() and (any(folder.glob("*.sqlite3")) or (folder / EVIDENCE_DIR).exists()):
            raise InputError(f"Thư mục '{folder}' đã chứa dữ liệu (cơ sở dữ liệu hoặc kho minh chứng); minh chứng "
                             "khôi phục sẽ lẫn vào đó. Hãy khôi phục vào một thư mục mới.")
        return to
    if to.exists() and not to.is_dir():
        raise InputError(f"'{to}' là một tệp; nơi khôi phục phải là thư mục mới hoặc tệp .sqlite3 mới.")
    if to.is_dir() and any(to.iterdir()):
        raise InputError(f"Thư mục '{to}' không trống; hãy khôi phục vào một thư mục mới hoặc trống.")
    return to / DB_NAME


def _place_evidence(staging: Path, target_dir: Path, entries: list[tuple[str, str, int]]) -> None:
    """Move verified evidence files into the store; a file already there with the right content is kept."""
    for relpath, sha, _size in entries[1:]:
        final = target_dir / relpath
        if final.is_file():
            try:
                if sha256_file(final)[0] == sha:
                    continue
            except OSError:
                pass
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / relpath, final)
        fsync_dir(final.parent)


def restore_backup(source: Path, db_path: Path, progress: Progress | None = None) -> Path:
    """Restore a backup folder or zip to the new database file `db_path` (its evidence store goes beside it)."""
    source, db_path = Path(source), Path(db_path)
    info = read_backup_info(source)
    if info.schema_version > SCHEMA_VERSION:
        raise InputError(
            f"Bản sao lưu do phiên bản ứng dụng mới hơn tạo (lược đồ {info.schema_version}); hãy cập nhật ứng dụng."
        )
    _refuse_existing(db_path)
    target_dir = db_path.parent
    staging = target_dir / partial_name(f".restore-{db_path.name}")
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
        remove_unfinished(target_dir)
        ensure_free_space(target_dir, info.size + (1 << 20), "dữ liệu khôi phục")
        remove_tree(staging)
        staging.mkdir()
        stage = _stage_from_zip if info.is_zip else _stage_from_folder
        problems = stage(source, info, staging, progress)
        if not problems:
            result = _check_database(staging / DB_NAME)
            if result != "ok":
                problems.append(f"cơ sở dữ liệu trong bản sao lưu bị hỏng ({result})")
        if problems:
            raise DamagedBackupError(info, problems)
        check_cancelled(progress)
        if progress is not None:
            progress.report(0.95, "Đang đưa dữ liệu vào thư mục mới…")
        _refuse_existing(db_path)
        _place_evidence(staging, target_dir, _entries(info))
        os.link(staging / DB_NAME, db_path) if _can_link(staging) else os.replace(staging / DB_NAME, db_path)
        fsync_dir(target_dir)
    except (OSError, sqlite3.Error) as exc:
        raise storage_error("khôi phục", exc) from None
    finally:
        remove_tree(staging)
    if progress is not None:
        progress.report(1.0, "Đã khôi phục xong.")
    return db_path


def _can_link(folder: Path) -> bool:
    """Hard links let the database appear without ever replacing an existing file (os.replace would)."""
    probe = folder / ".link-probe"
    try:
        probe.write_bytes(b"")
        os.link(probe, folder / ".link-probe-2")
    except OSError:
        return False
    finally:
        probe.unlink(missing_ok=True)
        (folder / ".link-probe-2").unlink(missing_ok=True)
    return True


__all__ = ["restore_backup", "restore_target", "verify_backup", "unsafe_member", "DamagedBackupError", "ARCHIVE_DAMAGE"]
