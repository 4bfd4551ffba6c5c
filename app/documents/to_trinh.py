"""Tờ trình đề nghị đánh giá, công nhận “Cộng đồng học tập” cấp xã (TT 25/2023 Điều 9 khoản 1 điểm d)."""

from __future__ import annotations

from app.documents.common import CDHT, criteria_summary, dossier_document, standard_recipients, status_label
from app.documents.data import DossierData
from app.documents.model import Document, Para, Run, para
from app.text import format_date_short


def build(data: DossierData) -> Document:
    commune, year, level = data.commune, data.year, data.level
    recipient = data.profile.recipient_authority
    catalogue = data.catalogue
    blocks: list[Para] = [
        para("Kính gửi: ", recipient, ".", kind="centre"),
        para(f"Căn cứ {catalogue.title};"),
    ]
    if data.meeting is not None:
        blocks.append(para(f"Căn cứ kết quả tự đánh giá và Biên bản họp xét kết quả tự đánh giá {CDHT} cấp xã "
                           f"năm {year} ngày {format_date_short(data.meeting.meeting_date)} của Ủy ban nhân dân "
                           f"xã {commune};"))
    else:
        blocks.append(para(f"Căn cứ kết quả tự đánh giá {CDHT} cấp xã năm {year} của Ủy ban nhân dân xã {commune};"))
    blocks.append(para(f"Ủy ban nhân dân xã {commune} đã tổ chức tự đánh giá theo các tiêu chí, chỉ tiêu quy định "
                       f"tại {catalogue.short_title} với số liệu tính từ ngày 01/01/{year} đến ngày 31/12/{year}. "
                       "Kết quả tự đánh giá như sau:"))
    for lv in (1, 2):
        crit_met, crit_total, ind_met, ind_total = criteria_summary(data, lv)
        verdict = status_label(data.assessment.level_status(lv))
        blocks.append(para(f"- Mức độ {lv}: đạt {crit_met}/{crit_total} tiêu chí, {ind_met}/{ind_total} chỉ tiêu; "
                           "kết quả: ", Run(verdict, bold=True), "."))
    if level:
        blocks.append(para(f"Ủy ban nhân dân xã {commune} kính trình {recipient} xem xét, đánh giá, công nhận "
                           f"xã {commune} đạt chuẩn {CDHT} cấp xã ", Run(f"mức độ {level}", bold=True), f" năm {year}."))
    else:
        blocks.append(para(f"Theo kết quả tự đánh giá, xã {commune} chưa đủ điều kiện đề nghị công nhận {CDHT} "
                           f"cấp xã năm {year}."))
    blocks.append(para("Hồ sơ kèm theo gồm:"))
    blocks.append(para(f"1. Báo cáo tự đánh giá, công nhận {CDHT} cấp xã năm {year};"))
    blocks.append(para("2. Bản tổng hợp kết quả đánh giá các tiêu chí, chỉ tiêu;"))
    blocks.append(para(f"3. Biên bản họp xét kết quả tự đánh giá {CDHT} cấp xã năm {year};"))
    blocks.append(para("4. Danh mục minh chứng."))
    blocks.append(para(f"Ủy ban nhân dân xã {commune} kính trình {recipient} xem xét, quyết định./."))
    return dossier_document(
        data, "to_trinh", "TỜ TRÌNH",
        f"Đề nghị đánh giá, công nhận {CDHT} cấp xã năm {year}", blocks,
        number_code="TTr-UBND", recipients=standard_recipients(data), signature_field=True,
    )
