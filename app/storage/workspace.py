"""The commune's workspace: its database session and the reads every layer above needs.

Changes go through the use cases in `app.services` (one module per area), which validate, write inside
`transaction()` with their audit rows and return `Changes`. This class only opens the file and reads it.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.domain.records import EXPLANATION_FIELD, Assignment, Profile, Recognition, Unit, YearInfo, check_year
from app.errors import LockedError, NotFoundError
from app.storage.db import open_database, open_read_only
from app.storage.session import Session

if TYPE_CHECKING:  # the rules engine is imported when first used: opening the window does not wait for it
    from app.domain.catalogue import Catalogue
    from app.domain.checklist import Checklist, EvidenceState
    from app.domain.dataset import Dataset
    from app.domain.rules import Assessment


class Workspace(Session):
    """A commune database: the session, and reads of its profile, years, figures, assignments and recognitions."""

    @classmethod
    def open(cls, path: Path, user: str | None = None, read_only: bool = False) -> Workspace:
        """Open (creating and upgrading when needed) the database at `path`; `read_only` never writes to it."""
        path = Path(path)
        if not read_only:
            return cls(open_database(path), path, user)
        ws = cls(open_read_only(path), path, user)
        ws.read_only = True
        return ws

    # ------------------------------------------------------------------ profile

    def has_profile(self) -> bool:
        with self.lock:
            return self.db.execute("SELECT 1 FROM profile WHERE id = 1").fetchone() is not None

    def profile(self) -> Profile:
        with self.lock:
            row = self.db.execute(
                "SELECT commune_name, province, recipient_authority, disadvantaged_area, signer_name, signer_title, "
                "commune_kind FROM profile WHERE id = 1"
            ).fetchone()
        if row is None:
            raise NotFoundError("Chưa khai báo thông tin xã. Hãy chạy 'cdht init' hoặc dùng trình hướng dẫn thiết lập.")
        return Profile(row[0], row[1], row[2], bool(row[3]), row[4], row[5], row[6])

    # ------------------------------------------------------------------ years

    def years(self) -> list[YearInfo]:
        with self.lock:
            rows = self.db.execute(
                "SELECT year, catalogue_id, disadvantaged_area, copied_from, created_at, locked_at, package_version "
                "FROM years ORDER BY year"
            ).fetchall()
        return [YearInfo(r[0], r[1], bool(r[2]), r[3], r[4], r[5], r[6]) for r in rows]

    def year(self, year: int) -> YearInfo:
        for info in self.years():
            if info.year == year:
                return info
        check_year(year)  # a year no commune can have (25, 99999) is named as such, with no hint to add it
        raise NotFoundError(f"Chưa có năm đánh giá {year}. Hãy thêm năm này trước (cdht year add {year}).")

    def catalogue(self, year: int) -> Catalogue:
        from app.domain.catalogue import catalogue_by_id

        return catalogue_by_id(self.year(year).catalogue_id)

    def ensure_unlocked(self, year: int) -> None:
        """Raise LockedError when the year is finalized (chốt hồ sơ); every mutation of a year calls this."""
        if self.year(year).locked:
            raise LockedError(f"Hồ sơ năm {year} đã được chốt; hãy mở khóa (nêu lý do) trước khi sửa.")

    def submission_deadline(self, year: int) -> dt.date:
        """The dossier deadline for an assessment year: 28/02 of the next year unless configured otherwise."""
        configured = self.get_setting(f"deadline.{year}")
        if configured:
            try:
                return dt.date.fromisoformat(configured)
            except (TypeError, ValueError):
                pass  # a value stored before settings were checked: the legal deadline stands
        month, day = self.catalogue(year).submission_deadline
        return dt.date(year + 1, month, day)

    # ------------------------------------------------------------------ indicator values and verdicts

    def values(self, year: int) -> dict[str, dict[str, Any]]:
        """Everything entered for a year: `values[indicator_id][field]` (value fields and free text)."""
        with self.lock:
            rows = self.db.execute(
                "SELECT indicator_id, field, value FROM indicator_values WHERE year = ?", [year]
            ).fetchall()
        result: dict[str, dict[str, Any]] = {}
        for ind_id, name, value in rows:
            result.setdefault(ind_id, {})[name] = json.loads(value)
        return result

    def dataset(self, year: int) -> Dataset:
        from app.domain.dataset import Commune, Dataset

        profile = self.profile()
        info = self.year(year)
        return Dataset(
            commune=Commune(profile.commune_name, profile.province, info.disadvantaged_area),
            year=year,
            values={k: v for k, v in self.values(year).items() if v},
        )

    def dataset_document(self, year: int, with_verdicts: bool = False) -> dict[str, Any]:
        """The year's figures as a `cdht-dataset/1` document, optionally with the rules engine's verdicts."""
        document = self.dataset(year).to_json()
        if with_verdicts:
            document["assessment"] = self.assessment(year).to_json()
        return document

    def assessment(self, year: int) -> Assessment:
        from app.domain.catalogue import catalogue_by_id
        from app.domain.rules import evaluate

        info = self.year(year)
        return evaluate(catalogue_by_id(info.catalogue_id), self.values(year), info.disadvantaged_area)

    def evidence_states(self, year: int) -> dict[str, EvidenceState]:
        """Per indicator: how many live evidence items are linked, and the written explanation if none."""
        from app.domain.checklist import EvidenceState

        with self.lock:
            counts = dict(self.db.execute(
                "SELECT l.indicator_id, COUNT(*) FROM evidence_links l JOIN evidence e ON e.id = l.evidence_id "
                "WHERE e.year = ? AND e.deleted_at IS NULL GROUP BY l.indicator_id", [year]
            ).fetchall())
        values = self.values(year)
        return {
            ind.id: EvidenceState(counts.get(ind.id, 0), str(values.get(ind.id, {}).get(EXPLANATION_FIELD, "")))
            for ind in self.catalogue(year).indicators
        }

    def checklist(self, year: int) -> Checklist:
        from app.domain.checklist import build_checklist

        return build_checklist(self.assessment(year), self.evidence_states(year))

    # ------------------------------------------------------------------ units and assignments

    def units(self) -> list[Unit]:
        with self.lock:
            return [Unit(r[0], r[1]) for r in self.db.execute("SELECT id, name FROM units ORDER BY name").fetchall()]

    def assignments(self, year: int) -> list[Assignment]:
        with self.lock:
            rows = self.db.execute(
                "SELECT a.id, a.indicator_id, u.name, a.due_date, a.status, a.note FROM assignments a "
                "LEFT JOIN units u ON u.id = a.lead_unit_id WHERE a.year = ?", [year]
            ).fetchall()
            result = []
            for row in rows:
                coordinating = tuple(r[0] for r in self.db.execute(
                    "SELECT u.name FROM assignment_units au JOIN units u ON u.id = au.unit_id "
                    "WHERE au.assignment_id = ? ORDER BY au.position, au.rowid", [row[0]]).fetchall())
                due = dt.date.fromisoformat(row[3]) if row[3] else None
                result.append(Assignment(row[1], row[2], coordinating, due, row[4], row[5]))
        order = {iid: i for i, iid in enumerate(self.catalogue(year).indicator_ids)}
        return sorted(result, key=lambda a: order.get(a.indicator_id, 999))

    # ------------------------------------------------------------------ recognition history

    def recognitions(self) -> list[Recognition]:
        with self.lock:
            rows = self.db.execute(
                "SELECT id, level, decision_number, decision_date, issuer, assessment_year, note FROM recognitions "
                "ORDER BY decision_date"
            ).fetchall()
        return [Recognition(r[0], r[1], r[2], dt.date.fromisoformat(r[3]), r[4], r[5], r[6]) for r in rows]
