"""Incremental folder backups: what the newest earlier backup in the same folder lends the next one.

Evidence files are named by their SHA-256 and were verified when the earlier backup first copied them, so a
file the earlier backup holds is hard-linked into the new one (its size and type checked on the link) instead
of being read and copied again.

The database copy is hard-linked only when the live database provably has not changed since that copy was
taken. Each copy's manifest records the live file's fingerprint, read before and after the copy and kept only
when both agree: SQLite's 100-byte header (whose file change counter SQLite increases at every commit that
changes the file in rollback-journal mode, the app's only mode), the file's size, inode and modification time.
The next backup links the earlier copy when the live file still has exactly that fingerprint and the copy still
has its recorded SHA-256 and size. Anything else — a change (even one that keeps the size), a WAL-mode or
restored file, a copy altered since — means a fresh copy through SQLite's backup API, checked and hashed.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import threading
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from app.backup.manifest import DB_NAME, EVIDENCE_DIR, FORMAT, MANIFEST_NAME, is_sha256, sha256_file
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
    database: dict[str, Any]  # the manifest's database entry: sha256, size, check, source fingerprint
    description: dict[str, Any]  # schema_version, commune, years, last_audit_id of its database copy
    evidence: dict[str, int]  # sha -> size of every evidence file it holds
    referenced: list[str]  # every evidence hash its database copy refers to (held or skipped)


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
            # Plain json.loads: it parses the manifest of 16 500 files in about 15 ms, where the bracket-depth
            # pre-scan of `parse_json` adds some 70 ms. json.loads guards its own recursion (RecursionError), only
            # the fields checked below are used, and anything malformed just means no earlier backup to lend.
            raw = json.loads(read_bytes_capped(Path(folder, MANIFEST_NAME), MAX_JSON_BYTES, f"tệp {MANIFEST_NAME}"))
        except (InputError, OSError, ValueError, RecursionError):
            continue
        previous = _from_manifest(folder, raw)
        if previous is not None:
            return previous
    return None


def _from_manifest(folder: str, raw: Any) -> PreviousBackup | None:
    """The parts of a manifest the next backup relies on, each checked; None when any of them is malformed."""
    try:
        if raw["format"] != FORMAT:
            return None
        database = raw["database"]
        recorded = {"sha256": str(database["sha256"]), "size": int(database["size"]), "check": str(database["check"]),
                    "source": database.get("source") if isinstance(database.get("source"), dict) else None}
        commune = raw["commune"]
        description = {
            "schema_version": int(raw["schema_version"]),
            "commune": None if commune is None else {"name": str(commune["name"]), "province": str(commune["province"])},
            "years": [int(year) for year in raw["years"]],
            "last_audit_id": int(raw["last_audit_id"]),
        }
        evidence = {item["sha256"]: item["size"] for item in raw["evidence"]}
        skipped = [item["sha256"] for item in raw["skipped"]]
        valid = all(map(is_sha256, evidence)) and all(type(size) is int and size >= 0 for size in evidence.values()) and all(
            type(sha) is str for sha in skipped)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    if not valid:
        return None
    referenced = sorted(evidence.keys() | set(skipped)) if skipped else sorted(evidence)  # sorted already: fast
    return PreviousBackup(folder, recorded, description, evidence, referenced)


class LinkedDatabase:
    """The previous backup's database copy hard-linked into a new backup, its SHA-256 and size being checked in
    a background thread (reading and hashing release the GIL, so the check runs beside the evidence linking)."""

    def __init__(self, target: Path, description: dict[str, Any]) -> None:
        self.description = description
        self._found: list[tuple[str, int] | None] = []
        self._thread = threading.Thread(target=self._hash, args=(target,), name="backup-database-check", daemon=True)
        self._thread.start()

    def _hash(self, target: Path) -> None:
        try:
            self._found.append(sha256_file(target))
        except OSError:
            self._found.append(None)

    def wait(self) -> None:
        self._thread.join()

    def verified(self) -> bool:
        """Whether the linked copy has the SHA-256 and size the previous manifest records (waits for the check)."""
        self.wait()
        database = self.description["database"]
        return self._found == [(database["sha256"], database["size"])]


def link_database(ws: Any, previous: PreviousBackup, target: Path) -> LinkedDatabase | None:
    """Hard-link the previous backup's database copy to `target` when the live database still has the
    fingerprint recorded for that copy; None (nothing made) when the database must be copied afresh. The link is
    used only once `verified()` confirms the copy still has its recorded content."""
    recorded = previous.database
    if recorded["check"] != "ok" or recorded["source"] is None or database_fingerprint(ws) != recorded["source"]:
        return None
    try:
        os.link(os.path.join(previous.path, DB_NAME), target)
    except OSError:
        return None  # gone, or a drive without hard links: a fresh copy
    return LinkedDatabase(target, {**previous.description, "referenced_evidence": previous.referenced,
                                   "database": {"path": DB_NAME, **recorded}})


def link_evidence(previous: PreviousBackup, staging: Path, shas: list[str],
                  progress: Progress | None = None) -> tuple[list[str], list[str]]:
    """Hard-link each evidence file of `shas` the previous backup holds into `staging` (its bucket folders made
    already); (linked, not linked). A link is kept only when it is a regular file of the recorded size."""
    linked, missed = [], []
    buckets: dict[str, list[str]] = {}
    for sha in shas:
        buckets.setdefault(sha[:2], []).append(sha)
    for number, (bucket, names) in enumerate(buckets.items()):
        check_cancelled(progress)
        if progress is not None:
            progress.report(0.2 + 0.75 * number / len(buckets), f"Đang sao lưu minh chứng {len(linked) + 1}/{len(shas)}…")
        source = os.path.join(previous.path, EVIDENCE_DIR, bucket)
        target = os.path.join(staging, EVIDENCE_DIR, bucket)
        done = _link_bucket(source, target, names, previous.evidence)
        linked += done
        if len(done) < len(names):
            kept = set(done)
            missed += [sha for sha in names if sha not in kept]
    return linked, missed


def _link_bucket(source: str, target: str, names: list[str], sizes: dict[str, int]) -> list[str]:
    """Link the files `names` of folder `source` into folder `target`, each expected to have its size in
    `sizes`; the names linked."""
    if not _DIR_FDS:
        return _link_files(os.link, os.lstat, os.unlink, source + os.sep, target + os.sep, names, sizes)
    try:
        source_fd = os.open(source, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        return []  # the earlier backup has no such folder
    try:
        target_fd = os.open(target, os.O_RDONLY | os.O_DIRECTORY)
        try:
            return _link_files(partial(os.link, src_dir_fd=source_fd, dst_dir_fd=target_fd, follow_symlinks=False),
                               partial(os.stat, dir_fd=target_fd, follow_symlinks=False),
                               partial(os.unlink, dir_fd=target_fd), "", "", names, sizes)
        finally:
            os.close(target_fd)
    finally:
        os.close(source_fd)


def _link_files(link: Any, status: Any, remove: Any, source_prefix: str, target_prefix: str, names: list[str],
                sizes: dict[str, int]) -> list[str]:
    """The linking loop itself (thousands of files: nothing in it but the two system calls and the checks)."""
    linked = []
    for name in names:
        try:
            link(source_prefix + name, target_prefix + name)
        except OSError as exc:
            if exc.errno in _TARGET_FULL:
                raise
            continue
        found = status(target_prefix + name)
        if found.st_size == sizes[name] and stat.S_ISREG(found.st_mode):
            linked.append(name)
        else:
            remove(target_prefix + name)
    return linked


__all__ = ["LinkedDatabase", "PreviousBackup", "database_fingerprint", "link_database", "link_evidence", "previous_backup"]
