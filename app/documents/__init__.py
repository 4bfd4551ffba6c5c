"""The commune's dossier documents (TT 25/2023 Điều 9) in NĐ 30/2020 layout: PDF, Word drafts and Excel.

Public interface other parts of the app use: `render_dossier_pdfs`, `write_summary_xlsx`, `document_readiness`;
plus `render_document_pdf` / `write_docx_drafts` / `write_all_documents` for the documents page and the CLI.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.documents import bao_cao, bien_ban, danh_muc, phan_cong, to_trinh, tong_hop
from app.documents.data import DossierData, collect
from app.documents.model import Document
from app.documents.readiness import document_readiness
from app.errors import InputError
from app.fileio import write_bytes_atomic
from app.progress import Progress, check_cancelled
from app.storage.workspace import Workspace

if TYPE_CHECKING:
    from app.documents.phrases import BaseLine

#: Document key -> (builder, Vietnamese title shown in the app), in dossier order.
DOCUMENTS: dict[str, tuple[Callable[[DossierData], Document], str]] = {
    "to_trinh": (to_trinh.build, "Tờ trình đề nghị công nhận"),
    "bao_cao": (bao_cao.build, "Báo cáo tự đánh giá"),
    "tong_hop": (tong_hop.build, "Bản tổng hợp kết quả đánh giá"),
    "bien_ban": (bien_ban.build, "Biên bản họp xét"),
    "danh_muc_minh_chung": (danh_muc.build, "Danh mục minh chứng"),
    "phan_cong": (phan_cong.build, "Phân công thu thập minh chứng (kèm Kế hoạch)"),
}
DOCX_DOCUMENTS = ("to_trinh", "bao_cao", "bien_ban")


def dossier_keys(data: DossierData) -> list[str]:
    """The documents this year's dossier holds: the Phân công only when units have been assigned."""
    return [key for key in DOCUMENTS if key != "phan_cong" or data.has_assignments]


def build_document(data: DossierData, key: str) -> Document:
    return DOCUMENTS[key][0](data)


def render_document_pdf(ws: Workspace, year: int, key: str, path: Path, level: int | None = None) -> Path:
    """Write one document as PDF (atomically)."""
    from app.documents.nd30 import render_pdf

    return write_bytes_atomic(path, render_pdf(build_document(collect(ws, year, level), key)))


def render_dossier_pdfs(ws: Workspace, year: int, out_dir: Path, level: int | None = None,
                        progress: Progress | None = None) -> dict[str, Path]:
    """Write every dossier document as PDF into `out_dir`; returns {key: path}. Each file is written atomically."""
    from app.documents.nd30 import render_pdf

    data = collect(ws, year, level)
    out_dir = Path(out_dir)
    result: dict[str, Path] = {}
    keys = dossier_keys(data)
    for index, key in enumerate(keys):
        builder, title = DOCUMENTS[key]
        check_cancelled(progress)
        if progress is not None:
            progress.report(index / len(keys), f"Đang tạo {title}…")
        document = builder(data)
        result[key] = write_bytes_atomic(out_dir / f"{document.file_stem}.pdf", render_pdf(document))
    if progress is not None:
        progress.report(1.0, "Đã tạo xong hồ sơ.")
    return result


def write_docx_drafts(ws: Workspace, year: int, out_dir: Path, level: int | None = None,
                      keys: tuple[str, ...] = DOCX_DOCUMENTS) -> dict[str, Path]:
    """Word drafts (Tờ trình, Báo cáo, Biên bản) for officials who finish the wording in Word."""
    from app.documents.docx_writer import render_docx

    data = collect(ws, year, level)
    result = {}
    for key in keys:
        document = build_document(data, key)
        result[key] = write_bytes_atomic(Path(out_dir) / f"{document.file_stem}.docx", render_docx(document))
    return result


def write_document_docx(ws: Workspace, year: int, key: str, path: Path, level: int | None = None) -> Path:
    """The Word draft of one document (Tờ trình, Báo cáo or Biên bản) at `path`."""
    from app.documents.docx_writer import render_docx

    if key not in DOCX_DOCUMENTS:
        raise InputError(f"Chỉ có bản Word cho: {', '.join(DOCUMENTS[k][1] for k in DOCX_DOCUMENTS)}.")
    return write_bytes_atomic(Path(path), render_docx(build_document(collect(ws, year, level), key)))


def legal_base_lines(ws: Workspace, year: int) -> list[BaseLine]:
    """The căn cứ of the year's Tờ trình and Báo cáo in full, as the user reviews them before signing (each with
    its place in the commune's list and why it does not print, if it does not)."""
    from app.documents.phrases import base_lines

    return base_lines(collect(ws, year, check_level=False))


def summary_workbook_name(year: int) -> str:
    """The one file name of the year's Bản tổng hợp workbook, wherever it is written (report, package)."""
    return f"tong_hop_{year}.xlsx"


def write_summary_xlsx(ws: Workspace, year: int, path: Path) -> Path:
    """The Bản tổng hợp as an Excel workbook (same table as the PDF)."""
    from app.documents.xlsx_summary import summary_workbook_bytes

    data = collect(ws, year, check_level=False)
    return write_bytes_atomic(Path(path), summary_workbook_bytes(data))


def write_all_documents(ws: Workspace, year: int, out_dir: Path, level: int | None = None,
                        progress: Progress | None = None) -> dict[str, Path]:
    """PDFs, Word drafts and the Excel summary of a year into one folder (the `cdht report` command)."""
    out_dir = Path(out_dir)
    written = {f"{key}.pdf": path for key, path in render_dossier_pdfs(ws, year, out_dir, level, progress).items()}
    written.update({f"{key}.docx": path for key, path in write_docx_drafts(ws, year, out_dir, level).items()})
    written["tong_hop.xlsx"] = write_summary_xlsx(ws, year, out_dir / summary_workbook_name(year))
    return written


__all__ = [
    "DOCUMENTS", "DOCX_DOCUMENTS", "dossier_keys", "render_dossier_pdfs", "render_document_pdf", "write_docx_drafts", "write_document_docx",
    "summary_workbook_name", "write_summary_xlsx", "write_all_documents", "document_readiness", "legal_base_lines", "build_document", "collect",
]
