"""Tờ trình đề nghị đánh giá, công nhận “Cộng đồng học tập” cấp xã (TT 25/2023 Điều 9 khoản 1 điểm d)."""

from __future__ import annotations

from app.documents.common import CDHT, dossier_document, standard_recipients
from app.documents.data import DossierData
from app.documents.model import Document, Para, Run, para
from app.documents.phrases import legal_bases, level_lines, listed, minutes_reference
from app.text import format_date_short


def _attachments(data: DossierData) -> list[str]:
    """The documents sent with the Tờ trình, each with its number and date once they are given."""
    year = data.year
    report = f"Báo cáo tự đánh giá {CDHT} cấp xã năm {year}"
    if data.reference("bao_cao"):
        report = f"Báo cáo số {data.reference('bao_cao')}"
        if issued := data.issue_date("bao_cao"):
            report += f" ngày {format_date_short(issued)}"
        report += f" về kết quả tự đánh giá {CDHT} cấp xã năm {year}"
    items = [report, "Bản tổng hợp kết quả đánh giá các tiêu chí, chỉ tiêu"]
    if data.meeting is not None:
        items.append(f"{minutes_reference(data)} họp xét kết quả tự đánh giá {CDHT} cấp xã năm {year}")
    if data.evidence:
        items.append(f"Danh mục minh chứng ({len(data.evidence)} minh chứng)")
    return [f"{number}. {item}" for number, item in enumerate(items, start=1)]


def build(data: DossierData) -> Document:
    commune, year, level = data.place, data.year, data.level
    recipient = data.profile.recipient_authority
    bases = legal_bases(data)
    if data.meeting is not None:
        bases.append(f"kết quả tự đánh giá và {minutes_reference(data)} họp xét kết quả tự đánh giá {CDHT} cấp xã "
                     f"năm {year} của {data.ubnd}")
    else:
        bases.append(f"kết quả tự đánh giá {CDHT} cấp xã năm {year} của {data.ubnd}")
    blocks: list[Para] = [para("Kính gửi: ", recipient, ".", kind="centre"), *listed(bases, "Căn cứ ")]
    blocks.append(para(f"{data.ubnd} đã tổ chức tự đánh giá theo các tiêu chí, chỉ tiêu quy định tại "
                       f"{data.catalogue.short_title} với số liệu tính từ ngày 01/01/{year} đến ngày 31/12/{year}. "
                       "Kết quả tự đánh giá như sau:"))
    blocks += level_lines(data)
    blocks.append(para("Hồ sơ kèm theo gồm:", keep_with_next=True))
    blocks += listed(_attachments(data))
    if level:
        blocks.append(para(f"{data.ubnd} kính trình {recipient} xem xét, đánh giá, công nhận {commune} đạt chuẩn "
                           f"{CDHT} cấp xã ", Run(f"mức độ {level}", bold=True), f" năm {year}./."))
    else:
        blocks.append(para(f"Theo kết quả tự đánh giá, {commune} chưa đủ điều kiện đề nghị công nhận {CDHT} cấp xã "
                           f"năm {year}; {data.ubnd} kính báo cáo {recipient}./."))
    return dossier_document(
        data, "to_trinh", "TỜ TRÌNH",
        f"Đề nghị đánh giá, công nhận {CDHT} cấp xã năm {year}", blocks,
        number_code="TTr-UBND", recipients=standard_recipients(data), signature_field=True,
    )
