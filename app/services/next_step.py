"""The one most useful next action on a year's dossier, with the reason: the overview's "Bước tiếp theo" and the
last line of `cdht status`.

The order is the order of the work: the figures of every indicator, level 1 reached, evidence (or a written
explanation) for each indicator, the evidence register, the report's texts, the review meeting, the numbers and
dates of the issued documents, chốt hồ sơ, then signing and writing the package, then sending it. The documents'
own checks are read only once the earlier steps hold (they load the document modules).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.storage.workspace import Workspace

#: What the next step asks for; the window opens the place where it is done.
ACTIONS = ("add_year", "profile", "indicator", "evidence", "register", "narrative", "meeting", "numbers", "finalize",
           "sign", "send")


@dataclass(frozen=True)
class NextStep:
    action: str  # one of ACTIONS
    title: str  # the action as a button says it
    reason: str  # why this one now, in one sentence
    indicator_id: str = ""


def _listed(ids: list[str], shown: int = 6) -> str:
    more = f" và {len(ids) - shown} chỉ tiêu khác" if len(ids) > shown else ""
    return ", ".join(ids[:shown]) + more


def next_step(ws: Workspace, year: int | None) -> NextStep:
    """The next thing to do on `year` (the newest year when None)."""
    if year is None:
        years = ws.years()
        if not years:
            return NextStep("add_year", "Thêm năm đánh giá", "Chưa có năm đánh giá nào; hãy thêm năm cần tự đánh giá.")
        year = years[-1].year
    info = ws.year(year)
    if info.locked:
        return _after_finalizing(ws, year, info.package_version)
    from app.domain.rules import MISSING

    assessment = ws.assessment(year)
    missing = [iid for iid, result in assessment.indicators.items() if result.verdicts[1].status == MISSING]
    if missing:
        return NextStep("indicator", f"Nhập số liệu chỉ tiêu {missing[0]}",
                        f"Còn {len(missing)} chỉ tiêu chưa có số liệu: {_listed(missing)}.", missing[0])
    if assessment.level == 0:
        unmet = [result.indicator.id for result in assessment.unmet(1)]
        return NextStep("indicator", f"Xem lại chỉ tiêu {unmet[0]}",
                        f"Xã chưa đạt mức độ 1: chỉ tiêu {_listed(unmet)} chưa đạt.", unmet[0])
    lacking = [iid for iid, state in ws.evidence_states(year).items() if state.status == "missing"]
    if lacking:
        return NextStep("evidence", f"Thêm minh chứng cho chỉ tiêu {lacking[0]}",
                        f"Còn {len(lacking)} chỉ tiêu chưa có minh chứng hoặc giải trình: {_listed(lacking)}.",
                        lacking[0])
    return _documents_step(ws, year)


def _documents_step(ws: Workspace, year: int) -> NextStep:
    from app.documents import texts as docs
    from app.documents.readiness import number_problems
    from app.domain.meeting import composition_problems
    from app.evidence.register import register_problems

    register = register_problems(ws, year)
    if register:
        return NextStep("register", "Hoàn thiện danh mục minh chứng",
                        f"{len(register)} minh chứng chưa đủ số, ngày, cơ quan ban hành, trích yếu. {register[0]}")
    if not ws.profile().signer_name.strip():
        return NextStep("profile", "Nhập người ký", "Chưa có họ tên người ký (Chủ tịch hoặc Phó Chủ tịch UBND xã).")
    texts = docs.document_texts(ws, year)
    empty = [label for key, label in docs.NARRATIVE_FIELDS.items() if not texts[key].strip()]
    if empty:
        return NextStep("narrative", "Viết nội dung báo cáo",
                        f"Báo cáo tự đánh giá còn thiếu phần: {', '.join(empty)}.")
    meeting, draft = docs.review_meeting(ws, year), docs.meeting_draft(ws, year)
    if draft is not None:
        return NextStep("meeting", "Hoàn thiện biên bản họp xét", f"Biên bản đang nhập dở: {draft.problem}")
    if meeting is None:
        return NextStep("meeting", "Ghi biên bản họp xét",
                        "Chưa ghi cuộc họp xét kết quả tự đánh giá (Điều 9 khoản 1 điểm c Thông tư 25/2023).")
    composition = composition_problems(meeting, docs.organisations(ws))
    if composition or not meeting.secretary_name or not meeting.level_agreed:
        reason = composition[0] if composition else (
            "Biên bản chưa ghi thư ký cuộc họp." if not meeting.secretary_name
            else "Biên bản chưa ghi mức độ cuộc họp thống nhất đề nghị.")
        return NextStep("meeting", "Hoàn thiện biên bản họp xét", reason)
    numbers = number_problems(ws, year, texts, meeting)
    if numbers:
        return NextStep("numbers", "Nhập số, ngày văn bản", numbers[0])
    from app.dossier.finalize import preflight

    failing = [problem for item in preflight(ws, year) for problem in item.problems]
    reason = (f"Còn {len(failing)} việc trong danh sách kiểm tra, đầu tiên: {failing[0]}" if failing
              else "Mọi mục đã đủ; chốt hồ sơ để lập gói, ký số và gửi đi.")
    return NextStep("finalize", f"Chốt hồ sơ năm {year}", reason)


def _after_finalizing(ws: Workspace, year: int, version: int) -> NextStep:
    from app.dossier.records import latest_package

    package = latest_package(ws, year)
    if package is None:
        return NextStep("sign", "Ký số và ghi gói hồ sơ",
                        f"Hồ sơ năm {year} đã chốt (phiên bản {version}); hãy ký số và ghi gói ra ổ USB hoặc thư mục.")
    recipient = ws.profile().recipient_authority
    return NextStep("send", "Gửi gói hồ sơ",
                    f"Đã ghi gói hồ sơ phiên bản {package.version}; hãy gửi tới {recipient} (thư điện tử hoặc ổ USB).")
