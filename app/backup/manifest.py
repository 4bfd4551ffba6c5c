"""The backup manifest (`backup.json`) and what the app shows about a backup: date, commune, years, size.

Manifest fields: format, kind ('auto' | 'manual' | 'safety'), created_at (ISO, with offset), app_version,
schema_version, commune {name, province}, years, last_audit_id (newest audit row in the copy: the "changes
since the last backup" rule compares with it), database {path, sha256, size, check, and for an incremental
backup source (the live file's fingerprint the copy was taken at), copy (the copy's inode, size and times
when its hash was last checked) and twin (another backup keeping the same state in a separate file); see
`app.backup.incremental`}, evidence [{path, sha256, size}] (the stored files
the database copy refers to), skipped [{path, sha256, reason}] (files it refers to that were missing,
unreadable or altered in the store when copied).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from app.errors import InputError, NotFoundError, describe_os_error
from app.fileio import MAX_JSON_BYTES, parse_json, read_bytes_capped
from app.paths import DATABASE_NAME
from app.text import format_size

FORMAT = "cdht-backup/1"
MANIFEST_NAME = "backup.json"
DB_NAME = DATABASE_NAME
EVIDENCE_DIR = "evidence"
KIND_LABELS = {"auto": "Tự động", "manual": "Sao lưu thủ công", "safety": "Trước khi sửa chữa"}
_SHA = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1 << 20


def is_sha256(name: str) -> bool:
    """Whether `name` is a SHA-256 in lower-case hex, nothing before or after it (not even a line break)."""
    return _SHA.fullmatch(name) is not None


def evidence_relpath(sha: str) -> str:
    """The fixed evidence store layout: `evidence/<sha[:2]>/<sha>` (forward slashes, also inside zips)."""
    return f"{EVIDENCE_DIR}/{sha[:2]}/{sha}"


def iter_evidence_store(data_dir: Path) -> Iterator[tuple[str, Path]]:
    """Every (sha, path) in the evidence store beside a database; temporary and foreign files are skipped."""
    for sha, path in store_listing(data_dir):
        yield sha, Path(path)


def store_listing(data_dir: Path) -> Iterator[tuple[str, str]]:
    """`iter_evidence_store` with plain string paths, listed with `os.scandir` (the directory entry says whether it
    is a file): a store of many thousand files is listed without one `stat` per file."""
    store = os.path.join(data_dir, EVIDENCE_DIR)
    try:
        with os.scandir(store) as buckets:
            names = sorted(entry.name for entry in buckets if len(entry.name) == 2 and entry.is_dir())
    except (FileNotFoundError, NotADirectoryError):
        return
    for bucket in names:
        folder = os.path.join(store, bucket)
        with os.scandir(folder) as entries:
            found = sorted(entry.name for entry in entries
                           if entry.name[:2] == bucket and is_sha256(entry.name) and entry.is_file(follow_symlinks=False))
        for name in found:
            yield name, os.path.join(folder, name)


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


class Writable(Protocol):
    def write(self, data: bytes, /) -> int: ...


def hash_stream(stream: Readable, sink: Writable | None = None) -> tuple[str, int]:
    """SHA-256 and size of a stream, optionally copying it to `sink` on the way."""
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(_CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if sink is not None:
            sink.write(chunk)
    return digest.hexdigest(), size


def sha256_file(path: Path) -> tuple[str, int]:
    with Path(path).open("rb") as handle:
        return hash_stream(handle)


#: How `manifest_text` lays out the evidence list: one entry a line, after the indented summary.
_EVIDENCE_OPENING = ',\n "evidence": ['
_EVIDENCE_CLOSING = "\n ]\n}\n"
_EVIDENCE_SEPARATOR = ",\n  "
#: One evidence line exactly as written (the path derived from the hash, a plain decimal size), with its comma
#: unless it is the last line.
_EVIDENCE_LINE = re.compile(r'^  \{"path": "evidence/([0-9a-f]{2})/(\1[0-9a-f]{62})", "sha256": "\2", '
                            r'"size": (0|[1-9][0-9]{0,17})\}(?:,(?=\n)|\Z)', re.MULTILINE)


def manifest_text(manifest: dict[str, Any], evidence_lines: str | None = None) -> str:
    """The manifest as JSON text: the summary indented, then one line per evidence file (written with the fast
    encoder: a backup of thousands of files should not spend its time formatting). `evidence_lines`, the lines
    of an earlier manifest with the very same evidence (`WrittenManifest.evidence_lines`), are used as they are."""
    head = json.dumps({key: value for key, value in manifest.items() if key != "evidence"}, ensure_ascii=False,
                      indent=1)
    files = _EVIDENCE_SEPARATOR.join(map(_evidence_line, manifest["evidence"])) if evidence_lines is None else evidence_lines
    return head[:-2] + _EVIDENCE_OPENING + (f"\n  {files}{_EVIDENCE_CLOSING}" if files else "]\n}\n")


def _evidence_line(item: dict[str, Any]) -> str:
    """One evidence entry as JSON: the usual {path, sha256, size} formatted directly, anything else by `json`."""
    sha, size = item.get("sha256"), item.get("size")
    if (len(item) == 3 and type(size) is int and type(sha) is str and is_sha256(sha)
            and item.get("path") == f"{EVIDENCE_DIR}/{sha[:2]}/{sha}"):
        return f'{{"path": "{EVIDENCE_DIR}/{sha[:2]}/{sha}", "sha256": "{sha}", "size": {size}}}'
    return json.dumps(item, ensure_ascii=False)


@dataclass(frozen=True)
class WrittenManifest:
    """A folder backup's manifest read back in the exact form `manifest_text` writes."""

    summary: dict[str, Any]  # everything but the evidence list
    evidence: dict[str, int]  # sha -> size
    evidence_lines: str  # the evidence lines as written, for a next manifest listing the same files


def parse_written_manifest(text: str) -> WrittenManifest | None:
    """Read a manifest written by `manifest_text` without decoding thousands of evidence entries one by one: the
    summary through `parse_json` (nesting limit included), the evidence lines each matched whole by one regular
    expression, their count checked against the line breaks. None for any other text (a manifest
    edited or written otherwise is simply not used for an incremental backup)."""
    head, opening, rest = text.partition(_EVIDENCE_OPENING)
    if not opening:
        return None
    if rest == "]\n}\n":
        files, found = "", []
    elif rest.startswith("\n  ") and rest.endswith(_EVIDENCE_CLOSING):
        block = rest[1:-len(_EVIDENCE_CLOSING)]  # '  line,\n  line,\n …  line'
        found = _EVIDENCE_LINE.findall(block)
        if not found or block.count("\n") != len(found) - 1:  # a line that did not match
            return None
        files = block[2:]
    else:
        return None
    try:
        summary = parse_json(head + "\n}", f"tệp {MANIFEST_NAME}")
    except InputError:
        return None
    if not isinstance(summary, dict) or not summary or "evidence" in summary:
        return None
    return WrittenManifest(summary, {sha: int(size) for _, sha, size in found}, files)


@dataclass(frozen=True)
class BackupInfo:
    """One backup (folder or zip), described by its manifest."""

    path: Path
    created_at: dt.datetime
    kind: str
    commune: str
    province: str
    years: tuple[int, ...]
    evidence_count: int
    size: int
    app_version: str
    schema_version: int
    last_audit_id: int
    database_ok: bool
    manifest: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @property
    def is_zip(self) -> bool:
        return self.path.suffix.lower() == ".zip"

    @property
    def label(self) -> str:
        return self.created_at.astimezone().strftime("%d/%m/%Y %H:%M")

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    def contents_text(self) -> str:
        """'Xã Đồng Tiến (Hà Nội) · năm 2025, 2026 · 12 minh chứng · 3,4 MB'."""
        commune = f"Xã {self.commune} ({self.province})" if self.commune else "Chưa khai báo xã"
        years = "năm " + ", ".join(map(str, self.years)) if self.years else "chưa có năm đánh giá"
        return f"{commune} · {years} · {self.evidence_count} minh chứng · {format_size(self.size)}"

    @classmethod
    def from_manifest(cls, path: Path, raw: Any) -> BackupInfo:
        try:
            if raw.get("format") != FORMAT:
                raise ValueError("format")
            created = dt.datetime.fromisoformat(raw["created_at"])
            if created.tzinfo is None:
                created = created.astimezone()
            database = raw["database"]
            evidence = raw["evidence"]
            size = int(database["size"]) + sum(int(item["size"]) for item in evidence)
            commune = raw.get("commune") or {}
            return cls(
                path=Path(path), created_at=created, kind=str(raw.get("kind", "manual")),
                commune=str(commune.get("name", "")), province=str(commune.get("province", "")),
                years=tuple(int(y) for y in raw.get("years", [])), evidence_count=len(evidence), size=size,
                app_version=str(raw.get("app_version", "")), schema_version=int(raw.get("schema_version", 0)),
                last_audit_id=int(raw.get("last_audit_id", 0)), database_ok=database.get("check") == "ok",
                manifest=raw,
            )
        except (AttributeError, KeyError, TypeError, ValueError):
            raise InputError(f"Tệp mô tả {MANIFEST_NAME} trong bản sao lưu '{path}' bị hỏng hoặc không đúng định dạng.") from None


def read_backup_info(path: Path) -> BackupInfo:
    """Read a backup folder's or zip's manifest; InputError when it is not a (complete) backup."""
    path = Path(path)
    if str(path).strip() in ("", "."):
        raise InputError("Chưa chỉ bản sao lưu (thư mục sao lưu hoặc tệp .zip).")
    if not path.exists():
        raise NotFoundError(f"Không tìm thấy bản sao lưu '{path}'.")
    try:
        if path.is_dir():
            if not (path / MANIFEST_NAME).exists():
                raise KeyError(MANIFEST_NAME)
            text = read_bytes_capped(path / MANIFEST_NAME, MAX_JSON_BYTES, f"tệp {MANIFEST_NAME}")
        elif path.is_file() and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive, archive.open(MANIFEST_NAME) as member:
                text = member.read(MAX_JSON_BYTES + 1)
            if len(text) > MAX_JSON_BYTES:
                raise InputError(f"Tệp {MANIFEST_NAME} trong '{path.name}' quá lớn; đây không phải bản sao lưu của ứng dụng.")
        else:
            raise InputError(f"'{path}' không phải bản sao lưu (cần một thư mục sao lưu hoặc tệp .zip).")
    except (FileNotFoundError, KeyError):
        raise InputError(f"'{path}' không phải bản sao lưu hoàn chỉnh: thiếu tệp {MANIFEST_NAME}.") from None
    except (zipfile.BadZipFile, zlib.error, EOFError):
        raise InputError(f"Tệp sao lưu '{path}' bị hỏng (tệp nén không đọc được).") from None
    except OSError as exc:
        raise describe_os_error(exc, path, action="đọc") from None
    try:
        raw = parse_json(text.decode("utf-8"), f"tệp {MANIFEST_NAME}")
    except (UnicodeDecodeError, InputError):
        raise InputError(f"Tệp {MANIFEST_NAME} trong bản sao lưu '{path}' bị hỏng.") from None
    return BackupInfo.from_manifest(path, raw)


def list_backups(root: Path) -> list[BackupInfo]:
    """Complete backups (folders and zips) directly inside `root`, newest first; unfinished ones are ignored."""
    root = Path(root)
    if not root.is_dir():
        return []
    found = []
    for item in root.iterdir():
        if item.name.startswith(".") or not (item.is_dir() or item.suffix.lower() == ".zip"):
            continue
        try:
            found.append(read_backup_info(item))
        except InputError:
            continue
    return sorted(found, key=lambda info: info.created_at, reverse=True)


__all__ = ["BackupInfo", "WrittenManifest", "manifest_text", "parse_written_manifest", "read_backup_info", "list_backups", "iter_evidence_store", "sha256_file", "hash_stream",
           "evidence_relpath", "is_sha256", "FORMAT", "MANIFEST_NAME", "DB_NAME", "EVIDENCE_DIR"]
