"""Danh mục minh chứng: every live evidence item of the year with its number, date, issuer and indicators."""

from __future__ import annotations

from app.documents.common import CDHT, dossier_document
from app.documents.data import DossierData
from app.documents.model import Cell, Document, TableBlock, para
from app.text import format_date_short

HEADER = ("TT", "Mã minh chứng", "Số, ký hiệu", "Ngày ban hành", "Nơi ban hành", "Trích yếu nội dung", "Chỉ tiêu")
WIDTHS = (5, 12, 14, 11, 18, 30, 10)


def evidence_table(data: DossierData) -> TableBlock:
    rows = [tuple(Cell(text, bold=True, align="centre") for text in HEADER)]
    for number, item in enumerate(data.evidence, start=1):
        rows.append((Cell(str(number), align="centre"), Cell(item.code), Cell(item.doc_number),
                     Cell(format_date_short(item.issued_date) if item.issued_date else "", align="centre"),
                     Cell(item.issuer), Cell(item.summary), Cell(", ".join(item.indicators), align="centre")))
    return TableBlock(widths=WIDTHS, rows=tuple(rows), font_size=11)


def build(data: DossierData) -> Document:
    blocks = [evidence_table(data) if data.evidence else para("Chưa có minh chứng nào trong năm đánh giá.")]
    blocks.append(para(f"Tổng số: {len(data.evidence)} minh chứng.", kind="plain"))
    return dossier_document(
        data, "danh_muc_minh_chung", "DANH MỤC MINH CHỨNG",
        f"Kèm theo Báo cáo tự đánh giá {CDHT} cấp xã năm {data.year}", blocks, landscape=True, unsigned=True,
    )
