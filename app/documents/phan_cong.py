"""Phân công phụ trách thu thập minh chứng (seed 004's table): an attachment of the commune's Kế hoạch, printed
only when the year has assignments."""

from __future__ import annotations

from app.documents.common import CDHT, attachment_note, dossier_document, grouped_table
from app.documents.data import DossierData
from app.documents.model import Cell, Document, TableBlock
from app.documents.texts import PLAN_CODE
from app.domain.catalogue import Indicator
from app.errors import InputError
from app.text import format_date_short

HEADER = ("TT", "Tiêu chí, chỉ tiêu", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn")
WIDTHS = (5, 50, 17, 19, 9)


def assignment_table(data: DossierData) -> TableBlock:
    by_indicator = {a.indicator_id: a for a in data.assignments}

    def cells(indicator: Indicator) -> list[Cell]:
        a = by_indicator.get(indicator.id)
        if a is None:
            return [Cell(""), Cell(""), Cell("")]
        return [Cell(a.lead_unit or ""), Cell(", ".join(a.coordinating_units)),
                Cell(format_date_short(a.due_date) if a.due_date else "", align="centre")]

    return grouped_table(data, HEADER, WIDTHS, cells)


def build(data: DossierData) -> Document:
    if not data.has_assignments:
        raise InputError(f"Năm {data.year} chưa phân công đơn vị thu thập số liệu, minh chứng; không có Phân công "
                         "để in.")
    note = attachment_note(data, "Kế hoạch", data.texts.get("plan.number", ""), PLAN_CODE, data.issue_date("phan_cong"))
    return dossier_document(
        data, "phan_cong", "PHÂN CÔNG",
        f"Phụ trách thu thập, cung cấp tài liệu, số liệu minh chứng thực hiện các tiêu chí đánh giá, "
        f"công nhận {CDHT} cấp xã năm {data.year}", [assignment_table(data)], landscape=True, subtitle=note,
        signature_field=True,
    )
