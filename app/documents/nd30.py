"""Nghị định 30/2020/NĐ-CP (Phụ lục I) layout for PDF: fonts, styles, header block, signer block, Nơi nhận,
page numbers, and the writer that lays a `Document` out on A4.

Liberation Serif 2.x (metric-compatible with Times New Roman) is embedded; every table sets its font
explicitly so that nothing falls back to an unembedded base-14 font.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal, cast
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFString
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.documents.model import Cell, Document, Para, Run, Signer, TableBlock, typeset
from app.paths import FONTS_DIR

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus.doctemplate import BaseDocTemplate

#: A paragraph alignment, as reportlab numbers them (TA_LEFT, TA_CENTER, TA_RIGHT, TA_JUSTIFY).
Alignment = Literal[0, 1, 2, 4]

# ---------------------------------------------------------------------- page and type sizes (also used by Word)

MARGIN_TOP_MM, MARGIN_BOTTOM_MM, MARGIN_LEFT_MM, MARGIN_RIGHT_MM = 20, 20, 30, 15
HEADER_LEFT_MM = 65  # issuing-body column
HEADER_RIGHT_MM = 100  # Quốc hiệu column, at the right margin (on landscape pages too)
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
FRAME_PADDING = 6  # reportlab's default padding inside the page frame, in points
MIN_ROW_PART = 40  # points: a row taller than a page starts on this page only when this much room is left
SIGNATURE_SPACE_MM = 26
#: The empty digital-signature field at the signer's place (the signing tools sign into it), and its width.
SIGNATURE_FIELD_NAME = "ChuKy_NguoiKy"
SIGNATURE_FIELD_WIDTH_PT = 230
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


def style(size: float = BODY_PT, bold: bool = False, italic: bool = False, align: Alignment = TA_JUSTIFY,
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
ALIGNMENTS: dict[str, Alignment] = {"left": TA_LEFT, "centre": TA_CENTER, "right": TA_RIGHT}


def markup(runs: Iterable[Run]) -> str:
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

    def __init__(self, width: float, thickness: float = 0.6, above: float = 1.5, below: float = 2) -> None:
        super().__init__()
        self.rule_width = width
        self.thickness = thickness
        self.above = above
        self.below = below

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.available = available_width
        return available_width, self.thickness + self.above + self.below

    def draw(self) -> None:
        width = min(self.rule_width, self.available)
        start = (self.available - width) / 2
        self.canv.setLineWidth(self.thickness)
        self.canv.line(start, self.below, start + width, self.below)


class SignatureField(Flowable):
    """Blank space for the handwritten or digital signature, holding an empty, borderless PDF signature field
    (AcroForm /Sig widget) so that signing software puts the signature exactly here. Draws nothing visible."""

    def __init__(self, height: float, name: str = SIGNATURE_FIELD_NAME, width: float = SIGNATURE_FIELD_WIDTH_PT) -> None:
        super().__init__()
        self.height = height
        self.name = name
        self.field_width = width

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.available = available_width
        return available_width, self.height

    def draw(self) -> None:
        canvas = self.canv
        width = min(self.field_width, self.available)
        x0, y0 = canvas.absolutePosition((self.available - width) / 2, 0)
        x1, y1 = canvas.absolutePosition((self.available + width) / 2, self.height)
        form = canvas.acroForm
        appearance = form.makeStream(x1 - x0, y1 - y0, "")  # an empty appearance: nothing shows before signing
        widget = PDFDictionary({
            "Type": PDFName("Annot"), "Subtype": PDFName("Widget"), "FT": PDFName("Sig"),
            "T": PDFString(self.name), "F": 4,  # printable, no border, no background
            "Rect": PDFArray([round(x0, 2), round(y0, 2), round(x1, 2), round(y1, 2)]),
            # reportlab's private canvas API and unannotated getRef, as its own form fields use them
            "P": canvas._doc.thisPageRef(),  # type: ignore[attr-defined]
            "AP": PDFDictionary({"N": form.getRef(appearance)}),  # type: ignore[no-untyped-call]
        })
        canvas._addAnnotation(widget)  # type: ignore[attr-defined]
        form.fields.append(form.getRef(widget))  # type: ignore[no-untyped-call]


def _borderless(rows: list[list[Any]], widths: list[float], split_in_row: bool = False) -> Table:
    table = Table(rows, colWidths=widths, splitInRow=1 if split_in_row else 0)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), FONT, BODY_PT),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]))
    return table


def header_block(doc: Document, frame_width: float) -> Table:
    """Issuing body (bold, short rule) and number on the left; Quốc hiệu, Tiêu ngữ (rule) and place-date right.

    The two columns keep their portrait widths on a landscape page, the Quốc hiệu column at the right margin.
    """
    left_width = HEADER_LEFT_MM * mm
    right_width = min(HEADER_RIGHT_MM * mm, frame_width - left_width)
    gap = frame_width - left_width - right_width
    issuing_style = style(ISSUING_PT, bold=True, align=TA_CENTER, leading=ISSUING_PT * 1.2)
    issuing_width = min(left_width, max(pdfmetrics.stringWidth(text, face(True), ISSUING_PT)
                                        for text in doc.issuing_lines))
    left: list[Flowable] = [line(text, issuing_style) for text in doc.issuing_lines]
    left.append(Rule(issuing_width / 3))
    motto_width = pdfmetrics.stringWidth(MOTTO, face(True), MOTTO_PT)
    right = [line(NATIONAL_TITLE, style(NATIONAL_TITLE_PT, bold=True, align=TA_CENTER, leading=NATIONAL_TITLE_PT * 1.2)),
             line(MOTTO, style(MOTTO_PT, bold=True, align=TA_CENTER, leading=MOTTO_PT * 1.2)),
             Rule(motto_width)]
    number = line(doc.number_line, style(NUMBER_PT, align=TA_CENTER)) if doc.number_line else ""
    place_date = line(doc.place_date, style(PLACE_DATE_PT, italic=True, align=TA_CENTER))
    table = _borderless([[left, "", right], [number, "", place_date]], [left_width, gap, right_width])
    table.setStyle(TableStyle([("TOPPADDING", (0, 1), (-1, 1), 6)]))
    return table


def title_block(doc: Document, frame_width: float) -> list[Flowable]:
    """Document type (upper case, bold, centred) and the summary line with a short rule below."""
    flowables: list[Flowable] = [Spacer(1, 10 * mm)]
    flowables.append(line(doc.type_title, style(TYPE_TITLE_PT, bold=True, align=TA_CENTER, leading=TYPE_TITLE_PT * 1.3)))
    if doc.summary:
        flowables.append(line(doc.summary, style(TYPE_TITLE_PT, bold=True, align=TA_CENTER, leading=TYPE_TITLE_PT * 1.3)))
    if doc.subtitle:
        flowables.append(line(doc.subtitle, PARA_STYLES["note"]))
    flowables.append(Rule(summary_rule_width(doc, frame_width)))
    flowables.append(Spacer(1, 5 * mm))
    return flowables


#: The rule under the trích yếu: 2/5 of its longest line (NĐ 30/2020: between 1/3 and 1/2 of the line).
SUMMARY_RULE_SHARE = 0.4


def summary_rule_width(doc: Document, frame_width: float) -> float:
    """Length in points of the rule under the summary line (or the type title when there is no summary)."""
    text = typeset(doc.summary or doc.type_title)
    lines = simpleSplit(text, face(True), TYPE_TITLE_PT, frame_width)
    longest = max(pdfmetrics.stringWidth(part, face(True), TYPE_TITLE_PT) for part in lines or [text])
    return SUMMARY_RULE_SHARE * longest


def recipients_block(recipients: tuple[str, ...]) -> list[Flowable]:
    """'Nơi nhận:' (bold italic 12) and the recipient list (11 pt), each line '- …;' and the last '- Lưu: …'."""
    result: list[Flowable] = [line("Nơi nhận:", style(RECIPIENT_LABEL_PT, bold=True, italic=True, align=TA_LEFT))]
    list_style = style(RECIPIENT_PT, align=TA_LEFT, leading=RECIPIENT_PT * 1.2)
    result.extend(line(f"- {name}", list_style) for name in recipients)
    return result


def signer_block(signer: Signer, signature_field: bool = False) -> list[Flowable]:
    """Authority lines (bold, upper case), space for signature and seal (with an empty digital-signature field
    when asked), the signer's name (bold)."""
    st = style(SIGNER_PT, bold=True, align=TA_CENTER, leading=SIGNER_PT * 1.2)
    flowables: list[Flowable] = [line(text, st) for text in signer.lines]
    space = SIGNATURE_SPACE_MM * mm
    flowables.append(SignatureField(space) if signature_field else Spacer(1, space))
    flowables.append(line(signer.name or " ", style(BODY_PT, bold=True, align=TA_CENTER)))
    return flowables


def closing_table(doc: Document, frame_width: float) -> Table | None:
    """Nơi nhận (or a second signer, for minutes) on the left, the signer on the right; None for an annex with
    neither."""
    if not doc.signer and not doc.recipients:
        return None
    left = recipients_block(doc.recipients) if doc.recipients else (
        signer_block(doc.left_signer) if doc.left_signer else "")
    right = signer_block(doc.signer, doc.signature_field) if doc.signer else ""
    # On a landscape page the signer stands under the Quốc hiệu column, as on a portrait page.
    right_width = HEADER_RIGHT_MM * mm if doc.landscape else frame_width * 0.55
    # A recipient list longer than a page may run on; everything else stays on one page.
    return _borderless([[left, right]], [frame_width - right_width, right_width], split_in_row=True)


def closing_flowables(doc: Document, frame_width: float, last: list[Flowable]) -> list[Flowable]:
    """The `last` paragraphs of the body, then the closing, as one unit that never breaks (so the signature
    never stands alone on a page)."""
    table = closing_table(doc, frame_width)
    if table is None:
        return last
    return [KeepTogether([*last, Spacer(1, 4 * mm), table])]


class _HeadingCell(Paragraph):
    """First cell of a table row that must not end a page (a tiêu chí heading above its chỉ tiêu)."""


def _is_heading(row: Sequence[object]) -> bool:
    first = row[0]
    return isinstance(first, (list, tuple)) and bool(first) and isinstance(first[0], _HeadingCell)


class GroupedTable(Table):
    """A long table that breaks across pages the way a reviewer expects.

    Pages break between rows, never right after a heading row (a tiêu chí stays with its first chỉ tiêu);
    only a row that cannot fit on a whole page is split inside, so no content can make the layout fail.
    `frame_height` is the height of a full page frame.
    """

    def __init__(self, *args: Any, frame_height: float = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.frame_height = frame_height

    # reportlab's private Table API below is missing from its stubs (the ignores name what is missing)
    def _getFirstPossibleSplitRowPosition(self, availHeight: float, ignoreSpans: int = 0) -> int:  # noqa: N802, N803
        position: int = super()._getFirstPossibleSplitRowPosition(availHeight, ignoreSpans)  # type: ignore[misc]
        if not ignoreSpans:  # breaking between rows: move an orphaned heading to the next page
            while position > 1 and _is_heading(self._cellvalues[position - 1]):  # type: ignore[attr-defined]
                position -= 1
        return position

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803 - reportlab API
        self._calc(availWidth, availHeight)  # type: ignore[attr-defined]
        split_in_row = self.splitInRow
        heights = self._rowHeights  # type: ignore[attr-defined]
        row = self._getFirstPossibleSplitRowPosition(availHeight, ignoreSpans=1)  # the first row that does not fit
        parts: list[Flowable] = []
        if (split_in_row and row < len(heights) and sum(heights[:self.repeatRows]) + heights[row] > self.frame_height
                and availHeight - sum(heights[:row]) >= MIN_ROW_PART):
            for cell_style in self._cellStyles[row]:  # type: ignore[attr-defined]  # a row taller than a page reads from the top, page to page
                cell_style.valign = "TOP"
            parts = self._splitRows(availHeight, doInRowSplit=True)  # type: ignore[attr-defined]
        if not parts:
            self.splitInRow = 0
            try:
                parts = super().split(availWidth, availHeight)
            finally:
                self.splitInRow = split_in_row
        for part in cast("list[GroupedTable]", parts):  # the pieces are new tables of this class: the same rules
            part.frame_height, part.splitInRow = self.frame_height, split_in_row
        return parts


#: Body rows kept on the page of the closing that follows a table (so no page holds the closing alone).
ROWS_WITH_CLOSING = 2


def table_flowable(block: TableBlock, frame_width: float, frame_height: float,
                   closing: list[Flowable] | None = None) -> Table:
    """A bordered table; every cell is a paragraph in the embedded font (the FONT style covers the rest).

    `closing` (the paragraphs after the table and the signature block) becomes a last, borderless row spanning
    the table, never split from the table's last rows: a page break before it repeats the header row above the
    last rows instead of leaving the closing alone on a page."""
    total = sum(block.widths)
    widths = [frame_width * w / total for w in block.widths]
    styles: dict[tuple[bool, bool, str], ParagraphStyle] = {}

    def cell_paragraph(cell: Cell, kind: type[Paragraph] = Paragraph) -> Paragraph:
        key = (cell.bold, cell.italic, cell.align)
        if key not in styles:
            styles[key] = style(block.font_size, cell.bold, cell.italic, ALIGNMENTS[cell.align],
                                leading=block.font_size * 1.2)
        return kind(escape(typeset(cell.text)).replace("\n", "<br/>"), styles[key])

    keep = set(block.keep_with_next)
    # Each cell is a list of flowables, the form in which reportlab can split a row across pages.
    rows: list[list[Any]] = [[[cell_paragraph(cell, _HeadingCell if index in keep and column == 0 else Paragraph)]
             for column, cell in enumerate(row)] for index, row in enumerate(block.rows)]
    body_end = len(rows) - 1
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT, block.font_size),
        ("GRID", (0, 0), (-1, body_end), 0.5, "black"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    commands += [("SPAN", (first, row), (last, row)) for row, first, last in block.col_spans]
    if closing:
        rows.append([[Spacer(1, 4 * mm), *closing]] + [""] * (len(widths) - 1))
        end = len(rows) - 1
        commands += [("SPAN", (0, end), (-1, end)), ("VALIGN", (0, end), (-1, end), "TOP"),
                     ("LEFTPADDING", (0, end), (-1, end), 0), ("RIGHTPADDING", (0, end), (-1, end), 0),
                     ("TOPPADDING", (0, end), (-1, end), 0), ("BOTTOMPADDING", (0, end), (-1, end), 0),
                     ("NOSPLIT", (0, max(block.header_rows, end - ROWS_WITH_CLOSING)), (-1, end))]
    table = GroupedTable(rows, colWidths=widths, repeatRows=block.header_rows, splitInRow=1, frame_height=frame_height)
    table.setStyle(TableStyle(commands))
    return table


def _page_number(canvas: Canvas, template: BaseDocTemplate) -> None:
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
        author=doc.issuer or " ".join(doc.issuing_lines), subject=doc.summary, creator="CĐHT xã",
        initialFontName=FONT, initialFontSize=BODY_PT,
    )
    frame_width, frame_height = template.width, template.height - 2 * FRAME_PADDING
    story: list[Flowable] = [header_block(doc, frame_width), *title_block(doc, frame_width)]
    blocks = list(doc.blocks)
    tail: list[Para] = []  # the paragraphs after the last table, kept with the closing
    while blocks and isinstance(blocks[-1], Para) and len(tail) < 3:
        tail.insert(0, cast(Para, blocks.pop()))  # checked just above
    if blocks and isinstance(blocks[-1], TableBlock):
        last_table: TableBlock | None = cast(TableBlock, blocks.pop())  # checked just above
    else:  # the last two paragraphs stay with the signature
        last_table, blocks, tail = None, [*blocks, *tail[:-2]], tail[-2:]
    for block in blocks:
        if isinstance(block, TableBlock):
            story.append(table_flowable(block, frame_width, frame_height))
            story.append(Spacer(1, 4 * mm))
        else:
            story.append(paragraph_flowable(block))
    ending: list[Flowable] = [paragraph_flowable(p) for p in tail]
    if last_table is not None:
        closing = closing_table(doc, frame_width)
        glued = ending + ([Spacer(1, 4 * mm), closing] if closing is not None else [])
        story.append(table_flowable(last_table, frame_width, frame_height, closing=glued))
    else:
        story += closing_flowables(doc, frame_width, ending)
    template.build(story or [Spacer(1, 0)], onLaterPages=_page_number)
    return buffer.getvalue()


_KEEP_STYLES: dict[str, ParagraphStyle] = {}


def paragraph_flowable(block: Para) -> Paragraph:
    """A body paragraph; one that introduces what follows stays on the page of its next paragraph."""
    st = PARA_STYLES[block.kind]
    if block.keep_with_next and not st.keepWithNext:
        if block.kind not in _KEEP_STYLES:
            _KEEP_STYLES[block.kind] = ParagraphStyle(f"{st.name}-keep", parent=st, keepWithNext=True)
        st = _KEEP_STYLES[block.kind]
    return Paragraph(markup(block.runs), st)
