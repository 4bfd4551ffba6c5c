"""File operations for backups: verified copies, hard links with a copy fallback, durable renames, clear errors."""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from pathlib import Path

from app.backup.manifest import hash_stream
from app.errors import StorageError, describe_os_error, describe_sqlite_error


class HashMismatch(Exception):
    """A copied file's content does not have the expected SHA-256."""


def copy_verified(source: Path, target: Path, expected_sha: str | None = None) -> tuple[str, int]:
    """Copy `source` to `target` (written under a temporary name, flushed, renamed), returning (sha, size).

    With `expected_sha`, a different content raises HashMismatch and nothing is left at `target`.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    try:
        with open(source, "rb") as reader, open(temporary, "wb") as writer:
            sha, size = hash_stream(reader, writer)
            writer.flush()
            os.fsync(writer.fileno())
        if expected_sha is not None and sha != expected_sha:
            raise HashMismatch(sha)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return sha, size


def link_or_copy(source: Path, target: Path, expected_sha: str) -> bool:
    """Hard-link an unchanged file from an earlier backup; copy when links are impossible (FAT/USB, other drive).

    Returns True when a link was made.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
        return True
    except FileExistsError:
        target.unlink()
        os.link(source, target)
        return True
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EROFS, errno.EDQUOT):
            raise
        copy_verified(source, target, expected_sha)
        return False


def remove_tree(folder: Path) -> None:
    """Delete a folder we created (an unfinished backup or staging area); never fails loudly."""
    shutil.rmtree(folder, ignore_errors=True)


def _lower_first(message: str) -> str:
    """A sentence made a clause: first letter lowered, "nothing was written" and the full stop dropped."""
    clause = message.replace(" Không có gì được ghi.", "").rstrip(".")
    return clause[:1].lower() + clause[1:]


def storage_error(action: str, exc: BaseException) -> StorageError:
    """A Vietnamese message for a failed file or SQLite operation during `action` ('sao lưu', 'khôi phục')."""
    code = getattr(exc, "errno", None)
    text = str(exc).lower()
    if code in (errno.ENOSPC, errno.EDQUOT) or "disk is full" in text or "database or disk is full" in text:
        reason = "ổ đĩa đã đầy"
    elif code == errno.EROFS or "readonly" in text or "read-only" in text:
        reason = "ổ đĩa hoặc thư mục chỉ cho phép đọc"
    elif code in (errno.EACCES, errno.EPERM):
        reason = "không có quyền ghi vào thư mục này"
    elif isinstance(exc, sqlite3.Error):
        reason = _lower_first(describe_sqlite_error(exc).message)
    elif isinstance(exc, OSError):
        reason = _lower_first(describe_os_error(exc).message)
    else:
        reason = type(exc).__name__
    return StorageError(f"Không {action} được: {reason}. Không có bản {action} dở dang nào được giữ lại.")
