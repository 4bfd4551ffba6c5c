"""Short Vietnamese labels for lists and trees, and readable texts of field names and requirements.

The catalogue holds the full legal wording; lists need a few words per item that still fit a narrow
column. Unknown ids (a later catalogue) fall back to the first words of the legal text.
"""

from __future__ import annotations

from typing import Any

from app.domain.catalogue import Criterion, Indicator
from app.domain.dataset import FIELD_LABELS, TEXT_FIELDS
from app.domain.records import EXPLANATION_FIELD
from app.text import format_int, format_threshold

SHORT_CRITERIA = {
    "1": "Lãnh đạo, chỉ đạo",
    "2": "Huy động nguồn lực",
    "3": "Trung tâm HTCĐ, thư viện, văn hóa",
    "4": "Phổ cập giáo dục – xóa mù chữ",
    "5": "Tác dụng của CĐHT",
}

SHORT_INDICATORS = {
    "1.1": "Tuyên truyền học tập suốt đời",
    "1.2": "Kế hoạch xây dựng xã hội học tập",
    "1.3": "Tuần lễ hưởng ứng học tập suốt đời",
    "2.1": "Kinh phí từ ngân sách nhà nước",
    "2.2": "Huy động nguồn lực xã hội",
    "2.3": "Cơ chế phối hợp",
    "3.1": "Trung tâm học tập cộng đồng",
    "3.2": "Thư viện ứng dụng CNTT",
    "3.3": "Trung tâm văn hóa, thể thao",
    "4.1": "Phổ cập GD mầm non 5 tuổi",
    "4.2": "Phổ cập giáo dục tiểu học",
    "4.3": "Phổ cập giáo dục THCS",
    "4.4": "Xóa mù chữ",
    "5.1": "Tỷ lệ \"Công dân học tập\"",
    "5.2": "Tỷ lệ được đào tạo, có trình độ ĐH",
}

FIELD_NAMES: dict[str, str] = {
    **{k: v[0].upper() + v[1:] for k, v in FIELD_LABELS.items()},
    **TEXT_FIELDS,
    EXPLANATION_FIELD: "Giải trình khi không có minh chứng",
}

ACTION_NAMES = {"set": "Nhập", "update": "Sửa", "clear": "Xóa", "undo": "Hoàn tác", "redo": "Làm lại",
                "create": "Tạo"}


def _first_words(text: str, count: int = 6) -> str:
    words = text.split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "")


def criterion_label(criterion: Criterion) -> str:
    return f"{criterion.id}. {SHORT_CRITERIA.get(criterion.id) or _first_words(criterion.name)}"


def indicator_short(indicator: Indicator) -> str:
    return SHORT_INDICATORS.get(indicator.id) or _first_words(indicator.text)


def indicator_label(indicator: Indicator) -> str:
    return f"{indicator.id} {indicator_short(indicator)}"


def value_text(name: str, value: Any) -> str:
    """A stored field value as a person reads it (audit history)."""
    if value is None:
        return "(trống)"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, int):
        return format_int(value)
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"


def requirement_text(indicator: Indicator) -> str:
    """What each level asks of an indicator, in one or two lines."""
    kind = indicator.input
    if kind == "boolean":
        return "Cả hai mức độ: thực hiện đầy đủ."
    parts = []
    for level in (1, 2):
        req = indicator.requirement[level]
        if kind == "level":
            name = indicator.level_names.get(req["min_level"], f"mức độ {req['min_level']}").lower()
            parts.append(f"Mức độ {level}: đạt chuẩn {name} trở lên")
        elif kind == "ratio":
            parts.append(f"Mức độ {level}: ít nhất {format_threshold(req['min_percent'])}")
        else:
            normal, hard = req["normal"], req["disadvantaged"]
            parts.append(
                f"Mức độ {level}: được đào tạo ≥ {format_threshold(normal['trained'])}, đại học trở lên ≥ "
                f"{format_threshold(normal['university'])} (xã vùng khó khăn: {format_threshold(hard['trained'])} và "
                f"{format_threshold(hard['university'])})"
            )
    return "; ".join(parts) + "."
