"""Tables of a round: the council-verified summary of each commune's indicators (Điều 9 khoản 2 điểm đ: "bản tổng
hợp … do Hội đồng thẩm định"), and the province summary by level, as PDF and as an Excel workbook."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, cast

from app.documents.model import Cell, Document, Para, TableBlock, para
from app.domain.rules import MISSING, STATUS_LABELS
from app.recipient.documents.common import (
    council_signer,
    count_phrase,
    document,
    head_signer,
    header,
    level_text,
    received_text,
)
from app.recipient.documents.data import CDHT, CommuneResult, RoundData
from app.recipient.register import NOT_RECEIVED
from app.recipient.register import STATUS_LABELS as REGISTER_LABELS
from app.recipient.workspace import province_title
from app.text import format_date_short

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

COMMUNE_HEADER = ("TT", "Tiêu chí, chỉ tiêu", "Kết quả, số liệu", "Xã tự đánh giá", "Hội đồng thẩm định",
                  "Ghi chú của Hội đồng")
COMMUNE_WIDTHS = (5, 40, 18, 10, 10, 17)
PROVINCE_HEADER = ("TT", "Xã", "Ngày nhận hồ sơ", "Nộp sau hạn", "Tình trạng hồ sơ", "Mức độ đề nghị",
                   "Xã tự đánh giá", "Hội đồng xác nhận", "Kết quả")
PROVINCE_WIDTHS = (5, 20, 11, 8, 16, 10, 10, 10, 14)


def commune_table(data: RoundData, result: CommuneResult) -> TableBlock:
    appraisal = result.appraisal
    level = appraisal.level_requested
    rows = [header(*COMMUNE_HEADER[:3], f"{COMMUNE_HEADER[3]} (mức độ {level})",
                   f"{COMMUNE_HEADER[4]} (mức độ {level})", COMMUNE_HEADER[5])]
    spans, headings = [], []
    by_id = {item.indicator_id: item for item in appraisal.indicators}
    for criterion in data.catalogue.criteria:
        headings.append(len(rows))
        spans.append((len(rows), 1, len(COMMUNE_HEADER) - 1))
        rows.append((Cell(criterion.id, bold=True, align="centre"),
                     Cell(f"Tiêu chí {criterion.id}. {criterion.name}", bold=True), *[Cell("")] * 4))
        for indicator in criterion.indicators:
            item = by_id[indicator.id]
            council = item.council.get(level)
            rows.append((Cell(indicator.id, align="centre"), Cell(indicator.text), Cell(item.figure or "—"),
                         Cell(STATUS_LABELS[item.self_verdicts.get(level, MISSING)], align="centre"),
                         Cell(STATUS_LABELS[council.status] if council else STATUS_LABELS[MISSING], align="centre"),
                         Cell(council.note if council and council.note else "")))
    return TableBlock(widths=COMMUNE_WIDTHS, rows=tuple(rows), col_spans=tuple(spans), font_size=11,
                      keep_with_next=tuple(headings))


def build_commune_summary(data: RoundData, result: CommuneResult) -> Document:
    level = result.appraisal.level_requested
    if result.level:
        conclusion = (f"Kết luận của Hội đồng: xã {result.commune} đạt chuẩn {CDHT} cấp xã mức độ {result.level} năm "
                      f"{data.year} (xã đề nghị mức độ {level}).")
    else:
        conclusion = (f"Kết luận của Hội đồng: xã {result.commune} chưa đủ điều kiện công nhận đạt chuẩn {CDHT} cấp xã "
                      f"mức độ {level} năm {data.year}.")
    from app.dossier.package import slug

    return document(data, "tong_hop_tham_dinh", "BẢNG TỔNG HỢP",
                    f"Kết quả đánh giá các tiêu chí, chỉ tiêu của xã {result.commune} năm {data.year} do Hội đồng "
                    "thẩm định", [commune_table(data, result), para(conclusion)], number_code=None,
                    date=data.council.sitting_date, signer=council_signer(data), council=True, landscape=True,
                    file_stem=f"tong_hop_tham_dinh_{slug(result.commune)}_{data.year}")


# ---------------------------------------------------------------------- province

def province_counts(data: RoundData) -> list[tuple[str, int]]:
    """(label, number of communes) for the summary by level; every figure is counted from the register."""
    return [
        ("Số xã trong danh sách", len(data.rows)),
        ("Số xã đã nộp hồ sơ", data.received),
        ("Số hồ sơ hợp lệ", data.valid),
        (f"Số hồ sơ nộp sau hạn {format_date_short(data.deadline)}", data.late),
        ("Số hồ sơ đã kết luận thẩm định", len(data.results)),
        ("Đạt chuẩn mức độ 1", len(data.recognised_at(1))),
        ("Đạt chuẩn mức độ 2", len(data.recognised_at(2))),
        ("Chưa đủ điều kiện công nhận", len(data.refused)),
        ("Chưa nộp hồ sơ", data.count(NOT_RECEIVED)),
    ]


def _result_text(result: CommuneResult | None) -> str:
    if result is None:
        return ""
    if result.outcome is None:
        return f"Đề nghị {level_text(result.level).lower()}" if result.level else "Đề nghị trả lời"
    return f"Công nhận mức độ {result.level}" if result.level else "Không công nhận"


def province_rows(data: RoundData) -> list[tuple[str, ...]]:
    """One row per commune of the register: the cells of the province table, as text."""
    results = {r.row.commune_id: r for r in data.results}
    rows: list[tuple[str, ...]] = []
    for number, row in enumerate(data.rows, start=1):
        result = results.get(row.commune_id)
        rows.append((str(number), row.commune, received_text(row.received_at), "Có" if row.late else "",
                     REGISTER_LABELS[row.status], level_text(row.level_requested) if row.level_requested else "",
                     level_text(row.level_self) if row.level_self is not None else "",
                     level_text(result.level) if result else "", _result_text(result)))
    return rows


def build_province_summary(data: RoundData) -> Document:
    counts = TableBlock(widths=(70, 30), rows=(header("Nội dung", "Số xã"), *(
        (Cell(label), Cell(str(value), align="centre")) for label, value in province_counts(data))), font_size=12)
    communes = TableBlock(widths=PROVINCE_WIDTHS, rows=(header(*PROVINCE_HEADER), *(
        tuple(Cell(text, align="left" if column == 1 else "centre") for column, text in enumerate(row))
        for row in province_rows(data))), font_size=10)
    blocks: list[Para | TableBlock] = [para("I. TỔNG HỢP THEO MỨC ĐỘ", kind="heading"), counts,
                                       para("II. DANH SÁCH XÃ", kind="heading"), communes,
                                       para(f"Tổng số: {count_phrase(len(data.rows))}; đạt chuẩn "
                                            f"{count_phrase(len(data.recognised))}.")]
    return document(data, "tong_hop_tinh", "BẢNG TỔNG HỢP",
                    f"Kết quả đánh giá, công nhận {CDHT} cấp xã năm {data.year} {province_title(data.agency.province)}",
                    blocks, number_code=None, date=data.decision.date if data.decision else None,
                    signer=head_signer(data), landscape=True)


def province_workbook(data: RoundData) -> bytes:
    """The province summary as an Excel workbook: numbers stored as numbers, A4 landscape, fit to width."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    bold = Font(name="Times New Roman", bold=True, size=12)
    plain = Font(name="Times New Roman", size=12)
    book = Workbook()
    sheet = cast("Worksheet", book.active)  # a new workbook has one worksheet, active
    sheet.title = "Tổng hợp"
    title = build_province_summary(data)
    lines = [(data.agency.parent_body.upper(), False), (data.agency.name.upper(), True), ("", False),
             (title.type_title, True), (title.summary, True)]
    for number, (text, strong) in enumerate(lines, start=1):
        sheet.cell(number, 1, text).font = bold if strong else plain
        sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=len(PROVINCE_HEADER))
        sheet.cell(number, 1).alignment = Alignment(horizontal="center", wrap_text=True)
    row = len(lines) + 2
    counts: list[tuple[str, str | int]] = [("Nội dung", "Số xã"), *province_counts(data)]
    for label, value in counts:
        sheet.cell(row, 2, label).font = bold if label == "Nội dung" else plain
        cell = sheet.cell(row, 3, value)
        cell.font = bold if label == "Nội dung" else plain
        if isinstance(value, int):
            cell.number_format = "#,##0"
        for column in (2, 3):
            sheet.cell(row, column).border = box
        row += 1
    row += 1
    first_table_row = row
    for column, text in enumerate(PROVINCE_HEADER, start=1):
        cell = sheet.cell(row, column, text)
        cell.font, cell.border = bold, box
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for cells in province_rows(data):
        row += 1
        for column, text in enumerate(cells, start=1):
            value = int(text) if column == 1 else text
            cell = sheet.cell(row, column, value)
            cell.font, cell.border = plain, box
            cell.alignment = Alignment(vertical="top", wrap_text=True, horizontal="left" if column == 2 else "center")
    for column, width in enumerate((6, 26, 13, 9, 22, 12, 12, 12, 20), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.print_title_rows = f"{first_table_row}:{first_table_row}"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True  # type: ignore[union-attr]  # always set; Optional in stubs
    sheet.page_margins.left, sheet.page_margins.right = 30 / 25.4, 15 / 25.4
    sheet.page_margins.top, sheet.page_margins.bottom = 20 / 25.4, 20 / 25.4
    book.properties.creator = data.agency.name
    book.properties.title = title.summary
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
