"""Excel sheets that print right: row heights from the wrapped text, A4 page setup with NĐ 30 margins, print
titles, Vietnamese number formats.

Excel and LibreOffice do not grow a row to fit wrapped text written by openpyxl, so rows overlap when printed;
the heights are computed here from the text, the fonts' metrics (Liberation Serif is metric-compatible with
Times New Roman) and the column widths.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from reportlab.lib.utils import simpleSplit

from app.documents import nd30

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell, MergedCell

#: Number formats: thousands grouped ("8.922" where Excel or LibreOffice runs in Vietnamese), percentages with
#: two decimals ("60,00%"). Format codes are stored locale-neutral and shown with the reader's separators.
INTEGER_FORMAT = "#,##0"
PERCENT_FORMAT = "0.00%"
#: Points per Excel column-width unit (the default font's digit width, 7 px at 96 dpi) and the cell's own
#: padding; a safety share keeps a line that nearly fits from overflowing in another program's rendering.
POINTS_PER_WIDTH_UNIT = 7 * 0.75
CELL_PADDING_PT = 5
SAFETY = 0.92
LINE_FACTOR = 1.22
ROW_PADDING_PT = 4
MM_PER_INCH = 25.4
A4_PORTRAIT_WIDTH_UNITS = 95  # a table wider than this (in column-width units) prints landscape


def column_points(sheet: Worksheet, first: int, last: int | None = None) -> float:
    """Printable text width in points of columns first..last (1-based), padding taken off."""
    total = 0.0
    for column in range(first, (last or first) + 1):
        width = sheet.column_dimensions[get_column_letter(column)].width or 8.43
        total += width * POINTS_PER_WIDTH_UNIT + 5 * 0.75
    return max(10.0, (total - CELL_PADDING_PT) * SAFETY)


def line_count(text: str, width_pt: float, size: float, bold: bool = False, italic: bool = False) -> int:
    """How many lines `text` takes when wrapped at word boundaries in `width_pt`."""
    nd30.register_fonts()
    font = nd30.face(bold, italic)
    lines = 0
    for paragraph in str(text).split("\n"):
        lines += max(1, len(simpleSplit(paragraph, font, size, width_pt))) if paragraph else 1
    return lines


def _merged_spans(sheet: Worksheet) -> dict[tuple[int, int], tuple[int, int, int]]:
    """(row, column) of each merged range's first cell -> (last column, first row, last row)."""
    spans = {}
    for merged in sheet.merged_cells.ranges:
        spans[(merged.min_row, merged.min_col)] = (merged.max_col, merged.min_row, merged.max_row)
    return spans


def fit_row_heights(sheet: Worksheet, first_row: int = 1) -> None:
    """Set every row's height from its tallest wrapped cell (merged cells spread over their rows)."""
    spans = _merged_spans(sheet)
    covered = {(r, c) for (r0, c0), (c1, r0_, r1) in spans.items() for r in range(r0_, r1 + 1)
               for c in range(c0, c1 + 1)} - set(spans)
    needed: dict[int, float] = {}
    for row in sheet.iter_rows(min_row=first_row):
        for cell in row:
            if cell.value is None or (cell.row, cell.column) in covered:
                continue
            last_column, top, bottom = spans.get((cell.row, cell.column), (cell.column, cell.row, cell.row))
            font = cell.font
            size = float(font.sz or 11)
            text = _display_text(cell)
            if cell.alignment.wrap_text:
                lines = line_count(text, column_points(sheet, cell.column, last_column), size, bool(font.b),
                                   bool(font.i))
            else:
                lines = text.count("\n") + 1
            height = lines * size * LINE_FACTOR + ROW_PADDING_PT
            rows = bottom - top + 1
            for index in range(top, bottom + 1):
                needed[index] = max(needed.get(index, 0.0), height / rows)
    for index, height in needed.items():
        sheet.row_dimensions[index].height = math.ceil(height * 2) / 2


def _display_text(cell: Cell | MergedCell) -> str:
    if isinstance(cell.value, float) and cell.number_format == PERCENT_FORMAT:
        return f"{cell.value * 100:.2f}%"
    if isinstance(cell.value, int):
        return f"{cell.value:,}"
    return str(cell.value)


def page_setup(sheet: Worksheet, title_rows: tuple[int, int] | None = None, landscape: bool | None = None) -> None:
    """A4, orientation by the table's width, fit to one page wide, NĐ 30 margins, header rows on every page,
    page numbers at the top from the second page."""
    total = sum((sheet.column_dimensions[get_column_letter(c)].width or 8.43) for c in range(1, sheet.max_column + 1))
    wide = total > A4_PORTRAIT_WIDTH_UNITS if landscape is None else landscape
    sheet.page_setup.orientation = "landscape" if wide else "portrait"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True  # type: ignore[union-attr]  # always set; Optional in stubs
    margins = sheet.page_margins
    margins.top, margins.bottom = nd30.MARGIN_TOP_MM / MM_PER_INCH, nd30.MARGIN_BOTTOM_MM / MM_PER_INCH
    margins.left, margins.right = nd30.MARGIN_LEFT_MM / MM_PER_INCH, nd30.MARGIN_RIGHT_MM / MM_PER_INCH
    margins.header, margins.footer = 0.3, 0.3
    sheet.print_options.horizontalCentered = True
    if title_rows:
        sheet.print_title_rows = f"{title_rows[0]}:{title_rows[1]}"
    sheet.HeaderFooter.differentFirst = True  # NĐ 30: page numbers centred at the top, not on the first page
    sheet.oddHeader.center.text = "&P"  # type: ignore[union-attr]  # (these three) always set; Optional in stubs
    sheet.oddHeader.center.size = nd30.PAGE_NUMBER_PT  # type: ignore[union-attr]
    sheet.oddHeader.center.font = "Times New Roman,Regular"  # type: ignore[union-attr]
