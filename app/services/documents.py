"""Use cases behind the dossier documents: the year's narrative texts, the review meeting and the evidence list.

Every change runs in one transaction with its audit rows and is refused when the year is finalized.
Evidence is read from the evidence library's tables; items in the trash (deleted_at set) never appear.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.errors import InputError
from app.services.workspace import Changes, Workspace
from app.text import clean_text, parse_date, utc_now

#: Narrative fields of the self-assessment report, with the labels forms and messages use.
NARRATIVE_FIELDS: dict[str, str] = {
    "situation": "Đặc điểm tình hình",
    "process": "Quá trình tổ chức tự đánh giá",
    "strengths": "Đánh giá chung — ưu điểm",
    "limitations": "Đánh giá chung — hạn chế",
    "recommendations": "Kiến nghị",
}

#: Other per-year document settings (optional): extra legal bases, the Nơi nhận list, the documents' date and numbers.
DOCUMENT_SETTINGS: dict[str, str] = {
    "extra_bases": "Căn cứ bổ sung (mỗi dòng một văn bản)",
    "recipients": "Nơi nhận (mỗi dòng một nơi)",
    "document_date": "Ngày ký văn bản",
    "number.to_trinh": "Số Tờ trình",
    "number.bao_cao": "Số Báo cáo",
    "number.bien_ban": "Số Biên bản",
}

TEXT_KEYS = {**NARRATIVE_FIELDS, **DOCUMENT_SETTINGS}
#: Limits of a custom Nơi nhận list (it has to fit beside the signature).
MAX_RECIPIENTS = 30
MAX_RECIPIENT_CHARS = 200


@dataclass(frozen=True)
class Attendee:
    name: str
    title: str = ""
    organisation: str = ""


@dataclass(frozen=True)
class ReviewMeeting:
    """The meeting that reviews and agrees the self-assessment result (TT 25/2023 Điều 9 khoản 1 điểm c)."""

    meeting_date: dt.date
    chair_name: str
    chair_title: str = ""
    place: str = ""
    start_time: str = ""
    end_time: str = ""
    secretary_name: str = ""
    secretary_title: str = ""
    attendees: tuple[Attendee, ...] = ()
    content: str = ""
    conclusions: str = ""
    level_agreed: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "meeting_date": self.meeting_date.isoformat(), "chair_name": self.chair_name,
            "chair_title": self.chair_title, "place": self.place, "start_time": self.start_time,
            "end_time": self.end_time, "secretary_name": self.secretary_name,
            "secretary_title": self.secretary_title,
            "attendees": [{"name": a.name, "title": a.title, "organisation": a.organisation} for a in self.attendees],
            "content": self.content, "conclusions": self.conclusions, "level_agreed": self.level_agreed,
        }


@dataclass(frozen=True)
class EvidenceItem:
    """One live minh chứng as the documents list it."""

    code: str
    doc_number: str
    issued_date: dt.date | None
    issuer: str
    summary: str
    indicators: tuple[str, ...] = field(default_factory=tuple)


def document_texts(ws: Workspace, year: int) -> dict[str, str]:
    """Every narrative text and document setting of a year (absent keys are empty strings)."""
    ws.year(year)
    with ws.lock:
        rows = ws.db.execute("SELECT key, value FROM document_texts WHERE year = ?", [year]).fetchall()
    stored = dict(rows)
    return {key: stored.get(key, "") for key in TEXT_KEYS}


def set_document_texts(ws: Workspace, year: int, updates: Mapping[str, Any]) -> Changes:
    """Set several narrative texts or settings at once ('' clears); unknown keys and bad dates are refused."""
    cleaned: dict[str, str] = {}
    for key, value in updates.items():
        if key not in TEXT_KEYS:
            raise InputError(f"Không có mục văn bản \"{key}\"; chỉ có: {', '.join(TEXT_KEYS)}.")
        cleaned[key] = clean_text(value, TEXT_KEYS[key])
    if cleaned.get("document_date"):
        cleaned["document_date"] = _date(cleaned["document_date"], "Ngày ký văn bản").isoformat()
    if "recipients" in cleaned:
        cleaned["recipients"] = "\n".join(_recipient_lines(cleaned["recipients"].splitlines()))
    changed = False
    with ws.transaction():
        ws.ensure_unlocked(year)
        current = document_texts(ws, year)
        for key, value in cleaned.items():
            old = current.get(key, "")
            if old == value:
                continue
            if value:
                ws.db.execute(
                    "INSERT INTO document_texts (year, key, value, updated_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(year, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                    [year, key, value, utc_now()])
            else:
                ws.db.execute("DELETE FROM document_texts WHERE year = ? AND key = ?", [year, key])
            ws.audit("update" if old and value else ("clear" if not value else "set"), "document_text", key, year,
                     old or None, value or None)
            changed = True
    return Changes(documents=True) if changed else Changes()


def recipients(ws: Workspace, year: int) -> list[str]:
    """The year's own Nơi nhận list, one recipient a line (empty: the documents print the usual list)."""
    return [line for line in document_texts(ws, year)["recipients"].splitlines() if line]


def set_recipients(ws: Workspace, year: int, lines: list[str]) -> Changes:
    """Replace the year's Nơi nhận list; an empty list brings back the usual one."""
    if not isinstance(lines, list) or not all(isinstance(line, str) for line in lines):
        raise InputError("Nơi nhận phải là danh sách các dòng văn bản.")
    return set_document_texts(ws, year, {"recipients": "\n".join(lines)})


def _recipient_lines(lines: list[str]) -> list[str]:
    """Recipients as stored: trimmed, blank lines dropped, the list marks and end punctuation left to the layout."""
    result = []
    for line in lines:
        text = line.strip().lstrip("-–•+ ").rstrip(";.,").strip()
        if not text:
            continue
        if len(text) > MAX_RECIPIENT_CHARS:
            raise InputError(f"Nơi nhận \"{text[:40]}…\" dài quá {MAX_RECIPIENT_CHARS} ký tự; hãy viết gọn lại.")
        result.append(text)
    if len(result) > MAX_RECIPIENTS:
        raise InputError(f"Danh sách nơi nhận có {len(result)} dòng; tối đa {MAX_RECIPIENTS} dòng.")
    return result


def document_date(ws: Workspace, year: int) -> dt.date | None:
    """The date printed on the dossier documents, when the user has set one."""
    text = document_texts(ws, year)["document_date"]
    return dt.date.fromisoformat(text) if text else None


def _date(value: Any, label: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return parse_date(str(value))
    except ValueError:
        raise InputError(f"{label} {value!r} không phải ngày hợp lệ (dd/mm/yyyy).") from None


# ---------------------------------------------------------------------- review meeting

def review_meeting(ws: Workspace, year: int) -> ReviewMeeting | None:
    """The recorded review meeting of a year, or None when it has not been recorded."""
    ws.year(year)
    with ws.lock:
        row = ws.db.execute(
            "SELECT meeting_date, chair_name, chair_title, place, start_time, end_time, secretary_name, "
            "secretary_title, content, conclusions, level_agreed FROM review_meetings WHERE year = ?", [year]
        ).fetchone()
        if row is None:
            return None
        people = ws.db.execute(
            "SELECT name, title, organisation FROM review_meeting_attendees WHERE year = ? ORDER BY position", [year]
        ).fetchall()
    return ReviewMeeting(dt.date.fromisoformat(row[0]), row[1], row[2], row[3], row[4], row[5], row[6], row[7],
                         tuple(Attendee(*p) for p in people), row[8], row[9], row[10])


def meeting_from_json(raw: Any) -> ReviewMeeting:
    """Build a validated meeting record from a form or a JSON file (dates as 05/02/2026 or 2026-02-05)."""
    if not isinstance(raw, dict):
        raise InputError("Biên bản họp xét phải là một đối tượng JSON.")
    if not raw.get("meeting_date"):
        raise InputError("Ngày họp xét không được để trống.")
    attendees_raw = raw.get("attendees") or []
    if not isinstance(attendees_raw, list):
        raise InputError("Danh sách thành phần dự họp (attendees) phải là một danh sách.")
    attendees = []
    for number, item in enumerate(attendees_raw, start=1):
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict):
            raise InputError(f"Người dự họp thứ {number} phải có họ tên, chức vụ, cơ quan.")
        name = clean_text(item.get("name"), f"Họ tên người dự họp thứ {number}", required=True, single_line=True)
        attendees.append(Attendee(name, clean_text(item.get("title"), "Chức vụ", single_line=True),
                                  clean_text(item.get("organisation"), "Cơ quan, tổ chức", single_line=True)))
    level = raw.get("level_agreed")
    if level in ("", None):
        level = None
    else:
        try:
            level = int(level)
        except (TypeError, ValueError):
            raise InputError(f"Mức độ thống nhất đề nghị {level!r} phải là 1 hoặc 2.") from None
        if level not in (0, 1, 2):
            raise InputError(f"Mức độ thống nhất đề nghị {level} phải là 1 hoặc 2 (0 nếu chưa đề nghị).")
    return ReviewMeeting(
        meeting_date=_date(raw["meeting_date"], "Ngày họp xét"),
        chair_name=clean_text(raw.get("chair_name"), "Người chủ trì", required=True, single_line=True),
        chair_title=clean_text(raw.get("chair_title"), "Chức vụ người chủ trì", single_line=True),
        place=clean_text(raw.get("place"), "Địa điểm họp", single_line=True),
        start_time=clean_text(raw.get("start_time"), "Giờ bắt đầu", single_line=True),
        end_time=clean_text(raw.get("end_time"), "Giờ kết thúc", single_line=True),
        secretary_name=clean_text(raw.get("secretary_name"), "Thư ký", single_line=True),
        secretary_title=clean_text(raw.get("secretary_title"), "Chức vụ thư ký", single_line=True),
        attendees=tuple(attendees),
        content=clean_text(raw.get("content"), "Nội dung cuộc họp"),
        conclusions=clean_text(raw.get("conclusions"), "Kết luận cuộc họp"),
        level_agreed=level,
    )


def save_review_meeting(ws: Workspace, year: int, meeting: ReviewMeeting) -> Changes:
    """Record (or replace) the review meeting of a year, with its attendee list, in one audited transaction."""
    meeting = meeting_from_json(meeting.to_json())
    with ws.transaction():
        ws.ensure_unlocked(year)
        old = review_meeting(ws, year)
        if old == meeting:
            return Changes()
        ws.db.execute("DELETE FROM review_meeting_attendees WHERE year = ?", [year])
        ws.db.execute(
            "INSERT INTO review_meetings (year, meeting_date, chair_name, chair_title, place, start_time, end_time, "
            "secretary_name, secretary_title, content, conclusions, level_agreed, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(year) DO UPDATE SET "
            "meeting_date=excluded.meeting_date, chair_name=excluded.chair_name, chair_title=excluded.chair_title, "
            "place=excluded.place, start_time=excluded.start_time, end_time=excluded.end_time, "
            "secretary_name=excluded.secretary_name, secretary_title=excluded.secretary_title, "
            "content=excluded.content, conclusions=excluded.conclusions, level_agreed=excluded.level_agreed, "
            "updated_at=excluded.updated_at",
            [year, meeting.meeting_date.isoformat(), meeting.chair_name, meeting.chair_title, meeting.place,
             meeting.start_time, meeting.end_time, meeting.secretary_name, meeting.secretary_title, meeting.content,
             meeting.conclusions, meeting.level_agreed, utc_now()])
        for position, person in enumerate(meeting.attendees):
            ws.db.execute(
                "INSERT INTO review_meeting_attendees (year, position, name, title, organisation) VALUES (?, ?, ?, ?, ?)",
                [year, position, person.name, person.title, person.organisation])
        ws.audit("update" if old else "create", "review_meeting", str(year), year,
                 old.to_json() if old else None, meeting.to_json())
    return Changes(documents=True)


# ---------------------------------------------------------------------- evidence list

def evidence_items(ws: Workspace, year: int) -> list[EvidenceItem]:
    """The year's live evidence items in code order, each with the indicators it supports."""
    with ws.lock:
        rows = ws.db.execute(
            "SELECT e.id, e.code, e.doc_number, e.issued_date, e.issuer, e.summary FROM evidence e "
            "WHERE e.year = ? AND e.deleted_at IS NULL", [year]).fetchall()
        links: dict[int, list[str]] = {}
        for evidence_id, indicator_id in ws.db.execute(
                "SELECT l.evidence_id, l.indicator_id FROM evidence_links l JOIN evidence e ON e.id = l.evidence_id "
                "WHERE e.year = ? AND e.deleted_at IS NULL ORDER BY l.position, l.indicator_id", [year]).fetchall():
            links.setdefault(evidence_id, []).append(indicator_id)
    items = [
        EvidenceItem(code, number, _iso_date(issued), issuer, summary, tuple(links.get(eid, ())))
        for eid, code, number, issued, issuer, summary in rows
    ]
    return sorted(items, key=lambda item: _code_key(item.code))


def _iso_date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _code_key(code: str) -> tuple:
    """Natural order for codes like H1.2.03 (H1.2.10 after H1.2.09)."""
    parts: list[tuple[int, Any]] = []
    token = ""
    for ch in code + "\0":
        if ch.isdigit():
            token += ch
            continue
        if token:
            parts.append((0, int(token)))
            token = ""
        if ch != "\0":
            parts.append((1, ch))
    return tuple(parts)


__all__ = [
    "NARRATIVE_FIELDS", "DOCUMENT_SETTINGS", "Attendee", "ReviewMeeting", "EvidenceItem", "document_texts",
    "set_document_texts", "recipients", "set_recipients", "document_date", "review_meeting", "meeting_from_json", "save_review_meeting",
    "evidence_items",
]
