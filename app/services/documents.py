"""Use cases behind the dossier documents: the year's narrative texts, the review meeting and the evidence list.

Every change runs in one transaction with its audit rows and is refused when the year is finalized.
Evidence is read from the evidence library's tables; items in the trash (deleted_at set) never appear.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.changes import Changes
from app.errors import InputError
from app.services.meeting import (  # noqa: F401 - the meeting use cases, also reached through this module
    Attendee,
    ReviewMeeting,
    meeting_from_json,
    review_meeting,
    save_review_meeting,
)
from app.storage.workspace import Workspace
from app.text import clean_text, fold, iso_date_text, utc_now

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
    """Set several narrative texts or settings at once ('' clears); unknown keys, bad numbers and bad dates are
    refused before anything is written. Numbers and dates are stored normalised (see `normalise_number`, ISO)."""
    updates = dict(updates)
    if LEGACY_DATE_KEY in updates:
        legacy = updates.pop(LEGACY_DATE_KEY)
        for key in ("date.to_trinh", "date.bao_cao"):
            updates.setdefault(key, legacy)
    cleaned: dict[str, str] = {}
    for key, value in updates.items():
        if key not in TEXT_KEYS:
            raise InputError(f"Không có mục văn bản \"{key}\"; chỉ có: {', '.join(TEXT_KEYS)}.")
        if key in NUMBER_CODES:
            cleaned[key] = normalise_number(value, NUMBER_CODES[key], TEXT_KEYS[key])
        elif key in DATE_KEYS:
            cleaned[key] = iso_date_text(value, TEXT_KEYS[key])
        elif key == "plan.summary":
            cleaned[key] = " ".join(clean_text(value, TEXT_KEYS[key]).split()).rstrip(".;")
        else:
            cleaned[key] = clean_text(value, TEXT_KEYS[key])
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


def document_date(ws: Workspace, year: int, key: str = "to_trinh") -> dt.date | None:
    """The signing date of a dated document (Tờ trình, Báo cáo), when the user has set it."""
    text = document_texts(ws, year)[f"date.{key}"]
    return dt.date.fromisoformat(text) if text else None


def stored_date(texts: Mapping[str, str], key: str) -> dt.date | None:
    """A date-typed setting from `document_texts` as a date (None when empty)."""
    text = texts.get(key, "")
    return dt.date.fromisoformat(text) if text else None


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
    "NARRATIVE_FIELDS", "DOCUMENT_SETTINGS", "NUMBERED_DOCUMENTS", "Attendee", "ReviewMeeting", "EvidenceItem",
    "document_texts", "set_document_texts", "recipients", "set_recipients", "document_date", "stored_date",
    "normalise_number", "number_reference", "review_meeting", "meeting_from_json", "save_review_meeting",
    "evidence_items",
]
