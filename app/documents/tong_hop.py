"""Bản tổng hợp kết quả đánh giá các tiêu chí, chỉ tiêu (TT 25/2023 Điều 9 khoản 1 điểm b), landscape."""

from __future__ import annotations

from app.documents.common import CDHT, dossier_document, evidence_codes_text, grouped_table, status_label
from app.documents.data import DossierData
from app.documents.model import NUMBER_SLOT, Cell, Document, TableBlock, para
from app.domain.catalogue import Criterion, Indicator

HEADER = ("TT", "Tiêu chí, chỉ tiêu", "Kết quả, số liệu", "Mức độ 1", "Mức độ 2", "Minh chứng")
WIDTHS = (5, 47, 20, 9, 9, 14)


def summary_table(data: DossierData) -> TableBlock:
    """The summary table, shared by the PDF and the Excel workbook, ending with the overall result."""
    assessment = data.assessment

    def indicator_cells(indicator: Indicator) -> list[Cell]:
        result = assessment.indicators[indicator.id]
        return [Cell(result.figure or "Chưa nhập số liệu"),
                *(Cell(status_label(result.verdicts[lv].status), align="centre") for lv in (1, 2)),
                Cell(evidence_codes_text(data.evidence_codes(indicator.id)) or "—")]

    def criterion_cells(criterion: Criterion) -> list[Cell]:
        verdicts = assessment.criteria[criterion.id].verdicts
        return [Cell(""), *(Cell(status_label(verdicts[lv].status), bold=True, align="centre") for lv in (1, 2)),
                Cell("")]

    table = grouped_table(data, HEADER, WIDTHS, indicator_cells, criterion_cells)
    total = (Cell("Kết quả chung", bold=True), Cell(""), Cell(""),
             *(Cell(status_label(assessment.level_status(lv)), bold=True, align="centre") for lv in (1, 2)), Cell(""))
    return TableBlock(widths=table.widths, rows=(*table.rows, total),
                      col_spans=(*table.col_spans, (len(table.rows), 0, 2)), font_size=table.font_size,
                      keep_with_next=table.keep_with_next)


def build(data: DossierData) -> Document:
    number = data.number("to_trinh") or NUMBER_SLOT
    if data.level:
        conclusion = f"Kết luận: xã {data.commune} tự đánh giá đạt chuẩn {CDHT} cấp xã mức độ {data.level} năm {data.year}."
    else:
        conclusion = f"Kết luận: xã {data.commune} chưa đủ điều kiện đề nghị công nhận {CDHT} cấp xã năm {data.year}."
    return dossier_document(
        data, "tong_hop", "BẢN TỔNG HỢP",
        f"Kết quả đánh giá các tiêu chí, chỉ tiêu {CDHT} cấp xã năm {data.year}",
        [summary_table(data), para(conclusion)], landscape=True, signature_field=True,
        subtitle=f"(Kèm theo Tờ trình số {number}/TTr-UBND của Ủy ban nhân dân xã {data.commune})",
    )
