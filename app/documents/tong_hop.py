"""Bản tổng hợp kết quả đánh giá các tiêu chí, chỉ tiêu (TT 25/2023 Điều 9 khoản 1 điểm b), landscape; an
attachment of the Tờ trình."""

from __future__ import annotations

from app.documents.common import CDHT, dossier_document, evidence_codes_text, grouped_table, status_label, to_trinh_note
from app.documents.data import DossierData
from app.documents.model import Cell, Document, Para, TableBlock, para
from app.documents.phrases import TRUNCATION_NOTE, figure_text, self_assessed, truncated
from app.domain.catalogue import Criterion, Indicator

HEADER = ("TT", "Tiêu chí, chỉ tiêu", "Kết quả, số liệu", "Mức độ 1", "Mức độ 2", "Minh chứng")
WIDTHS = (5, 45, 22, 9, 9, 14)
OVERALL = "Kết quả chung"


def summary_table(data: DossierData) -> TableBlock:
    """The summary table, shared by the PDF and the Excel workbook, ending with the overall result."""
    assessment = data.assessment

    def indicator_cells(indicator: Indicator) -> list[Cell]:
        result = assessment.indicators[indicator.id]
        return [Cell(figure_text(data, result) or "Chưa nhập số liệu"),
                *(Cell(status_label(result.verdicts[lv].status), align="centre") for lv in (1, 2)),
                Cell(evidence_codes_text(data.evidence_codes(indicator.id)) or "—")]

    def criterion_cells(criterion: Criterion) -> list[Cell]:
        verdicts = assessment.criteria[criterion.id].verdicts
        return [Cell(""), *(Cell(status_label(verdicts[lv].status), bold=True, align="centre") for lv in (1, 2)),
                Cell("")]

    table = grouped_table(data, HEADER, WIDTHS, indicator_cells, criterion_cells)
    total = (Cell(OVERALL, bold=True), Cell(""), Cell(""),
             *(Cell(status_label(assessment.level_status(lv)), bold=True, align="centre") for lv in (1, 2)), Cell(""))
    return TableBlock(widths=table.widths, rows=(*table.rows, total),
                      col_spans=(*table.col_spans, (len(table.rows), 0, 2)), font_size=table.font_size,
                      keep_with_next=table.keep_with_next)


def conclusion(data: DossierData) -> str:
    return f"Kết luận: {self_assessed(data)}."


def build(data: DossierData) -> Document:
    blocks: list[Para | TableBlock] = [summary_table(data)]
    if truncated(data):
        blocks.append(para(TRUNCATION_NOTE, italic=True))
    blocks.append(para(conclusion(data)))
    return dossier_document(
        data, "tong_hop", "BẢN TỔNG HỢP",
        f"Kết quả đánh giá các tiêu chí, chỉ tiêu {CDHT} cấp xã năm {data.year}",
        blocks, landscape=True, signature_field=True, subtitle=to_trinh_note(data),
    )
