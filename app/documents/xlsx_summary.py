"""The Bản tổng hợp as an Excel workbook: the same table as the PDF, with the commune's heading rows."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from app.documents import tong_hop
from app.documents.data import DossierData
from app.documents.model import TableBlock, typeset

FONT_NAME = "Times New Roman"
THIN = Side(style="thin", color="000000")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HORIZONTAL = {"left": "left", "centre": "center", "right": "right"}
COLUMN_CHARS = 130  # total width of the table in Excel character units


def write_table(sheet, block: TableBlock, first_row: int) -> int:
    """Write a `TableBlock` with borders and merges from `first_row`; returns the next free row."""
    total = sum(block.widths)
    for index, width in enumerate(block.widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = round(COLUMN_CHARS * width / total, 1)
    for r, row in enumerate(block.rows):
        for c, cell in enumerate(row, start=1):
            target = sheet.cell(row=first_row + r, column=c, value=typeset(cell.text) if cell.text else None)
            target.font = Font(name=FONT_NAME, size=block.font_size, bold=cell.bold or r < block.header_rows,
                               italic=cell.italic)
            target.alignment = Alignment(horizontal=HORIZONTAL[cell.align], vertical="center", wrap_text=True)
            target.border = GRID
    for row, first, last in block.col_spans:
        sheet.merge_cells(start_row=first_row + row, start_column=first + 1,
                          end_row=first_row + row, end_column=last + 1)
    return first_row + len(block.rows)


def summary_workbook_bytes(data: DossierData) -> bytes:
    document = tong_hop.build(data)
    block = tong_hop.summary_table(data)
    book = Workbook()
    sheet = book.active
    sheet.title = "Tổng hợp"
    columns = len(block.widths)
    heading = [(" ".join(data.issuing_lines), True, False), (document.type_title, True, False),
               (document.summary, True, False), (document.place_date, False, True)]
    for row, (text, bold, italic) in enumerate(heading, start=1):
        cell = sheet.cell(row=row, column=1, value=typeset(text))
        cell.font = Font(name=FONT_NAME, size=13, bold=bold, italic=italic)
        cell.alignment = Alignment(horizontal="center")
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
    first = len(heading) + 2
    end = write_table(sheet, block, first)
    sheet.freeze_panes = sheet.cell(row=first + 1, column=1)
    sheet.print_title_rows = f"{first}:{first}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    conclusion = sheet.cell(row=end + 1, column=1, value=typeset(document.blocks[-1].text))
    conclusion.font = Font(name=FONT_NAME, size=12, bold=True)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
