"""The demo commune: realistic figures, narratives, assignments and a recognition, in its own database file.

Year 2025 meets mức độ 1 but not mức độ 2 (4.2, 5.1 and 5.2 fall short); year 2026 has been started by
copying 2025 forward, with the new population figures not yet collected. The assignments follow the
table attached to a real commune plan (unit names as communes use them after the 2025 reorganisation),
and one of them is overdue. Names of people are invented.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
from pathlib import Path

from app.domain.records import Profile
from app.services.assignments import set_assignment
from app.services.indicators import set_values
from app.services.profile import save_profile
from app.services.recognitions import add_recognition
from app.services.years import add_year
from app.storage.workspace import Workspace

DEMO_USER = "Nguyễn Thị Lan"
FIRST_YEAR, CURRENT_YEAR = 2025, 2026

PROFILE = Profile(
    commune_name="Đồng Tiến",
    province="Hưng Yên",
    recipient_authority="Sở Giáo dục và Đào tạo",
    disadvantaged_area=False,
    signer_name="Trần Thị Thu Hà",
    signer_title="Phó Chủ tịch",
)

POPULATION_NOTE = "Tổng số công dân từ 15 tuổi trở lên theo số liệu thống kê dân số của xã đến 31/12/2025"

#: Year 2025, per indicator: figures and the texts the self-assessment report uses.
VALUES_2025: dict[str, dict[str, object]] = {
    "1.1": {
        "met": True,
        "description": "Đài truyền thanh xã phát 48 tin, bài về học tập suốt đời; treo 12 pa nô, băng rôn tại nhà văn hóa các thôn; "
                       "lồng ghép tuyên truyền trong 36 buổi sinh hoạt chi bộ, đoàn thể.",
        "situation": "Công tác tuyên truyền được duy trì thường xuyên, nội dung phong phú, đến được với người dân ở cả 9 thôn.",
        "strengths": "Phối hợp tốt giữa Đài truyền thanh, Hội Khuyến học và các thôn; có chuyên mục cố định hằng tháng.",
        "limitations": "Một số thôn xa trung tâm, loa truyền thanh xuống cấp nên hiệu quả chưa cao.",
    },
    "1.2": {
        "met": True,
        "description": "Ủy ban nhân dân xã ban hành Kế hoạch số 18/KH-UBND ngày 12/02/2025 về xây dựng xã hội học tập năm 2025; "
                       "tổ chức sơ kết 6 tháng và tổng kết năm.",
        "situation": "Kế hoạch được triển khai đầy đủ đến các phòng, ban, đoàn thể và 9 thôn; có phân công cụ thể.",
        "strengths": "Nội dung kế hoạch cụ thể, có chỉ tiêu, thời hạn và đơn vị chịu trách nhiệm.",
        "limitations": "Việc báo cáo định kỳ của một số đơn vị còn chậm.",
    },
    "1.3": {
        "met": True,
        "description": "Ban hành Kế hoạch số 95/KH-UBND tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2025 (01–07/10/2025); "
                       "tổ chức lễ khai mạc, ngày hội đọc sách, tọa đàm; gửi báo cáo kết quả về cấp trên đúng hạn.",
        "situation": "Tuần lễ được tổ chức đồng loạt ở các nhà trường, thôn và trung tâm học tập cộng đồng.",
        "strengths": "Thu hút trên 3.500 lượt người dân tham gia.",
        "limitations": "Hoạt động ở một số thôn còn mang tính hình thức.",
    },
    "2.1": {
        "met": True,
        "description": "Dự toán ngân sách xã năm 2025 bố trí 85 triệu đồng cho hoạt động khuyến học, trung tâm học tập cộng đồng "
                       "và Tuần lễ hưởng ứng học tập suốt đời.",
        "situation": "Kinh phí được giải ngân đúng tiến độ, quyết toán đầy đủ.",
        "strengths": "Kinh phí được bố trí ổn định qua các năm.",
        "limitations": "Mức kinh phí còn thấp so với nhu cầu mua sắm thiết bị.",
        "no_evidence_explanation": "Quyết toán ngân sách xã năm 2025 chưa được phê duyệt; bản sao quyết định giao dự toán "
                                   "đang lưu tại Phòng Kinh tế, sẽ bổ sung khi có quyết toán.",
    },
    "2.2": {
        "met": True,
        "description": "Hội Khuyến học vận động được 312 triệu đồng cho quỹ khuyến học, khuyến tài; trao 420 suất học bổng.",
        "situation": "Nhiều doanh nghiệp, dòng họ và con em xa quê tham gia ủng hộ.",
        "strengths": "Quỹ khuyến học ở 9/9 thôn và 26 dòng họ hoạt động hiệu quả.",
        "limitations": "Nguồn vận động phụ thuộc nhiều vào một số nhà hảo tâm.",
    },
    "2.3": {
        "met": True,
        "description": "Ký Chương trình phối hợp số 02/CTPH ngày 20/3/2025 giữa Hội Khuyến học xã, Ủy ban MTTQ, các đoàn thể "
                       "và các trường học trên địa bàn.",
        "situation": "Các bên họp giao ban 6 tháng một lần để đánh giá việc phối hợp.",
        "strengths": "Phân công rõ trách nhiệm của từng tổ chức.",
        "limitations": "Sự phối hợp với các thiết chế văn hóa thôn chưa thường xuyên.",
    },
    "3.1": {
        "met": True,
        "description": "Trung tâm học tập cộng đồng có phòng làm việc 36 m², đủ bàn ghế, tủ, giá; tủ sách 1.200 đầu sách; "
                       "01 máy tính, 01 máy chiếu, đường truyền Internet.",
        "situation": "Trung tâm mở 28 chuyên đề với 2.150 lượt người học trong năm.",
        "strengths": "Nội dung học tập gắn với nhu cầu sản xuất, chuyển đổi số của người dân.",
        "limitations": "Thiết bị công nghệ thông tin còn ít, cần bổ sung.",
    },
    "3.2": {
        "met": True,
        "description": "Thư viện xã sử dụng phần mềm quản lý thư viện, có trang thư viện số liên kết với Thư viện tỉnh.",
        "situation": "Phục vụ 6.800 lượt bạn đọc, trong đó 1.900 lượt truy cập thư viện số.",
        "strengths": "Đã số hóa danh mục tài liệu, mượn trả bằng mã vạch.",
        "limitations": "Nguồn tài liệu số còn hạn chế.",
    },
    "3.3": {
        "met": True,
        "description": "Trung tâm văn hóa, thể thao xã duy trì 14 câu lạc bộ, 3 lớp năng khiếu; tổ chức 2 hội diễn văn nghệ "
                       "và giải thể thao truyền thống.",
        "situation": "Các câu lạc bộ sinh hoạt đều đặn, thu hút đông đảo người dân.",
        "strengths": "Phong trào văn nghệ, thể thao quần chúng phát triển mạnh.",
        "limitations": "Sân tập thể thao còn chật.",
    },
    "4.1": {
        "met": True,
        "description": "Xã duy trì đạt chuẩn phổ cập giáo dục mầm non cho trẻ em 5 tuổi.",
        "decision_number": "Quyết định số 112/QĐ-UBND",
        "decision_date": "2025-12-05",
        "situation": "100% trẻ 5 tuổi được huy động ra lớp, 100% hoàn thành chương trình giáo dục mầm non.",
    },
    "4.2": {
        "level": 2,
        "description": "Xã đạt chuẩn phổ cập giáo dục tiểu học mức độ 2.",
        "decision_number": "Quyết định số 112/QĐ-UBND",
        "decision_date": "2025-12-05",
        "situation": "Tỷ lệ trẻ 11 tuổi hoàn thành chương trình tiểu học đạt 94,8%.",
        "limitations": "Chưa đạt tỷ lệ hoàn thành chương trình tiểu học của mức độ 3.",
    },
    "4.3": {
        "level": 3,
        "description": "Xã đạt chuẩn phổ cập giáo dục trung học cơ sở mức độ 3.",
        "decision_number": "Quyết định số 112/QĐ-UBND",
        "decision_date": "2025-12-05",
    },
    "4.4": {
        "level": 2,
        "description": "Xã đạt chuẩn xóa mù chữ mức độ 2.",
        "decision_number": "Quyết định số 112/QĐ-UBND",
        "decision_date": "2025-12-05",
    },
    "5.1": {
        "achieved": 9215,
        "total": 14870,
        "data_source": POPULATION_NOTE,
        "description": "Hội Khuyến học xã bình xét, công nhận danh hiệu \"Công dân học tập\" theo Quyết định số 324/QĐ-KHVN.",
        "situation": "Tỷ lệ công dân học tập tăng 4,2 điểm phần trăm so với năm 2024.",
        "limitations": "Còn thấp so với yêu cầu mức độ 2 (80%).",
    },
    "5.2": {
        "trained": 8105,
        "university": 1902,
        "total": 14870,
        "data_source": POPULATION_NOTE,
        "description": "Số liệu lao động qua đào tạo do Phòng Văn hóa – Xã hội tổng hợp từ các thôn.",
        "limitations": "Tỷ lệ được đào tạo và tỷ lệ có trình độ đại học chưa đạt mức độ 2.",
    },
}

#: Seed 004's table: indicator -> (lead unit, coordinating units).
UNITS: dict[str, tuple[str, tuple[str, ...]]] = {
    "1.1": ("Trung tâm Dịch vụ sự nghiệp công", ("Đài truyền thanh", "Hội Khuyến học", "Các thôn", "Các đoàn thể")),
    "1.2": ("Phòng Văn hóa – Xã hội", ("Các cơ quan, đơn vị liên quan",)),
    "1.3": ("Phòng Văn hóa – Xã hội", ("Các trường học", "Hội Khuyến học", "Các thôn")),
    "2.1": ("Phòng Kinh tế", ("Phòng Văn hóa – Xã hội",)),
    "2.2": ("Hội Khuyến học", ("Ủy ban MTTQ Việt Nam xã", "Các đoàn thể", "Các thôn")),
    "2.3": ("Phòng Văn hóa – Xã hội", ("Hội Khuyến học", "Các trường học", "Các đoàn thể")),
    "3.1": ("Phòng Văn hóa – Xã hội", ("Trung tâm học tập cộng đồng",)),
    "3.2": ("Phòng Văn hóa – Xã hội", ("Phòng Kinh tế",)),
    "3.3": ("Phòng Văn hóa – Xã hội", ("Các thôn", "Các đoàn thể")),
    "4.1": ("Phòng Văn hóa – Xã hội", ("Các cơ sở giáo dục",)),
    "4.2": ("Phòng Văn hóa – Xã hội", ("Các cơ sở giáo dục",)),
    "4.3": ("Phòng Văn hóa – Xã hội", ("Các cơ sở giáo dục",)),
    "4.4": ("Phòng Văn hóa – Xã hội", ("Các cơ sở giáo dục",)),
    "5.1": ("Hội Khuyến học", ("Các thôn", "Các tổ chức chính trị – xã hội")),
    "5.2": ("Phòng Văn hóa – Xã hội", ("Các thôn", "Các tổ chức chính trị – xã hội")),
}

#: Year 2026 progress: indicator -> (days from today to the due date, status); 2.1 is the overdue one.
PROGRESS_2026: dict[str, tuple[int, str]] = {
    "1.1": (-20, "done"), "1.2": (-35, "done"), "1.3": (-15, "done"),
    "2.1": (-9, "in_progress"), "2.2": (25, "in_progress"), "2.3": (-40, "done"),
    "3.1": (18, "in_progress"), "3.2": (18, "todo"), "3.3": (30, "in_progress"),
    "4.1": (40, "todo"), "4.2": (40, "todo"), "4.3": (40, "todo"), "4.4": (40, "todo"),
    "5.1": (45, "in_progress"), "5.2": (45, "todo"),
}

NOTES_2026 = {
    "2.1": "Chờ quyết định giao dự toán bổ sung; cần gửi bản sao cho Phòng Văn hóa – Xã hội.",
    "5.1": "Các thôn đang bình xét danh hiệu \"Công dân học tập\" năm 2026.",
}


def _add_demo_evidence(ws: Workspace, year: int) -> None:
    """Let the evidence library add its demo files when that part of the app is installed."""
    try:
        spec = importlib.util.find_spec("app.evidence.demo")
    except ModuleNotFoundError:
        return
    if spec is not None:
        module = importlib.import_module("app.evidence.demo")
        adder = getattr(module, "add_demo_evidence", None)
        if adder is not None:
            adder(ws, year)


def create_demo_workspace(path: Path, today: dt.date | None = None) -> Workspace:
    """Open the demo commune at `path`, building it first when the file holds no commune yet."""
    ws = Workspace.open(Path(path), user=DEMO_USER)
    if ws.has_profile():
        return ws
    today = today or dt.date.today()
    ws.write_setting("user_name", DEMO_USER)
    save_profile(ws, PROFILE)
    add_recognition(ws, 1, "245/QĐ-UBND", dt.date(2024, 3, 18), "Ủy ban nhân dân huyện Văn Giang", 2023,
                       "Công nhận xã đạt \"Cộng đồng học tập\" mức độ 1 năm 2023")
    add_year(ws, FIRST_YEAR)
    for indicator_id, values in VALUES_2025.items():
        set_values(ws, FIRST_YEAR, indicator_id, values)
    for indicator_id, (lead, partners) in UNITS.items():
        set_assignment(ws, FIRST_YEAR, indicator_id, lead, partners, dt.date(2025, 11, 30), "done")
    _add_demo_evidence(ws, FIRST_YEAR)

    add_year(ws, CURRENT_YEAR, copy_from=FIRST_YEAR)
    set_values(ws, CURRENT_YEAR, "5.1", {"achieved": None, "total": 15020, "situation": None, "limitations": None})
    set_values(ws, CURRENT_YEAR, "5.2", {"trained": None, "university": None, "total": None, "limitations": None})
    set_values(ws, CURRENT_YEAR, "1.2", {"description": "Ủy ban nhân dân xã ban hành Kế hoạch số 21/KH-UBND ngày "
                                                       "10/3/2026 về xây dựng \"Cộng đồng học tập\" năm 2026."})
    for indicator_id, (lead, partners) in UNITS.items():
        offset, status = PROGRESS_2026[indicator_id]
        set_assignment(ws, CURRENT_YEAR, indicator_id, lead, partners, today + dt.timedelta(days=offset), status,
                          NOTES_2026.get(indicator_id, ""))
    _add_demo_evidence(ws, CURRENT_YEAR)
    return ws


__all__ = ["create_demo_workspace", "DEMO_USER", "PROFILE"]
