"""Assessment years: adding one (optionally copying the previous year's figures, assignments and evidence) and
the year's "vùng khó khăn" flag, which chooses the thresholds of indicator 5.2."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from app.changes import Changes
from app.domain.catalogue import Catalogue
from app.domain.records import add_months, check_year
from app.errors import InputError
from app.services.assignments import write_assignment
from app.services.indicators import write_value
from app.storage.workspace import Workspace
from app.text import utc_now

if TYPE_CHECKING:  # the evidence library loads when a year is added, not with the window
    from app.evidence.library import EvidenceItem

#: Which evidence `add_year` carries into the new year: the items still valid in it, or all of them.
CarryChoice = Literal["valid", "all"]


@dataclass(frozen=True)
class NewYear:
    """What adding a year did: the flags to refresh, and the evidence items carried into it."""

    changes: Changes
    carried: tuple[EvidenceItem, ...] = ()


def add_year(ws: Workspace, year: int, copy_from: int | None = None, carry_evidence: CarryChoice | None = None
             ) -> NewYear:
    """Create an assessment year (data window 01/01–31/12), in one transaction.

    `copy_from` copies that year's figures and assignments (due dates moved by the years between);
    `carry_evidence` also gives the new year that year's evidence: 'valid' the items whose stated validity reaches
    into the new year, 'all' every live item (the same stored files, new codes)."""
    from app.domain.catalogue import catalogue_for_year
    from app.services.evidence import carry_over_candidates, carry_over_evidence

    check_year(year)
    if carry_evidence is not None and copy_from is None:
        raise InputError("Mang minh chứng sang cần năm nguồn (--copy-from NĂM).")
    if carry_evidence not in (None, "valid", "all"):
        raise InputError(f"Cách mang minh chứng sang {carry_evidence!r} không hợp lệ; chỉ có: valid, all.")
    profile = ws.profile()
    carried: list[EvidenceItem] = []
    with ws.transaction():
        if any(info.year == year for info in ws.years()):
            raise InputError(f"Năm đánh giá {year} đã có.")
        source = ws.year(copy_from) if copy_from is not None else None
        catalogue = catalogue_for_year(year)
        disadvantaged = source.disadvantaged_area if source else profile.disadvantaged_area
        ws.db.execute(
            "INSERT INTO years (year, catalogue_id, disadvantaged_area, copied_from, created_at) VALUES (?, ?, ?, ?, ?)",
            [year, catalogue.id, int(disadvantaged), copy_from, utc_now()],
        )
        ws.audit("create", "year", str(year), year, None,
                 {"catalogue": catalogue.id, "copied_from": copy_from, "disadvantaged_area": disadvantaged})
        changes = Changes(years=True, indicators=True, checklist=True, assignments=True)
        if source is not None:
            _copy_year(ws, source.year, year, catalogue)
        if source is not None and carry_evidence is not None:
            carried = [c.item for c in carry_over_candidates(ws, source.year)
                       if c.recommended or carry_evidence == "all"]
            changes |= carry_over_evidence(ws, source.year, year, [item.id for item in carried])
    return NewYear(changes, tuple(carried))


def _copy_year(ws: Workspace, source: int, target: int, catalogue: Catalogue) -> None:
    known = set(catalogue.indicator_ids)
    for ind_id, values in ws.values(source).items():
        if ind_id in known:
            for name, value in values.items():
                write_value(ws, target, ind_id, name, value)
    for assignment in ws.assignments(source):
        if assignment.indicator_id in known:
            due = assignment.due_date
            if due is not None:
                due = add_months(due, 12 * (target - source))
            write_assignment(ws, target, replace(assignment, due_date=due, status="todo"))


def set_year_disadvantaged(ws: Workspace, year: int, disadvantaged: bool) -> Changes:
    """Whether the commune counts as "vùng khó khăn" in `year` (the lower 5.2 thresholds)."""
    if not isinstance(disadvantaged, bool):
        raise InputError("Xã thuộc vùng khó khăn phải là có hoặc không.")
    with ws.transaction():
        info = ws.year(year)
        ws.ensure_unlocked(year)
        if info.disadvantaged_area == disadvantaged:
            return Changes()
        ws.db.execute("UPDATE years SET disadvantaged_area = ? WHERE year = ?", [int(disadvantaged), year])
        ws.audit("update", "year.disadvantaged_area", str(year), year, info.disadvantaged_area, disadvantaged)
    return Changes(years=True, checklist=True)
