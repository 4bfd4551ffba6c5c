"""The Công văn trả lời to a commune that does not qualify, stating the reasons indicator by indicator.

A công văn has no document-type title: its summary ("V/v …") stands under the number, in the issuing body's
column (NĐ 30/2020 Phụ lục I). It is laid out here from the document engine's public building blocks.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, cast

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, SimpleDocTemplate, Spacer, Table, TableStyle

from app.documents import nd30
from app.documents.model import Document, Para, Run, para
from app.recipient.appraisal import describe_sitting
from app.recipient.decisions import DEFAULT_REPLY_CODE
from app.recipient.documents.common import document, head_signer, received_text, split_number, verdict_text
from app.recipient.documents.data import CDHT, CommuneResult, RoundData

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus.doctemplate import BaseDocTemplate

SUMMARY_PT = 12


def subject_line(data: RoundData) -> str:
    return f"V/v trả lời hồ sơ đề nghị công nhận {CDHT} cấp xã năm {data.year}"


def build_reply(data: RoundData, result: CommuneResult) -> Document:
    appraisal = result.appraisal
    level = appraisal.level_requested
    commune = f"Ủy ban nhân dân xã {result.commune}"
    blocks: list[Para] = [para("Kính gửi: ", commune, ".", kind="centre")]
    blocks.append(para(f"{data.agency.name} đã nhận hồ sơ đề nghị công nhận xã {result.commune} đạt chuẩn {CDHT} cấp "
                       f"xã mức độ {level} năm {data.year} (gói hồ sơ phiên bản {result.row.version}, nhận ngày "
                       f"{received_text(result.row.received_at)})."))
    blocks.append(para(f"Căn cứ {data.catalogue.title}, Hội đồng đánh giá đã thẩm định hồ sơ bằng hình thức "
                       f"{describe_sitting(data.council)}. Kết quả: xã {result.commune} chưa đủ điều kiện công nhận "
                       f"đạt chuẩn {CDHT} cấp xã mức độ {level} năm {data.year}, vì các chỉ tiêu sau không đạt:"))
    for item, verdict in appraisal.not_met():
        reason = verdict.note or item.self_reasons.get(level, "")
        blocks.append(para(Run(f"- Chỉ tiêu {item.indicator_id}", bold=True), f" ({item.text.rstrip('.')}): "
                           f"{verdict_text(verdict.status)}" + (f". Lý do: {reason.rstrip('.')}." if reason else "."),
                           kind="plain"))
    blocks.append(para(f"{data.agency.name} thông báo để {commune} biết./."))
    outcome = result.outcome
    number, code = split_number(outcome.reply_number if outcome else "", DEFAULT_REPLY_CODE)
    return document(data, "cong_van_tra_loi", "", subject_line(data), blocks, number_code=code, number=number,
                    date=outcome.reply_date if outcome else None, signer=head_signer(data),
                    recipients=["Như trên", "Lưu: VT"], file_stem=f"cong_van_tra_loi_{_slug(result.commune)}_{data.year}")


def _slug(text: str) -> str:
    from app.dossier.package import slug

    return slug(text)


def _summary_block(doc: Document, width: float) -> Flowable:
    """The 'V/v …' lines, centred under the number in the issuing body's column."""
    text = nd30.line(doc.summary, nd30.style(SUMMARY_PT, align=TA_CENTER, leading=SUMMARY_PT * 1.2))
    table = Table([[text, ""]], colWidths=[nd30.HEADER_LEFT_MM * mm, width - nd30.HEADER_LEFT_MM * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 2)]))
    return table


def _number_pages(canvas: Canvas, template: BaseDocTemplate) -> None:
    canvas.saveState()
    canvas.setFont(nd30.FONT, nd30.PAGE_NUMBER_PT)
    width, height = template.pagesize
    canvas.drawCentredString(width / 2, height - nd30.MARGIN_TOP_MM * mm / 2 - 2 * mm, str(canvas.getPageNumber()))
    canvas.restoreState()


def render_letter(doc: Document) -> bytes:
    """A công văn on A4: header, 'V/v' under the number, body, Nơi nhận and signer, page numbers from page 2."""
    nd30.register_fonts()
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=nd30.MARGIN_LEFT_MM * mm, rightMargin=nd30.MARGIN_RIGHT_MM * mm,
        topMargin=nd30.MARGIN_TOP_MM * mm, bottomMargin=nd30.MARGIN_BOTTOM_MM * mm, title=doc.summary,
        author=" ".join(doc.issuing_lines), subject=doc.summary, creator="CĐHT xã",
        initialFontName=nd30.FONT, initialFontSize=nd30.BODY_PT)
    story: list[Flowable] = [nd30.header_block(doc, template.width), _summary_block(doc, template.width),
                             Spacer(1, 6 * mm)]
    story += [nd30.paragraph_flowable(cast(Para, block)) for block in doc.blocks]  # a letter has no tables
    last = [story.pop()]
    story += nd30.closing_flowables(doc, template.width, last)
    template.build(story, onLaterPages=_number_pages)
    return buffer.getvalue()
