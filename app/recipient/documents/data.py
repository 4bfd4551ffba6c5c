"""One consistent snapshot of a round (an assessment year) for every council and agency document.

Everything printed comes from here: the register, the council, each concluded appraisal (the rules engine's
verdict on the council's findings), the decision and the outcomes. Nothing is typed into a document.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

from app.domain.catalogue import Catalogue, catalogue_for_year
from app.errors import InputError
from app.recipient.appraisal import Appraisal, Council, appraisal, council_of, council_problems
from app.recipient.decisions import Decision, Outcome, decision_of, outcomes
from app.recipient.intake import submission_deadline
from app.recipient.register import (
    APPRAISED,
    DECIDED,
    INVALID_PACKAGE,
    NOT_RECEIVED,
    SIGNER_UNCONFIRMED,
    RegisterRow,
    register_rows,
)
from app.recipient.workspace import Agency, RecipientWorkspace

CDHT = "“Cộng đồng học tập”"
LEGAL_BASES_SETTING = "legal_bases"


@dataclass(frozen=True)
class CommuneResult:
    """A commune whose appraisal is concluded: the register row, the appraisal and, once decided, the outcome."""

    row: RegisterRow
    appraisal: Appraisal
    outcome: Outcome | None

    @property
    def commune(self) -> str:
        return self.row.commune

    @property
    def level(self) -> int:
        return self.outcome.level if self.outcome else (self.appraisal.concluded_level or 0)


@dataclass(frozen=True)
class RoundData:
    agency: Agency
    year: int
    catalogue: Catalogue
    council: Council
    rows: tuple[RegisterRow, ...]
    results: tuple[CommuneResult, ...]
    decision: Decision | None
    deadline: dt.date
    extra_bases: tuple[str, ...]

    @property
    def recognised(self) -> list[CommuneResult]:
        return [r for r in self.results if r.level > 0]

    @property
    def refused(self) -> list[CommuneResult]:
        return [r for r in self.results if r.level == 0]

    def recognised_at(self, level: int) -> list[CommuneResult]:
        return [r for r in self.results if r.level == level]

    def count(self, *statuses: str) -> int:
        return sum(1 for r in self.rows if r.status in statuses)

    @property
    def received(self) -> int:
        """Communes with at least one package for the year (valid or not)."""
        return len(self.rows) - self.count(NOT_RECEIVED)

    @property
    def valid(self) -> int:
        return len(self.rows) - self.count(NOT_RECEIVED, INVALID_PACKAGE, SIGNER_UNCONFIRMED)

    @property
    def late(self) -> int:
        return sum(1 for r in self.rows if r.late and r.status != NOT_RECEIVED)

    @property
    def legal_bases(self) -> list[str]:
        bases = [self.catalogue.title]
        if self.council.basis:
            bases.append(self.council.basis)
        return bases + list(self.extra_bases)


def collect_round(rws: RecipientWorkspace, year: int) -> RoundData:
    """Read the round once; refused while there is no valid council or no concluded appraisal."""
    council = council_of(rws, year)
    if council is None or council_problems(council.members):
        raise InputError(f"Chưa có Hội đồng đánh giá hợp lệ cho năm {year} (recipient council set).")
    rows = tuple(register_rows(rws, year))
    decided: dict[int | None, Outcome] = {o.package_id: o for o in outcomes(rws, year)}  # concluded rows have a package
    results = tuple(CommuneResult(row, appraisal(rws, cast(int, row.package_id)), decided.get(row.package_id))
                    for row in rows if row.status in (APPRAISED, DECIDED))
    if not results:
        raise InputError(f"Năm {year} chưa có hồ sơ nào đã kết luận thẩm định; chưa có gì để lập văn bản.")
    extra = tuple(str(b).strip().rstrip(";.") for b in (rws.get_setting(LEGAL_BASES_SETTING) or []) if str(b).strip())
    return RoundData(rws.agency(), year, catalogue_for_year(year), council, rows, results, decision_of(rws, year),
                     submission_deadline(rws, year), extra)
