"""Ký ngoài: the official signs the final PDFs with the CA's own software, and the app takes them back.

Exported files are the exact final documents of the package version, except the Danh mục minh chứng, which
carries the package manifest as an attachment (see `app.dossier.embedded`): signing it signs the dataset, the
summary workbook, the evidence and bag-info.txt. The exported carrier is kept, so exporting again gives the
same file. On import each file is matched to its original by name, and accepted only if it carries an intact
signature covering the whole file and it is the exported file with the signature added (an incremental
update: the exported bytes are its beginning) — what `cdht verify` will require of the package.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.dossier import embedded
from app.dossier.final_documents import FinalDocuments, final_documents
from app.dossier.sigcheck import SignatureCheck, check_pdf_signatures
from app.dossier.zipstream import sha256_file
from app.errors import InputError
from app.fileio import write_bytes_atomic
from app.storage.workspace import Workspace
from app.text import utc_now

if TYPE_CHECKING:
    from asn1crypto import x509


@dataclass(frozen=True)
class SignedImportResult:
    """What became of one PDF signed outside the app: the document it signs, accepted or not, and why."""

    file: str
    document: str
    accepted: bool
    message: str
    signatures: tuple[SignatureCheck, ...] = ()


def _for_signing_folder(final: FinalDocuments) -> Path:
    return final.folder.parent / "for-signing"


def _carrier(final: FinalDocuments) -> Path:
    name = embedded.carrier_of([f"data/documents/{p.name}" for p in final.pdfs]).removeprefix("data/documents/")
    return final.folder / name


def exported_carrier(ws: Workspace, year: int, final: FinalDocuments) -> bytes:
    """The carrier document with the package manifest attached: the kept copy when it still describes the
    package (the same file every time), else a new one made now."""
    from app.dossier.package import signed_manifest

    carrier = _carrier(final)
    kept = _for_signing_folder(final) / carrier.name
    original = carrier.read_bytes()
    if kept.is_file():
        data = kept.read_bytes()
        attached = embedded.attachment_of(kept)
        if data.startswith(original) and attached is not None:
            try:
                old = embedded.parse(attached)
            except ValueError:
                old = None
            created = dict(old.bag_info).get("CDHT-Created") if old else None
            if old is not None and old == signed_manifest(ws, year, final, created):
                return data
    data = embedded.embed(original, signed_manifest(ws, year, final))
    write_bytes_atomic(kept, data)
    return data


def export_unsigned(ws: Workspace, year: int, folder: Path, level: int | None = None) -> list[Path]:
    """Copy the final unsigned PDFs into `folder` for signing with the CA's tool (the Danh mục minh chứng with
    the package manifest attached)."""
    final = final_documents(ws, year, level)
    folder = Path(folder)
    carrier = _carrier(final)
    return [write_bytes_atomic(folder / pdf.name, exported_carrier(ws, year, final) if pdf == carrier
                               else pdf.read_bytes()) for pdf in final.pdfs]


def _match(name: str, originals: list[Path]) -> Path | None:
    """The original a signed file belongs to: same name, or the original's stem followed by a suffix ("_signed")."""
    stem = Path(name).stem.casefold()
    candidates = [p for p in originals if stem == p.stem.casefold() or stem.startswith(p.stem.casefold())]
    return max(candidates, key=lambda p: len(p.stem), default=None)


def _signed_folder(final: FinalDocuments) -> Path:
    return final.folder.parent / "signed"


def import_signed(ws: Workspace, year: int, files: list[Path], level: int | None = None,
                  trust_roots: Sequence[x509.Certificate] | None = None) -> list[SignedImportResult]:
    """Check and keep PDFs signed outside the app; each file gets a verdict with the reason."""
    final = final_documents(ws, year, level)
    results = []
    for file in files:
        file = Path(file)
        original = _match(file.name, list(final.pdfs))
        if original is None:
            results.append(SignedImportResult(file.name, "", False, "Không khớp với văn bản nào của hồ sơ (tên tệp khác)."))
            continue
        try:
            data = file.read_bytes()
            checks = tuple(check_pdf_signatures(io.BytesIO(data), trust_roots))
        except (OSError, ValueError) as exc:
            results.append(SignedImportResult(file.name, original.name, False, f"Không đọc được tệp: {exc}."))
            continue
        if not checks:
            message, accepted = "Tệp chưa có chữ ký số.", False
        elif not all(c.intact and c.covers_document for c in checks):
            bad = next(c for c in checks if not (c.intact and c.covers_document))
            message, accepted = f"Chữ ký không hợp lệ: {bad.problem or 'nội dung đã bị thay đổi'}.", False
        elif not data.startswith(_exported(ws, year, final, original)):
            message, accepted = ("Nội dung tệp đã ký khác với văn bản đã xuất để ký (phần mềm ký phải thêm chữ ký "
                                 "vào đúng tệp đã xuất, không tạo lại tệp)."), False
        else:
            message, accepted = f"Hợp lệ: {checks[-1].describe()}.", True
        if accepted:
            _keep(ws, year, final, original.name, data, checks[-1])
        results.append(SignedImportResult(file.name, original.name, accepted, message, checks))
    return results


def _exported(ws: Workspace, year: int, final: FinalDocuments, original: Path) -> bytes:
    """The bytes exported for signing: the carrier with the manifest attached, or the final document itself."""
    return exported_carrier(ws, year, final) if original == _carrier(final) else original.read_bytes()


def _keep(ws: Workspace, year: int, final: FinalDocuments, name: str, data: bytes, check: SignatureCheck) -> None:
    path = write_bytes_atomic(_signed_folder(final) / name, data)
    with ws.transaction():
        old = ws.db.execute("SELECT sha256 FROM signed_documents WHERE year = ? AND version = ? AND level = ? AND name = ?",
                            [year, final.version, final.level, name]).fetchone()
        ws.db.execute(
            "INSERT INTO signed_documents (year, version, level, name, sha256, size, signer, signed_at, imported_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(year, version, level, name) DO UPDATE SET "
            "sha256=excluded.sha256, size=excluded.size, signer=excluded.signer, signed_at=excluded.signed_at, "
            "imported_at=excluded.imported_at",
            [year, final.version, final.level, name, sha256_file(path), len(data), check.signer,
             check.signed_at.isoformat() if check.signed_at else None, utc_now()])
        ws.audit("import", "signed_document", f"v{final.version}/{name}", year, old[0] if old else None,
                 {"sha256": sha256_file(path), "signer": check.signer})


def signed_status(ws: Workspace, year: int, final: FinalDocuments) -> dict[str, tuple[str, str] | None]:
    """Per final PDF: (signer, signed_at) once a valid externally signed copy was imported, else None."""
    with ws.lock:
        rows = {r[0]: (r[1], r[2] or "") for r in ws.db.execute(
            "SELECT name, signer, signed_at FROM signed_documents WHERE year = ? AND version = ? AND level = ?",
            [year, final.version, final.level]).fetchall()}
    return {pdf.name: rows.get(pdf.name) for pdf in final.pdfs}


def signed_documents_for_package(ws: Workspace, year: int, final: FinalDocuments) -> tuple[dict[str, Path], list[str]]:
    """The imported signed PDFs, one per final document, re-checked on disk; InputError names what is missing."""
    with ws.lock:
        rows = {r[0]: (r[1], r[2]) for r in ws.db.execute(
            "SELECT name, sha256, signer FROM signed_documents WHERE year = ? AND version = ? AND level = ?",
            [year, final.version, final.level]).fetchall()}
    folder = _signed_folder(final)
    missing = [pdf.name for pdf in final.pdfs if pdf.name not in rows]
    if missing:
        raise InputError("Chưa nhập bản đã ký ngoài của: " + ", ".join(missing) + ".")
    files = {}
    for pdf in final.pdfs:
        path = folder / pdf.name
        if not path.is_file() or sha256_file(path) != rows[pdf.name][0]:
            raise InputError(f"Bản đã ký của '{pdf.name}' bị thiếu hoặc bị sửa sau khi nhập; hãy nhập lại.")
        files[pdf.name] = path
    return files, sorted({signer for _, signer in rows.values()})
