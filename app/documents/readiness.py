"""What still blocks a dossier from being issued, in groups (the pre-flight list of `chốt hồ sơ` shows them):
content and signer, the meeting's composition (TT 25/2023 Điều 9 khoản 1 điểm c), the number and date of every
issued document, and the evidence register. Plus notes that do not block (what will not be printed and why)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.documents import texts as doc_texts
from app.domain.meeting import composition_problems
from app.evidence.register import register_problems
from app.storage.workspace import Workspace
from app.text import format_date_short

if TYPE_CHECKING:
    from app.domain.meeting import ReviewMeeting


@dataclass(frozen=True)
class ReadinessGroup:
    label: str
    problems: tuple[str, ...]


def _content(ws: Workspace, year: int, texts: dict[str, str], meeting: ReviewMeeting | None) -> list[str]:
    problems: list[str] = []
    if not ws.profile().signer_name.strip():
        problems.append("Chưa nhập họ tên người ký (Chủ tịch hoặc Phó Chủ tịch UBND xã) trong thông tin xã.")
    checklist = ws.checklist(year)
    assessment = checklist.assessment
    if assessment.level == 0:
        gaps = len(assessment.unmet(1))
        problems.append(f"Xã chưa đạt mức độ 1: còn {gaps} chỉ tiêu chưa đạt hoặc chưa có số liệu.")
    for key, label in doc_texts.NARRATIVE_FIELDS.items():
        if not texts[key].strip():
            problems.append(f"Chưa viết phần \"{label}\" của báo cáo tự đánh giá.")
    draft = doc_texts.meeting_draft(ws, year)
    if draft is not None:
        problems.append(f"Biên bản họp xét đang nhập dở, chưa thành biên bản: {draft.problem}")
    elif meeting is None:
        problems.append("Chưa ghi biên bản họp xét kết quả tự đánh giá (Điều 9 khoản 1 điểm c Thông tư 25/2023).")
    else:
        if not meeting.secretary_name:
            problems.append("Biên bản họp xét chưa ghi thư ký cuộc họp.")
        if not meeting.level_agreed:
            problems.append("Biên bản họp xét chưa ghi mức độ cuộc họp thống nhất đề nghị công nhận.")
        elif meeting.level_agreed > assessment.level:
            problems.append(f"Cuộc họp thống nhất đề nghị mức độ {meeting.level_agreed} nhưng theo số liệu xã "
                            f"chỉ đạt mức độ {assessment.level}.")
    lacking = checklist.lacking_evidence()
    if lacking:
        problems.append(f"{len(lacking)} chỉ tiêu thiếu minh chứng (chưa có minh chứng hoặc giải trình): "
                        + ", ".join(lacking) + ".")
    return problems


def _has_assignments(ws: Workspace, year: int) -> bool:
    return any(a.lead_unit or a.coordinating_units for a in ws.assignments(year))


def number_problems(ws: Workspace, year: int, texts: dict[str, str], meeting: ReviewMeeting | None) -> list[str]:
    """The số and ngày every issued document needs before signing (the Tổng hợp and the Danh mục carry the Tờ
    trình's; the Phân công its plan's; the Biên bản is dated the meeting's day)."""
    problems = []
    for key, (name, code) in doc_texts.NUMBERED_DOCUMENTS.items():
        if not texts[f"number.{key}"]:
            problems.append(f"{name}: chưa có số (…/{code}).")
        if key in doc_texts.DATED_DOCUMENTS:
            day = doc_texts.stored_date(texts, f"date.{key}")
            if day is None:
                problems.append(f"{name}: chưa có ngày ký.")
            elif meeting is not None and day < meeting.meeting_date:
                problems.append(f"{name}: ngày ký {format_date_short(day)} trước ngày họp xét "
                                f"{format_date_short(meeting.meeting_date)}, trong khi văn bản dẫn kết quả cuộc họp.")
    if _has_assignments(ws, year):
        if not texts["plan.number"]:
            problems.append("Phân công (kèm theo Kế hoạch của xã): chưa có số Kế hoạch.")
        if not texts["plan.date"]:
            problems.append("Phân công (kèm theo Kế hoạch của xã): chưa có ngày Kế hoạch.")
    return problems


def readiness_groups(ws: Workspace, year: int) -> list[ReadinessGroup]:
    """Every blocking check of the year's documents, grouped as the pre-flight list shows them."""
    texts = doc_texts.document_texts(ws, year)
    meeting = doc_texts.review_meeting(ws, year)
    composition = composition_problems(meeting, doc_texts.organisations(ws)) if meeting is not None else []
    return [
        ReadinessGroup("Nội dung báo cáo, biên bản họp xét, người ký", tuple(_content(ws, year, texts, meeting))),
        ReadinessGroup("Thành phần họp xét (Điều 9 khoản 1 điểm c Thông tư 25/2023)", tuple(composition)),
        ReadinessGroup("Số và ngày của văn bản ban hành", tuple(number_problems(ws, year, texts, meeting))),
        ReadinessGroup("Danh mục minh chứng: số, ký hiệu, ngày, cơ quan ban hành, trích yếu",
                       tuple(register_problems(ws, year))),
    ]


def document_readiness(ws: Workspace, year: int) -> list[str]:
    """Vietnamese descriptions of what blocks the year's dossier; empty when it is ready to print and send."""
    return [problem for group in readiness_groups(ws, year) for problem in group.problems]


def document_notes(ws: Workspace, year: int) -> list[str]:
    """What does not block but the user should know: documents that will not be printed, and why."""
    notes = []
    if not _has_assignments(ws, year):
        notes.append("Chưa phân công đơn vị thu thập số liệu, minh chứng: Phân công (kèm theo Kế hoạch) sẽ không "
                     "được in trong hồ sơ.")
    from app.documents.legal_bases import pending_suggestions

    pending = pending_suggestions(ws, year)
    if pending:
        notes.append(f"Có {len(pending)} văn bản năm 2025 được gợi ý làm căn cứ nhưng chưa được xác nhận nên chưa "
                     "in; xem và xác nhận ở mục Căn cứ.")
    return notes
