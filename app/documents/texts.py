"""What the dossier documents read: the year's narrative texts and document settings, the review meeting, the
organisations it needs, and the evidence list.

Every change runs in one transaction with its audit rows and is refused when the year is finalized.
Evidence is read from the evidence library's tables; items in the trash (deleted_at set) never appear.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.domain.meeting import DEFAULT_ORGANISATIONS, ORGANISATIONS_SETTING, Attendee, ReviewMeeting
from app.errors import InputError
from app.evidence.codes import code_sort_key
from app.storage.workspace import Workspace
from app.text import clean_text, fold

#: Narrative fields of the self-assessment report, with the labels forms and messages use.
NARRATIVE_FIELDS: dict[str, str] = {
    "situation": "Đặc điểm tình hình",
    "process": "Quá trình tổ chức tự đánh giá",
    "strengths": "Đánh giá chung — ưu điểm",
    "limitations": "Đánh giá chung — hạn chế",
    "recommendations": "Kiến nghị",
}

#: Documents that carry their own number: key -> (name, ký hiệu). Numbers are stored as "05" (or with the
#: user's own ký hiệu, "05/TTr-VHXH") and printed once: "Số: 05/TTr-UBND".
NUMBERED_DOCUMENTS: dict[str, tuple[str, str]] = {
    "to_trinh": ("Tờ trình", "TTr-UBND"),
    "bao_cao": ("Báo cáo", "BC-UBND"),
    "bien_ban": ("Biên bản", "BB-UBND"),
}
#: Documents the commune dates when it signs them; the Biên bản is dated the day of the meeting.
DATED_DOCUMENTS = ("to_trinh", "bao_cao")
PLAN_CODE = "KH-UBND"

#: Other per-year document settings (optional): extra legal bases, the Nơi nhận list, each document's number
#: and date, and the commune's plan (Kế hoạch) that the Phân công is attached to and the Căn cứ cite.
DOCUMENT_SETTINGS: dict[str, str] = {
    "extra_bases": "Căn cứ bổ sung của năm (mỗi dòng một văn bản)",
    "recipients": "Nơi nhận (mỗi dòng một nơi)",
    "number.to_trinh": "Số Tờ trình",
    "date.to_trinh": "Ngày ký Tờ trình",
    "number.bao_cao": "Số Báo cáo",
    "date.bao_cao": "Ngày ký Báo cáo",
    "number.bien_ban": "Số Biên bản",
    "plan.number": "Số Kế hoạch xây dựng “Cộng đồng học tập” của xã",
    "plan.date": "Ngày Kế hoạch của xã",
    "plan.summary": "Trích yếu Kế hoạch của xã",
}
NUMBER_CODES = {**{f"number.{key}": code for key, (_name, code) in NUMBERED_DOCUMENTS.items()},
                "plan.number": PLAN_CODE}
DATE_KEYS = ("date.to_trinh", "date.bao_cao", "plan.date")
#: Accepted for older scripts: one date for the Tờ trình and the Báo cáo.
LEGACY_DATE_KEY = "document_date"

TEXT_KEYS = {**NARRATIVE_FIELDS, **DOCUMENT_SETTINGS}
#: Limits of a custom Nơi nhận list (it has to fit beside the signature).
MAX_RECIPIENTS = 30
MAX_RECIPIENT_CHARS = 200
_NUMBER = re.compile(r"(?:s[oố]\s*:?\s*)?(\d{1,5})(?:\s*/\s*(\S.*))?", re.IGNORECASE)


def normalise_number(value: Any, code: str, label: str) -> str:
    """A document number as stored: '5', '05' or '5/TTr-UBND' -> '05'; another ký hiệu is kept ('05/TTr-VHXH').

    NĐ 30/2020 numbers are Arabic numerals with a leading zero below 10; a ký hiệu the user typed that equals
    the document's own is dropped so that it never prints twice ("15/TTr-UBND/TTr-UBND").
    """
    text = " ".join(clean_text(value, label).split())
    if not text:
        return ""
    match = _NUMBER.fullmatch(text)
    if match is None or int(match.group(1)) == 0:
        raise InputError(f"{label} “{text}” không hợp lệ; ghi số thứ tự (ví dụ 05) hoặc số và ký hiệu (05/{code}).")
    number = f"{int(match.group(1)):02d}"
    suffix = (match.group(2) or "").replace(" ", "")
    if not suffix or fold(suffix) == fold(code):
        return number
    return f"{number}/{suffix}"


def number_reference(number: str, code: str) -> str:
    """The number and ký hiệu as printed after "Số:" or "số": '05/TTr-UBND' ('' when there is no number)."""
    if not number:
        return ""
    return number if "/" in number else f"{number}/{code}"


@dataclass(frozen=True)
class ListedEvidence:
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


def recipients(ws: Workspace, year: int) -> list[str]:
    """The year's own Nơi nhận list, one recipient a line (empty: the documents print the usual list)."""
    return [line for line in document_texts(ws, year)["recipients"].splitlines() if line]


def document_date(ws: Workspace, year: int, key: str = "to_trinh") -> dt.date | None:
    """The signing date of a dated document (Tờ trình, Báo cáo), when the user has set it."""
    text = document_texts(ws, year)[f"date.{key}"]
    return dt.date.fromisoformat(text) if text else None


def stored_date(texts: Mapping[str, str], key: str) -> dt.date | None:
    """A date-typed setting from `document_texts` as a date (None when empty)."""
    text = texts.get(key, "")
    return dt.date.fromisoformat(text) if text else None


# ---------------------------------------------------------------------- evidence list

def evidence_items(ws: Workspace, year: int) -> list[ListedEvidence]:
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
        ListedEvidence(code, number, _iso_date(issued), issuer, summary, tuple(links.get(eid, ())))
        for eid, code, number, issued, issuer, summary in rows
    ]
    return sorted(items, key=lambda item: code_sort_key(item.code))


def _iso_date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


# ---------------------------------------------------------------------- the review meeting

def organisations(ws: Workspace) -> tuple[str, ...]:
    """The commune's socio-political organisations whose leaders the meeting needs (Điều 9.1.c)."""
    stored = ws.get_setting(ORGANISATIONS_SETTING)
    return tuple(stored) if isinstance(stored, list) and stored else DEFAULT_ORGANISATIONS


#: Where the meeting form is kept as typed while it is not a valid record yet (see `save_meeting_form`).
MEETING_DRAFT_SETTING = "meeting.draft.{year}"


@dataclass(frozen=True)
class MeetingDraft:
    """The meeting form as last typed when it was not yet a valid record, and why not."""

    form: dict[str, Any]
    problem: str


def meeting_draft(ws: Workspace, year: int) -> MeetingDraft | None:
    """The year's meeting form kept as typed because it is not a valid record yet (None when there is none)."""
    stored = ws.get_setting(MEETING_DRAFT_SETTING.format(year=year))
    if not isinstance(stored, dict) or not isinstance(stored.get("form"), dict):
        return None
    return MeetingDraft(stored["form"], str(stored.get("problem", "")))


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
            "SELECT name, title, organisation, role, present, absence_reason FROM review_meeting_attendees "
            "WHERE year = ? ORDER BY position", [year]).fetchall()
    attendees = tuple(Attendee(p[0], p[1], p[2], p[3], bool(p[4]), p[5]) for p in people)
    return ReviewMeeting(dt.date.fromisoformat(row[0]), row[1], row[2], row[3], row[4], row[5], row[6], row[7],
                         attendees, row[8], row[9], row[10] or None)
