"""Biên bản họp xét kết quả tự đánh giá (TT 25/2023 Điều 9 khoản 1 điểm c), from the recorded meeting."""

from __future__ import annotations

from app.documents.common import CDHT, criteria_summary, dossier_document, status_label
from app.documents.data import DossierData
from app.documents.model import Document, Para, Run, Signer, para, paragraphs
from app.errors import InputError
from app.text import format_date_long


def _person(name: str, title: str, organisation: str = "") -> str:
    return ", ".join(part for part in (name, title, organisation) if part)


def build(data: DossierData) -> Document:
    meeting = data.meeting
    if meeting is None:
        raise InputError(f"Chưa ghi biên bản họp xét kết quả tự đánh giá năm {data.year}; "
                         "hãy nhập thông tin cuộc họp trước khi in biên bản.")
    commune, year, assessment = data.commune, data.year, data.assessment
    time = f"Vào hồi {meeting.start_time}, " if meeting.start_time else ""
    blocks: list[Para] = [
        para(f"{time}{format_date_long(meeting.meeting_date)}, tại {meeting.place or 'trụ sở Ủy ban nhân dân xã'}, "
             f"Ủy ban nhân dân xã {commune} tổ chức họp xét kết quả tự đánh giá {CDHT} cấp xã năm {year}."),
        para("I. THÀNH PHẦN", kind="heading"),
        para("1. Chủ trì: ", _person(meeting.chair_name, meeting.chair_title), "."),
        para("2. Thư ký: ", _person(meeting.secretary_name, meeting.secretary_title) or "…", "."),
        para(f"3. Thành phần tham dự ({len(meeting.attendees)} người):"),
    ]
    blocks += [para(f"- {_person(a.name, a.title, a.organisation)};") for a in meeting.attendees]
    blocks.append(para("II. NỘI DUNG", kind="heading"))
    blocks.append(para(f"Cuộc họp đã nghe dự thảo Báo cáo tự đánh giá và Bản tổng hợp kết quả đánh giá các tiêu chí, "
                       f"chỉ tiêu {CDHT} cấp xã năm {year} (số liệu từ ngày 01/01/{year} đến ngày 31/12/{year}). "
                       "Kết quả tự đánh giá:"))
    for lv in (1, 2):
        crit_met, crit_total, ind_met, ind_total = criteria_summary(data, lv)
        blocks.append(para(f"- Mức độ {lv}: đạt {crit_met}/{crit_total} tiêu chí, {ind_met}/{ind_total} chỉ tiêu; "
                           "kết quả: ", Run(status_label(assessment.level_status(lv)), bold=True), "."))
    blocks += paragraphs(meeting.content)
    blocks.append(para("III. KẾT LUẬN", kind="heading"))
    blocks += paragraphs(meeting.conclusions)
    if meeting.level_agreed:
        blocks.append(para(f"Cuộc họp thống nhất đề nghị công nhận xã {commune} đạt chuẩn {CDHT} cấp xã ",
                           Run(f"mức độ {meeting.level_agreed}", bold=True), f" năm {year}."))
    ending = f"Cuộc họp kết thúc vào hồi {meeting.end_time} cùng ngày. " if meeting.end_time else "Cuộc họp kết thúc cùng ngày. "
    blocks.append(para(ending + "Biên bản đã được đọc lại cho các thành viên dự họp nghe và nhất trí thông qua./."))
    return dossier_document(
        data, "bien_ban", "BIÊN BẢN", f"Họp xét kết quả tự đánh giá {CDHT} cấp xã năm {year}", blocks,
        number_code="BB-UBND", date=meeting.meeting_date, signature_field=True,
        signer=Signer(("CHỦ TRÌ",), meeting.chair_name), left_signer=Signer(("THƯ KÝ",), meeting.secretary_name),
    )
