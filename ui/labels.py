"""Readable names of stored fields and audit actions, and stored values as a person reads them.

Indicator and criterion names (full and short) come from the catalogue: `Indicator.label`, `Criterion.label`.
"""

from __future__ import annotations

from typing import Any

from app.domain.dataset import FIELD_LABELS, TEXT_FIELDS
from app.domain.records import EXPLANATION_FIELD
from app.text import format_int

FIELD_NAMES: dict[str, str] = {
    **{k: v[0].upper() + v[1:] for k, v in FIELD_LABELS.items()},
    **TEXT_FIELDS,
    EXPLANATION_FIELD: "Giải trình khi không có minh chứng",
}

ACTION_NAMES = {"set": "Nhập", "update": "Sửa", "clear": "Xóa", "undo": "Hoàn tác", "redo": "Làm lại",
                "create": "Tạo"}


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
