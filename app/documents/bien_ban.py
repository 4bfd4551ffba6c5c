"""Biên bản họp xét kết quả tự đánh giá (TT 25/2023 Điều 9 khoản 1 điểm c), from the recorded meeting."""

from __future__ import annotations

from app.documents.common import CDHT, dossier_document
from app.documents.data import DossierData
from app.documents.model import Document, Para, Signer, para, paragraphs
from app.documents.phrases import conclusion_paragraphs, level_lines, listed, reason_text
from app.domain.meeting import meeting_facts
from app.errors import InputError
from app.text import format_date_long


def _person(name: str, title: str) -> str:
    return ", ".join(part for part in (name, title) if part)


def build(data: DossierData) -> Document:
    meeting = data.meeting
    if meeting is None:
        raise InputError(f"Chưa ghi biên bản họp xét kết quả tự đánh giá năm {data.year}; "
                         "hãy nhập thông tin cuộc họp trước khi in biên bản.")
    year = data.year
    facts = meeting_facts(meeting)
    time = f"Vào hồi {meeting.start_time}, " if meeting.start_time else ""
    opening = (f"{time}{format_date_long(meeting.meeting_date)}, tại {meeting.place or 'trụ sở ' + data.ubnd}, "
               f"{data.ubnd} tổ chức họp xét kết quả tự đánh giá {CDHT} cấp xã năm {year}.")
    blocks: list[Para] = [para(opening[0].upper() + opening[1:]), para("I. THÀNH PHẦN", kind="heading"),
                          para(f"1. Chủ trì: {_person(meeting.chair_name, meeting.chair_title)}.")]
    if meeting.secretary_name:
        blocks.append(para(f"2. Thư ký: {_person(meeting.secretary_name, meeting.secretary_title)}."))
    number = 3 if meeting.secretary_name else 2
    blocks.append(para(f"{number}. Thành phần tham dự: {facts.present_count} đại biểu"
                       + (":" if facts.present_count else "."), keep_with_next=bool(facts.present_count)))
    blocks += listed([a.described for a in meeting.present], "- ")
    if facts.absent_count:
        blocks.append(para(f"{number + 1}. Vắng mặt: {facts.absent_count} đại biểu:", keep_with_next=True))
        blocks += listed([f"{a.described}, lý do: {reason_text(a.absence_reason)}" for a in meeting.absent], "- ")
    blocks.append(para("II. NỘI DUNG", kind="heading"))
    blocks.append(para(f"Cuộc họp xét kết quả tự đánh giá {CDHT} cấp xã năm {year} theo {data.catalogue.short_title}, "
                       f"số liệu tính từ ngày 01/01/{year} đến ngày 31/12/{year}. Kết quả tự đánh giá:"))
    blocks += level_lines(data)
    blocks += paragraphs(meeting.content)
    blocks.append(para("III. KẾT LUẬN", kind="heading"))
    blocks += conclusion_paragraphs(data)
    if meeting.end_time:
        blocks.append(para(f"Cuộc họp kết thúc vào hồi {meeting.end_time} cùng ngày./."))
    elif blocks and isinstance(blocks[-1], Para) and blocks[-1].kind != "heading":
        last = blocks.pop()
        blocks.append(para(last.text.rstrip(".") + "./."))
    return dossier_document(
        data, "bien_ban", "BIÊN BẢN", f"Họp xét kết quả tự đánh giá {CDHT} cấp xã năm {year}", blocks,
        number_code="BB-UBND", signature_field=True,
        signer=Signer(("CHỦ TRÌ",), meeting.chair_name),
        left_signer=Signer(("THƯ KÝ",), meeting.secretary_name) if meeting.secretary_name else None,
    )
