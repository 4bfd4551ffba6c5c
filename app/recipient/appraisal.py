"""Appraisal by the Hội đồng đánh giá (TT 25/2023 Điều 9 khoản 2).

The council of an assessment year has a chair, a secretary and members, an odd number and at least five, and
works at a meeting or by written opinions. For each commune's current package it records, per indicator and
level, đạt or không đạt with a note; a verdict that differs from the commune's self-assessment needs its reason.
The verified level comes from the same rules engine as the commune's own (`app.domain.rules.assess`) applied to
the council's verdicts, never above the level requested. Every verdict is in the audit log with who recorded it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from app.domain.catalogue import LEVELS, Catalogue, catalogue_for_year
from app.domain.rules import MET, MISSING, NOT_MET, STATUS_LABELS, Assessment, IndicatorResult, Verdict, assess
from app.errors import InputError, NotFoundError
from app.recipient.register import current_package_id, package, package_record
from app.recipient.verification import VALID
from app.recipient.workspace import RecipientWorkspace
from app.text import clean_text, format_date_short, parse_date, utc_now

ROLES = {"chair": "Chủ tịch Hội đồng", "vice_chair": "Phó Chủ tịch Hội đồng", "secretary": "Thư ký Hội đồng",
         "member": "Ủy viên"}
MODES = {"meeting": "họp Hội đồng", "written": "lấy ý kiến bằng văn bản"}
MIN_MEMBERS = 5


@dataclass(frozen=True)
class CouncilMember:
    name: str
    role: str
    title: str = ""

    @property
    def role_label(self) -> str:
        return ROLES[self.role]


@dataclass(frozen=True)
class Council:
    year: int
    mode: str
    members: tuple[CouncilMember, ...]
    basis: str = ""
    sitting_date: dt.date | None = None

    @property
    def mode_label(self) -> str:
        return MODES[self.mode]

    def member(self, role: str) -> CouncilMember | None:
        return next((m for m in self.members if m.role == role), None)


def council_problems(members: tuple[CouncilMember, ...]) -> list[str]:
    """Why a membership cannot form the council (Điều 9 khoản 2 điểm b); empty when it can."""
    problems = []
    count = len(members)
    if count < MIN_MEMBERS or count % 2 == 0:
        problems.append(f"Hội đồng phải có số thành viên lẻ, tối thiểu {MIN_MEMBERS:02d} người (hiện có {count}).")
    for role, label in (("chair", "Chủ tịch Hội đồng"), ("secretary", "Thư ký Hội đồng")):
        found = sum(1 for m in members if m.role == role)
        if found != 1:
            problems.append(f"Hội đồng phải có đúng một {label} (hiện có {found}).")
    names = [m.name.casefold() for m in members]
    if len(set(names)) != len(names):
        problems.append("Có thành viên được ghi hai lần.")
    return problems


def parse_member(text: str) -> CouncilMember:
    """'Họ tên|vai trò|chức vụ, cơ quan' with the role as chair/vice_chair/secretary/member or its Vietnamese name."""
    name, _, rest = text.partition("|")
    role, _, title = rest.partition("|")
    role = role.strip()
    by_label = {"chủ tịch": "chair", "phó chủ tịch": "vice_chair", "thư ký": "secretary", "ủy viên": "member",
                "thành viên": "member"}
    role = by_label.get(role.casefold(), role or "member")
    if role not in ROLES:
        raise InputError(f"Vai trò '{role}' không hợp lệ; chỉ có: chủ tịch, phó chủ tịch, thư ký, ủy viên.")
    return CouncilMember(clean_text(name, "Họ tên thành viên", required=True), role, clean_text(title, "Chức vụ"))


def set_council(rws: RecipientWorkspace, year: int, mode: str, members: list[CouncilMember] | tuple[CouncilMember, ...],
                basis: str = "", sitting_date: dt.date | str | None = None) -> Council:
    """Set up (or replace) the year's council; refused whole when the membership or mode is not valid."""
    if mode not in MODES:
        raise InputError(f"Hình thức đánh giá '{mode}' không hợp lệ: chỉ có 'meeting' (họp) hoặc 'written' "
                         "(lấy ý kiến bằng văn bản).")
    members = tuple(CouncilMember(clean_text(m.name, "Họ tên thành viên", required=True), m.role,
                                  clean_text(m.title, "Chức vụ")) for m in members)
    problems = council_problems(members)
    if problems:
        raise InputError(" ".join(problems))
    if isinstance(sitting_date, str):
        try:
            sitting_date = parse_date(sitting_date) if sitting_date.strip() else None
        except ValueError:
            raise InputError(f"Ngày họp/lấy ý kiến '{sitting_date}' không hợp lệ (dd/mm/yyyy).") from None
    council = Council(year, mode, members, clean_text(basis, "Căn cứ thành lập Hội đồng"), sitting_date)
    with rws.transaction():
        old = _council_json(council_of(rws, year))
        rws.db.execute("INSERT INTO councils (year, mode, basis, sitting_date, updated_at) VALUES (?, ?, ?, ?, ?) "
                       "ON CONFLICT(year) DO UPDATE SET mode = excluded.mode, basis = excluded.basis, "
                       "sitting_date = excluded.sitting_date, updated_at = excluded.updated_at",
                       [year, mode, council.basis, sitting_date.isoformat() if sitting_date else None, utc_now()])
        rws.db.execute("DELETE FROM council_members WHERE year = ?", [year])
        for position, member in enumerate(members, start=1):
            rws.db.execute("INSERT INTO council_members (year, position, name, role, title) VALUES (?, ?, ?, ?, ?)",
                           [year, position, member.name, member.role, member.title])
        if old != _council_json(council):
            rws.audit("update" if old else "create", "council", str(year), year, old, _council_json(council))
    return council


def _council_json(council: Council | None) -> dict[str, Any] | None:
    if council is None:
        return None
    return {"mode": council.mode, "basis": council.basis,
            "sitting_date": council.sitting_date.isoformat() if council.sitting_date else None,
            "members": [asdict(m) for m in council.members]}


def council_of(rws: RecipientWorkspace, year: int) -> Council | None:
    with rws.lock:
        row = rws.db.execute("SELECT mode, basis, sitting_date FROM councils WHERE year = ?", [year]).fetchone()
        members = rws.db.execute("SELECT name, role, title FROM council_members WHERE year = ? ORDER BY position",
                                 [year]).fetchall()
    if row is None:
        return None
    return Council(year, row[0], tuple(CouncilMember(*m) for m in members), row[1],
                   dt.date.fromisoformat(row[2]) if row[2] else None)


# ---------------------------------------------------------------------- verdicts

@dataclass(frozen=True)
class CouncilVerdict:
    status: str
    note: str
    recorded_by: str
    recorded_at: str


@dataclass(frozen=True)
class IndicatorAppraisal:
    """One indicator of one package: the commune's figure and self-assessed verdicts, and the council's."""

    indicator_id: str
    text: str
    figure: str
    self_verdicts: dict[int, str]
    self_reasons: dict[int, str]
    council: dict[int, CouncilVerdict]


@dataclass(frozen=True)
class Appraisal:
    package_id: int
    commune_id: int
    commune: str
    year: int
    level_requested: int
    level_self: int
    disadvantaged_area: bool
    indicators: tuple[IndicatorAppraisal, ...]
    assessment: Assessment
    concluded_level: int | None

    @property
    def verified_level(self) -> int:
        """The highest level the council's verdicts meet (rules engine), capped at the level requested."""
        return min(self.assessment.level, self.level_requested)

    @property
    def concluded(self) -> bool:
        return self.concluded_level is not None

    def missing(self, level: int | None = None) -> list[str]:
        level = level or self.level_requested
        return [i.indicator_id for i in self.indicators if level not in i.council]

    def differences(self) -> list[tuple[IndicatorAppraisal, int]]:
        """(indicator, level) where the council's verdict differs from the self-assessment."""
        return [(i, lv) for i in self.indicators for lv, v in sorted(i.council.items())
                if v.status != i.self_verdicts.get(lv)]

    def not_met(self) -> list[tuple[IndicatorAppraisal, CouncilVerdict]]:
        """Indicators the council judged không đạt at the level requested, with its verdicts."""
        level = self.level_requested
        return [(i, i.council[level]) for i in self.indicators
                if level in i.council and i.council[level].status == NOT_MET]


def _catalogue(dataset: dict[str, Any]) -> Catalogue:
    return catalogue_for_year(int(dataset["year"]))


def appraisal(rws: RecipientWorkspace, package_id: int) -> Appraisal:
    """A package's appraisal as it stands: self-assessment, council verdicts, and the resulting level."""
    record = package(rws, package_id)
    if record.verdict != VALID or record.commune_id is None:
        raise InputError(f"Gói số {package_id} của xã {record.commune or '?'} chưa hợp lệ ({record.summary}); "
                         "chỉ thẩm định gói hợp lệ.")
    dataset = package_record(rws, package_id)["dataset"] or {}
    catalogue = _catalogue(dataset)
    self_assessment = dataset.get("assessment") or {}
    with rws.lock:
        rows = rws.db.execute("SELECT indicator_id, level, status, note, recorded_by, recorded_at FROM verdicts "
                              "WHERE package_id = ?", [package_id]).fetchall()
        concluded = rws.db.execute("SELECT verified_level FROM appraisals WHERE package_id = ?", [package_id]).fetchone()
    council: dict[str, dict[int, CouncilVerdict]] = {}
    for indicator_id, level, status, note, by, at in rows:
        council.setdefault(indicator_id, {})[level] = CouncilVerdict(status, note, by, at)
    indicators, results = [], {}
    for indicator in catalogue.indicators:
        own = (self_assessment.get("indicators") or {}).get(indicator.id) or {}
        reasons = {int(r.split(":", 1)[0].split()[-1]): r.split(":", 1)[1].strip()
                   for r in own.get("reasons", []) if ":" in r}
        item = IndicatorAppraisal(indicator.id, indicator.text, str(own.get("figure", "")),
                                  {lv: str(own.get(f"level{lv}", MISSING)) for lv in LEVELS}, reasons,
                                  council.get(indicator.id, {}))
        indicators.append(item)
        results[indicator.id] = IndicatorResult(indicator, {
            lv: (Verdict(item.council[lv].status, item.council[lv].note or f"Hội đồng đánh giá: "
                         f"{STATUS_LABELS[item.council[lv].status]}") if lv in item.council
                 else Verdict(MISSING, "Hội đồng chưa đánh giá")) for lv in LEVELS}, item.figure)
    disadvantaged = bool((dataset.get("commune") or {}).get("disadvantaged_area"))
    return Appraisal(package_id, record.commune_id, record.commune, int(record.year or dataset["year"]),
                     int(record.level_requested or self_assessment.get("level") or 1),
                     int(self_assessment.get("level") or 0), disadvantaged, tuple(indicators),
                     assess(catalogue, results, disadvantaged), concluded[0] if concluded else None)


def has_outcome(rws: RecipientWorkspace, package_id: int) -> bool:
    """True once a recognition decision has given this package its outcome (its appraisal is then final)."""
    with rws.lock:
        return rws.db.execute("SELECT 1 FROM outcomes WHERE package_id = ?", [package_id]).fetchone() is not None


def _writable(rws: RecipientWorkspace, package_id: int) -> Appraisal:
    state = appraisal(rws, package_id)
    if current_package_id(rws, state.commune_id, state.year) != package_id:
        raise InputError(f"Gói số {package_id} đã có phiên bản mới hơn của xã {state.commune}; hãy thẩm định "
                         "phiên bản mới nhất.")
    if has_outcome(rws, package_id):
        raise InputError(f"Hồ sơ của xã {state.commune} đã có kết quả công nhận; không sửa được kết quả thẩm định.")
    if state.concluded:
        raise InputError(f"Hồ sơ của xã {state.commune} đã kết luận thẩm định; hãy mở lại (nêu lý do) trước khi sửa.")
    council = council_of(rws, state.year)
    if council is None:
        raise InputError(f"Chưa thành lập Hội đồng đánh giá năm {state.year} (recipient council set).")
    return state


def record_verdict(rws: RecipientWorkspace, package_id: int, indicator_id: str, level: int, status: str,
                   note: str = "") -> Appraisal:
    """The council's đạt/không đạt for one indicator at one level; a verdict that differs from the commune's own
    needs its reason in `note`."""
    if status not in (MET, NOT_MET):
        raise InputError("Kết quả thẩm định chỉ có thể là 'dat' (đạt) hoặc 'khong_dat' (không đạt).")
    if level not in LEVELS:
        raise InputError(f"Mức độ {level} không tồn tại; chỉ có mức độ 1 và 2.")
    note = clean_text(note, "Ghi chú")
    with rws.transaction():
        state = _writable(rws, package_id)
        if level > state.level_requested:
            raise InputError(f"Xã {state.commune} đề nghị mức độ {state.level_requested}; không thẩm định mức độ "
                             f"{level}.")
        item = next((i for i in state.indicators if i.indicator_id == indicator_id), None)
        if item is None:
            raise NotFoundError(f"Không có chỉ tiêu mã \"{indicator_id}\".")
        if status != item.self_verdicts.get(level) and not note:
            own = STATUS_LABELS.get(item.self_verdicts.get(level, MISSING), "chưa có")
            raise InputError(f"Chỉ tiêu {indicator_id}, mức độ {level}: xã tự đánh giá '{own}', Hội đồng đánh giá "
                             f"'{STATUS_LABELS[status]}' — phải ghi rõ lý do.")
        old = item.council.get(level)
        new = CouncilVerdict(status, note, rws.user, utc_now())
        if old and (old.status, old.note) == (status, note):
            return state
        rws.db.execute(
            "INSERT INTO verdicts (package_id, indicator_id, level, status, note, recorded_by, recorded_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(package_id, indicator_id, level) DO UPDATE SET "
            "status = excluded.status, note = excluded.note, recorded_by = excluded.recorded_by, "
            "recorded_at = excluded.recorded_at", [package_id, indicator_id, level, status, note, new.recorded_by,
                                                   new.recorded_at])
        rws.audit("update" if old else "create", "verdict", f"{package_id}/{indicator_id}/{level}", state.year,
                  {"status": old.status, "note": old.note} if old else None, {"status": status, "note": note})
    return appraisal(rws, package_id)


def record_verdicts(rws: RecipientWorkspace, package_id: int,
                    verdicts: list[tuple[str, int, str, str]]) -> Appraisal:
    """Several (indicator, level, status, note) at once: all recorded, or none when one is refused."""
    with rws.transaction():
        for indicator_id, level, status, note in verdicts:
            record_verdict(rws, package_id, indicator_id, level, status, note)
    return appraisal(rws, package_id)


def agree_with_self_assessment(rws: RecipientWorkspace, package_id: int, level: int | None = None) -> int:
    """Record the commune's own verdict as the council's for every indicator not yet judged at `level` (default:
    the level requested); returns how many. Indicators without data are left for the council to judge."""
    count = 0
    with rws.transaction():
        state = _writable(rws, package_id)
        level = level or state.level_requested
        for item in state.indicators:
            own = item.self_verdicts.get(level)
            if level not in item.council and own in (MET, NOT_MET):
                record_verdict(rws, package_id, item.indicator_id, level, own, "")
                count += 1
    return count


def conclude(rws: RecipientWorkspace, package_id: int) -> Appraisal:
    """Close the appraisal: every indicator judged at the level requested, by a properly formed council."""
    with rws.transaction():
        state = _writable(rws, package_id)
        council = council_of(rws, state.year)
        problems = council_problems(council.members) if council else ["chưa thành lập Hội đồng"]
        if problems:
            raise InputError(f"Hội đồng năm {state.year} chưa hợp lệ: {' '.join(problems)}")
        missing = state.missing()
        if missing:
            raise InputError(f"Chưa thẩm định xong hồ sơ xã {state.commune}: còn {len(missing)} chỉ tiêu chưa có kết "
                             f"quả ở mức độ {state.level_requested} ({', '.join(missing)}).")
        level = state.verified_level
        rws.db.execute("INSERT INTO appraisals (package_id, verified_level, concluded_at, concluded_by) "
                       "VALUES (?, ?, ?, ?)", [package_id, level, utc_now(), rws.user])
        rws.audit("conclude", "appraisal", str(package_id), state.year, None,
                  {"verified_level": level, "level_requested": state.level_requested})
    return appraisal(rws, package_id)


def reopen(rws: RecipientWorkspace, package_id: int, reason: str) -> Appraisal:
    reason = clean_text(reason, "Lý do")
    if len(reason) < 5:
        raise InputError("Hãy nêu lý do mở lại kết quả thẩm định (ít nhất 5 ký tự); lý do được ghi vào nhật ký.")
    with rws.transaction():
        state = appraisal(rws, package_id)
        with rws.lock:
            decided = rws.db.execute("SELECT 1 FROM outcomes WHERE package_id = ?", [package_id]).fetchone()
        if decided:
            raise InputError(f"Hồ sơ của xã {state.commune} đã có kết quả công nhận; không mở lại được.")
        if not state.concluded:
            raise InputError(f"Hồ sơ của xã {state.commune} chưa kết luận thẩm định.")
        rws.db.execute("DELETE FROM appraisals WHERE package_id = ?", [package_id])
        rws.audit("reopen", "appraisal", str(package_id), state.year, {"verified_level": state.concluded_level},
                  {"reason": reason})
    return appraisal(rws, package_id)


def appraisal_for(rws: RecipientWorkspace, commune_id: int, year: int) -> Appraisal:
    package_id = current_package_id(rws, commune_id, year)
    if package_id is None:
        raise InputError(f"Chưa nhận được hồ sơ năm {year} của xã này.")
    return appraisal(rws, package_id)


def describe_sitting(council: Council) -> str:
    """'họp Hội đồng ngày 20/03/2026' or 'lấy ý kiến bằng văn bản' (with the date when known)."""
    if council.sitting_date:
        return f"{council.mode_label} ngày {format_date_short(council.sitting_date)}"
    return council.mode_label


__all__ = ["Council", "CouncilMember", "CouncilVerdict", "Appraisal", "IndicatorAppraisal", "ROLES", "MODES",
           "council_problems", "parse_member", "set_council", "council_of", "appraisal", "appraisal_for",
           "record_verdict", "record_verdicts", "agree_with_self_assessment", "conclude", "reopen", "describe_sitting"]
