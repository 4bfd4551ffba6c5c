"""The commune's workspace: one database file and every use case on it.

Threading: one connection, guarded by `Workspace.lock`; the UI calls these methods from its single
database worker thread. Every mutation runs in one transaction together with its audit-log rows and
returns a `Changes` flag set so that windows refresh only what changed. Text is NFC-normalised here,
at the boundary.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.errors import InputError, LockedError, NotFoundError, ReadOnlyError
from app.storage.db import Database, open_database, open_read_only
from app.text import MAX_ORGANISATION_LENGTH, clean_text, nfc, parse_date, utc_now

if TYPE_CHECKING:  # the rules engine is imported when first used: opening the window does not wait for it
    from app.domain.catalogue import Catalogue
    from app.domain.checklist import Checklist, EvidenceState
    from app.domain.dataset import Dataset
    from app.domain.rules import Assessment

DEFAULT_RECIPIENT = "Sở Giáo dục và Đào tạo"
ASSIGNMENT_STATUSES = {"todo": "Chưa thực hiện", "in_progress": "Đang thực hiện", "done": "Đã hoàn thành"}
EXPLANATION_FIELD = "no_evidence_explanation"


@dataclass(frozen=True)
class Changes:
    """What a mutation touched; panels refresh only what is flagged (Anki's OpChanges)."""

    profile: bool = False
    settings: bool = False
    years: bool = False
    indicators: bool = False
    checklist: bool = False
    evidence: bool = False
    assignments: bool = False
    recognitions: bool = False
    documents: bool = False

    def __or__(self, other: Changes) -> Changes:
        return Changes(**{f.name: getattr(self, f.name) or getattr(other, f.name) for f in fields(self)})

    def any(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


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


def _check_year(year: Any) -> int:
    from app.domain.dataset import MAX_YEAR, MIN_YEAR

    if not isinstance(year, int) or isinstance(year, bool) or not MIN_YEAR <= year <= MAX_YEAR:
        raise InputError(f"Năm đánh giá phải là số nguyên từ {MIN_YEAR} đến {MAX_YEAR}, không phải {year!r}.")
    return year


class Workspace:
    """A commune database and the use cases on it."""

    #: Opened with `read_only=True` (a full or read-only drive): every write is refused with `read_only_reason`.
    read_only = False
    read_only_reason = "Dữ liệu đang mở ở chế độ chỉ đọc; không ghi được. Không có gì được ghi."

    def __init__(self, db: Database, path: Path, user: str | None = None) -> None:
        self.db = db
        self.path = path
        self.lock = threading.RLock()
        self._txn: int | None = None
        self.user = user or self.get_setting("user_name") or _login_name()

    @classmethod
    def open(cls, path: Path, user: str | None = None, read_only: bool = False) -> Workspace:
        """Open (creating and upgrading when needed) the database at `path`; `read_only` never writes to it."""
        path = Path(path)
        if not read_only:
            return cls(open_database(path), path, user)
        ws = cls(open_read_only(path), path, user)
        ws.read_only = True
        return ws

    def close(self) -> None:
        with self.lock:
            self.db.close()
            self.closed = True

    #: True once `close` ran: work queued for later (a window's deferred start-up) then does nothing.
    closed = False

    @property
    def data_dir(self) -> Path:
        """The folder that holds the database and, beside it, the evidence store."""
        return self.path.parent

    # ------------------------------------------------------------------ transactions and audit

    @contextmanager
    def transaction(self, continues: str | None = None) -> Iterator[Database]:
        """One atomic unit of work; nested calls become savepoints.

        The audit rows of one outermost transaction share a transaction number (`audit_log.txn`), so that
        one user action can be recognised (and undone) as a whole. `continues` (an audit key prefix such as
        '5.1/') makes this transaction part of the previous one when the newest audit row has that prefix:
        a burst of typing saved in several writes is then one action.
        """
        with self.lock:
            if self.read_only:  # a full or read-only drive: refused with the reason, before anything runs
                raise ReadOnlyError(self.read_only_reason)
            outermost = not self.db.conn.in_transaction
            with self.db.atomic():
                if outermost:
                    self._txn = self._continued_txn(continues) if continues else self._next_txn()
                try:
                    yield self.db
                finally:
                    if outermost:
                        self._txn = None

    def _next_txn(self) -> int:
        return int(self.db.execute("SELECT COALESCE(MAX(txn), 0) + 1 FROM audit_log").fetchone()[0])

    def _continued_txn(self, key_prefix: str) -> int:
        row = self.db.execute("SELECT txn, entity, entity_key FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
        if row and row[1] == "indicator_value" and row[2].startswith(key_prefix):
            return int(row[0])
        return self._next_txn()

    def audit(self, action: str, entity: str, key: str = "", year: int | None = None,
              old: Any = None, new: Any = None) -> None:
        """Append one audit row; call inside the transaction of the change it records."""
        txn = getattr(self, "_txn", None) or self._next_txn()
        self.db.execute(
            "INSERT INTO audit_log (txn, at, user, action, entity, entity_key, year, old, new) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [txn, utc_now(), self.user, action, entity, key, year,
             None if old is None else json.dumps(old, ensure_ascii=False),
             None if new is None else json.dumps(new, ensure_ascii=False)],
        )

    def audit_entries(self, entity: str | tuple[str, ...] | None = None, key_prefix: str | None = None,
                      year: int | None = None, limit: int | None = 500, oldest_first: bool = False,
                      after_id: int | None = None) -> list[AuditEntry]:
        """Audit rows, newest first (or oldest first), optionally for some entities, a key prefix (e.g. '1.2/'),
        a year, or only the rows written after audit row `after_id` (read by rowid: cheap however long the log)."""
        where, params = [], []
        if after_id is not None:
            where.append("id > ?")
            params.append(after_id)
        if entity:
            entities = (entity,) if isinstance(entity, str) else tuple(entity)
            where.append(f"entity IN ({', '.join('?' * len(entities))})")
            params.extend(entities)
        if key_prefix:  # a key range, so that the (entity, entity_key) index serves it
            where.append("entity_key >= ? AND entity_key < ?")
            params.extend([key_prefix, key_prefix[:-1] + chr(ord(key_prefix[-1]) + 1)])
        if year is not None:
            where.append("year = ?")
            params.append(year)
        sql = "SELECT id, txn, at, user, action, entity, entity_key, year, old, new FROM audit_log"
        if after_id is not None:
            sql += " NOT INDEXED"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id " + ("ASC" if oldest_first else "DESC") + " LIMIT ?"
        with self.lock:
            cursor = self.db.execute(sql, params + [-1 if limit is None else limit])
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        return [
            AuditEntry(r["id"], r["txn"], r["at"], r["user"], r["action"], r["entity"], r["entity_key"], r["year"],
                       None if r["old"] is None else json.loads(r["old"]),
                       None if r["new"] is None else json.loads(r["new"]))
            for r in rows
        ]

    # ------------------------------------------------------------------ settings

    def get_setting(self, key: str, default: Any = None) -> Any:
        with self.lock:
            row = self.db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        return default if row is None else json.loads(row[0])

    def set_setting(self, key: str, value: Any) -> Changes:
        value = nfc(value) if isinstance(value, str) else value
        with self.transaction():
            old = self.get_setting(key)
            if old == value:
                return Changes()
            self.db.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, json.dumps(value, ensure_ascii=False)],
            )
            self.audit("update", "settings", key, None, old, value)
        if key == "user_name" and value:
            self.user = value
        return Changes(settings=True)

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

    def _clean_profile(self, profile: Profile) -> Profile:
        from app.services.profile import clean_profile  # names normalised at the boundary (see there)

        return clean_profile(profile)[0]

    def save_profile(self, profile: Profile) -> Changes:
        """Create or replace the commune profile."""
        profile = self._clean_profile(profile)
        with self.transaction():
            old = self.profile().__dict__ if self.has_profile() else None
            self.db.execute(
                "INSERT INTO profile (id, commune_name, province, recipient_authority, disadvantaged_area, signer_name, "
                "signer_title, commune_kind, updated_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                "commune_name=excluded.commune_name, province=excluded.province, "
                "recipient_authority=excluded.recipient_authority, disadvantaged_area=excluded.disadvantaged_area, "
                "signer_name=excluded.signer_name, signer_title=excluded.signer_title, "
                "commune_kind=excluded.commune_kind, updated_at=excluded.updated_at",
                [profile.commune_name, profile.province, profile.recipient_authority, int(profile.disadvantaged_area),
                 profile.signer_name, profile.signer_title, profile.commune_kind, utc_now()],
            )
            if old != profile.__dict__:
                self.audit("create" if old is None else "update", "profile", "", None, old, profile.__dict__)
        return Changes(profile=True, checklist=True)

    def update_profile(self, **changes: Any) -> Changes:
        return self.save_profile(replace(self.profile(), **changes))

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
        _check_year(year)  # a year no commune can have (25, 99999) is named as such, with no hint to add it
        raise NotFoundError(f"Chưa có năm đánh giá {year}. Hãy thêm năm này trước (cdht year add {year}).")

    def catalogue(self, year: int) -> Catalogue:
        from app.domain.catalogue import catalogue_by_id

        return catalogue_by_id(self.year(year).catalogue_id)

    def add_year(self, year: int, copy_from: int | None = None) -> Changes:
        """Create an assessment year (data window 01/01–31/12); optionally copy values and assignments forward."""
        from app.domain.catalogue import catalogue_for_year

        _check_year(year)
        profile = self.profile()
        with self.transaction():
            if any(info.year == year for info in self.years()):
                raise InputError(f"Năm đánh giá {year} đã có.")
            source = self.year(copy_from) if copy_from is not None else None
            catalogue = catalogue_for_year(year)
            disadvantaged = source.disadvantaged_area if source else profile.disadvantaged_area
            self.db.execute(
                "INSERT INTO years (year, catalogue_id, disadvantaged_area, copied_from, created_at) VALUES (?, ?, ?, ?, ?)",
                [year, catalogue.id, int(disadvantaged), copy_from, utc_now()],
            )
            self.audit("create", "year", str(year), year, None,
                       {"catalogue": catalogue.id, "copied_from": copy_from, "disadvantaged_area": disadvantaged})
            if source is not None:
                self._copy_year(source.year, year, catalogue)
        return Changes(years=True, indicators=True, checklist=True, assignments=True)

    def _copy_year(self, source: int, target: int, catalogue: Catalogue) -> None:
        known = set(catalogue.indicator_ids)
        for ind_id, values in self.values(source).items():
            if ind_id in known:
                for name, value in values.items():
                    self._write_value(target, ind_id, name, value)
        for assignment in self.assignments(source):
            if assignment.indicator_id in known:
                due = assignment.due_date
                if due is not None:
                    due = add_months(due, 12 * (target - source))
                self._write_assignment(target, replace(assignment, due_date=due, status="todo"))

    def ensure_unlocked(self, year: int) -> None:
        """Raise LockedError when the year is finalized (chốt hồ sơ); every mutation of a year calls this."""
        if self.year(year).locked:
            raise LockedError(f"Hồ sơ năm {year} đã được chốt; hãy mở khóa (nêu lý do) trước khi sửa.")

    def set_year_disadvantaged(self, year: int, disadvantaged: bool) -> Changes:
        with self.transaction():
            info = self.year(year)
            self.ensure_unlocked(year)
            if info.disadvantaged_area != disadvantaged:
                self.db.execute("UPDATE years SET disadvantaged_area = ? WHERE year = ?", [int(disadvantaged), year])
                self.audit("update", "year.disadvantaged_area", str(year), year, info.disadvantaged_area, disadvantaged)
        return Changes(years=True, checklist=True)

    # ------------------------------------------------------------------ indicator values

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

    def _write_value(self, year: int, indicator_id: str, name: str, value: Any, action: str | None = None) -> bool:
        """Store (or with None, clear) one field and audit it (as `action`, default set/update/clear);
        returns whether anything changed."""
        row = self.db.execute(
            "SELECT value FROM indicator_values WHERE year = ? AND indicator_id = ? AND field = ?",
            [year, indicator_id, name],
        ).fetchone()
        old = None if row is None else json.loads(row[0])
        if old == value and (value is None or type(old) is type(value)):
            return False
        if value is None:
            self.db.execute(
                "DELETE FROM indicator_values WHERE year = ? AND indicator_id = ? AND field = ?", [year, indicator_id, name]
            )
        else:
            self.db.execute(
                "INSERT INTO indicator_values (year, indicator_id, field, value, updated_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(year, indicator_id, field) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                [year, indicator_id, name, json.dumps(value, ensure_ascii=False), utc_now()],
            )
        if action is None:
            action = "update" if old is not None and value is not None else ("clear" if value is None else "set")
        self.audit(action, "indicator_value", f"{indicator_id}/{name}", year, old, value)
        return True

    def set_values(self, year: int, indicator_id: str, updates: dict[str, Any], continue_edit: bool = False) -> Changes:
        """Set several fields of one indicator at once (None clears a field); validated as a whole.

        `continue_edit`: this write goes on with the previous edit of the same indicator (more of the same
        typing), so that undo takes both back in one step."""
        from app.domain.dataset import VALUE_FIELDS, validate_indicator_values

        catalogue = self.catalogue(year)
        try:
            indicator = catalogue.indicator(indicator_id)
        except KeyError:
            raise NotFoundError(f"Không có chỉ tiêu mã \"{indicator_id}\" trong {catalogue.short_title}.") from None
        updates = {nfc(k): (nfc(v).strip() if isinstance(v, str) else v) for k, v in updates.items()}
        from app.domain.normalise import normalise_indicator_fields

        updates = normalise_indicator_fields({k: (None if v == "" else v) for k, v in updates.items()},
                                             f"chỉ tiêu {indicator_id}")
        with self.transaction(continues=f"{indicator_id}/" if continue_edit else None):
            self.ensure_unlocked(year)
            merged = dict(self.values(year).get(indicator_id, {}))
            merged.update(updates)
            validate_indicator_values(indicator, merged, f"chỉ tiêu {indicator_id}")
            changed = False
            for name, value in updates.items():
                changed |= self._write_value(year, indicator_id, name, value)
        if not changed:
            return Changes()
        value_touched = any(k in VALUE_FIELDS[indicator.input] or k == EXPLANATION_FIELD for k in updates)
        return Changes(indicators=True, checklist=value_touched)

    def set_value(self, year: int, indicator_id: str, name: str, value: Any) -> Changes:
        return self.set_values(year, indicator_id, {name: value})

    # ------------------------------------------------------------------ verdicts

    def dataset(self, year: int) -> Dataset:
        from app.domain.dataset import Commune, Dataset

        profile = self.profile()
        info = self.year(year)
        return Dataset(
            commune=Commune(profile.commune_name, profile.province, info.disadvantaged_area),
            year=year,
            values={k: v for k, v in self.values(year).items() if v},
        )

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

    def _unit_id(self, name: str) -> int:
        name = clean_text(name, "Tên đơn vị", required=True, single_line=True,
                          max_length=MAX_ORGANISATION_LENGTH)
        row = self.db.execute("SELECT id FROM units WHERE name = ?", [name]).fetchone()
        if row:
            return int(row[0])
        cursor = self.db.execute("INSERT INTO units (name) VALUES (?)", [name])
        self.audit("create", "unit", name, None, None, name)
        return int(cursor.lastrowid)

    def add_unit(self, name: str) -> Changes:
        with self.transaction():
            self._unit_id(name)
        return Changes(assignments=True)

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

    def _assignment_json(self, a: Assignment | None) -> dict[str, Any] | None:
        if a is None:
            return None
        return {"lead_unit": a.lead_unit, "coordinating_units": list(a.coordinating_units),
                "due_date": a.due_date.isoformat() if a.due_date else None, "status": a.status, "note": a.note}

    def _write_assignment(self, year: int, assignment: Assignment) -> None:
        old = next((a for a in self.assignments(year) if a.indicator_id == assignment.indicator_id), None)
        if old == assignment:
            return
        lead = self._unit_id(assignment.lead_unit) if assignment.lead_unit else None
        self.db.execute(
            "INSERT INTO assignments (year, indicator_id, lead_unit_id, due_date, status, note) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(year, indicator_id) DO UPDATE SET lead_unit_id = excluded.lead_unit_id, "
            "due_date = excluded.due_date, status = excluded.status, note = excluded.note",
            [year, assignment.indicator_id, lead, assignment.due_date.isoformat() if assignment.due_date else None,
             assignment.status, assignment.note],
        )
        assignment_id = self.db.execute(
            "SELECT id FROM assignments WHERE year = ? AND indicator_id = ?", [year, assignment.indicator_id]
        ).fetchone()[0]
        self.db.execute("DELETE FROM assignment_units WHERE assignment_id = ?", [assignment_id])
        for position, name in enumerate(assignment.coordinating_units):  # partners in the order entered
            self.db.execute("INSERT OR IGNORE INTO assignment_units (assignment_id, unit_id, position) VALUES (?, ?, ?)",
                            [assignment_id, self._unit_id(name), position])
        self.audit("update" if old else "create", "assignment", assignment.indicator_id, year,
                   self._assignment_json(old), self._assignment_json(assignment))

    def set_assignment(self, year: int, indicator_id: str, lead_unit: str | None = None,
                       coordinating_units: list[str] | tuple[str, ...] = (), due_date: dt.date | str | None = None,
                       status: str = "todo", note: str = "") -> Changes:
        """Who collects the data and evidence of one indicator, with whom, by when (seed 004's table)."""
        catalogue = self.catalogue(year)
        if indicator_id not in catalogue.indicator_ids:
            raise NotFoundError(f"Không có chỉ tiêu mã \"{indicator_id}\".")
        if status not in ASSIGNMENT_STATUSES:
            raise InputError(f"Trạng thái phân công {status!r} không hợp lệ; chỉ có: {', '.join(ASSIGNMENT_STATUSES)}.")
        if isinstance(due_date, str):
            try:
                due_date = parse_date(due_date) if due_date.strip() else None
            except ValueError:
                raise InputError(f"Hạn hoàn thành {due_date!r} không phải ngày hợp lệ (dd/mm/yyyy).") from None
        lead = clean_text(lead_unit, "Đơn vị chủ trì", single_line=True, max_length=MAX_ORGANISATION_LENGTH) or None
        coordinating = tuple(dict.fromkeys(
            c for c in (clean_text(x, "Đơn vị phối hợp", single_line=True, max_length=MAX_ORGANISATION_LENGTH)
                        for x in coordinating_units) if c))
        assignment = Assignment(indicator_id, lead, coordinating, due_date, status, clean_text(note, "Ghi chú"))
        with self.transaction():
            self.year(year)
            self._write_assignment(year, assignment)
        return Changes(assignments=True)

    # ------------------------------------------------------------------ recognition history

    def recognitions(self) -> list[Recognition]:
        with self.lock:
            rows = self.db.execute(
                "SELECT id, level, decision_number, decision_date, issuer, assessment_year, note FROM recognitions "
                "ORDER BY decision_date"
            ).fetchall()
        return [Recognition(r[0], r[1], r[2], dt.date.fromisoformat(r[3]), r[4], r[5], r[6]) for r in rows]

    def add_recognition(self, level: int, decision_number: str, decision_date: dt.date | str, issuer: str = "",
                        assessment_year: int | None = None, note: str = "") -> Changes:
        if level not in (1, 2):
            raise InputError("Mức độ công nhận chỉ có thể là 1 hoặc 2.")
        if isinstance(decision_date, str):
            try:
                decision_date = parse_date(decision_date)
            except ValueError:
                raise InputError(f"Ngày quyết định {decision_date!r} không hợp lệ (dd/mm/yyyy).") from None
        number = clean_text(decision_number, "Số quyết định", required=True, single_line=True)
        record = {"level": level, "decision_number": number, "decision_date": decision_date.isoformat(),
                  "issuer": clean_text(issuer, "Cơ quan công nhận", single_line=True), "assessment_year": assessment_year,
                  "note": clean_text(note, "Ghi chú")}
        with self.transaction():
            self.db.execute(
                "INSERT INTO recognitions (level, decision_number, decision_date, issuer, assessment_year, note) "
                "VALUES (:level, :decision_number, :decision_date, :issuer, :assessment_year, :note)", record)
            self.audit("create", "recognition", number, assessment_year, None, record)
        return Changes(recognitions=True)

    # ------------------------------------------------------------------ deadline

    def submission_deadline(self, year: int) -> dt.date:
        """The dossier deadline for an assessment year: 28/02 of the next year unless configured otherwise."""
        configured = self.get_setting(f"deadline.{year}")
        if configured:
            return dt.date.fromisoformat(configured)
        month, day = self.catalogue(year).submission_deadline
        return dt.date(year + 1, month, day)


def _login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name on some Windows setups
        return "người dùng"


__all__ = [
    "Workspace", "Changes", "Profile", "YearInfo", "Unit", "Assignment", "Recognition", "AuditEntry",
    "ASSIGNMENT_STATUSES", "DEFAULT_RECIPIENT", "EXPLANATION_FIELD", "add_months",
]
