"""Five communes for the text-fidelity test: level 1, level 2 (a phường typed with its prefix), level 0, a
commune in a disadvantaged area, and one whose missing evidence is explained (no assignments, a "Không số"
item, an absent member). Each is a complete year as a commune would record it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app.domain import meeting as mt
from app.domain.records import EXPLANATION_FIELD
from app.services import documents as docs
from app.services.indicators import set_values
from app.services.profile import update_profile
from app.services.years import set_year_disadvantaged
from app.storage.workspace import Workspace
from tests.documents.helpers import ATTENDEES, NUMBERS, YEAR, add_evidence, build_workspace

NARRATIVES = {
    "situation": "Xã có diện tích tự nhiên 18,4 km², 11 thôn, 4.210 hộ.",
    "process": "Ủy ban nhân dân xã thành lập tổ tự đánh giá gồm 9 thành viên.",
    "strengths": "Phong trào khuyến học được duy trì.",
    "limitations": "Kinh phí cho Trung tâm học tập cộng đồng còn hạn chế.",
    "recommendations": "Đề nghị hỗ trợ đào tạo cán bộ quản lý Trung tâm học tập cộng đồng.",
}


def _meeting(level: int | None, attendees=ATTENDEES, chair=("Nguyễn Thành Công", "Chủ tịch UBND xã"),
             conclusions: str = "Các đại biểu nhất trí với kết quả tự đánh giá.") -> dict:
    return {"meeting_date": "12/01/2026", "start_time": "14 giờ 00 phút", "end_time": "16 giờ 15 phút",
            "place": "Hội trường trụ sở Ủy ban nhân dân xã", "chair_name": chair[0], "chair_title": chair[1],
            "secretary_name": "Phan Thị Thu", "secretary_title": "Công chức Văn phòng - Thống kê",
            "attendees": attendees, "content": "Đại biểu đối chiếu số liệu từng chỉ tiêu với minh chứng.",
            "conclusions": conclusions, "level_agreed": level}


def _fill(ws: Workspace, level: int | None, **meeting) -> None:
    docs.set_document_texts(ws, YEAR, {**NARRATIVES, **NUMBERS, "date.to_trinh": "26/01/2026",
                                       "date.bao_cao": "23/01/2026"})
    docs.save_review_meeting(ws, YEAR, mt.meeting_from_json(_meeting(level, **meeting)))


def level_one(path: Path) -> Workspace:
    ws = build_workspace(path)
    _fill(ws, 1)
    return ws


def level_two(path: Path) -> Workspace:
    ws = build_workspace(path)
    update_profile(ws, commune_name="Phường  Hoàn Kiếm", province="Thành phố Hà Nội", signer_name="Lê Minh Khoa",
                   signer_title="Chủ tịch")
    set_values(ws, YEAR, "4.2", {"level": 3})
    set_values(ws, YEAR, "4.3", {"level": 3})
    set_values(ws, YEAR, "4.4", {"level": 2})
    set_values(ws, YEAR, "5.1", {"achieved": 12031, "total": 14870})
    set_values(ws, YEAR, "5.2", {"trained": 9100, "university": 2311, "total": 14870})
    for indicator in ("2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "4.1", "4.3", "4.4", "5.2"):
        add_evidence(ws, YEAR, f"H{indicator}.01", [indicator], number=f"{len(indicator) * 7}/KH-UBND",
                     issued="2025-04-15", issuer="Ủy ban nhân dân phường Hoàn Kiếm", summary=f"Kế hoạch {indicator}")
    add_evidence(ws, YEAR, "H4.2.01", ["4.2"], number="Không số", issued="2025-12-15", issuer="Phòng Văn hóa - Xã hội",
                 summary="Biểu thống kê phổ cập giáo dục tiểu học")
    _fill(ws, 2, chair=("Lê Minh Khoa", "Chủ tịch UBND phường"),
          conclusions="Cuộc họp thống nhất đề nghị công nhận mức độ 2 vì mọi chỉ tiêu đều đạt.")
    return ws


def level_zero(path: Path) -> Workspace:
    ws = build_workspace(path)
    set_values(ws, YEAR, "5.1", {"achieved": 7001, "total": 14870})
    set_values(ws, YEAR, "3.2", {"met": False})
    _fill(ws, None, conclusions="Cuộc họp thống nhất tiếp tục hoàn thiện các chỉ tiêu chưa đạt.")
    return ws


def disadvantaged(path: Path) -> Workspace:
    ws = build_workspace(path)
    update_profile(ws, commune_name="Xã Mường Phăng", province="Tỉnh Điện Biên", disadvantaged_area=True,
                   signer_name="Lò Văn Thanh", signer_title="Chủ tịch")
    set_year_disadvantaged(ws, YEAR, True)
    set_values(ws, YEAR, "5.2", {"trained": 6200, "university": 1530, "total": 14870})  # 41,69% and 10,28%
    _fill(ws, 1, chair=("Lò Văn Thanh", "Chủ tịch UBND xã"))
    return ws


def evidence_explained(path: Path) -> Workspace:
    ws = build_workspace(path)
    with ws.transaction():
        ws.db.execute("DELETE FROM assignments WHERE year = ?", [YEAR])
    for indicator in ("3.2", "3.3"):
        set_values(ws, YEAR, indicator, {EXPLANATION_FIELD: f"Hồ sơ chỉ tiêu {indicator} lưu tại Thư viện xã, chưa số hóa"})
    add_evidence(ws, YEAR, "H2.1.01", ["2.1", "2.2"], number="Không số", issued="2025-01-08",
                 issuer="Ủy ban nhân dân xã Kiến Hưng", summary="Dự toán thu, chi ngân sách xã năm 2025")
    attendees = [*ATTENDEES[:2], *[{**a, "present": False, "absence_reason": "họp cấp trên"} for a in ATTENDEES[2:4]],
                 *ATTENDEES[4:]]
    attendees[3] = {**attendees[3], "absence_reason": "ốm"}
    _fill(ws, 1, attendees=attendees)
    return ws


DATASETS: dict[str, Callable[[Path], Workspace]] = {
    "muc-do-1": level_one, "muc-do-2-phuong": level_two, "muc-do-0": level_zero, "vung-kho-khan": disadvantaged,
    "giai-trinh-minh-chung": evidence_explained,
}
