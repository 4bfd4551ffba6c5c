"""The Quyết định công nhận of the head of the agency and its attached list (commune, level, validity).

Before the decision is recorded it is a draft: blank number and date, marked "(Dự thảo)"; the list then gives the
validity as a period. Once `decide` has recorded the issued number and date, the same builder prints them and
each commune's last day of validity.
"""

from __future__ import annotations

import io

from app.documents.model import Cell, Document, Para, Run, TableBlock, para
from app.recipient.decisions import DEFAULT_DECISION_CODE
from app.recipient.documents.common import (
    count_phrase,
    document,
    head_name,
    head_signer,
    header,
    split_number,
)
from app.recipient.documents.data import CDHT, RoundData
from app.text import format_date_short

LIST_HEADER = ("TT", "Xã", "Tỉnh, thành phố", "Mức độ công nhận", "Hiệu lực đến ngày")
LIST_WIDTHS = (6, 32, 24, 18, 20)


def _reference(data: RoundData) -> str:
    """'Quyết định số 123/QĐ-SGDĐT ngày 25/03/2026' or the draft's 'Quyết định số     /QĐ-SGDĐT'."""
    decision = data.decision
    if decision is None:
        from app.documents.model import NUMBER_SLOT

        return f"Quyết định số{NUMBER_SLOT}/{DEFAULT_DECISION_CODE}"
    return f"Quyết định số {decision.number} ngày {format_date_short(decision.date)}"


def _validity(data: RoundData) -> str:
    months = data.catalogue.validity_months
    if data.decision is None:
        return f"{months} tháng kể từ ngày ký Quyết định"
    from app.domain.records import add_months

    return f"{months} tháng, đến ngày {format_date_short(add_months(data.decision.date, months))}"


def build_decision(data: RoundData) -> Document:
    recognised = data.recognised
    authority = f"{data.agency.head_title} {data.agency.name}".upper()
    blocks: list[Para | TableBlock] = [para(authority, kind="centre", bold=True)]
    blocks += [para(f"Căn cứ {basis};", italic=True) for basis in data.legal_bases]
    blocks.append(para(f"Theo đề nghị của Hội đồng đánh giá tại Tờ trình đề nghị công nhận xã đạt chuẩn {CDHT} cấp xã "
                       f"năm {data.year}.", italic=True))
    blocks.append(para("QUYẾT ĐỊNH:", kind="centre", bold=True))
    levels = "; ".join(f"mức độ {lv}: {count_phrase(len(data.recognised_at(lv)))}" for lv in (1, 2)
                       if data.recognised_at(lv))
    blocks.append(para(Run("Điều 1. ", bold=True), f"Công nhận {count_phrase(len(recognised))} đạt chuẩn {CDHT} cấp xã "
                       f"năm {data.year} ({levels}), có danh sách kèm theo."))
    blocks.append(para(Run("Điều 2. ", bold=True), f"Kết quả công nhận được bảo lưu trong thời hạn {_validity(data)}."))
    blocks.append(para(Run("Điều 3. ", bold=True), "Các cơ quan, đơn vị có liên quan và Chủ tịch Ủy ban nhân dân các xã "
                       "có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này./."))
    number, code = split_number(data.decision.number if data.decision else "", DEFAULT_DECISION_CODE)
    return document(data, "quyet_dinh", "QUYẾT ĐỊNH",
                    f"Về việc công nhận xã đạt chuẩn {CDHT} cấp xã năm {data.year}", blocks,
                    number_code=code, number=number, date=data.decision.date if data.decision else None,
                    signer=head_signer(data), recipients=["Như Điều 3", data.agency.parent_body, "Lưu: VT"],
                    subtitle="" if data.decision else "(Dự thảo)")


def build_list(data: RoundData) -> Document:
    """The attached list, one row per recognised commune."""
    rows = [header(*LIST_HEADER)]
    for number, result in enumerate(data.recognised, start=1):
        until = result.outcome.valid_until if result.outcome else None
        rows.append((Cell(str(number), align="centre"), Cell(result.commune), Cell(result.row.province),
                     Cell(f"Mức độ {result.level}", align="centre"),
                     Cell(format_date_short(until) if until else f"{data.catalogue.validity_months} tháng kể từ ngày "
                          "ký", align="centre")))
    subtitle = f"(Kèm theo {_reference(data)} của {head_name(data)})"
    return document(data, "danh_sach", "DANH SÁCH",
                    f"Xã đạt chuẩn {CDHT} cấp xã năm {data.year}",
                    [TableBlock(widths=LIST_WIDTHS, rows=tuple(rows), font_size=12)],
                    number_code=None, subtitle=subtitle, date=data.decision.date if data.decision else None)


def decision_pdf(data: RoundData) -> bytes:
    """The decision and its list as one PDF."""
    from pypdf import PdfWriter

    from app.documents.nd30 import render_pdf

    writer = PdfWriter()
    for built in (build_decision(data), build_list(data)):
        writer.append(io.BytesIO(render_pdf(built)))
    writer.add_metadata({"/Title": f"Quyết định công nhận xã đạt chuẩn Cộng đồng học tập cấp xã năm {data.year}",
                         "/Author": data.agency.name, "/Creator": "CĐHT xã"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
