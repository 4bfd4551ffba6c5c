"""The register: one row per commune of the province and assessment year, with the state of its dossier.

For each commune and year the *current* package is the valid one with the highest version (then the latest
received); older versions are superseded but stay on record. Without a valid package the row shows the latest
package received, so a commune whose only package is broken or signed by someone else reads as such.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from app.recipient.verification import INVALID, UNBOUND, VALID
from app.recipient.workspace import RecipientWorkspace
from app.text import fold

NOT_RECEIVED, RECEIVED, SIGNER_UNCONFIRMED, INVALID_PACKAGE = "not_received", "received", "unconfirmed", "invalid"
IN_APPRAISAL, APPRAISED, DECIDED = "in_appraisal", "appraised", "decided"
STATUS_LABELS = {
    NOT_RECEIVED: "Chưa nhận", RECEIVED: "Đã nhận", SIGNER_UNCONFIRMED: "Chưa xác nhận người ký",
    INVALID_PACKAGE: "Không hợp lệ", IN_APPRAISAL: "Đang thẩm định", APPRAISED: "Đã thẩm định",
    DECIDED: "Đã có kết quả",
}
STATUS_ORDER = (NOT_RECEIVED, INVALID_PACKAGE, SIGNER_UNCONFIRMED, RECEIVED, IN_APPRAISAL, APPRAISED, DECIDED)


@dataclass(frozen=True)
class RegisterRow:
    commune_id: int
    commune: str
    province: str
    year: int
    status: str
    package_id: int | None = None
    level_requested: int | None = None
    level_self: int | None = None
    level_verified: int | None = None
    late: bool = False
    received_at: str | None = None
    versions: int = 0
    search_key: str = ""
    version: int = 0

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class PackageRow:
    """A package on record, without its report and figures (see `package_detail`)."""

    id: int
    sha256: str
    size: int
    commune_id: int | None
    commune: str
    province: str
    year: int | None
    version: int
    level_requested: int | None
    received_at: str
    late: bool
    source_kind: str
    source_ref: str
    verdict: str
    summary: str
    signer: str
    signer_fingerprint: str


_PACKAGE_COLUMNS = ("id, sha256, size, commune_id, commune_name, province, year, version, level_requested, received_at, "
                    "late, source_kind, source_ref, verdict, summary, signer_subject, signer_fingerprint")


def _package(row: tuple[Any, ...]) -> PackageRow:
    return PackageRow(*(*row[:10], bool(row[10]), *row[11:]))


def packages(rws: RecipientWorkspace, commune_id: int | None = None, year: int | None = None,
             unknown_only: bool = False) -> list[PackageRow]:
    """Packages on record, newest first; `unknown_only` gives those of communes missing from the register."""
    where, params = [], []
    if commune_id is not None:
        where.append("commune_id = ?")
        params.append(commune_id)
    if year is not None:
        where.append("year = ?")
        params.append(year)
    if unknown_only:
        where.append("commune_id IS NULL")
    sql = f"SELECT {_PACKAGE_COLUMNS} FROM packages" + (" WHERE " + " AND ".join(where) if where else "")
    with rws.lock:
        rows = rws.db.execute(sql + " ORDER BY received_at DESC, id DESC", params).fetchall()
    return [_package(r) for r in rows]


def package(rws: RecipientWorkspace, package_id: int) -> PackageRow:
    from app.errors import NotFoundError

    with rws.lock:
        row = rws.db.execute(f"SELECT {_PACKAGE_COLUMNS} FROM packages WHERE id = ?", [package_id]).fetchone()
    if row is None:
        raise NotFoundError(f"Không có gói hồ sơ số {package_id} trong sổ.")
    return _package(row)


def package_record(rws: RecipientWorkspace, package_id: int) -> dict[str, Any]:
    """The verifier's report, the reasons and the figures (cdht-dataset with the self-assessment) of a package."""
    with rws.lock:
        row = rws.records.table("packages").get(package_id)
    return {"report": json.loads(row["report"]), "reasons": json.loads(row["reasons"]),
            "dataset": json.loads(row["dataset"]) if row["dataset"] else None}


def receipts(rws: RecipientWorkspace, package_id: int) -> list[dict[str, Any]]:
    with rws.lock:
        rows = list(rws.records["receipts"].rows_where("package_id = ?", [package_id], order_by="id",
                                                       select="received_at, source_kind, source_ref, duplicate"))
    return [{**row, "duplicate": bool(row["duplicate"])} for row in rows]


def current_package_id(rws: RecipientWorkspace, commune_id: int, year: int) -> int | None:
    chosen = _choose(rws, commune_id, year)
    return chosen[0] if chosen else None


def _choose(rws: RecipientWorkspace, commune_id: int | None, year: int | None) -> tuple[Any, ...] | None:
    rows = [r for r in _light(rws, year) if r[1] == commune_id]
    return _current(rows)


def _light(rws: RecipientWorkspace, year: int | None) -> list[tuple[Any, ...]]:
    sql = ("SELECT id, commune_id, year, version, received_at, verdict, late, level_requested, "
           "json_extract(dataset, '$.assessment.level') FROM packages WHERE commune_id IS NOT NULL")
    with rws.lock:
        if year is None:
            return rws.db.execute(sql).fetchall()
        return rws.db.execute(sql + " AND year = ?", [year]).fetchall()


def _current(rows: list[tuple[Any, ...]]) -> tuple[Any, ...] | None:
    valid = [r for r in rows if r[5] == VALID]
    if valid:
        return max(valid, key=lambda r: (r[3], r[4], r[0]))
    return max(rows, key=lambda r: (r[4], r[0])) if rows else None


def years(rws: RecipientWorkspace, today: dt.date | None = None) -> list[int]:
    """Assessment years with packages or a council, plus the round under way (last year until March)."""
    today = today or dt.date.today()
    with rws.lock:
        found = {r[0] for r in rws.db.execute("SELECT DISTINCT year FROM packages WHERE year IS NOT NULL")}
        found |= {r[0] for r in rws.db.execute("SELECT year FROM councils")}
    found.add(today.year if today.month >= 4 else today.year - 1)
    return sorted(found)


def latest_package_year(rws: RecipientWorkspace) -> int | None:
    """The newest assessment year any received package is for, or None before the first one."""
    with rws.lock:
        row = rws.db.execute("SELECT MAX(year) FROM packages").fetchone()
    return int(row[0]) if row and row[0] else None


def register_rows(rws: RecipientWorkspace, year: int | None = None) -> list[RegisterRow]:
    """Every commune of the register × every year (or one year), with its status, in name order."""
    from app.recipient.communes import communes

    chosen_years = [year] if year is not None else years(rws)
    by_commune_year: dict[tuple[int, int], list[tuple[Any, ...]]] = {}
    for row in _light(rws, year):
        by_commune_year.setdefault((row[1], row[2]), []).append(row)
    with rws.lock:
        judged = dict(rws.db.execute("SELECT package_id, COUNT(*) FROM verdicts GROUP BY package_id").fetchall())
        concluded = dict(rws.db.execute("SELECT package_id, verified_level FROM appraisals").fetchall())
        decided = dict(rws.db.execute("SELECT package_id, level FROM outcomes").fetchall())
    result = []
    for commune in communes(rws):
        key = fold(commune.name)
        for y in chosen_years:
            rows = by_commune_year.get((commune.id, y), [])
            current = _current(rows)
            if current is None:
                result.append(RegisterRow(commune.id, commune.name, commune.province, y, NOT_RECEIVED, search_key=key))
                continue
            package_id, verdict = current[0], current[5]
            if verdict == INVALID:
                status = INVALID_PACKAGE
            elif verdict == UNBOUND:
                status = SIGNER_UNCONFIRMED
            elif package_id in decided:
                status = DECIDED
            elif package_id in concluded:
                status = APPRAISED
            elif judged.get(package_id):
                status = IN_APPRAISAL
            else:
                status = RECEIVED
            verified = decided.get(package_id, concluded.get(package_id))
            result.append(RegisterRow(commune.id, commune.name, commune.province, y, status, package_id, current[7],
                                      current[8], verified, bool(current[6]), current[4], len(rows), key,
                                      current[3]))
    return result


def status_counts(rows: list[RegisterRow]) -> dict[str, int]:
    counts = dict.fromkeys(STATUS_ORDER, 0)
    for row in rows:
        counts[row.status] += 1
    return counts


def matches(row: RegisterRow, text: str) -> bool:
    """Accent-free search on the commune's name: 'dong tien' finds 'Đồng Tiến'."""
    wanted = fold(text).strip()
    return not wanted or wanted in row.search_key


__all__ = ["RegisterRow", "PackageRow", "register_rows", "packages", "package", "package_record", "receipts",
           "current_package_id", "years", "status_counts", "matches", "STATUS_LABELS", "STATUS_ORDER",
           "NOT_RECEIVED", "RECEIVED", "SIGNER_UNCONFIRMED", "INVALID_PACKAGE", "IN_APPRAISAL", "APPRAISED", "DECIDED"]
