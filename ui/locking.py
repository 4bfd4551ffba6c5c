"""How a finalized (chốt) year shows wherever its data appear: its fields are read-only (greyed by the theme)
under one line that gives the reason and the way to unlock."""

from __future__ import annotations

UNLOCK_PATH = "Muốn sửa: vào Hồ sơ › 1. Chốt hồ sơ, bấm \u201cMở khóa…\u201d và nêu lý do."


def locked_notice(year: int) -> str:
    """Rich text for a notice above the read-only fields of a finalized year."""
    return f"<b>Hồ sơ năm {year} đã chốt</b> — chỉ xem, không sửa được. {UNLOCK_PATH}"
