"""Căn cứ: the legal bases the commune's Tờ trình and Báo cáo cite — a setting of the commune.

By default the documents cite Thông tư 25/2023 (the catalogue the year is judged by) and the commune's own
plan (its number, date and summary are per-year document settings). Instruments whose exact titles and dates
the app cannot vouch for (the 2025 two-tier government texts) are only offered as suggestions: they print once
the user has read the full text and confirmed it, because a wrong căn cứ cannot be corrected after signing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.errors import InputError
from app.storage.workspace import Workspace
from app.text import clean_text, fold

SETTING = "documents.legal_bases"
CATALOGUE, PLAN, TEXT = "catalogue", "plan", "text"
DEFAULT_ENTRIES: tuple[dict[str, str], ...] = ({"kind": CATALOGUE}, {"kind": PLAN})
MAX_ENTRIES, MAX_CHARS = 15, 500


@dataclass(frozen=True)
class Suggestion:
    """An instrument the app proposes but cannot vouch for: number, date and title as far as known."""

    id: str
    first_year: int
    text: str


#: Unconfirmed against the official texts (see the module docstring); offered for years from `first_year`.
SUGGESTIONS: tuple[Suggestion, ...] = (
    Suggestion("nd142-2025", 2025,
               "Nghị định số 142/2025/NĐ-CP ngày 12/6/2025 của Chính phủ quy định về phân định thẩm quyền của chính "
               "quyền địa phương 02 cấp trong lĩnh vực quản lý nhà nước của Bộ Giáo dục và Đào tạo"),
    Suggestion("tt11-2025", 2025,
               "Thông tư số 11/2025/TT-BGDĐT ngày 12/6/2025 của Bộ trưởng Bộ Giáo dục và Đào tạo quy định về phân "
               "quyền, phân cấp và phân định thẩm quyền thực hiện nhiệm vụ quản lý nhà nước của chính quyền địa "
               "phương hai cấp đối với giáo dục nghề nghiệp và giáo dục thường xuyên, được sửa đổi, bổ sung bởi "
               "Thông tư số 26/2025/TT-BGDĐT"),
    Suggestion("tt15-2025", 2025,
               "Thông tư số 15/2025/TT-BGDĐT ngày 24/7/2025 của Bộ trưởng Bộ Giáo dục và Đào tạo hướng dẫn chức năng, "
               "nhiệm vụ, quyền hạn của Sở Giáo dục và Đào tạo thuộc Ủy ban nhân dân cấp tỉnh và Phòng Văn hóa - Xã "
               "hội thuộc Ủy ban nhân dân xã, phường, đặc khu"),
)


def entries(ws: Workspace) -> list[dict[str, str]]:
    """The commune's list as stored (the default when never set): {'kind': catalogue|plan|text, 'text': …}."""
    stored = ws.get_setting(SETTING)
    if isinstance(stored, list) and all(isinstance(e, dict) and e.get("kind") in (CATALOGUE, PLAN, TEXT)
                                        for e in stored):
        return [dict(e) for e in stored]
    return [dict(e) for e in DEFAULT_ENTRIES]


def clean_text_entry(text: Any) -> str:
    value = " ".join(clean_text(text, "Căn cứ", required=True).split()).rstrip(";.,").strip()
    if fold(value).startswith("can cu "):
        value = value[len("Căn cứ "):].strip()
    if len(value) > MAX_CHARS:
        raise InputError(f"Căn cứ “{value[:40]}…” dài quá {MAX_CHARS} ký tự.")
    if len(value) < 10:
        raise InputError(f"Căn cứ “{value}” quá ngắn; hãy ghi đủ số, ngày, cơ quan ban hành và trích yếu văn bản.")
    return value


def pending_suggestions(ws: Workspace, year: int) -> list[Suggestion]:
    """Suggestions for this year that the user has not confirmed yet."""
    confirmed = {e.get("suggestion") for e in entries(ws)}
    return [s for s in SUGGESTIONS if year >= s.first_year and s.id not in confirmed]
