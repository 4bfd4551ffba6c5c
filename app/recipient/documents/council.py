"""The council's file to the head of the agency (TT 25/2023 Điều 9 khoản 2 điểm đ): the Báo cáo thẩm định and the
Tờ trình đề nghị công nhận."""

from __future__ import annotations

from app.documents.model import Cell, Document, Para, Run, TableBlock, para
from app.domain.rules import MET
from app.recipient.appraisal import describe_sitting
from app.recipient.documents.common import (
    ARCHIVE,
    council_signer,
    count_phrase,
    document,
    head_name,
    header,
    level_text,
    verdict_text,
)
from app.recipient.documents.data import CDHT, CommuneResult, RoundData
from app.text import format_date_short

RESULT_HEADER = ("TT", "Xã", "Mức độ đề nghị", "Chỉ tiêu đạt", "Kết quả thẩm định", "Chỉ tiêu Hội đồng đánh giá "
                 "khác kết quả tự đánh giá")
RESULT_WIDTHS = (5, 22, 12, 11, 13, 37)


def _met_count(result: CommuneResult) -> str:
    level = result.appraisal.level_requested
    met = sum(1 for i in result.appraisal.indicators if level in i.council and i.council[level].status == MET)
    return f"{met}/{len(result.appraisal.indicators)}"


def _differences(result: CommuneResult) -> str:
    items = [f"{item.indicator_id} (mức độ {level}): {verdict_text(item.council[level].status)}"
             for item, level in result.appraisal.differences()]
    return "; ".join(items) or "Không có"


def results_table(data: RoundData) -> TableBlock:
    rows = [header(*RESULT_HEADER)]
    for number, result in enumerate(data.results, start=1):
        rows.append((Cell(str(number), align="centre"), Cell(result.commune),
                     Cell(level_text(result.appraisal.level_requested), align="centre"),
                     Cell(_met_count(result), align="centre"), Cell(level_text(result.level), align="centre"),
                     Cell(_differences(result))))
    return TableBlock(widths=RESULT_WIDTHS, rows=tuple(rows), font_size=11)


def _intake_paragraphs(data: RoundData) -> list[Para]:
    total = len(data.rows)
    text = (f"{data.agency.name} đã nhận hồ sơ đề nghị công nhận {CDHT} cấp xã năm {data.year} của "
            f"{count_phrase(data.received)}/{count_phrase(total)} trong danh sách; trong đó "
            f"{count_phrase(data.valid, 'hồ sơ')} hợp lệ về chữ ký số và tính toàn vẹn")
    if data.late:
        text += f", {count_phrase(data.late, 'hồ sơ')} nộp sau hạn ngày {format_date_short(data.deadline)}"
    return [para(text + "."), para(f"Hội đồng đã kết luận thẩm định {count_phrase(len(data.results), 'hồ sơ')}.")]


def _council_paragraphs(data: RoundData) -> list[Para]:
    council = data.council
    blocks = [para(f"Hội đồng đánh giá gồm {count_phrase(len(council.members), 'thành viên')}:")]
    for member in council.members:
        title = f", {member.title}" if member.title else ""
        blocks.append(para(f"- {member.name}{title}: {member.role_label};", kind="plain"))
    blocks.append(para(f"Hội đồng thẩm định hồ sơ bằng hình thức {describe_sitting(council)}, ghi kết quả đạt hoặc "
                       "không đạt cho từng chỉ tiêu của từng xã."))
    return blocks


def _finding_paragraphs(data: RoundData) -> list[Para]:
    blocks: list[Para] = []
    for result in data.results:
        differences = result.appraisal.differences()
        if not differences:
            continue
        blocks.append(para(Run(f"Xã {result.commune}", bold=True), ":"))
        for item, level in differences:
            verdict = item.council[level]
            own = verdict_text(item.self_verdicts.get(level, "missing"))
            blocks.append(para(f"- Chỉ tiêu {item.indicator_id}, mức độ {level}: xã tự đánh giá {own}, Hội đồng đánh "
                               f"giá {verdict_text(verdict.status)}. Lý do: {verdict.note.rstrip('.')}.", kind="plain"))
    return blocks


def _proposal(data: RoundData) -> list[Para]:
    recognised = data.recognised
    parts = [f"mức độ {lv}: {count_phrase(len(data.recognised_at(lv)))}" for lv in (1, 2) if data.recognised_at(lv)]
    blocks = []
    if recognised:
        blocks.append(para(f"Hội đồng đề nghị {head_name(data)} công nhận {count_phrase(len(recognised))} đạt chuẩn "
                           f"{CDHT} cấp xã năm {data.year} ({'; '.join(parts)})."))
    if data.refused:
        names = ", ".join(r.commune for r in data.refused)
        blocks.append(para(f"{count_phrase(len(data.refused)).capitalize()} chưa đủ điều kiện công nhận ({names}); Hội "
                           f"đồng đề nghị {head_name(data)} có văn bản trả lời, nêu rõ lý do."))
    return blocks


def build_report(data: RoundData) -> Document:
    """Báo cáo thẩm định of the council."""
    blocks: list[Para | TableBlock] = [para("Kính gửi: ", head_name(data), ".", kind="centre")]
    blocks += [para(f"Căn cứ {basis};") for basis in data.legal_bases]
    blocks.append(para(f"Hội đồng đánh giá báo cáo kết quả thẩm định hồ sơ đề nghị công nhận {CDHT} cấp xã năm "
                       f"{data.year} như sau:"))
    blocks.append(para("I. TÌNH HÌNH TIẾP NHẬN HỒ SƠ", kind="heading"))
    blocks += _intake_paragraphs(data)
    blocks.append(para("II. TỔ CHỨC THẨM ĐỊNH", kind="heading"))
    blocks += _council_paragraphs(data)
    blocks.append(para("III. KẾT QUẢ THẨM ĐỊNH", kind="heading"))
    blocks.append(results_table(data))
    findings = _finding_paragraphs(data)
    if findings:
        blocks.append(para("Các chỉ tiêu Hội đồng đánh giá khác kết quả tự đánh giá của xã:"))
        blocks += findings
    blocks.append(para("IV. KIẾN NGHỊ", kind="heading"))
    blocks += _proposal(data)
    return document(data, "bao_cao_tham_dinh", "BÁO CÁO",
                    f"Kết quả thẩm định hồ sơ đề nghị công nhận {CDHT} cấp xã năm {data.year}", blocks,
                    number_code="BC-HĐĐG", date=data.council.sitting_date, signer=council_signer(data),
                    recipients=[head_name(data), ARCHIVE], council=True)


def build_submission(data: RoundData) -> Document:
    """Tờ trình đề nghị công nhận of the council, with the file it submits."""
    recognised = data.recognised
    blocks: list[Para | TableBlock] = [para("Kính gửi: ", head_name(data), ".", kind="centre")]
    blocks += [para(f"Căn cứ {basis};") for basis in data.legal_bases]
    blocks.append(para(f"Căn cứ kết quả thẩm định của Hội đồng đánh giá ({describe_sitting(data.council)}),"))
    if recognised:
        levels = "; ".join(f"mức độ {lv}: {count_phrase(len(data.recognised_at(lv)))}" for lv in (1, 2)
                           if data.recognised_at(lv))
        blocks.append(para(f"Hội đồng đánh giá kính trình {head_name(data)} xem xét, quyết định công nhận "
                           f"{count_phrase(len(recognised))} đạt chuẩn {CDHT} cấp xã năm {data.year} ({levels}), theo "
                           "danh sách kèm theo dự thảo Quyết định."))
    if data.refused:
        blocks.append(para(f"{count_phrase(len(data.refused)).capitalize()} chưa đủ điều kiện công nhận; Hội đồng đã "
                           "dự thảo văn bản trả lời từng xã, nêu rõ lý do."))
    blocks.append(para("Hồ sơ kèm theo gồm:"))
    blocks.append(para("1. Báo cáo thẩm định của Hội đồng đánh giá;", kind="plain"))
    blocks.append(para("2. Bảng tổng hợp kết quả đánh giá các tiêu chí, chỉ tiêu do Hội đồng thẩm định của từng xã;", kind="plain"))
    blocks.append(para(f"3. Dự thảo Quyết định công nhận xã đạt chuẩn {CDHT} cấp xã năm {data.year}.", kind="plain"))
    blocks.append(para(f"Hội đồng đánh giá kính trình {head_name(data)} xem xét, quyết định./."))
    return document(data, "to_trinh_cong_nhan", "TỜ TRÌNH",
                    f"Đề nghị công nhận xã đạt chuẩn {CDHT} cấp xã năm {data.year}", blocks,
                    number_code="TTr-HĐĐG", date=data.council.sitting_date, signer=council_signer(data),
                    recipients=[head_name(data), ARCHIVE], council=True)
