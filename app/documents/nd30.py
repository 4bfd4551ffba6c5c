"""Nghị định 30/2020/NĐ-CP (Phụ lục I) layout for PDF: fonts, styles, header block, signer block, Nơi nhận,
page numbers, and the writer that lays a `Document` out on A4.

Liberation Serif 2.x (metric-compatible with Times New Roman) is embedded; every table sets its font
explicitly so that nothing falls back to an unembedded base-14 font.
"""

from __future__ import annotations

import io
import threading
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.documents.model import Cell, Document, Para, Signer, TableBlock, typeset
from app.paths import FONTS_DIR

# ---------------------------------------------------------------------- page and type sizes (also used by Word)

MARGIN_TOP_MM, MARGIN_BOTTOM_MM, MARGIN_LEFT_MM, MARGIN_RIGHT_MM = 20, 20, 30, 15
HEADER_LEFT_MM = 65  # issuing-body column; the Quốc hiệu column takes the rest of the line
BODY_PT = 14
ISSUING_PT = 12.5
NATIONAL_TITLE_PT = 12
MOTTO_PT = 13
NUMBER_PT = 13
PLACE_DATE_PT = 13
TYPE_TITLE_PT = 14
SIGNER_PT = 13.5
RECIPIENT_LABEL_PT = 12
RECIPIENT_PT = 11
PAGE_NUMBER_PT = 13
FIRST_LINE_INDENT_MM = 10
SIGNATURE_SPACE_MM = 26
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"

FONT = "LiberationSerif"
FONT_FILES = {
    FONT: "LiberationSerif-Regular.ttf",
    f"{FONT}-Bold": "LiberationSerif-Bold.ttf",
    f"{FONT}-Italic": "LiberationSerif-Italic.ttf",
    f"{FONT}-BoldItalic": "LiberationSerif-BoldItalic.ttf",
}
_font_lock = threading.Lock()


def register_fonts() -> None:
    """Register the four Liberation Serif faces once (embedded as subsets in every PDF)."""
    with _font_lock:
        if FONT in pdfmetrics.getRegisteredFontNames():
            return
        for name, filename in FONT_FILES.items():
            pdfmetrics.registerFont(TTFont(name, str(FONTS_DIR / filename)))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=f"{FONT}-Bold", italic=f"{FONT}-Italic",
                                      boldItalic=f"{FONT}-BoldItalic")


def face(bold: bool = False, italic: bool = False) -> str:
    return FONT + ("-BoldItalic" if bold and italic else "-Bold" if bold else "-Italic" if italic else "")


def style(size: float = BODY_PT, bold: bool = False, italic: bool = False, align: int = TA_JUSTIFY,
          indent: float = 0, space_after: float = 0, space_before: float = 0, leading: float | None = None,
          keep_with_next: bool = False) -> ParagraphStyle:
    return ParagraphStyle(
        f"nd30-{size}-{bold}-{italic}-{align}-{indent}", fontName=face(bold, italic), fontSize=size,
        leading=leading or size * 1.25, alignment=align, firstLineIndent=indent, spaceAfter=space_after,
        spaceBefore=space_before, keepWithNext=keep_with_next)


#: Body paragraph styles by `Para.kind`.
PARA_STYLES = {
    "body": style(indent=FIRST_LINE_INDENT_MM * mm, space_after=6),
    "plain": style(space_after=6, align=TA_LEFT),
    "heading": style(bold=True, indent=FIRST_LINE_INDENT_MM * mm, space_after=6, space_before=4, keep_with_next=True),
    "centre": style(align=TA_CENTER, space_after=6),
    "note": style(size=13, italic=True, align=TA_CENTER, space_after=4),
}
ALIGNMENTS = {"left": TA_LEFT, "centre": TA_CENTER, "right": TA_RIGHT}


def markup(runs) -> str:
    """reportlab paragraph markup for text runs (the text itself is escaped, never interpreted)."""
    parts = []
    for run in runs:
        text = escape(typeset(run.text)).replace("\n", "<br/>")
        if run.bold:
            text = f"<b>{text}</b>"
        if run.italic:
            text = f"<i>{text}</i>"
        parts.append(text)
    return "".join(parts)


def line(text: str, st: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(typeset(text)), st)


class Rule(Flowable):
    """A horizontal rule of a given width, centred in the space it is given (under titles and bodies)."""

    def __init__(self, width: float, thickness: float = 0.6, above: float = 3, below: float = 2) -> None:
        super().__init__()
        self.rule_width = width
        self.thickness = thickness
        self.above = above
        self.below = below

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.available = available_width
        return available_width, self.thickness + self.above + self.below

    def draw(self) -> None:
        start = (self.available - self.rule_width) / 2
        self.canv.setLineWidth(self.thickness)
        self.canv.line(start, self.below, start + self.rule_width, self.below)


def _borderless(rows, widths) -> Table:
    table = Table(rows, colWidths=widths)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), FONT, BODY_PT),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]))
    return table


def header_block(doc: Document, frame_width: float) -> Table:
    """Issuing body (bold, short rule) and number on the left; Quốc hiệu, Tiêu ngữ (rule) and place-date right."""
    left_width = HEADER_LEFT_MM * mm
    right_width = frame_width - left_width
    issuing_style = style(ISSUING_PT, bold=True, align=TA_CENTER, leading=ISSUING_PT * 1.2)
    issuing_width = max(pdfmetrics.stringWidth(text, face(True), ISSUING_PT) for text in doc.issuing_lines)
    left = [line(text, issuing_style) for text in doc.issuing_lines]
    left.append(Rule(issuing_width / 3))
    motto_width = pdfmetrics.stringWidth(MOTTO, face(True), MOTTO_PT)
    right = [line(NATIONAL_TITLE, style(NATIONAL_TITLE_PT, bold=True, align=TA_CENTER, leading=NATIONAL_TITLE_PT * 1.2)),
             line(MOTTO, style(MOTTO_PT, bold=True, align=TA_CENTER, leading=MOTTO_PT * 1.2)),
             Rule(motto_width)]
    number = line(doc.number_line, style(NUMBER_PT, align=TA_CENTER)) if doc.number_line else ""
    place_date = line(doc.place_date, style(PLACE_DATE_PT, italic=True, align=TA_CENTER))
    table = _borderless([[left, right], [number, place_date]], [left_width, right_width])
    table.setStyle(TableStyle([("TOPPADDING", (0, 1), (-1, 1), 6)]))
    return table


def title_block(doc: Document) -> list[Flowable]:
    """Document type (upper case, bold, centred) and the summary line with a short rule below."""
    flowables: list[Flowable] = [Spacer(1, 10 * mm)]
    flowables.append(line(doc.type_title, style(TYPE_TITLE_PT, bold=True, align=TA_CENTER, leading=TYPE_TITLE_PT * 1.3)))
    if doc.summary:
        flowables.append(line(doc.summary, style(TYPE_TITLE_PT, bold=True, align=TA_CENTER, leading=TYPE_TITLE_PT * 1.3)))
    if doc.subtitle:
        flowables.append(line(doc.subtitle, PARA_STYLES["note"]))
    flowables.append(Rule(40 * mm))
    flowables.append(Spacer(1, 5 * mm))
    return flowables


def recipients_block(recipients: tuple[str, ...]) -> list[Flowable]:
    """'Nơi nhận:' (bold italic 12) and the recipient list (11 pt), each line '- …;' and the last '- Lưu: …'."""
    result: list[Flowable] = [line("Nơi nhận:", style(RECIPIENT_LABEL_PT, bold=True, italic=True, align=TA_LEFT))]
    list_style = style(RECIPIENT_PT, align=TA_LEFT, leading=RECIPIENT_PT * 1.2)
    result.extend(line(f"- {name}", list_style) for name in recipients)
    return result


def signer_block(signer: Signer) -> list[Flowable]:
    """Authority lines (bold, upper case), space for signature and seal, the signer's name (bold)."""
    st = style(SIGNER_PT, bold=True, align=TA_CENTER, leading=SIGNER_PT * 1.2)
    flowables: list[Flowable] = [line(text, st) for text in signer.lines]
    flowables.append(Spacer(1, SIGNATURE_SPACE_MM * mm))
    flowables.append(line(signer.name or " ", style(BODY_PT, bold=True, align=TA_CENTER)))
    return flowables


def closing_block(doc: Document, frame_width: float) -> Flowable | None:
    """Nơi nhận (or a second signer, for minutes) on the left, the signer on the right, kept together."""
    if not doc.signer and not doc.recipients:
        return None
    left = recipients_block(doc.recipients) if doc.recipients else (
        signer_block(doc.left_signer) if doc.left_signer else "")
    right = signer_block(doc.signer) if doc.signer else ""
    table = _borderless([[left, right]], [frame_width * 0.45, frame_width * 0.55])
    return KeepTogether([Spacer(1, 4 * mm), table])


def table_flowable(block: TableBlock, frame_width: float) -> Table:
    """A bordered table; every cell is a paragraph in the embedded font (the FONT style covers the rest)."""
    total = sum(block.widths)
    widths = [frame_width * w / total for w in block.widths]
    styles: dict[tuple[bool, bool, str], ParagraphStyle] = {}

    def cell_paragraph(cell: Cell) -> Paragraph:
        key = (cell.bold, cell.italic, cell.align)
        if key not in styles:
            styles[key] = style(block.font_size, cell.bold, cell.italic, ALIGNMENTS[cell.align],
                                leading=block.font_size * 1.2)
        return Paragraph(escape(typeset(cell.text)).replace("\n", "<br/>"), styles[key])

    rows = [[cell_paragraph(cell) for cell in row] for row in block.rows]
    commands = [
        ("FONT", (0, 0), (-1, -1), FONT, block.font_size),
        ("GRID", (0, 0), (-1, -1), 0.5, "black"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    commands += [("SPAN", (first, row), (last, row)) for row, first, last in block.col_spans]
    table = Table(rows, colWidths=widths, repeatRows=block.header_rows)
    table.setStyle(TableStyle(commands))
    return table


def _page_number(canvas, template) -> None:
    """Page numbers from page 2 on, centred in the top margin (NĐ 30: not on the first page)."""
    canvas.saveState()
    canvas.setFont(FONT, PAGE_NUMBER_PT)
    width, height = template.pagesize
    canvas.drawCentredString(width / 2, height - MARGIN_TOP_MM * mm / 2 - 2 * mm, str(canvas.getPageNumber()))
    canvas.restoreState()


def render_pdf(doc: Document) -> bytes:
    """Lay out one document on A4 (landscape when the document asks for it) and return the PDF bytes."""
    register_fonts()
    buffer = io.BytesIO()
    pagesize = landscape(A4) if doc.landscape else A4
    template = SimpleDocTemplate(
        buffer, pagesize=pagesize, leftMargin=MARGIN_LEFT_MM * mm, rightMargin=MARGIN_RIGHT_MM * mm,
        topMargin=MARGIN_TOP_MM * mm, bottomMargin=MARGIN_BOTTOM_MM * mm, title=f"{doc.type_title} {doc.summary}".strip(),
        author=" ".join(doc.issuing_lines), subject=doc.summary, creator="CĐHT xã",
        initialFontName=FONT, initialFontSize=BODY_PT,
    )
    frame_width = template.width
    story: list[Flowable] = [header_block(doc, frame_width), *title_block(doc)]
    for block in doc.blocks:
        if isinstance(block, TableBlock):
            story.append(table_flowable(block, frame_width))
            story.append(Spacer(1, 4 * mm))
        else:
            story.append(paragraph_flowable(block))
    closing = closing_block(doc, frame_width)
    if closing is not None:
        story.append(closing)
    template.build(story, onLaterPages=_page_number)
    return buffer.getvalue()


def paragraph_flowable(block: Para) -> Paragraph:
    return Paragraph(markup(block.runs), PARA_STYLES[block.kind])
