"""Báo cáo tự đánh giá, công nhận “Cộng đồng học tập” cấp xã (TT 25/2023 Điều 9 khoản 1 điểm b).

Narrative sections come from the texts the commune writes; every figure and verdict from the rules engine.
"""

from __future__ import annotations

from app.documents.common import (
    CDHT,
    criteria_summary,
    dossier_document,
    evidence_codes_text,
    standard_recipients,
    status_label,
)
from app.documents.data import DossierData
from app.documents.model import Document, Para, Run, para, paragraphs
from app.domain.rules import IndicatorResult
from app.services.workspace import EXPLANATION_FIELD
from app.text import format_date_short

#: Legal bases from 2025 on (two-tier local government); (first assessment year they apply to, text).
LEGAL_BASES_2025 = (
    (2025, "Nghị định số 142/2025/NĐ-CP ngày 12/6/2025 của Chính phủ quy định về phân định thẩm quyền của chính "
           "quyền địa phương 02 cấp trong lĩnh vực quản lý nhà nước của Bộ Giáo dục và Đào tạo"),
    (2025, "Thông tư số 11/2025/TT-BGDĐT ngày 12/6/2025 của Bộ trưởng Bộ Giáo dục và Đào tạo quy định về phân quyền, "
           "phân cấp và phân định thẩm quyền thực hiện nhiệm vụ quản lý nhà nước của chính quyền địa phương hai cấp "
           "đối với giáo dục nghề nghiệp và giáo dục thường xuyên, được sửa đổi, bổ sung bởi Thông tư số "
           "26/2025/TT-BGDĐT"),
    (2025, "Thông tư số 15/2025/TT-BGDĐT ngày 24/7/2025 của Bộ trưởng Bộ Giáo dục và Đào tạo hướng dẫn chức năng, "
           "nhiệm vụ, quyền hạn của Sở Giáo dục và Đào tạo thuộc Ủy ban nhân dân cấp tỉnh và Phòng Văn hóa - Xã hội "
           "thuộc Ủy ban nhân dân xã, phường, đặc khu"),
)

NOT_WRITTEN = "(Chưa nhập nội dung.)"


def legal_bases(data: DossierData) -> list[str]:
    bases = [data.catalogue.title]
    bases += [text for since, text in LEGAL_BASES_2025 if data.year >= since]
    bases += [line.strip().rstrip(";.") for line in data.texts.get("extra_bases", "").splitlines() if line.strip()]
    return bases


def _narrative(data: DossierData, key: str) -> list[Para]:
    return paragraphs(data.texts.get(key, "")) or [para(NOT_WRITTEN, italic=True)]


def _evidence_line(data: DossierData, result: IndicatorResult) -> str:
    codes = data.evidence_codes(result.id)
    if codes:
        return evidence_codes_text(codes) + "."
    explanation = str(data.values.get(result.id, {}).get(EXPLANATION_FIELD, "")).strip()
    if explanation:
        return f"Không có minh chứng; giải trình: {explanation}"
    return "Chưa có minh chứng."


def _verdict_runs(result_verdicts) -> list[str | Run]:
    runs: list[str | Run] = []
    for lv in (1, 2):
        verdict = result_verdicts[lv]
        runs += [f"mức độ {lv}: ", Run(status_label(verdict.status), bold=True), f" ({verdict.reason})"]
        runs.append("; " if lv == 1 else ".")
    return runs


def indicator_section(data: DossierData, result: IndicatorResult) -> list[Para]:
    """One chỉ tiêu: figure, situation, what was done, evidence codes and the verdict at both levels."""
    values = data.values.get(result.id, {})
    items: list[tuple[str, list[str | Run]]] = [("Kết quả, số liệu: ", [result.figure or "Chưa nhập số liệu."])]
    for field, label in (("situation", "Hiện trạng: "), ("description", "Nội dung đã thực hiện: "),
                         ("data_source", "Nguồn số liệu: "), ("strengths", "Điểm mạnh: "),
                         ("limitations", "Hạn chế: ")):
        text = str(values.get(field, "")).strip()
        if text:
            items.append((label, [text]))
    if values.get("decision_number"):
        when = f", ngày {values['decision_date']}" if values.get("decision_date") else ""
        items.append(("Quyết định công nhận: ", [f"số {values['decision_number']}{when}."]))
    items.append(("Minh chứng: ", [_evidence_line(data, result)]))
    items.append(("Tự đánh giá: ", _verdict_runs(result.verdicts)))
    blocks = [para(Run(f"Chỉ tiêu {result.id}. ", bold=True), Run(result.indicator.text, italic=True))]
    for letter, (label, parts) in zip("abcdefghij", items, strict=False):
        blocks.append(para(f"{letter}) {label}", *parts))
    return blocks


def build(data: DossierData) -> Document:
    commune, year, assessment = data.commune, data.year, data.assessment
    blocks: list[Para] = [para("I. CĂN CỨ PHÁP LÝ", kind="heading")]
    blocks += [para(f"- {text};") for text in legal_bases(data)]
    blocks.append(para("II. ĐẶC ĐIỂM TÌNH HÌNH", kind="heading"))
    blocks += _narrative(data, "situation")
    blocks.append(para("III. QUÁ TRÌNH TỔ CHỨC TỰ ĐÁNH GIÁ", kind="heading"))
    blocks += _narrative(data, "process")
    if data.meeting is not None:
        meeting = data.meeting
        chair = f"{meeting.chair_name}, {meeting.chair_title}" if meeting.chair_title else meeting.chair_name
        blocks.append(para(f"Ngày {format_date_short(meeting.meeting_date)}, Ủy ban nhân dân xã tổ chức họp xét, "
                           f"thống nhất kết quả tự đánh giá do {chair} chủ trì, với sự tham dự của "
                           f"{len(meeting.attendees)} đại biểu đại diện Hội Khuyến học, Ủy ban Mặt trận Tổ quốc "
                           "Việt Nam xã và các tổ chức chính trị - xã hội."))
    blocks.append(para("IV. KẾT QUẢ TỰ ĐÁNH GIÁ THEO TỪNG TIÊU CHÍ, CHỈ TIÊU", kind="heading"))
    for criterion in data.catalogue.criteria:
        blocks.append(para(f"Tiêu chí {criterion.id}. {criterion.name}", kind="heading"))
        for indicator in criterion.indicators:
            blocks += indicator_section(data, assessment.indicators[indicator.id])
        verdicts = assessment.criteria[criterion.id].verdicts
        blocks.append(para(Run(f"Kết luận tiêu chí {criterion.id}: ", bold=True), *_verdict_runs(verdicts)))
    blocks.append(para("V. ĐÁNH GIÁ CHUNG", kind="heading"))
    blocks.append(para("1. Ưu điểm", bold=True))
    blocks += _narrative(data, "strengths")
    blocks.append(para("2. Hạn chế", bold=True))
    blocks += _narrative(data, "limitations")
    blocks.append(para("VI. KẾT LUẬN", kind="heading"))
    for lv in (1, 2):
        crit_met, crit_total, ind_met, ind_total = criteria_summary(data, lv)
        blocks.append(para(f"- Mức độ {lv}: đạt {crit_met}/{crit_total} tiêu chí, {ind_met}/{ind_total} chỉ tiêu; "
                           "kết quả: ", Run(status_label(assessment.level_status(lv)), bold=True), "."))
    if data.level:
        blocks.append(para(f"Căn cứ kết quả tự đánh giá, Ủy ban nhân dân xã {commune} đề nghị xem xét, công nhận "
                           f"xã {commune} đạt chuẩn {CDHT} cấp xã ", Run(f"mức độ {data.level}", bold=True),
                           f" năm {year}."))
    else:
        blocks.append(para(f"Căn cứ kết quả tự đánh giá, xã {commune} chưa đủ điều kiện đề nghị công nhận {CDHT} "
                           f"cấp xã năm {year}."))
    blocks.append(para("VII. KIẾN NGHỊ", kind="heading"))
    blocks += _narrative(data, "recommendations")
    blocks.append(para(f"Trên đây là Báo cáo kết quả tự đánh giá {CDHT} cấp xã năm {year} của Ủy ban nhân dân "
                       f"xã {commune}./."))
    return dossier_document(
        data, "bao_cao", "BÁO CÁO", f"Kết quả tự đánh giá {CDHT} cấp xã năm {year}", blocks,
        number_code="BC-UBND", recipients=standard_recipients(data), signature_field=True,
    )
