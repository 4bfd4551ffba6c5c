"""What is inside a stored package, for the register's detail view: its documents, evidence and figures, and a
file taken out for preview.

Only entries with safe, plain names are listed or taken out (a broken or hostile package may hold others); a file
is written once into `xem/<SHA-256 of the package>/` and reused.
"""

from __future__ import annotations

import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

from app.errors import InputError
from app.fileio import atomic_writer
from app.recipient.register import package
from app.recipient.store import stored_path
from app.recipient.workspace import RecipientWorkspace

DOCUMENTS, EVIDENCE, OTHER = "documents", "evidence", "other"
_SAFE_PART = re.compile(r"^[^/\\\x00-\x1f]{1,200}$")
#: The largest file taken out for preview (larger evidence is opened by the user's own program from a copy).
MAX_PREVIEW_BYTES = 512 * 1024 * 1024
CHUNK = 1 << 20


@dataclass(frozen=True)
class Entry:
    name: str  # relative to the bag root, e.g. data/documents/to_trinh_2025.pdf
    size: int
    kind: str

    @property
    def file_name(self) -> str:
        return self.name.rsplit("/", 1)[-1]

    @property
    def is_pdf(self) -> bool:
        return self.name.lower().endswith(".pdf")


def _safe(relative: str) -> bool:
    parts = relative.split("/")
    return all(_SAFE_PART.match(p) and p not in (".", "..") for p in parts)


def _kind(relative: str) -> str:
    if relative.startswith("data/documents/"):
        return DOCUMENTS
    if relative.startswith("data/evidence/"):
        return EVIDENCE
    return OTHER


def _open(rws: RecipientWorkspace, package_id: int) -> tuple[zipfile.ZipFile, str, str]:
    record = package(rws, package_id)
    path = stored_path(rws, record.sha256)
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile):
        raise InputError(f"Gói số {package_id} không đọc được (tệp ZIP hỏng hoặc bị cắt cụt).") from None
    names = archive.namelist()
    root = names[0].split("/")[0] if names else ""
    return archive, root, record.sha256


def entries(rws: RecipientWorkspace, package_id: int) -> list[Entry]:
    """The package's files (documents first, then evidence, then the rest), by name."""
    archive, root, _ = _open(rws, package_id)
    with archive:
        found = []
        for info in archive.infolist()[:100_000]:
            if info.is_dir() or not info.filename.startswith(root + "/") or stat.S_ISLNK(info.external_attr >> 16):
                continue
            relative = info.filename[len(root) + 1:]
            if _safe(relative):
                found.append(Entry(relative, info.file_size, _kind(relative)))
    order = {DOCUMENTS: 0, EVIDENCE: 1, OTHER: 2}
    return sorted(found, key=lambda e: (order[e.kind], e.name))


def take_out(rws: RecipientWorkspace, package_id: int, name: str) -> Path:
    """One file of the package, written whole into the preview folder (once); returns its path."""
    if not _safe(name):
        raise InputError(f"Tên tệp '{name[:80]}' không hợp lệ.")
    archive, root, sha = _open(rws, package_id)
    target = rws.preview_dir / sha[:16] / name
    with archive:
        try:
            info = archive.getinfo(f"{root}/{name}")
        except KeyError:
            raise InputError(f"Gói không có tệp '{name}'.") from None
        if info.file_size > MAX_PREVIEW_BYTES:
            raise InputError(f"Tệp '{name}' quá lớn để xem trong ứng dụng.")
        if target.is_file() and target.stat().st_size == info.file_size:
            return target
        try:
            with archive.open(info) as source, atomic_writer(target) as out:
                while chunk := source.read(CHUNK):
                    out.write(chunk)
        except (zipfile.BadZipFile, EOFError) as exc:
            raise InputError(f"Tệp '{name}' trong gói bị hỏng ({exc}).") from None
    return target


__all__ = ["Entry", "entries", "take_out", "DOCUMENTS", "EVIDENCE", "OTHER"]
