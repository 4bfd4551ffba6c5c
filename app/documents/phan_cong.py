"""Kế hoạch phân công thu thập minh chứng: who collects each chỉ tiêu's data and evidence (seed 004's table)."""

from __future__ import annotations

from app.documents.common import CDHT, dossier_document, grouped_table
from app.documents.data import DossierData
from app.documents.model import Cell, Document, TableBlock
from app.domain.catalogue import Indicator
from app.services.workspace import ASSIGNMENT_STATUSES
from app.text import format_date_short

HEADER = ("TT", "Tiêu chí, chỉ tiêu", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn", "Tình trạng")
WIDTHS = (5, 47, 15, 17, 10, 10)


def assignment_table(data: DossierData) -> TableBlock:
    by_indicator = {a.indicator_id: a for a in data.assignments}

    def cells(indicator: Indicator) -> list[Cell]:
        a = by_indicator.get(indicator.id)
        if a is None:
            return [Cell("Chưa phân công", italic=True), Cell(""), Cell(""), Cell("")]
        return [Cell(a.lead_unit or "Chưa phân công", italic=not a.lead_unit), Cell(", ".join(a.coordinating_units)),
                Cell(format_date_short(a.due_date) if a.due_date else "", align="centre"),
                Cell(ASSIGNMENT_STATUSES.get(a.status, a.status), align="centre")]

    return grouped_table(data, HEADER, WIDTHS, cells)


def build(data: DossierData) -> Document:
    return dossier_document(
        data, "phan_cong", "PHÂN CÔNG",
        f"Phụ trách thu thập, cung cấp tài liệu, số liệu minh chứng thực hiện các tiêu chí đánh giá, "
        f"công nhận {CDHT} cấp xã năm {data.year}", [assignment_table(data)], landscape=True, unsigned=True,
    )
