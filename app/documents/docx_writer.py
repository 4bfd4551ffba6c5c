"""Word drafts (.docx) of a `Document` in the same NĐ 30/2020 layout as the PDF, for officials who finish
the wording in Word: A4, same margins and sizes, Times New Roman, header table, page numbers from page 2."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from reportlab.pdfbase import pdfmetrics

from app import APP_NAME
from app.documents import nd30
from app.documents.model import Cell, Document, Para, Signer, TableBlock, typeset

if TYPE_CHECKING:
    from docx.document import Document as WordDocument
    from docx.enum.text import WD_PARAGRAPH_ALIGNMENT
    from docx.section import Section
    from docx.styles.style import CharacterStyle
    from docx.table import Table, _Row
    from docx.table import _Cell as DocxCell
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run

WORD_FONT = "Times New Roman"
ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "centre": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}
PT_PER_MM = 72 / 25.4


def _set_font(style_or_run: CharacterStyle | Run, size: float | None = None) -> None:
    font = style_or_run.font
    font.name = WORD_FONT
    if size:
        font.size = Pt(size)
    r_pr = style_or_run.element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.append(fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), WORD_FONT)


def _text(paragraph: Paragraph, text: str, size: float, bold: bool = False, italic: bool = False) -> None:
    run = paragraph.add_run(typeset(text))
    run.bold, run.italic = bold, italic
    run.font.size = Pt(size)


def _paragraph(container: WordDocument | _Cell, text: str = "", size: float = nd30.BODY_PT, bold: bool = False,
               italic: bool = False, align: WD_PARAGRAPH_ALIGNMENT = WD_ALIGN_PARAGRAPH.CENTER,
               space_after: float = 0) -> Paragraph:
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(space_after)
    paragraph.paragraph_format.space_before = Pt(0)
    if text:
        _text(paragraph, text, size, bold, italic)
    return paragraph


def _rule(container: WordDocument | _Cell, width_pt: float, column_pt: float) -> None:
    """A short centred rule: an empty paragraph whose bottom border is narrowed by equal indents."""
    paragraph = _paragraph(container, size=2)
    indent = max(0.0, (column_pt - width_pt) / 2)
    paragraph.paragraph_format.left_indent = Pt(indent)
    paragraph.paragraph_format.right_indent = Pt(indent)
    paragraph.paragraph_format.line_spacing = Pt(4)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


class _Cell:
    """Adds paragraphs to a table cell, reusing the cell's initial empty paragraph for the first one."""

    def __init__(self, cell: DocxCell) -> None:
        self.cell = cell
        self.fresh = True

    def add_paragraph(self) -> Paragraph:
        if self.fresh:
            self.fresh = False
            return self.cell.paragraphs[0]  # type: ignore[no-any-return]  # unannotated in python-docx
        return self.cell.add_paragraph()  # type: ignore[no-any-return]  # unannotated in python-docx


def _borderless_table(document: WordDocument, columns_mm: list[float]) -> Table:
    table: Table = document.add_table(rows=1, cols=len(columns_mm))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, columns_mm, strict=False):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)
    return table


def _header(document: WordDocument, doc: Document, frame_mm: float) -> None:
    left_mm, right_mm = nd30.HEADER_LEFT_MM, frame_mm - nd30.HEADER_LEFT_MM
    table = _borderless_table(document, [left_mm, right_mm])
    table.add_row()  # type: ignore[no-untyped-call]  # unannotated in python-docx
    left, right = _Cell(table.cell(0, 0)), _Cell(table.cell(0, 1))
    for text in doc.issuing_lines:
        _paragraph(left, text, nd30.ISSUING_PT, bold=True)
    issuing_width = max(pdfmetrics.stringWidth(t, nd30.face(True), nd30.ISSUING_PT) for t in doc.issuing_lines)
    _rule(left, issuing_width / 3, left_mm * PT_PER_MM)
    _paragraph(right, nd30.NATIONAL_TITLE, nd30.NATIONAL_TITLE_PT, bold=True)
    _paragraph(right, nd30.MOTTO, nd30.MOTTO_PT, bold=True)
    _rule(right, pdfmetrics.stringWidth(nd30.MOTTO, nd30.face(True), nd30.MOTTO_PT), right_mm * PT_PER_MM)
    if doc.number_line:
        _paragraph(_Cell(table.cell(1, 0)), doc.number_line, nd30.NUMBER_PT)
    _paragraph(_Cell(table.cell(1, 1)), doc.place_date, nd30.PLACE_DATE_PT, italic=True)


def _title(document: WordDocument, doc: Document, frame_mm: float) -> None:
    _paragraph(document, "", space_after=6)
    _paragraph(document, doc.type_title, nd30.TYPE_TITLE_PT, bold=True)
    if doc.summary:
        _paragraph(document, doc.summary, nd30.TYPE_TITLE_PT, bold=True)
    if doc.subtitle:
        _paragraph(document, doc.subtitle, 13, italic=True)
    _rule(document, nd30.summary_rule_width(doc, frame_mm * PT_PER_MM), frame_mm * PT_PER_MM)
    _paragraph(document, "", space_after=6)


def _body(document: WordDocument, block: Para, keep: bool = False) -> Paragraph:
    """A body paragraph; `keep` ties it (whole) to what follows, as the paragraphs before the signature are."""
    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    if keep:
        fmt.keep_with_next = True
        fmt.keep_together = True
    fmt.space_after = Pt(6)
    fmt.space_before = Pt(4 if block.kind == "heading" else 0)
    if block.kind in ("body", "heading"):
        fmt.first_line_indent = Mm(nd30.FIRST_LINE_INDENT_MM)
    paragraph.alignment = {"centre": WD_ALIGN_PARAGRAPH.CENTER, "note": WD_ALIGN_PARAGRAPH.CENTER,
                           "plain": WD_ALIGN_PARAGRAPH.LEFT}.get(block.kind, WD_ALIGN_PARAGRAPH.JUSTIFY)
    if block.keep_with_next:
        fmt.keep_with_next = True
    size = 13 if block.kind == "note" else nd30.BODY_PT
    for run in block.runs:
        _text(paragraph, run.text, size, run.bold or block.kind == "heading", run.italic or block.kind == "note")
    return paragraph


def _repeat_header(row: _Row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    tr_pr.append(marker)


def _table(document: WordDocument, block: TableBlock, frame_mm: float) -> None:
    columns = len(block.widths)
    total = sum(block.widths)
    widths = [frame_mm * w / total for w in block.widths]
    table = document.add_table(rows=len(block.rows), cols=columns)
    table.style = "Table Grid"
    table.autofit = False
    for r, row in enumerate(block.rows):
        for c, cell in enumerate(row):
            target = table.cell(r, c)
            target.width = Mm(widths[c])
            _cell_text(target, cell, block.font_size)
    for r in range(block.header_rows):
        _repeat_header(table.rows[r])
    for span_row, first, last in block.col_spans:
        merged = table.cell(span_row, first).merge(table.cell(span_row, last))
        for extra in merged.paragraphs[1:]:
            if not extra.text:
                extra._p.getparent().remove(extra._p)
    _paragraph(document, "", space_after=4)


def _cell_text(target: DocxCell, cell: Cell, size: float) -> None:
    paragraph = target.paragraphs[0]
    paragraph.alignment = ALIGN[cell.align]
    paragraph.paragraph_format.space_after = Pt(0)
    if cell.text:
        _text(paragraph, cell.text, size, cell.bold, cell.italic)


def _signer(cell: _Cell, signer: Signer) -> None:
    for text in signer.lines:
        _paragraph(cell, text, nd30.SIGNER_PT, bold=True)
    for _ in range(4):
        _paragraph(cell, "", nd30.BODY_PT)
    _paragraph(cell, signer.name, nd30.BODY_PT, bold=True)


def _closing(document: WordDocument, doc: Document, frame_mm: float) -> None:
    if not doc.signer and not doc.recipients:
        return
    table = _borderless_table(document, [frame_mm * 0.45, frame_mm * 0.55])
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    left, right = _Cell(table.cell(0, 0)), _Cell(table.cell(0, 1))
    if doc.recipients:
        _paragraph(left, "Nơi nhận:", nd30.RECIPIENT_LABEL_PT, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
        for name in doc.recipients:
            _paragraph(left, f"- {name}", nd30.RECIPIENT_PT, align=WD_ALIGN_PARAGRAPH.LEFT)
    elif doc.left_signer:
        _signer(left, doc.left_signer)
    if doc.signer:
        _signer(right, doc.signer)
    for cell in table.rows[0].cells:  # Nơi nhận and the signer block: one unit with the paragraphs before it
        for paragraph in cell.paragraphs:
            paragraph.paragraph_format.keep_with_next = True
            paragraph.paragraph_format.keep_together = True


def _page_numbers(section: Section) -> None:
    """PAGE field centred in the header, with a different (empty) first-page header."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def render_docx(doc: Document) -> bytes:
    """The Word draft of one document."""
    nd30.register_fonts()  # rule lengths are measured with the same metrics as the PDF
    document = docx.Document()
    normal = document.styles["Normal"]
    _set_font(normal, nd30.BODY_PT)
    section = document.sections[0]
    width, height = (Mm(297), Mm(210)) if doc.landscape else (Mm(210), Mm(297))
    section.orientation = WD_ORIENT.LANDSCAPE if doc.landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = width, height
    section.top_margin, section.bottom_margin = Mm(nd30.MARGIN_TOP_MM), Mm(nd30.MARGIN_BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(nd30.MARGIN_LEFT_MM), Mm(nd30.MARGIN_RIGHT_MM)
    section.header_distance = Mm(8)
    frame_mm = (297 if doc.landscape else 210) - nd30.MARGIN_LEFT_MM - nd30.MARGIN_RIGHT_MM
    _page_numbers(section)
    _core_properties(document, doc)
    _header(document, doc, frame_mm)
    _title(document, doc, frame_mm)
    closing = doc.signer is not None or bool(doc.recipients)
    for index, block in enumerate(doc.blocks):
        if isinstance(block, TableBlock):
            _table(document, block, frame_mm)
        else:  # the last two paragraphs travel with the signature block
            _body(document, block, keep=closing and index >= len(doc.blocks) - KEPT_WITH_CLOSING)
    _closing(document, doc, frame_mm)
    buffer = io.BytesIO()
    document.save(buffer)
    return honest_package(buffer.getvalue(), doc.issuer)


#: Body paragraphs kept on the page of the signature block.
KEPT_WITH_CLOSING = 2
APP_XML = ("<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
           '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
           'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
           "<Application>{app}</Application><DocSecurity>0</DocSecurity><Company>{company}</Company>"
           "</Properties>")


def _core_properties(document: WordDocument, doc: Document) -> None:
    """Title, subject and author of this document, created now; nothing left from the template."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    core = document.core_properties
    core.title = f"{doc.type_title} {doc.summary}".strip()
    core.subject = doc.summary
    core.author = core.last_modified_by = doc.issuer
    core.comments = ""
    core.keywords = ""
    core.category = ""
    core.language = "vi-VN"
    core.created = core.modified = now
    core.revision = 1


def honest_package(data: bytes, issuer: str) -> bytes:
    """The saved .docx with the template's foreign metadata replaced: app.xml names this app (not "Microsoft
    Macintosh Word"), and the template's thumbnail picture is dropped with its relationship."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/thumbnail.jpeg":
                continue
            if info.filename == "docProps/app.xml":
                content = APP_XML.format(app=escape(APP_NAME), company=escape(issuer)).encode("utf-8")
            elif info.filename == "_rels/.rels":
                content = re.sub(rb"<Relationship [^>]*docProps/thumbnail\.jpeg\"/>", b"", content)
            elif info.filename == "[Content_Types].xml":
                content = re.sub(rb'<Default Extension="jpeg"[^>]*/>', b"", content)
            target.writestr(info, content)
    return out.getvalue()
