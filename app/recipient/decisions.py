"""The recognition decision of a round and the outcome for each appraised commune.

`decide` records the issued Quyết định công nhận (number and date, once signed by the head of the agency): every
commune whose appraisal is concluded at mức độ 1 or 2 is recognised, valid for 36 months from the decision
date; every other one gets a written reply (công văn trả lời) stating the reasons. TT 25/2023 asks for the
whole procedure to be finished before 31/03 of the year after the assessment year; a later date is recorded
but said aloud.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

from app.domain.catalogue import catalogue_for_year
from app.domain.records import add_months
from app.errors import InputError
from app.recipient.appraisal import appraisal, council_of, council_problems
from app.recipient.register import APPRAISED, IN_APPRAISAL, RECEIVED, register_rows
from app.recipient.workspace import RecipientWorkspace
from app.text import clean_text, format_date_short, format_int, parse_date, utc_now

REPLY_CODE_SETTING = "reply_code"
DEFAULT_REPLY_CODE = "SGDĐT-GDTX"
DECISION_CODE_SETTING = "decision_code"
DEFAULT_DECISION_CODE = "QĐ-SGDĐT"
#: The highest document number an office's register reaches in a year (numbers restart every 1 January).
MAX_DOCUMENT_NUMBER = 99_999
#: Month and day by which recognition must be complete, in the year after the assessment year (Điều 9 khoản 3).
COMPLETION_DEADLINE = (3, 31)


@dataclass(frozen=True)
class Decision:
    year: int
    number: str
    date: dt.date


@dataclass(frozen=True)
class Outcome:
    package_id: int
    commune_id: int
    commune: str
    year: int
    level: int
    valid_until: dt.date | None
    reply_number: str
    reply_date: dt.date | None

    @property
    def recognised(self) -> bool:
        return self.level > 0


@dataclass(frozen=True)
class DecisionSummary:
    decision: Decision
    recognised: int
    refused: int
    warnings: tuple[str, ...]

    def message(self) -> str:
        text = (f"Đã ghi Quyết định số {self.decision.number} ngày {format_date_short(self.decision.date)}: "
                f"công nhận {self.recognised} xã; {self.refused} xã nhận công văn trả lời.")
        return " ".join([text, *self.warnings])


def completion_deadline(year: int) -> dt.date:
    return dt.date(year + 1, *COMPLETION_DEADLINE)


def decision_of(rws: RecipientWorkspace, year: int) -> Decision | None:
    with rws.lock:
        row = rws.db.execute("SELECT number, date FROM decisions WHERE year = ?", [year]).fetchone()
    return Decision(year, row[0], dt.date.fromisoformat(row[1])) if row else None


def outcomes(rws: RecipientWorkspace, year: int) -> list[Outcome]:
    with rws.lock:
        rows = rws.db.execute(
            "SELECT o.package_id, o.commune_id, c.name, o.year, o.level, o.valid_until, o.reply_number, o.reply_date "
            "FROM outcomes o JOIN communes c ON c.id = o.commune_id WHERE o.year = ? ORDER BY c.folded",
            [year]).fetchall()
    return [Outcome(r[0], r[1], r[2], r[3], r[4], dt.date.fromisoformat(r[5]) if r[5] else None, r[6],
                    dt.date.fromisoformat(r[7]) if r[7] else None) for r in rows]


def _number(text: str, code: str, label: str) -> str:
    """'123' or '123/QĐ-SGDĐT' -> '123/QĐ-SGDĐT' (the code is never doubled); numbers below 10 get a zero."""
    text = clean_text(text, label, required=True)
    head, sep, tail = text.partition("/")
    if not head.isdigit():
        raise InputError(f"{label} '{text}' phải bắt đầu bằng số, ví dụ 123/{code}.")
    return f"{int(head):02d}/{tail.strip() if sep else code}"


def decide(rws: RecipientWorkspace, year: int, number: str, date: dt.date | str, reply_from: int | None = None,
           reply_date: dt.date | str | None = None, include_pending: bool = False) -> DecisionSummary:
    """Record the round's issued decision and every concluded commune's outcome, in one transaction.

    Refused while any valid dossier is still unappraised, unless `include_pending` (those wait for a later round
    of work). Replies are numbered from `reply_from` on (blank numbers otherwise, to be filled by the văn thư)."""
    day = _day(date, "Ngày quyết định")
    replied = _day(reply_date, "Ngày công văn trả lời") if reply_date is not None else day
    if reply_from is not None and not 0 < reply_from <= MAX_DOCUMENT_NUMBER:
        raise InputError(f"Số công văn trả lời đầu tiên phải từ 1 đến {format_int(MAX_DOCUMENT_NUMBER)}; "
                         f"đã ghi {format_int(reply_from)}.")
    decision_code = rws.get_setting(DECISION_CODE_SETTING) or DEFAULT_DECISION_CODE
    reply_code = rws.get_setting(REPLY_CODE_SETTING) or DEFAULT_REPLY_CODE
    number = _number(number, decision_code, "Số quyết định")
    council = council_of(rws, year)
    if council is None or council_problems(council.members):
        raise InputError(f"Chưa có Hội đồng đánh giá hợp lệ cho năm {year}; không ghi được quyết định.")
    existing = decision_of(rws, year)
    if existing is not None and (existing.number, existing.date) != (number, day):
        raise InputError(f"Năm {year} đã có Quyết định số {existing.number} ngày "
                         f"{format_date_short(existing.date)}.")
    rows = register_rows(rws, year)
    pending = [r.commune for r in rows if r.status in (RECEIVED, IN_APPRAISAL)]
    if pending and not include_pending:
        raise InputError(f"Còn {len(pending)} hồ sơ hợp lệ chưa kết luận thẩm định ({', '.join(pending[:10])}"
                         f"{', …' if len(pending) > 10 else ''}). Hãy thẩm định xong, hoặc ghi quyết định cho các xã đã "
                         "thẩm định (--include-pending).")
    concluded = [r for r in rows if r.status == APPRAISED]
    if not concluded:
        raise InputError(f"Năm {year} không còn hồ sơ nào đã kết luận thẩm định mà chưa có kết quả.")
    validity = catalogue_for_year(year).validity_months
    warnings = []
    if day > completion_deadline(year):
        warnings.append(f"Lưu ý: ngày quyết định sau hạn hoàn thành công nhận "
                        f"{format_date_short(completion_deadline(year))} (Điều 9 khoản 3 Thông tư 25/2023).")
    recognised = refused = 0
    with rws.transaction():
        if existing is None:
            rws.db.execute("INSERT INTO decisions (year, number, date, recorded_at) VALUES (?, ?, ?, ?)",
                           [year, number, day.isoformat(), utc_now()])
            rws.audit("create", "decision", str(year), year, None, {"number": number, "date": day.isoformat()})
        next_reply = reply_from
        for row in concluded:
            level = appraisal(rws, cast(int, row.package_id)).concluded_level or 0  # concluded rows have a package
            until = add_months(day, validity).isoformat() if level else None
            reply = ""
            if not level and next_reply is not None:
                reply = _number(str(next_reply), reply_code, "Số công văn")
                next_reply += 1
            rws.db.execute("INSERT INTO outcomes (package_id, year, commune_id, level, valid_until, reply_number, "
                           "reply_date) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           [row.package_id, year, row.commune_id, level, until, reply,
                            None if level else replied.isoformat()])
            rws.audit("decide", "outcome", str(row.package_id), year, None,
                      {"commune": row.commune, "level": level, "valid_until": until, "reply_number": reply})
            recognised += bool(level)
            refused += not level
    if pending:
        warnings.append(f"{len(pending)} hồ sơ chưa thẩm định xong chưa có kết quả.")
    return DecisionSummary(Decision(year, number, day), recognised, refused, tuple(warnings))


def _day(value: dt.date | str, label: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return parse_date(value)
    except (ValueError, AttributeError):
        raise InputError(f"{label} '{value}' không hợp lệ (dd/mm/yyyy).") from None


__all__ = ["Decision", "Outcome", "DecisionSummary", "decide", "decision_of", "outcomes", "completion_deadline",
           "DEFAULT_DECISION_CODE", "DEFAULT_REPLY_CODE"]
