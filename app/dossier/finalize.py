"""Chốt hồ sơ: the pre-flight list, locking the year, and unlocking it with a recorded reason.

Each lock starts a new package version (`years.package_version`), so a package sent after an unlock can
never be mistaken for the earlier one; the package UUID of the year stays the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.changes import Changes
from app.domain.checklist import EVIDENCE_MISSING
from app.domain.rules import MISSING
from app.dossier.records import package_uuid
from app.errors import InputError
from app.storage.workspace import Workspace
from app.text import format_local_time, nfc, utc_now


@dataclass(frozen=True)
class PreflightItem:
    """One line of the pre-flight list: what is checked, whether it passes, and what is still missing."""

    label: str
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def _assessed(ws: Workspace, year: int) -> PreflightItem:
    assessment = ws.assessment(year)
    problems = tuple(f"Chỉ tiêu {iid}: {result.verdicts[1].reason}"
                     for iid, result in assessment.indicators.items() if result.verdicts[1].status == MISSING)
    return PreflightItem("Đã đánh giá đủ các chỉ tiêu", problems)


def _evidence(ws: Workspace, year: int) -> PreflightItem:
    problems = tuple(f"Chỉ tiêu {iid} chưa có minh chứng hoặc giải trình"
                     for iid, state in ws.evidence_states(year).items() if state.status == EVIDENCE_MISSING)
    return PreflightItem("Mỗi chỉ tiêu có minh chứng hoặc giải trình", problems)


def _documents(ws: Workspace, year: int) -> list[PreflightItem]:
    """The documents' own checks: content, the meeting's composition (Điều 9.1.c), the số and ngày of every
    issued document (so that nothing is signed with a blank), and the evidence register."""
    from app.documents.readiness import readiness_groups

    return [PreflightItem(group.label, group.problems) for group in readiness_groups(ws, year)]


def preflight(ws: Workspace, year: int) -> list[PreflightItem]:
    """The checks that must all pass before the year can be finalized."""
    ws.year(year)
    return [_assessed(ws, year), _evidence(ws, year), *_documents(ws, year)]


def finalize(ws: Workspace, year: int) -> Changes:
    """Lock the year (chốt hồ sơ) once every pre-flight check passes; a new package version begins."""
    with ws.transaction():
        info = ws.year(year)
        if info.locked:
            raise InputError(f"Hồ sơ năm {year} đã được chốt lúc {format_local_time(info.locked_at)}.")
        failing = [item for item in preflight(ws, year) if not item.ok]
        if failing:
            count = sum(len(item.problems) for item in failing)
            groups = "; ".join(f"{item.label} ({len(item.problems)})" for item in failing)
            raise InputError(f"Chưa thể chốt hồ sơ năm {year}: còn {count} việc chưa xong — {groups}. "
                             f"Việc đầu tiên: {failing[0].problems[0].rstrip('.')}.")
        version = info.package_version + 1
        locked_at = utc_now()
        ws.db.execute("UPDATE years SET locked_at = ?, package_version = ? WHERE year = ?", [locked_at, version, year])
        ws.audit("finalize", "year", str(year), year, {"package_version": info.package_version},
                 {"locked_at": locked_at, "package_version": version})
        package_uuid(ws, year)
    return Changes(years=True, checklist=True, documents=True)


def unlock(ws: Workspace, year: int, reason: str) -> Changes:
    """Reopen a finalized year for corrections; the reason is kept in the audit log."""
    reason = nfc(reason or "").strip()
    if len(reason) < 5:
        raise InputError("Hãy nêu lý do mở khóa hồ sơ (ít nhất 5 ký tự); lý do được ghi vào nhật ký thay đổi.")
    with ws.transaction():
        info = ws.year(year)
        if not info.locked:
            raise InputError(f"Hồ sơ năm {year} chưa được chốt nên không cần mở khóa.")
        ws.db.execute("UPDATE years SET locked_at = NULL WHERE year = ?", [year])
        ws.audit("unlock", "year", str(year), year, {"locked_at": info.locked_at,
                                                    "package_version": info.package_version}, {"reason": reason})
    return Changes(years=True, checklist=True, documents=True)
