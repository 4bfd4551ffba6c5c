"""The final documents of a package version: rendered once from the locked year and kept beside the database.

Signing happens on these exact files (by the app, or outside it with the CA's tool — "ký ngoài"), and
nothing is merged after signing, because merging a signed PDF breaks its signature.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from app.dossier.records import dossier_folder
from app.dossier.zipstream import sha256_file
from app.errors import InputError
from app.fileio import write_text_atomic
from app.progress import Progress
from app.scratch import partial_name, remove_unfinished
from app.storage.workspace import Workspace

MANIFEST = "final.json"


@dataclass(frozen=True)
class FinalDocuments:
    folder: Path
    version: int
    level: int
    pdfs: tuple[Path, ...]
    xlsx: Path


def package_level(ws: Workspace, year: int, level: int | None) -> int:
    """The level the package asks for; refuses a level the data do not reach."""
    from app.documents import collect

    resolved = collect(ws, year, level).level
    if resolved not in (1, 2):
        raise InputError(f"Xã chưa đạt mức độ 1 theo số liệu năm {year}; chưa thể lập gói hồ sơ đề nghị công nhận.")
    return resolved


def version_folder(ws: Workspace, year: int, version: int, level: int) -> Path:
    return dossier_folder(ws, year) / f"v{version}-md{level}"


def _load(folder: Path, version: int, level: int) -> FinalDocuments | None:
    try:
        recorded = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = {name: folder / name for name in recorded}
    if any(not path.is_file() or sha256_file(path) != recorded[name] for name, path in files.items()):
        return None
    pdfs = tuple(sorted(p for p in files.values() if p.suffix == ".pdf"))
    xlsx = next((p for p in files.values() if p.suffix == ".xlsx"), None)
    return FinalDocuments(folder, version, level, pdfs, xlsx) if pdfs and xlsx else None


def final_documents(ws: Workspace, year: int, level: int | None = None,
                    progress: Progress | None = None) -> FinalDocuments:
    """The unsigned PDFs and the Excel summary of the year's current package version (rendered on first use)."""
    info = ws.year(year)
    if not info.locked:
        raise InputError(f"Hồ sơ năm {year} chưa được chốt. Hãy chốt hồ sơ trước khi ký và lập gói gửi đi.")
    level = package_level(ws, year, level)
    folder = version_folder(ws, year, info.package_version, level) / "unsigned"
    existing = _load(folder, info.package_version, level)
    if existing is not None:
        return existing
    from app.documents import render_dossier_pdfs, summary_workbook_name, write_summary_xlsx

    folder.parent.mkdir(parents=True, exist_ok=True)
    remove_unfinished(folder.parent)  # what an interrupted earlier rendering left
    staging = folder.parent / partial_name(".unsigned")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    # Durable writes by folder: the documents are written into `staging`, which is renamed into place whole.
    try:
        pdfs = render_dossier_pdfs(ws, year, staging, level=level, progress=progress)
        xlsx = write_summary_xlsx(ws, year, staging / summary_workbook_name(year))
        names = [Path(p).name for p in pdfs.values()] + [Path(xlsx).name]
        write_text_atomic(staging / MANIFEST, json.dumps({n: sha256_file(staging / n) for n in names}, indent=1))
        if folder.exists():
            shutil.rmtree(folder)
        staging.replace(folder)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    loaded = _load(folder, info.package_version, level)
    if loaded is None:
        raise InputError("Không tạo được bộ văn bản hồ sơ (thiếu tệp PDF hoặc bảng tổng hợp Excel).")
    return loaded
