"""The Bản tổng hợp as an Excel workbook: the commune's header block (cơ quan, Quốc hiệu), the same results as
the PDF with every figure a number (counts "#.##0", rates "0,00%"), the conclusion and the signer; it prints on
A4 landscape with the table header repeated."""

from __future__ import annotations

import io
from fractions import Fraction
from typing import TYPE_CHECKING, cast

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.documents import tong_hop
from app.documents.common import evidence_codes_text, status_label
from app.documents.data import DossierData
from app.documents.model import typeset
from app.documents.nd30 import MOTTO, NATIONAL_TITLE
from app.documents.phrases import TRUNCATION_NOTE, figure_text, rates, truncated
from app.documents.xlsx_layout import INTEGER_FORMAT, PERCENT_FORMAT, fit_row_heights, page_setup

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell

    from app.documents.model import Document, Signer

FONT_NAME = "Times New Roman"
THIN = Side(style="thin", color="000000")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER = ("TT", "Tiêu chí, chỉ tiêu", "Kết quả", "Số đạt", "Tổng số", "Tỷ lệ", "Mức độ 1", "Mức độ 2", "Minh chứng")
WIDTHS = (5, 46, 24, 10, 10, 9, 9, 9, 16)
#: What each rate of a ratio or training chỉ tiêu counts, for the "Kết quả" column.
RATE_LABELS = {"": "Số công dân đạt danh hiệu “Công dân học tập”",
               "Được đào tạo: ": "Được đào tạo trình độ chuyên môn kỹ thuật",
               "trong đó đại học trở lên: ": "Trong đó: trình độ đại học trở lên"}
FONT_SIZE = 11


def truncated_rate(part: int, whole: int) -> float:
    """part/whole cut (never rounded) to four decimals, so that "0,00%" shows the same figure as the PDF."""
    return float(Fraction((part * 10000) // whole, 10000))


class _Sheet:
    """Writes styled cells row by row."""

    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self.row = 1

    def put(self, column: int, value: str | float | None, *, bold: bool = False, italic: bool = False,
            underline: bool = False, size: float = FONT_SIZE, align: str = "left", wrap: bool = True, grid: bool = False,
            number_format: str | None = None, last_column: int | None = None, rows: int = 1) -> Cell:
        cell = self.sheet.cell(row=self.row, column=column, value=value)
        cell.font = Font(name=FONT_NAME, size=size, bold=bold, italic=italic, underline="single" if underline else None)
        cell.alignment = Alignment(horizontal=align, vertical="center" if grid else "top", wrap_text=wrap)
        if number_format:
            cell.number_format = number_format
        if last_column or rows > 1:
            self.sheet.merge_cells(start_row=self.row, start_column=column, end_row=self.row + rows - 1,
                                   end_column=last_column or column)
        if grid:
            for r in range(self.row, self.row + rows):
                for c in range(column, (last_column or column) + 1):
                    self.sheet.cell(row=r, column=c).border = GRID
        return cell


def _header_block(out: _Sheet, data: DossierData, document: Document, columns: int) -> None:
    left_last, right_first = 3, 5
    lines = [(data.issuing_lines[0], False, NATIONAL_TITLE, False), (data.issuing_lines[1], True, MOTTO, True)]
    for left, left_bold, right, right_underline in lines:
        out.put(1, left, bold=left_bold, size=12, align="center", last_column=left_last)
        out.put(right_first, right, bold=True, underline=right_underline, size=12, align="center",
                last_column=columns)
        out.row += 1
    out.put(right_first, typeset(document.place_date), italic=True, size=12, align="center", last_column=columns)
    out.row += 2
    for text, bold, italic in ((document.type_title, True, False), (document.summary, True, False),
                               (document.subtitle, False, True)):
        out.put(1, typeset(text), bold=bold, italic=italic, size=13, align="center", last_column=columns)
        out.row += 1
    out.row += 1


def _table(out: _Sheet, data: DossierData) -> tuple[int, int]:
    """The results table; returns (header row, last row)."""
    assessment = data.assessment
    header_row = out.row
    for column, text in enumerate(HEADER, start=1):
        out.put(column, text, bold=True, align="center", grid=True)
    out.row += 1
    for criterion in data.catalogue.criteria:
        verdicts = assessment.criteria[criterion.id].verdicts
        out.put(1, criterion.id, bold=True, align="center", grid=True)
        out.put(2, f"Tiêu chí {criterion.id}. {criterion.name}", bold=True, grid=True, last_column=6)
        for offset, lv in enumerate((1, 2)):
            out.put(7 + offset, status_label(verdicts[lv].status), bold=True, align="center", grid=True)
        out.put(9, "", grid=True)
        out.row += 1
        for indicator in criterion.indicators:
            result = assessment.indicators[indicator.id]
            parts = rates(data, indicator.id)
            rows = max(1, len(parts))
            out.put(1, indicator.id, align="center", grid=True, rows=rows)
            out.put(2, typeset(indicator.text), grid=True, rows=rows)
            for offset, lv in enumerate((1, 2)):
                out.put(7 + offset, status_label(result.verdicts[lv].status), align="center", grid=True, rows=rows)
            out.put(9, evidence_codes_text(data.evidence_codes(indicator.id)) or "—", grid=True, rows=rows)
            if not parts:
                out.put(3, figure_text(data, result) or "Chưa nhập số liệu", grid=True)
                for column in (4, 5, 6):
                    out.put(column, None, grid=True)
                out.row += 1
                continue
            for label, part, whole in parts:
                out.put(3, RATE_LABELS[label], grid=True)
                out.put(4, part, align="right", grid=True, number_format=INTEGER_FORMAT)
                out.put(5, whole, align="right", grid=True, number_format=INTEGER_FORMAT)
                out.put(6, truncated_rate(part, whole), align="right", grid=True, number_format=PERCENT_FORMAT)
                out.row += 1
    out.put(1, tong_hop.OVERALL, bold=True, grid=True, last_column=6)
    for offset, lv in enumerate((1, 2)):
        out.put(7 + offset, status_label(assessment.level_status(lv)), bold=True, align="center", grid=True)
    out.put(9, "", grid=True)
    last = out.row
    out.row += 2
    return header_row, last


def _closing(out: _Sheet, data: DossierData, document: Document, columns: int) -> None:
    if truncated(data):
        out.put(1, TRUNCATION_NOTE, italic=True, last_column=columns)
        out.row += 1
    out.put(1, typeset(tong_hop.conclusion(data)), last_column=columns)
    out.row += 2
    signer = cast("Signer", document.signer)  # the summary is signed (tong_hop.build)
    for text in signer.lines:
        out.put(6, text, bold=True, size=13, align="center", last_column=columns)
        out.row += 1
    out.row += 4
    out.put(6, signer.name, bold=True, size=13, align="center", last_column=columns)


def summary_workbook_bytes(data: DossierData) -> bytes:
    document = tong_hop.build(data)
    book = Workbook()
    sheet = cast(Worksheet, book.active)  # a new workbook has one worksheet, active
    sheet.title = "Tổng hợp"
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    out = _Sheet(sheet)
    _header_block(out, data, document, len(WIDTHS))
    header_row, _last = _table(out, data)
    _closing(out, data, document, len(WIDTHS))
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)  # type: ignore[assignment]  # a MergedCell, by the stubs
    fit_row_heights(sheet)
    page_setup(sheet, title_rows=(header_row, header_row), landscape=True)
    book.properties.creator = document.issuer
    book.properties.title = f"{document.type_title} {document.summary}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
