"""Making a backup: the database through SQLite's online backup API, evidence files hard-linked or copied.

A folder backup is built in a hidden `.<stamp>-<pid>.partial` folder and renamed to `<stamp>` only when
complete, so an interrupted backup is never listed. A zip backup is written to a hidden temporary file
and renamed the same way. The next backup into the same folder removes what an interrupted one left.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

from app import __version__
from app.backup.files import HashMismatch, copy_verified, fsync_dir, link_or_copy, remove_tree, storage_error
from app.backup.manifest import (
    DB_NAME,
    FORMAT,
    MANIFEST_NAME,
    BackupInfo,
    evidence_relpath,
    hash_stream,
    is_sha256,
    read_backup_info,
    sha256_file,
    store_listing,
)
from app.backup.places import default_backup_root, remember_backup_place
from app.errors import CancelledError, InputError, StorageError
from app.fileio import check_output_path, ensure_free_space
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
    """Copy the live database to `target` and describe the copy (hash, check, commune, years, last audit id)."""
    with ws.lock:
        backup_copy(ws.db, target)
    conn = sqlite3.connect(str(target))
    try:
        conn.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        description = _describe(conn)
    finally:
        conn.close()
    sha, size = sha256_file(target)
    description["database"] = {"path": DB_NAME, "sha256": sha, "size": size, "check": check}
    return description


def _describe(conn: sqlite3.Connection) -> dict[str, Any]:
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def rows(sql: str) -> list[tuple]:
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


def _manifest(description: dict[str, Any], kind: str, now: dt.datetime, evidence: list[dict[str, Any]],
              skipped: list[dict[str, str]]) -> dict[str, Any]:
    referenced = description.pop("referenced_evidence")
    present = {item["sha256"] for item in evidence} | {item["sha256"] for item in skipped}
    skipped = skipped + [{"path": evidence_relpath(sha), "sha256": sha, "reason": "missing"}
                         for sha in referenced if sha not in present]
    return {"format": FORMAT, "kind": kind, "created_at": now.isoformat(timespec="seconds"),
            "app_version": __version__, **description, "evidence": evidence, "skipped": skipped}


def manifest_text(manifest: dict[str, Any]) -> str:
    """The manifest as JSON text: the summary indented, then one line per evidence file (written with the fast
    encoder: a backup of thousands of files should not spend its time formatting)."""
    head = json.dumps({key: value for key, value in manifest.items() if key != "evidence"}, ensure_ascii=False,
                      indent=1)
    files = ",\n  ".join(
        f'{{"path": "{item["path"]}", "sha256": "{item["sha256"]}", "size": {int(item["size"])}}}'
        if item.keys() == {"path", "sha256", "size"} and is_sha256(item["sha256"])
        and item["path"] == evidence_relpath(item["sha256"]) else json.dumps(item, ensure_ascii=False)
        for item in manifest["evidence"])
    return head[:-2] + ',\n "evidence": [' + (f"\n  {files}\n ]" if files else "]") + "\n}\n"


def _previous_files(root: Path) -> dict[str, tuple[str, int]]:
    """Evidence files of the newest complete folder backup in `root` (path, size), to hard-link instead of copying.

    Folders are named by their time stamp, so the newest is found by name: only its manifest is read."""
    try:
        names = sorted((entry.name for entry in os.scandir(root) if entry.is_dir() and not entry.name.startswith(".")),
                       reverse=True)
    except OSError:
        return {}
    for name in names:
        try:
            info = read_backup_info(Path(root) / name)
        except InputError:
            continue
        folder = str(info.path)
        return {item["sha256"]: (os.path.join(folder, item["path"]), int(item["size"]))
                for item in info.manifest["evidence"]}
    return {}


def _evidence_files(ws: Any, description: dict[str, Any]) -> list[tuple[str, str]]:
    """The stored files the database copy refers to (leftovers no row refers to are not part of a backup)."""
    referenced = set(description["referenced_evidence"])
    return [(sha, path) for sha, path in store_listing(ws.data_dir) if sha in referenced]


def _copy_evidence(ws: Any, staging: Path, root: Path, files: list[tuple[str, str]],
                   progress: Progress | None) -> tuple[list, list]:
    previous = _previous_files(root)
    evidence, skipped = [], []
    for bucket in sorted({sha[:2] for sha, _ in files}):
        (staging / evidence_relpath(bucket + "0" * 62)).parent.mkdir(parents=True, exist_ok=True)
    for index, (sha, source) in enumerate(files):
        if index % 64 == 0:
            check_cancelled(progress)
            if progress is not None:
                progress.report(0.2 + 0.75 * index / max(1, len(files)), f"Đang sao lưu minh chứng {index + 1}/{len(files)}…")
        relative = evidence_relpath(sha)
        target = os.path.join(staging, relative)  # plain strings: thousands of paths, no pathlib overhead
        earlier = previous.get(sha)
        if earlier is not None and _linked_unchanged(earlier[0], earlier[1], target, sha):
            evidence.append({"path": relative, "sha256": sha, "size": earlier[1]})
            continue
        target, source = Path(target), Path(source)
        try:
            _, size = copy_verified(source, target, sha)
        except HashMismatch:
            skipped.append({"path": evidence_relpath(sha), "sha256": sha, "reason": "altered"})
            continue
        except OSError as exc:
            if str(exc.filename) != str(source):
                raise  # writing the backup failed: the whole backup fails
            skipped.append({"path": evidence_relpath(sha), "sha256": sha, "reason": f"unreadable: {exc.strerror}"})
            continue
        evidence.append({"path": evidence_relpath(sha), "sha256": sha, "size": size})
    return evidence, skipped


#: Room kept on top of the estimate for the manifest and the file system's own bookkeeping.
_MARGIN_BYTES = 256 * 1024


def _room_needed(ws: Any, previous: dict[str, tuple[str, int]]) -> int:
    """What a backup will write, estimated before it starts: the database plus every evidence file that cannot be
    hard-linked from the previous backup in the same folder."""
    try:
        database = Path(ws.path).stat().st_size
    except OSError:
        database = 0
    evidence = 0
    for sha, path in store_listing(ws.data_dir):
        if sha in previous:  # hard-linked from the previous backup: no room needed, no stat
            continue
        try:
            evidence += os.stat(path).st_size
        except OSError:
            continue
    return database + evidence + _MARGIN_BYTES


def _linked_unchanged(earlier: str, size: int, target: str, sha: str) -> bool:
    """Hard-link `earlier` (the previous backup's copy, listed with `size`) to `target`; False when it is gone or
    its size changed (it is then copied afresh from the store). One `stat` on the link made, none before."""
    try:
        os.link(earlier, target)
    except FileNotFoundError:
        return False
    except OSError:
        return link_or_copy(Path(earlier), Path(target), sha) or os.path.isfile(target)
    if os.stat(target).st_size != size:
        os.unlink(target)
        return False
    return True


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
        ensure_free_space(root, _room_needed(ws, _previous_files(root)), "bản sao lưu")
        remove_tree(staging)
        staging.mkdir()
        description = _snapshot_database(ws, staging / DB_NAME)
        evidence, skipped = _copy_evidence(ws, staging, root, _evidence_files(ws, description), progress)
        manifest = _manifest(description, kind, now, evidence, skipped)
        _write_durably(staging / MANIFEST_NAME, manifest_text(manifest))
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
        ensure_free_space(target.parent, _room_needed(ws, {}), "bản sao lưu")
        scratch = target.with_name(partial_name(f".{target.name}.db"))
        remove_tree(scratch)
        scratch.mkdir()
        description = _snapshot_database(ws, scratch / DB_NAME)
        files = _evidence_files(ws, description)
        evidence, skipped = [], []
        with zipfile.ZipFile(temporary, "w", allowZip64=True) as archive:
            archive.write(scratch / DB_NAME, DB_NAME, compress_type=zipfile.ZIP_DEFLATED)
            for index, (sha, source) in enumerate(files):
                check_cancelled(progress)
                if progress is not None:
                    progress.report(0.2 + 0.75 * index / max(1, len(files)),
                                    f"Đang sao lưu minh chứng {index + 1}/{len(files)}…")
                try:
                    actual, size = sha256_file(source)
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
            manifest = _manifest(description, kind, now, evidence, skipped)
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
