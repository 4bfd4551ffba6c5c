"""Incremental folder backups: what the newest earlier backup in the same folder lends the next one.

Evidence files are named by their SHA-256 and were verified when the earlier backup first copied them, so a
file the earlier backup holds is hard-linked into the new one (its size and type checked on the link) instead
of being read and copied again.

The database copy is hard-linked only when the live database provably has not changed since that copy was
taken. Each copy's manifest records the live file's fingerprint, read before and after the copy and kept only
when both agree: SQLite's 100-byte header (whose file change counter SQLite increases at every commit that
changes the file in rollback-journal mode, the app's only mode), the file's size, inode and modification time.
The next backup links the earlier copy when the live file still has exactly that fingerprint, the copy still
has its recorded content (its SHA-256 is checked again unless the copy's own inode, size, modification and
inode-change times are still those recorded when its hash was last checked), and another backup still keeps the
same state in a separate file (its "twin": the second backup of an unchanged database copies it once more, so
no single damaged file holds the only copy of the newest state). Anything else — a change (even one that keeps
the size), a WAL-mode or restored file, a copy altered since, a twin pruned — means a fresh copy through
SQLite's backup API, checked and hashed."""

from __future__ import annotations

import bisect
import errno
import os
import stat
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.backup.manifest import (
    DB_NAME,
    EVIDENCE_DIR,
    FORMAT,
    MANIFEST_NAME,
    WrittenManifest,
    parse_written_manifest,
    sha256_file,
)
from app.errors import InputError
from app.fileio import MAX_JSON_BYTES, read_bytes_capped
from app.progress import Progress, check_cancelled
from app.storage.db import has_hot_journal

#: Link and stat by name inside open folders: the kernel resolves one name per file, not the whole path.
_DIR_FDS = {os.link, os.stat} <= os.supports_dir_fd and hasattr(os, "O_DIRECTORY")
#: Errors of the drive the backup is written to: the backup fails at once instead of copying file by file.
_TARGET_FULL = (errno.ENOSPC, errno.EROFS, errno.EDQUOT)
_HEADER_BYTES = 100


def database_fingerprint(ws: Any) -> dict[str, Any] | None:
    """What identifies the live database's content now, or None when the file cannot vouch for it (WAL mode, a
    transaction or a hot journal open, an unreadable file).

    Read under the workspace lock while its connection holds no lock on the file (closing another handle to
    the file would otherwise release that connection's POSIX locks)."""
    with ws.lock:
        if ws.db.conn.in_transaction or has_hot_journal(ws.path):
            return None
        try:
            with open(ws.path, "rb") as handle:
                header = handle.read(_HEADER_BYTES)
                status = os.fstat(handle.fileno())
        except OSError:
            return None
    rollback_journal = header[18:20] == b"\x01\x01"
    counter_valid = header[24:28] == header[92:96]  # SQLite's own test that the header's counts are current
    if len(header) < _HEADER_BYTES or not rollback_journal or not counter_valid:
        return None
    return {"header": header.hex(), "size": status.st_size, "inode": status.st_ino, "mtime_ns": status.st_mtime_ns}


@dataclass(frozen=True)
class PreviousBackup:
    """The newest complete folder backup in a backup folder, as far as the next backup uses it."""

    path: str
    database: dict[str, Any]  # the manifest's database entry: sha256, size, check, source, copy, twin
    description: dict[str, Any]  # schema_version, commune, years, last_audit_id of its database copy
    evidence: dict[str, int]  # sha -> size of every evidence file it holds
    referenced: list[str]  # every evidence hash its database copy refers to (held or skipped)
    evidence_lines: str  # its manifest's evidence lines, reused when the next backup holds the same files


def previous_backup(root: Path) -> PreviousBackup | None:
    """The newest folder backup in `root` whose manifest reads (folders are named by time stamp, so only the
    newest manifest is read); None when there is none."""
    try:
        with os.scandir(root) as entries:
            names = sorted((entry.name for entry in entries if entry.is_dir() and not entry.name.startswith(".")),
                           reverse=True)
    except OSError:
        return None
    for name in names:
        folder = os.path.join(root, name)
        try:
            data = read_bytes_capped(Path(folder, MANIFEST_NAME), MAX_JSON_BYTES, f"tệp {MANIFEST_NAME}")
            written = parse_written_manifest(data.decode("utf-8"))
        except (InputError, OSError, UnicodeDecodeError):
            continue
        previous = _from_manifest(folder, written) if written is not None else None
        if previous is not None:
            return previous
    return None


def _from_manifest(folder: str, written: WrittenManifest) -> PreviousBackup | None:
    """The parts of a manifest the next backup relies on, each checked; None when any of them is malformed."""
    raw = written.summary
    try:
        if raw["format"] != FORMAT:
            return None
        database = raw["database"]
        recorded = {"sha256": str(database["sha256"]), "size": int(database["size"]), "check": str(database["check"]),
                    "source": database.get("source") if isinstance(database.get("source"), dict) else None,
                    "copy": database.get("copy") if isinstance(database.get("copy"), dict) else None,
                    "twin": database.get("twin") if isinstance(database.get("twin"), dict) else None}
        commune = raw["commune"]
        description = {
            "schema_version": int(raw["schema_version"]),
            "commune": None if commune is None else {"name": str(commune["name"]), "province": str(commune["province"])},
            "years": [int(year) for year in raw["years"]],
            "last_audit_id": int(raw["last_audit_id"]),
        }
        skipped = [str(item["sha256"]) for item in raw["skipped"]]
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    evidence = written.evidence  # every hash and size already checked line by line
    referenced = sorted(evidence.keys() | set(skipped)) if skipped else sorted(evidence)  # sorted already: fast
    return PreviousBackup(folder, recorded, description, evidence, referenced, written.evidence_lines)


def copy_identity(path: Path) -> dict[str, Any]:
    """What tells that a backup's database copy has not been touched since its hash was checked: inode, size,
    modification time and inode change time (which no program can set back; on Windows: creation time)."""
    status = os.stat(path, follow_symlinks=False)
    return {"inode": status.st_ino, "size": status.st_size, "mtime_ns": status.st_mtime_ns,
            "ctime_ns": status.st_ctime_ns}


class LinkedDatabase:
    """The previous backup's database copy hard-linked into a new backup. When the copy may have been touched
    since its hash was last checked, the SHA-256 is checked again in a background thread (reading and hashing
    release the GIL, so it runs beside the evidence linking); `verified()` gives the verdict."""

    def __init__(self, target: Path, description: dict[str, Any], untouched: bool) -> None:
        self.description = description
        self._verified = untouched
        self._thread = None
        if not untouched:
            self._thread = threading.Thread(target=self._check, args=(target,), name="backup-database-check",
                                            daemon=True)
            self._thread.start()

    def _check(self, target: Path) -> None:
        database = self.description["database"]
        try:
            self._verified = sha256_file(target) == (database["sha256"], database["size"])
        except OSError:
            self._verified = False

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()

    def verified(self) -> bool:
        """Whether the linked copy has the SHA-256 and size the previous manifest records (waits for the check)."""
        self.wait()
        return self._verified


def link_database(ws: Any, previous: PreviousBackup, target: Path) -> LinkedDatabase | None:
    """Hard-link the previous backup's database copy to `target` when the live database still has the
    fingerprint recorded for that copy and another backup still keeps that same state in a separate file (its
    twin); None (nothing made) when the database must be copied afresh. The link is used only once `verified()`
    confirms the copy still has its recorded content: at once when the copy is untouched since its hash was
    checked (the `copy_identity` recorded then), else by hashing it again."""
    recorded = previous.database
    if recorded["check"] != "ok" or recorded["source"] is None or database_fingerprint(ws) != recorded["source"]:
        return None
    earlier = Path(previous.path, DB_NAME)
    try:
        before = copy_identity(earlier)
        if not stat.S_ISREG(os.stat(earlier, follow_symlinks=False).st_mode) or not _twin_kept(
                os.path.dirname(previous.path), recorded["twin"], before["inode"]):
            return None
        os.link(earlier, target)
        after = copy_identity(target)
    except OSError:
        target.unlink(missing_ok=True)
        return None  # gone, or a drive without hard links: a fresh copy
    untouched = recorded["copy"] == before and all(before[key] == after[key] for key in ("inode", "size", "mtime_ns"))
    database = {"path": DB_NAME, **recorded, "copy": after}
    return LinkedDatabase(target, {**previous.description, "referenced_evidence": previous.referenced,
                                   "database": database}, untouched)


def twin_of(previous: PreviousBackup | None, database: dict[str, Any]) -> dict[str, Any] | None:
    """For a fresh database copy: the previous backup's copy when it holds the very same database state in a
    separate file (`{"backup": folder name, "inode": …}`), else None.

    Every state of the database is kept in two separate files before later backups link to one of them, so a
    damaged file (a bad sector, a program writing into it) never takes the only copy of the newest state."""
    source = database.get("source")
    if previous is None or source is None or source != previous.database["source"] or previous.database["check"] != "ok":
        return None
    try:
        status = os.stat(Path(previous.path, DB_NAME), follow_symlinks=False)
    except OSError:
        return None
    if not stat.S_ISREG(status.st_mode) or status.st_ino == database["copy"]["inode"]:
        return None
    return {"backup": os.path.basename(previous.path), "inode": status.st_ino}


def _twin_kept(root: str, twin: Any, inode: int) -> bool:
    """Whether `twin` (a backup folder in `root` and the inode of its database copy) still holds a file other than
    the one of inode `inode`."""
    if not isinstance(twin, dict) or not isinstance(twin.get("inode"), int) or twin["inode"] == inode:
        return False
    name = twin.get("backup")
    if not isinstance(name, str) or name in ("", ".", "..") or name.startswith(".") or "/" in name or os.sep in name:
        return False
    try:
        status = os.stat(os.path.join(root, name, DB_NAME), follow_symlinks=False)
    except OSError:
        return False
    return stat.S_ISREG(status.st_mode) and status.st_ino == twin["inode"]


def link_evidence(previous: PreviousBackup, staging: Path, shas: list[str],
                  progress: Progress | None = None) -> tuple[list[str], list[str]]:
    """Hard-link each evidence file of `shas` (hashes the previous backup holds) into `staging`, making its
    bucket folders; (linked, not linked). A link is kept only when it is a regular file of the recorded size."""
    linked, missed = [], []
    shas = sorted(shas)  # sorted already (fast); each bucket is then one slice, found by bisection
    evidence = os.path.join(staging, EVIDENCE_DIR)
    os.makedirs(evidence, exist_ok=True)
    start = 0
    while start < len(shas):
        check_cancelled(progress)
        if progress is not None:
            progress.report(0.2 + 0.75 * start / len(shas), f"Đang sao lưu minh chứng {start + 1}/{len(shas)}…")
        bucket = shas[start][:2]
        end = bisect.bisect_left(shas, bucket + "g", start)  # 'g' sorts after every hex digit
        names = shas[start:end]
        target = os.path.join(evidence, bucket)
        os.mkdir(target)
        done = _link_bucket(os.path.join(previous.path, EVIDENCE_DIR, bucket), target, names, previous.evidence)
        linked += done
        if len(done) < len(names):
            kept = set(done)
            missed += [sha for sha in names if sha not in kept]
        start = end
    return linked, missed


def _link_bucket(source: str, target: str, names: list[str], sizes: dict[str, int]) -> list[str]:
    """Link the files `names` of folder `source` into folder `target`, each expected to have its size in
    `sizes`; the names linked."""
    if not _DIR_FDS:
        return _link_files(None, None, source + os.sep, target + os.sep, names, sizes)
    try:
        source_fd = os.open(source, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        return []  # the earlier backup has no such folder
    try:
        target_fd = os.open(target, os.O_RDONLY | os.O_DIRECTORY)
        try:
            return _link_files(source_fd, target_fd, "", "", names, sizes)
        finally:
            os.close(target_fd)
    finally:
        os.close(source_fd)


def _link_files(source_fd: int | None, target_fd: int | None, source_prefix: str, target_prefix: str,
                names: list[str], sizes: dict[str, int]) -> list[str]:
    """The linking loop itself, by name inside open folders or by path (thousands of files: nothing in it but
    the two system calls and the checks). A symbolic link is linked as itself, never followed, and refused."""
    link, status, linked = os.link, os.stat, []
    follow = source_fd is None  # Windows cannot link without following; the check below still refuses links
    for name in names:
        try:
            link(source_prefix + name, target_prefix + name, src_dir_fd=source_fd, dst_dir_fd=target_fd,
                 follow_symlinks=follow)
        except OSError as exc:
            if exc.errno in _TARGET_FULL:
                raise
            continue
        found = status(target_prefix + name, dir_fd=target_fd, follow_symlinks=False)
        if found.st_size == sizes[name] and found.st_mode & 0o170000 == stat.S_IFREG:
            linked.append(name)
        else:
            os.unlink(target_prefix + name, dir_fd=target_fd)
    return linked


__all__ = ["LinkedDatabase", "PreviousBackup", "copy_identity", "database_fingerprint", "link_database", "link_evidence",
           "previous_backup", "twin_of"]
