"""The commune's records as the use cases read and write them: profile, years, assignments, recognitions, audit.

Plain frozen values with no I/O; the storage layer fills them, the services return them, both front-ends show them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from app.errors import InputError

DEFAULT_RECIPIENT = "Sở Giáo dục và Đào tạo"
ASSIGNMENT_STATUSES = {"todo": "Chưa thực hiện", "in_progress": "Đang thực hiện", "done": "Đã hoàn thành"}
#: The indicator field that holds the written reason why an indicator has no evidence.
EXPLANATION_FIELD = "no_evidence_explanation"


@dataclass(frozen=True)
class Profile:
    commune_name: str
    province: str
    recipient_authority: str = DEFAULT_RECIPIENT
    disadvantaged_area: bool = False
    signer_name: str = ""
    signer_title: str = "Chủ tịch"
    commune_kind: str = "xã"  # xã, phường, thị trấn or đặc khu: the unit word documents print before the name

    @property
    def issuing_body(self) -> str:
        """The issuing body as printed on documents: 'ỦY BAN NHÂN DÂN XÃ ĐỒNG TIẾN'."""
        return f"ỦY BAN NHÂN DÂN {self.commune_kind.upper()} {self.commune_name.upper()}"


@dataclass(frozen=True)
class YearInfo:
    year: int
    catalogue_id: str
    disadvantaged_area: bool
    copied_from: int | None
    created_at: str
    locked_at: str | None
    package_version: int

    @property
    def locked(self) -> bool:
        return self.locked_at is not None


@dataclass(frozen=True)
class Unit:
    id: int
    name: str


@dataclass(frozen=True)
class Assignment:
    indicator_id: str
    lead_unit: str | None = None
    coordinating_units: tuple[str, ...] = ()
    due_date: dt.date | None = None
    status: str = "todo"
    note: str = ""

    def overdue(self, today: dt.date) -> bool:
        return self.status != "done" and self.due_date is not None and self.due_date < today


@dataclass(frozen=True)
class Recognition:
    id: int
    level: int
    decision_number: str
    decision_date: dt.date
    issuer: str
    assessment_year: int | None
    note: str

    def expires_on(self, validity_months: int = 36) -> dt.date:
        return add_months(self.decision_date, validity_months)

    def upgrade_possible_from(self, months: int = 12) -> dt.date:
        return add_months(self.decision_date, months)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    txn: int
    at: str
    user: str
    action: str
    entity: str
    entity_key: str
    year: int | None
    old: Any
    new: Any


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole months, clamped to the month's end (31/01 + 1 month = 28/02 or 29/02)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)


def check_year(year: Any) -> int:
    """`year` when it is an assessment year the app knows (an int in MIN_YEAR..MAX_YEAR); InputError otherwise."""
    from app.domain.dataset import MAX_YEAR, MIN_YEAR

    if not isinstance(year, int) or isinstance(year, bool) or not MIN_YEAR <= year <= MAX_YEAR:
        raise InputError(f"Năm đánh giá phải là số nguyên từ {MIN_YEAR} đến {MAX_YEAR}, không phải {year!r}.")
    return year
