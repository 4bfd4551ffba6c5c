"""A realistic commune workspace for the document tests: Kiến Hưng 2025 with figures, evidence and a meeting."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from app.domain import meeting as mt
from app.domain.records import Profile
from app.services import documents as docs
from app.services.assignments import set_assignment
from app.services.indicators import set_values
from app.services.profile import save_profile
from app.services.years import add_year
from app.storage.workspace import Workspace

YEAR = 2025
BOOLEAN_INDICATORS = ("1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "4.1")


def add_evidence(ws: Workspace, year: int, code: str, indicators: list[str], *, number: str = "", issued: str | None = None,
                 issuer: str = "", summary: str = "", deleted: bool = False) -> None:
    """Insert one evidence row the way the evidence library stores it (its service may not exist yet)."""
    with ws.transaction():
        cursor = ws.db.execute(
            "INSERT INTO evidence (year, code, sha256, size, original_name, doc_number, issued_date, issuer, summary, "
            "created_at, deleted_at) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)",
            [year, code, hashlib.sha256(code.encode()).hexdigest(), f"{code}.pdf", number, issued, issuer, summary,
             "2026-01-10T00:00:00+00:00", "2026-01-11T00:00:00+00:00" if deleted else None])
        for position, indicator in enumerate(indicators):
            ws.db.execute("INSERT INTO evidence_links (evidence_id, indicator_id, position) VALUES (?, ?, ?)",
                          [cursor.lastrowid, indicator, position])


def build_workspace(path: Path, *, evidence_count: int = 0) -> Workspace:
    ws = Workspace.open(path, user="Cán bộ VHXH")
    save_profile(ws, Profile("Kiến Hưng", "Hà Nội", "Sở Giáo dục và Đào tạo", False, "Trịnh Thị Thu Huyền",
                            "Phó Chủ tịch"))
    add_year(ws, YEAR)
    for ind in BOOLEAN_INDICATORS:
        set_values(ws, YEAR, ind, {"met": True, "description": f"Đã triển khai đầy đủ nội dung chỉ tiêu {ind}."})
    set_values(ws, YEAR, "4.2", {"level": 3, "decision_number": "12/QĐ-UBND", "decision_date": "15/12/2025"})
    set_values(ws, YEAR, "4.3", {"level": 2})
    set_values(ws, YEAR, "4.4", {"level": 2})
    set_values(ws, YEAR, "5.1", {"achieved": 8922, "total": 14870, "data_source": "Hội Khuyến học xã"})
    set_values(ws, YEAR, "5.2", {"trained": 7900, "university": 1900, "total": 14870})
    set_assignment(ws, YEAR, "1.1", "Trung tâm Dịch vụ sự nghiệp công", ["Hội Khuyến học", "Đài truyền thanh"],
                      dt.date(2025, 11, 30), "done")
    set_assignment(ws, YEAR, "5.1", "Hội Khuyến học", ["Các thôn"], "30/11/2025", "in_progress")
    set_assignment(ws, YEAR, "5.2", "Phòng Văn hóa – Xã hội", [], None, "todo")
    set_assignment(ws, YEAR, "2.1", "Phòng Kinh tế", ["Phòng Văn hóa – Xã hội"], None, "todo")
    add_evidence(ws, YEAR, "H1.1.01", ["1.1"], number="45/KH-UBND", issued="2025-02-10", issuer="UBND xã Kiến Hưng",
                 summary="Kế hoạch tuyên truyền học tập suốt đời năm 2025")
    add_evidence(ws, YEAR, "H5.1.01", ["5.1"], number="08/BC-HKH", issued="2025-12-20", issuer="Hội Khuyến học xã",
                 summary="Báo cáo kết quả đánh giá danh hiệu “Công dân học tập”")
    add_evidence(ws, YEAR, "H1.2.09", ["1.2", "1.3"], number="46/KH-UBND", issued="2025-03-01",
                 issuer="UBND xã Kiến Hưng", summary="Kế hoạch xây dựng xã hội học tập năm 2025")
    add_evidence(ws, YEAR, "H9.9.99", ["1.1"], summary="Minh chứng đã xóa (trong thùng rác)", deleted=True)
    for n in range(evidence_count):
        crit = n % 5 + 1
        ind = f"{crit}.{n % 3 + 1}"
        add_evidence(ws, YEAR, f"H{ind}.{n + 10:03d}", [ind], number=f"{n + 1}/QĐ-UBND", issued="2025-06-01",
                     issuer="UBND xã Kiến Hưng", summary=f"Văn bản minh chứng số {n + 1} về chỉ tiêu {ind}")
    return ws


#: The meeting's composition under Điều 9.1.c: Hội Khuyến học, MTTQ and the five usual organisations (one of
#: them absent with a reason), plus a UBND officer.
ATTENDEES = [
    {"name": "Lê Thị Hằng", "title": "Chủ tịch", "organisation": "Hội Khuyến học xã", "role": "khuyen_hoc"},
    {"name": "Phạm Quốc Việt", "title": "Chủ tịch", "organisation": "Ủy ban MTTQ Việt Nam xã", "role": "mttq"},
    {"name": "Nguyễn Thị Mai", "title": "Chủ tịch", "organisation": "Hội Liên hiệp Phụ nữ xã", "role": "to_chuc_ctxh"},
    {"name": "Vũ Văn Hùng", "title": "Chủ tịch", "organisation": "Hội Nông dân xã", "role": "to_chuc_ctxh",
     "present": False, "absence_reason": "đi công tác"},
    {"name": "Trần Văn Long", "title": "Phó Chủ tịch", "organisation": "Hội Cựu chiến binh xã", "role": "to_chuc_ctxh"},
    {"name": "Đỗ Thị Ánh", "title": "Bí thư", "organisation": "Đoàn TNCS Hồ Chí Minh xã", "role": "to_chuc_ctxh"},
    {"name": "Hoàng Minh Tuấn", "title": "Chủ tịch", "organisation": "Công đoàn xã", "role": "to_chuc_ctxh"},
    {"name": "Bùi Thị Lan", "title": "Công chức Văn hóa - Xã hội", "organisation": "Ủy ban nhân dân xã",
     "role": "khac"},
]
MEETING = {
    "meeting_date": "2026-01-20", "start_time": "08 giờ 00 phút", "end_time": "10 giờ 30 phút",
    "place": "Hội trường Ủy ban nhân dân xã Kiến Hưng",
    "chair_name": "Trịnh Thị Thu Huyền", "chair_title": "Phó Chủ tịch UBND xã",
    "secretary_name": "Nguyễn Văn Đức", "secretary_title": "Công chức Văn hóa - Xã hội",
    "attendees": ATTENDEES,
    "content": "Các đại biểu thảo luận, đối chiếu số liệu với minh chứng.",
    "conclusions": "Cuộc họp nhất trí với kết quả tự đánh giá.",
    "level_agreed": 1,
}
NUMBERS = {"number.to_trinh": "5", "date.to_trinh": "05/02/2026", "number.bao_cao": "06/BC-UBND",
           "date.bao_cao": "05/02/2026", "number.bien_ban": "7", "plan.number": "46",
           "plan.date": "01/03/2025", "plan.summary": "Xây dựng “Cộng đồng học tập” năm 2025"}


def fill_documents(ws: Workspace) -> None:
    docs.set_document_texts(ws, YEAR, {
        "situation": "Xã Kiến Hưng có diện tích tự nhiên 12,5 km², dân số 14.870 người.\nCó 3 trường học.",
        "process": "Ủy ban nhân dân xã ban hành Kế hoạch số 46/KH-UBND và thành lập tổ tự đánh giá.",
        "strengths": "Cấp ủy, chính quyền quan tâm chỉ đạo; nhân dân tích cực hưởng ứng.",
        "limitations": "Tỷ lệ công dân có trình độ đại học trở lên chưa cao.",
        "recommendations": "Đề nghị Sở Giáo dục và Đào tạo quan tâm hỗ trợ kinh phí cho Trung tâm học tập cộng đồng.",
        **NUMBERS,
    })
    docs.save_review_meeting(ws, YEAR, mt.meeting_from_json(MEETING))
