"""Danh mục minh chứng: every live evidence item of the year with its number, date, issuer and indicators, and
the chỉ tiêu without evidence with their written explanation; an attachment of the Tờ trình."""

from __future__ import annotations

from app.documents.common import CDHT, dossier_document, to_trinh_note
from app.documents.data import DossierData
from app.documents.model import Cell, Document, Para, TableBlock, para
from app.documents.phrases import listed
from app.domain.records import EXPLANATION_FIELD
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


def explained(data: DossierData) -> list[str]:
    """'Chỉ tiêu 3.3: <explanation>' for each chỉ tiêu with no evidence but a written explanation."""
    lines = []
    for indicator_id in data.catalogue.indicator_ids:
        explanation = str(data.values.get(indicator_id, {}).get(EXPLANATION_FIELD, "")).strip().rstrip(".;")
        if explanation and not data.evidence_codes(indicator_id):
            lines.append(f"Chỉ tiêu {indicator_id}: {explanation}")
    return lines


def build(data: DossierData) -> Document:
    blocks: list[Para | TableBlock] = []
    reasons = explained(data)
    if reasons:
        blocks.append(para("Chỉ tiêu không có minh chứng, kèm giải trình:", keep_with_next=True))
        blocks += listed(reasons, "- ")
    if data.evidence:
        blocks.append(evidence_table(data))
    blocks.append(para(f"Tổng số: {len(data.evidence)} minh chứng.", kind="plain"))
    return dossier_document(
        data, "danh_muc_minh_chung", "DANH MỤC MINH CHỨNG",
        f"Hồ sơ đề nghị đánh giá, công nhận {CDHT} cấp xã năm {data.year}", blocks, landscape=True, unsigned=True,
        subtitle=to_trinh_note(data),
    )
