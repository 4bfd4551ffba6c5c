"""Use cases of the dossier documents: the year's narrative texts, numbers, dates and Nơi nhận; the review meeting
and the organisations it needs; the legal bases; the data-collection workbooks; the whole set written as a report.

Every change runs in one transaction with its audit rows and is refused when the year is finalized. What the
documents read lives in `app/documents/texts.py`, `app/documents/legal_bases.py` and `app/domain/meeting.py`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.changes import Changes
from app.documents import legal_bases as lb
from app.documents.collection import CollectionImport, read_collection_workbook
from app.documents.texts import (
    DATE_KEYS,
    LEGACY_DATE_KEY,
    MAX_RECIPIENT_CHARS,
    MAX_RECIPIENTS,
    MEETING_DRAFT_SETTING,
    NUMBER_CODES,
    TEXT_KEYS,
    MeetingDraft,
    document_texts,
    normalise_number,
    organisations,
    review_meeting,
)
from app.domain.meeting import ORGANISATIONS_SETTING, ReviewMeeting, meeting_from_json, meeting_name_key
from app.errors import InputError
from app.progress import Progress, check_cancelled
from app.services.indicators import set_values
from app.storage.workspace import Workspace
from app.text import clean_text, fold, iso_date_text, utc_now


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



# ---------------------------------------------------------------------- the review meeting

def set_organisations(ws: Workspace, names: Sequence[str]) -> Changes:
    """Replace the list (an empty list brings back the usual five); names trimmed, duplicates refused."""
    cleaned: list[str] = []
    for index, name in enumerate(names, start=1):
        text = " ".join(clean_text(name, f"Tên tổ chức thứ {index}", single_line=True).split())
        if not text:
            continue
        if any(meeting_name_key(text) == meeting_name_key(other) for other in cleaned):
            raise InputError(f"Tổ chức “{text}” có hai lần trong danh sách.")
        cleaned.append(text)
    if len(cleaned) > 20:
        raise InputError(f"Danh sách có {len(cleaned)} tổ chức; tối đa 20.")
    return ws.write_setting(ORGANISATIONS_SETTING, cleaned or None)


def save_review_meeting(ws: Workspace, year: int, meeting: ReviewMeeting) -> Changes:
    """Record (or replace) the review meeting of a year, with its attendee list, in one audited transaction; a
    draft of the form (see `save_meeting_form`) is dropped."""
    meeting = meeting_from_json(meeting.to_json(), organisations(ws))
    with ws.transaction():
        ws.ensure_unlocked(year)
        dropped = _drop_meeting_draft(ws, year)
        old = review_meeting(ws, year)
        if old == meeting:
            return dropped
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
                "INSERT INTO review_meeting_attendees (year, position, name, title, organisation, role, present, "
                "absence_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [year, position, person.name, person.title, person.organisation, person.role, int(person.present),
                 person.absence_reason])
        ws.audit("update" if old else "create", "review_meeting", str(year), year,
                 old.to_json() if old else None, meeting.to_json())
    return Changes(documents=True)



@dataclass(frozen=True)
class MeetingSaved:
    """What saving the form did: the record it became, or the draft it was kept as (with the reason)."""

    changes: Changes
    stored: ReviewMeeting | MeetingDraft


def _drop_meeting_draft(ws: Workspace, year: int) -> Changes:
    if ws.get_setting(MEETING_DRAFT_SETTING.format(year=year)) is None:
        return Changes()
    return ws.write_setting(MEETING_DRAFT_SETTING.format(year=year), None) | Changes(documents=True)


def save_meeting_form(ws: Workspace, year: int, form: dict[str, Any], keep_draft: bool = True) -> MeetingSaved:
    """Store the meeting form: a valid form becomes the year's record. An incomplete one (a row without a name, an
    absence without its reason…) is kept as the year's draft with the reason when `keep_draft` (the form as it is
    typed: nothing typed is lost), or refused with that reason (`cdht meeting set`: nothing is written). Documents
    keep using the last valid record; the readiness list names the draft."""
    if not isinstance(form, dict):
        raise InputError("Biên bản họp xét phải là một đối tượng JSON.")
    try:
        meeting = meeting_from_json(form, organisations(ws))
    except InputError as error:
        if not keep_draft:
            raise
        draft = MeetingDraft(form, error.message)
        with ws.transaction():
            ws.ensure_unlocked(year)
            changes = ws.write_setting(MEETING_DRAFT_SETTING.format(year=year),
                                       {"form": form, "problem": draft.problem})
        return MeetingSaved(changes | Changes(documents=True) if changes.any() else changes, draft)
    changes = save_review_meeting(ws, year, meeting)
    return MeetingSaved(changes, review_meeting(ws, year) or meeting)


# ---------------------------------------------------------------------- legal bases (căn cứ)

def set_legal_bases(ws: Workspace, new: Sequence[dict[str, Any]]) -> Changes:
    """Replace the whole list (each entry checked; an empty list is refused: Tờ trình and Báo cáo need a căn cứ)."""
    cleaned: list[dict[str, str]] = []
    for entry in new:
        kind = entry.get("kind") if isinstance(entry, dict) else None
        if kind in (lb.CATALOGUE, lb.PLAN):
            item = {"kind": kind}
        elif kind == lb.TEXT:
            item = {"kind": lb.TEXT, "text": lb.clean_text_entry(entry.get("text"))}
            if entry.get("suggestion"):
                item["suggestion"] = str(entry["suggestion"])
        else:
            raise InputError(f"Căn cứ không hợp lệ: {entry!r}.")
        if item in cleaned or (kind == lb.TEXT and any(fold(e.get("text", "")) == fold(item["text"]) for e in cleaned)):
            raise InputError(f"Căn cứ “{item.get('text', kind)}” có hai lần trong danh sách.")
        cleaned.append(item)
    if not cleaned:
        raise InputError("Danh sách căn cứ không được để trống.")
    if len(cleaned) > lb.MAX_ENTRIES:
        raise InputError(f"Danh sách có {len(cleaned)} căn cứ; tối đa {lb.MAX_ENTRIES}.")
    return ws.write_setting(lb.SETTING, cleaned)


def add_legal_basis(ws: Workspace, text: str) -> Changes:
    """Add an instrument the user typed (with its full number, date, issuer and title) at the end."""
    return set_legal_bases(ws, [*lb.entries(ws), {"kind": lb.TEXT, "text": text}])


def confirm_legal_basis(ws: Workspace, suggestion_id: str) -> Changes:
    """The user has read a suggestion's full text and wants it printed: it joins the list (once)."""
    suggestion = next((s for s in lb.SUGGESTIONS if s.id == suggestion_id), None)
    if suggestion is None:
        raise InputError(f"Không có gợi ý căn cứ “{suggestion_id}”; có: {', '.join(s.id for s in lb.SUGGESTIONS)}.")
    current = lb.entries(ws)
    if any(e.get("suggestion") == suggestion.id for e in current):
        return Changes()
    return set_legal_bases(ws, [*current, {"kind": lb.TEXT, "text": suggestion.text, "suggestion": suggestion.id}])


def remove_legal_basis(ws: Workspace, position: int) -> Changes:
    """Remove the entry at `position` (1-based, as `cdht documents bases show` numbers them)."""
    current = lb.entries(ws)
    if not 1 <= position <= len(current):
        raise InputError(f"Không có căn cứ thứ {position}; danh sách có {len(current)} căn cứ.")
    del current[position - 1]
    return set_legal_bases(ws, current)


# ---------------------------------------------------------------------- data-collection workbooks

def import_collection_workbook(ws: Workspace, path: Path, expected_year: int | None = None,
                               progress: Progress | None = None) -> CollectionImport:
    """Import a unit's workbook: all or nothing, each change audited; unchanged values are left alone."""
    if progress is not None:
        progress.report(0.1, "Đang kiểm tra phiếu…")
    meta, updates = read_collection_workbook(ws, path, expected_year)
    check_cancelled(progress)
    result = CollectionImport(unit=str(meta.get("unit") or ""), year=int(meta["year"]))
    if progress is not None:
        progress.report(0.6, "Đang ghi số liệu…")
    with ws.transaction():
        for ind_id, fields in updates.items():
            changes = set_values(ws, result.year, ind_id, fields)
            if changes.any():
                result.changed.append(ind_id)
                result.changes |= changes
    if progress is not None:
        progress.report(1.0, "Đã nhập xong.")
    return result
