"""What still blocks a dossier: the review meeting, the narrative texts, the level, the evidence, the signer."""

from __future__ import annotations

from app.services import documents as docs
from app.services.workspace import Workspace
from app.text import fold

#: Organisations TT 25/2023 Điều 9 khoản 1 điểm c expects at the review meeting, as folded name fragments.
REQUIRED_ATTENDEES = {
    "Hội Khuyến học xã": ("khuyen hoc",),
    "Ủy ban Mặt trận Tổ quốc Việt Nam xã": ("mat tran", "mttq"),
}


def document_readiness(ws: Workspace, year: int) -> list[str]:
    """Vietnamese descriptions of what blocks the year's dossier; empty when it is ready to print and send."""
    problems: list[str] = []
    profile = ws.profile()
    if not profile.signer_name.strip():
        problems.append("Chưa nhập họ tên người ký (Chủ tịch hoặc Phó Chủ tịch UBND xã) trong thông tin xã.")
    checklist = ws.checklist(year)
    assessment = checklist.assessment
    if assessment.level == 0:
        gaps = len(assessment.unmet(1))
        problems.append(f"Xã chưa đạt mức độ 1: còn {gaps} chỉ tiêu chưa đạt hoặc chưa có số liệu.")
    texts = docs.document_texts(ws, year)
    for key, label in docs.NARRATIVE_FIELDS.items():
        if not texts[key].strip():
            problems.append(f"Chưa viết phần \"{label}\" của báo cáo tự đánh giá.")
    meeting = docs.review_meeting(ws, year)
    if meeting is None:
        problems.append("Chưa ghi biên bản họp xét kết quả tự đánh giá (Điều 9 khoản 1 điểm c Thông tư 25/2023).")
    else:
        organisations = " | ".join(fold(f"{a.organisation} {a.title}") for a in meeting.attendees)
        for label, fragments in REQUIRED_ATTENDEES.items():
            if not any(fragment in organisations for fragment in fragments):
                problems.append(f"Thành phần họp xét chưa có đại diện {label}.")
        if not meeting.conclusions.strip():
            problems.append("Biên bản họp xét chưa có kết luận.")
        if meeting.level_agreed and meeting.level_agreed > assessment.level:
            problems.append(f"Cuộc họp thống nhất đề nghị mức độ {meeting.level_agreed} nhưng theo số liệu xã "
                            f"chỉ đạt mức độ {assessment.level}.")
    lacking = checklist.lacking_evidence()
    if lacking:
        problems.append(f"{len(lacking)} chỉ tiêu thiếu minh chứng (chưa có minh chứng hoặc giải trình): "
                        + ", ".join(lacking) + ".")
    return problems
