"""Making a backup: the database through SQLite's online backup API, evidence files hard-linked or copied.

A folder backup is built in a hidden `.<stamp>-<pid>.partial` folder and renamed to `<stamp>` only when
complete, so an interrupted backup is never listed. A zip backup is written to a hidden temporary file
and renamed the same way. The next backup into the same folder removes what an interrupted one left.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import sqlite3
import stat
import zipfile
from pathlib import Path
from typing import Any

from app import __version__
from app.backup.files import HashMismatch, copy_verified, remove_tree, storage_error
from app.backup.incremental import (
    PreviousBackup,
    copy_identity,
    database_fingerprint,
    link_database,
    link_evidence,
    previous_backup,
    twin_of,
)
from app.backup.manifest import (
    DB_NAME,
    EVIDENCE_DIR,
    FORMAT,
    MANIFEST_NAME,
    BackupInfo,
    evidence_relpath,
    hash_stream,
    is_sha256,
    manifest_text,
    read_backup_info,
    sha256_file,
)
from app.backup.places import default_backup_root, remember_backup_place
from app.errors import CancelledError, InputError, StorageError
from app.fileio import check_output_path, ensure_free_space, fsync_dir
from app.progress import Progress, check_cancelled
from app.scratch import partial_name, remove_unfinished
from app.storage.db import backup_copy

BACKUP_FOLDER_SETTING = "backup.folder"


def backup_root(ws: Any) -> Path:
    """The folder of automatic backups: the `backup.folder` setting, else `<data>/backups`."""
    chosen = ws.get_setting(BACKUP_FOLDER_SETTING)
    return Path(chosen) if chosen else default_backup_root(ws.data_dir)


def _local(now: dt.datetime | None) -> dt.datetime:
    now = now or dt.datetime.now()
    return now.astimezone() if now.tzinfo is None else now


def stamp_name(now: dt.datetime) -> str:
    """A backup folder's name: local time, safe on every file system ('2026-11-22T10-30-00')."""
    return now.astimezone().strftime("%Y-%m-%dT%H-%M-%S")


def _snapshot_database(ws: Any, target: Path) -> dict[str, Any]:
    """Copy the live database to `target` and describe the copy (hash, check, commune, years, last audit id).

    The live file's fingerprint is read before and after the copy; when both agree nothing was committed in
    between, and the manifest records it so that the next backup can link this copy while it still holds."""
    before = database_fingerprint(ws)
    with ws.lock:
        backup_copy(ws.db, target)
    after = database_fingerprint(ws)
    conn = sqlite3.connect(str(target))
    try:
        conn.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        description = _describe(conn)
    finally:
        conn.close()
    sha, size = sha256_file(target)
    description["database"] = {"path": DB_NAME, "sha256": sha, "size": size, "check": check}
    if before is not None and before == after:
        description["database"]["source"] = before
        description["database"]["copy"] = copy_identity(target)  # the copy as it was when hashed
    return description


def _describe(conn: sqlite3.Connection) -> dict[str, Any]:
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def rows(sql: str) -> list[tuple[Any, ...]]:
        try:
            return conn.execute(sql).fetchall()
        except sqlite3.Error:
            return []

    profile = rows("SELECT commune_name, province FROM profile WHERE id = 1") if "profile" in tables else []
    years = [r[0] for r in rows("SELECT year FROM years ORDER BY year")] if "years" in tables else []
    audit = rows("SELECT MAX(id) FROM audit_log") if "audit_log" in tables else []
    shas = sorted({r[0] for r in rows("SELECT sha256 FROM evidence")}) if "evidence" in tables else []
    return {
        "schema_version": conn.execute("PRAGMA user_version").fetchone()[0],
        "commune": {"name": profile[0][0], "province": profile[0][1]} if profile else None,
        "years": years,
        "last_audit_id": (audit[0][0] or 0) if audit else 0,
        "referenced_evidence": shas,
    }


def _manifest(description: dict[str, Any], evidence: list[dict[str, Any]], skipped: list[dict[str, str]], kind: str,
              now: dt.datetime) -> dict[str, Any]:
    referenced = description.pop("referenced_evidence")
    present = {item["sha256"] for item in evidence} | {item["sha256"] for item in skipped}
    skipped = skipped + [{"path": evidence_relpath(sha), "sha256": sha, "reason": "missing"}
                         for sha in referenced if sha not in present]
    return {"format": FORMAT, "kind": kind, "created_at": now.isoformat(timespec="seconds"),
            "app_version": __version__, **description, "evidence": evidence, "skipped": skipped}


def _store_files(ws: Any, shas: list[str]) -> list[tuple[str, str, int]]:
    """(sha, path, size) of each of `shas` that is a regular file in the evidence store (the rest are missing)."""
    found = []
    for sha in shas:
        if not is_sha256(sha):
            continue
        path = os.path.join(ws.data_dir, evidence_relpath(sha))
        try:
            status = os.lstat(path)
        except OSError:
            continue
        if stat.S_ISREG(status.st_mode):
            found.append((sha, path, status.st_size))
    return found


#: Room kept on top of the estimate for the file system's own bookkeeping, and per file for its manifest line.
_MARGIN_BYTES = 256 * 1024
_MANIFEST_LINE_BYTES = 200


def _ensure_room(folder: Path, needed: int) -> None:
    ensure_free_space(folder, needed + _MARGIN_BYTES, "bản sao lưu")


def _live_database_size(ws: Any) -> int:
    try:
        return Path(ws.path).stat().st_size
    except OSError:
        return 0


def _back_up_evidence(ws: Any, staging: Path, root: Path, previous: PreviousBackup | None, referenced: list[str],
                      progress: Progress | None) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Put every stored evidence file the database copy refers to into `staging`: hard-linked from the previous
    backup when it holds the file, else copied from the store with its hash checked. (manifest entries, skipped)"""
    holds = previous.evidence if previous is not None else {}
    held = [sha for sha in referenced if sha in holds]
    sources = _store_files(ws, [sha for sha in referenced if sha not in holds])
    _ensure_room(root, sum(size for _, _, size in sources) + _MANIFEST_LINE_BYTES * len(referenced))
    linked, missed = link_evidence(previous, staging, held, progress) if previous is not None and held else ([], [])
    sizes = {sha: holds[sha] for sha in linked}
    skipped: list[dict[str, str]] = []
    copies: list[tuple[str, list[str | None]]] = [(sha, [path]) for sha, path, _ in sources]
    in_store = {sha: path for sha, path, _ in _store_files(ws, missed)}
    if previous is not None:  # not linked: the store's file, else the previous backup's copy, whichever verifies
        for sha in missed:
            copies.append((sha, [in_store.get(sha), os.path.join(previous.path, evidence_relpath(sha))]))
    for index, (sha, candidates) in enumerate(copies):
        check_cancelled(progress)
        if progress is not None:
            progress.report(0.2 + 0.75 * index / len(copies), f"Đang sao lưu minh chứng {index + 1}/{len(copies)}…")
        size, reason = _copy_first_good(candidates, os.path.join(staging, evidence_relpath(sha)), sha)
        if size is not None:
            sizes[sha] = size
        elif reason != "missing":
            skipped.append({"path": evidence_relpath(sha), "sha256": sha, "reason": reason})
    evidence = [{"path": f"{EVIDENCE_DIR}/{sha[:2]}/{sha}", "sha256": sha, "size": sizes[sha]} for sha in sorted(sizes)]
    return evidence, skipped


def _copy_first_good(candidates: list[str | None], target: str, sha: str) -> tuple[int | None, str]:
    """Copy the first of `candidates` (the store's file first; None: not in the store) whose content has hash
    `sha` to `target`: (size, "") or (None, what is wrong with the store's file: 'missing', 'altered',
    'unreadable: …')."""
    reasons = []
    for candidate in candidates:
        if candidate is None:
            reasons.append("missing")
            continue
        try:
            return copy_verified(Path(candidate), Path(target), sha)[1], ""
        except HashMismatch:
            reasons.append("altered")
        except OSError as exc:
            if str(exc.filename) != str(Path(candidate)):
                raise  # writing the backup failed: the whole backup fails
            reasons.append("missing" if isinstance(exc, FileNotFoundError) else f"unreadable: {exc.strerror}")
    return None, reasons[0]


def _fill_staging(ws: Any, staging: Path, root: Path, previous: PreviousBackup | None, progress: Progress | None, *,
                  reuse_database: bool) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, str]]] | None:
    """The database and evidence of a folder backup put into `staging`: (description, evidence, skipped), or None
    when the previous backup's database copy, linked because the live database had not changed, fails its check."""
    linked = link_database(ws, previous, staging / DB_NAME) if reuse_database and previous is not None else None
    try:
        if linked is not None:
            description = linked.description
        else:
            _ensure_room(root, _live_database_size(ws))
            description = _snapshot_database(ws, staging / DB_NAME)
            twin = twin_of(previous, description["database"]) if reuse_database else None
            if twin is not None:
                description["database"]["twin"] = twin
        evidence, skipped = _back_up_evidence(ws, staging, root, previous, description["referenced_evidence"], progress)
    finally:
        if linked is not None:
            linked.wait()
    if linked is not None and not linked.verified():
        return None
    return description, evidence, skipped


def _same_lines(evidence: list[dict[str, Any]], previous: PreviousBackup | None) -> str | None:
    """The previous manifest's evidence lines when this backup holds exactly the same files (the usual case)."""
    if previous is None or len(evidence) != len(previous.evidence):
        return None
    held = previous.evidence
    return previous.evidence_lines if all(held.get(item["sha256"]) == item["size"] for item in evidence) else None


def _write_durably(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _rename_into_place(staging: Path, root: Path, stamp: str) -> Path:
    """Give a finished backup its final name: the time stamp, or `stamp-2`, `stamp-3`… when backups come faster
    than one a second."""
    for attempt in itertools.count(1):
        target = root / (stamp if attempt == 1 else f"{stamp}-{attempt}")
        if target.exists():
            continue
        try:
            os.rename(staging, target)
        except OSError:
            if target.exists():
                continue
            raise
        fsync_dir(root)
        return target
    raise AssertionError("unreachable")


def create_backup(ws: Any, root: Path | None = None, *, kind: str = "manual", now: dt.datetime | None = None,
                  progress: Progress | None = None) -> BackupInfo:
    """Back up the database and evidence store into a new folder inside `root` (default: the backup folder)."""
    root = check_output_path(root, "bản sao lưu", folder=True) if root is not None else backup_root(ws)
    now = _local(now)
    staging = root / partial_name(f".{stamp_name(now)}")
    if root != default_backup_root(ws.data_dir):
        remember_backup_place(ws.data_dir, root)
    try:
        if progress is not None:
            progress.report(0.0, "Đang sao lưu cơ sở dữ liệu…")
        root.mkdir(parents=True, exist_ok=True)
        remove_unfinished(root)
        previous = previous_backup(root)
        remove_tree(staging)
        staging.mkdir()
        filled = _fill_staging(ws, staging, root, previous, progress, reuse_database=True)
        if filled is None:  # the previous backup's database copy no longer has its recorded content
            remove_tree(staging)
            staging.mkdir()
            filled = _fill_staging(ws, staging, root, previous, progress, reuse_database=False)
        if filled is None:  # a fresh copy is never refused this way
            raise StorageError("Không sao lưu được cơ sở dữ liệu: bản sao không đọc lại được.")
        manifest = _manifest(*filled, kind, now)
        _write_durably(staging / MANIFEST_NAME, manifest_text(manifest, _same_lines(manifest["evidence"], previous)))
        fsync_dir(staging)
        check_cancelled(progress)
        final = _rename_into_place(staging, root, stamp_name(now))
    except (OSError, sqlite3.Error) as exc:
        remove_tree(staging)
        raise storage_error("sao lưu", exc) from None
    except BaseException:
        remove_tree(staging)
        raise
    if progress is not None:
        progress.report(1.0, "Đã sao lưu xong.")
    return BackupInfo.from_manifest(final, manifest)  # what was just written, without reading it back


def create_backup_zip(ws: Any, target: Path, *, kind: str = "manual", now: dt.datetime | None = None,
                      progress: Progress | None = None) -> BackupInfo:
    """Back up the database and evidence together into one .zip file (refuses to overwrite a file)."""
    target = check_output_path(target, "bản sao lưu")
    if target.suffix.lower() != ".zip":
        raise InputError(f"Tệp sao lưu phải có đuôi .zip: '{target.name}'.")
    if target.exists():
        raise InputError(f"Tệp '{target}' đã có; hãy chọn tên khác để không ghi đè.")
    now = _local(now)
    temporary = target.with_name(partial_name(f".{target.name}"))
    remember_backup_place(ws.data_dir, target.parent)
    scratch: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_unfinished(target.parent)
        _ensure_room(target.parent, _live_database_size(ws))
        scratch = target.with_name(partial_name(f".{target.name}.db"))
        remove_tree(scratch)
        scratch.mkdir()
        description = _snapshot_database(ws, scratch / DB_NAME)
        for key in ("source", "copy"):  # only a folder backup lends its copy to the next one
            description["database"].pop(key, None)
        files = _store_files(ws, description["referenced_evidence"])
        _ensure_room(target.parent, sum(size for _, _, size in files))
        evidence, skipped = [], []
        with zipfile.ZipFile(temporary, "w", allowZip64=True) as archive:
            archive.write(scratch / DB_NAME, DB_NAME, compress_type=zipfile.ZIP_DEFLATED)
            for index, (sha, source, _size) in enumerate(files):
                check_cancelled(progress)
                if progress is not None:
                    progress.report(0.2 + 0.75 * index / max(1, len(files)),
                                    f"Đang sao lưu minh chứng {index + 1}/{len(files)}…")
                try:
                    actual, size = sha256_file(Path(source))
                except OSError as exc:
                    skipped.append({"path": evidence_relpath(sha), "sha256": sha, "reason": f"unreadable: {exc.strerror}"})
                    continue
                if actual != sha:
                    skipped.append({"path": evidence_relpath(sha), "sha256": sha, "reason": "altered"})
                    continue
                with open(source, "rb") as reader, archive.open(evidence_relpath(sha), "w", force_zip64=True) as writer:
                    if hash_stream(reader, writer)[0] != sha:
                        raise StorageError(f"Tệp minh chứng {sha[:12]}… thay đổi trong khi sao lưu; hãy thử lại.")
                evidence.append({"path": evidence_relpath(sha), "sha256": sha, "size": size})
            manifest = _manifest(description, evidence, skipped, kind, now)
            archive.writestr(MANIFEST_NAME, manifest_text(manifest),
                             compress_type=zipfile.ZIP_DEFLATED)
        with open(temporary, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, target)
        fsync_dir(target.parent)
    except (CancelledError, InputError):
        temporary.unlink(missing_ok=True)
        raise
    except (OSError, sqlite3.Error) as exc:
        temporary.unlink(missing_ok=True)
        raise storage_error("sao lưu", exc) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    finally:
        if scratch is not None:
            remove_tree(scratch)
    if progress is not None:
        progress.report(1.0, "Đã sao lưu xong.")
    return read_backup_info(target)


__all__ = ["create_backup", "create_backup_zip", "backup_root", "default_backup_root", "stamp_name",
           "BACKUP_FOLDER_SETTING"]
