"""Evidence (minh chứng) use cases: importing files, editing the register, linking to indicators, the trash,
carrying items into a new year, accepting changed content. Each change is one audited transaction and returns
`Changes`; both front-ends call these.

The parts live in `app/evidence/`: the content-addressed store and its layout (`store`), type checks (`sniff`),
codes and their order (`codes`), the register's reads (`library`), the import pipeline (`importer`), the
integrity checks (`integrity`) and the register's suggestions (`register`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.changes import Changes
from app.domain.records import EXPLANATION_FIELD
from app.errors import InputError, NotFoundError
from app.evidence.importer import DUPLICATE, IMPORTED, ImportResult, import_files
from app.evidence.library import (
    DATE_FIELDS,
    EDITABLE_FIELDS,
    EvidenceItem,
    add_links,
    check_indicators,
    clean_field,
    get_evidence,
    insert_evidence,
    list_evidence,
    parse_optional_date,
    recode,
    refresh_search_text,
)
from app.evidence.register import NO_NUMBER, REGISTER_FIELDS, is_no_number, suggest_fields
from app.evidence.store import EvidenceStore, evidence_root, hash_file
from app.progress import Progress
from app.services.indicators import set_values
from app.storage.workspace import Workspace
from app.text import clean_text, format_date_short, utc_now


@dataclass(frozen=True)
class EvidenceImport:
    """What an import did: one result per file, and the flags to refresh."""

    results: list[ImportResult]
    changes: Changes


def import_evidence(ws: Workspace, year: int, sources: Iterable[Path | str], *, indicator_ids: Iterable[str] = (),
                    details: Mapping[str, Any] | None = None, progress: Progress | None = None) -> EvidenceImport:
    """Import files and folders into a year's library, linked to `indicator_ids` (see `importer.import_files`)."""
    results = import_files(ws, year, sources, indicator_ids=indicator_ids, details=details, progress=progress)
    imported = any(r.status in (IMPORTED, DUPLICATE) for r in results)
    return EvidenceImport(results, Changes(evidence=True, checklist=True) if imported else Changes())


def _live_item(ws: Workspace, evidence_id: int) -> EvidenceItem:
    item = get_evidence(ws, evidence_id)
    ws.ensure_unlocked(item.year)
    return item


def update_evidence(ws: Workspace, evidence_id: int, **fields: Any) -> Changes:
    """Change catalogue fields (số/ký hiệu, ngày ban hành, cơ quan ban hành, trích yếu, hiệu lực đến)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise InputError(f"Không sửa được trường {', '.join(sorted(unknown))} của minh chứng.")
    cleaned: dict[str, Any] = {}
    for name, value in fields.items():
        label = EDITABLE_FIELDS[name]
        if name in DATE_FIELDS:
            day = parse_optional_date(value, label)
            cleaned[name] = day.isoformat() if day else None
        else:
            cleaned[name] = clean_field(name, value)
    with ws.transaction():
        item = _live_item(ws, evidence_id)
        old = item.to_json()
        changed = {k: v for k, v in cleaned.items() if old.get(k) != v}
        if not changed:
            return Changes()
        assignments = ", ".join(f"{k} = ?" for k in changed)
        ws.db.execute(f"UPDATE evidence SET {assignments} WHERE id = ?", [*changed.values(), evidence_id])
        refresh_search_text(ws, evidence_id)
        ws.audit("update", "evidence", item.code, item.year, {k: old.get(k) for k in changed}, changed)
    return Changes(evidence=True)


def link_evidence(ws: Workspace, evidence_id: int, indicator_ids: str | Iterable[str]) -> Changes:
    """Let an item support more indicators; the first one decides its code."""
    if isinstance(indicator_ids, str):
        indicator_ids = [indicator_ids]
    if not any(i and i.strip() for i in indicator_ids):
        raise InputError("Chưa chỉ mã chỉ tiêu để gắn minh chứng vào (ví dụ 1.2).")
    with ws.transaction():
        item = _live_item(ws, evidence_id)
        if item.deleted:
            raise InputError(f"Minh chứng {item.code} đang ở thùng rác; hãy khôi phục trước khi gắn chỉ tiêu.")
        added = add_links(ws, item, indicator_ids)
    return Changes(evidence=True, checklist=True) if added else Changes()


def unlink_evidence(ws: Workspace, evidence_id: int, indicator_id: str) -> Changes:
    """Take an indicator off an item; an empty or unknown indicator, or one the item is not linked to, is refused."""
    if not indicator_id or not indicator_id.strip():
        raise InputError("Chưa chỉ mã chỉ tiêu cần bỏ gắn (ví dụ 1.2).")
    indicator_id = indicator_id.strip()
    with ws.transaction():
        item = _live_item(ws, evidence_id)
        check_indicators(ws, item.year, [indicator_id])
        if indicator_id not in item.indicator_ids:
            raise InputError(f"Minh chứng {item.code} không gắn với chỉ tiêu {indicator_id}; không có gì để bỏ.")
        ws.db.execute("DELETE FROM evidence_links WHERE evidence_id = ? AND indicator_id = ?", [evidence_id, indicator_id])
        ws.audit("unlink", "evidence_link", f"{item.code}/{indicator_id}", item.year, indicator_id, None)
        recode(ws, get_evidence(ws, evidence_id))
    return Changes(evidence=True, checklist=True)


def set_no_evidence_explanation(ws: Workspace, year: int, indicator_id: str, text: str | None,
                                continue_edit: bool = False) -> Changes:
    """The written explanation of an indicator that has no evidence (empty text clears it); `continue_edit` as in
    `set_values` (more typing in the same box joins the previous undo step)."""
    return set_values(ws, year, indicator_id, {EXPLANATION_FIELD: text or None}, continue_edit=continue_edit)


def no_evidence_explanation(ws: Workspace, year: int, indicator_id: str) -> str:
    return str(ws.values(year).get(indicator_id, {}).get(EXPLANATION_FIELD, ""))


def remove_evidence(ws: Workspace, evidence_id: int) -> Changes:
    """Move an item to the trash; it can be restored until the trash is emptied."""
    with ws.transaction():
        item = _live_item(ws, evidence_id)
        if item.deleted:
            return Changes()
        ws.db.execute("UPDATE evidence SET deleted_at = ? WHERE id = ?", [utc_now(), evidence_id])
        ws.audit("trash", "evidence", item.code, item.year, item.to_json(), None)
    return Changes(evidence=True, checklist=True)


def restore_evidence(ws: Workspace, evidence_id: int) -> Changes:
    with ws.transaction():
        item = _live_item(ws, evidence_id)
        if not item.deleted:
            return Changes()
        twin = ws.db.execute("SELECT code FROM evidence WHERE year = ? AND sha256 = ? AND deleted_at IS NULL AND id != ?",
                             [item.year, item.sha256, item.id]).fetchone()
        if twin:
            raise InputError(f"Không khôi phục được {item.code} ('{item.original_name}'): cùng nội dung đã có trong "
                             f"thư viện năm {item.year} với mã {twin[0]}.")
        ws.db.execute("UPDATE evidence SET deleted_at = NULL WHERE id = ?", [evidence_id])
        ws.audit("restore", "evidence", item.code, item.year, None, item.to_json())
    return Changes(evidence=True, checklist=True)


@dataclass(frozen=True)
class TrashReport:
    items_removed: int
    files_removed: int
    kept_locked: int
    """Items left in the trash because their year is finalized."""

    def message(self) -> str:
        text = f"Đã xóa hẳn {self.items_removed} minh chứng trong thùng rác ({self.files_removed} tệp không còn dùng)."
        if self.kept_locked:
            text += f" Giữ lại {self.kept_locked} minh chứng của năm đã chốt hồ sơ."
        return text


def empty_trash(ws: Workspace, year: int | None = None) -> tuple[Changes, TrashReport]:
    """Delete trashed items for good (all years, or one), then the stored files nobody references any more."""
    store = EvidenceStore(evidence_root(ws))
    with ws.transaction():
        trashed = list_evidence(ws, year, trash=True)
        locked_years = {info.year for info in ws.years() if info.locked}
        removable = [i for i in trashed if i.year not in locked_years]
        for item in removable:
            ws.db.execute("DELETE FROM evidence WHERE id = ?", [item.id])
            ws.audit("purge", "evidence", item.code, item.year, item.to_json(), None)
        orphaned = {i.sha256 for i in removable}
        still_used = {r[0] for r in ws.db.execute("SELECT DISTINCT sha256 FROM evidence").fetchall()}
    files = sum(store.remove(sha) for sha in sorted(orphaned - still_used))
    report = TrashReport(len(removable), files, len(trashed) - len(removable))
    return (Changes(evidence=True) if removable else Changes()), report



# ---------------------------------------------------------------------- the register, several items at once

def apply_suggestions(ws: Workspace, ids: Iterable[int], overwrite: bool = False) -> tuple[Changes, int]:
    """Fill items from their suggestions (only empty fields unless `overwrite`); returns (changes, items changed)."""
    changes, changed = Changes(), 0
    suggestions = [suggest_fields(ws, evidence_id) for evidence_id in ids]
    with ws.transaction():
        for suggestion in suggestions:
            item = get_evidence(ws, suggestion.evidence_id)
            current = {"doc_number": item.doc_number, "issued_date": item.issued_date, "issuer": item.issuer,
                       "summary": item.summary}
            wanted = {k: v for k, v in suggestion.fields().items() if overwrite or not current[k]}
            if wanted:
                step = update_evidence(ws, item.id, **wanted)
                changes |= step
                changed += int(step.any())
    return changes, changed


def update_fields(ws: Workspace, ids: Iterable[int], **fields: Any) -> Changes:
    """Set the same register fields on several items in one transaction (all or nothing), each change audited.

    `doc_number` "không số" (any case, with or without accents) is stored as "Không số".
    """
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise InputError("Chưa chọn minh chứng nào để sửa.")
    unknown = set(fields) - set(REGISTER_FIELDS) - {"valid_until"}
    if unknown:
        raise InputError(f"Không sửa hàng loạt được trường {', '.join(sorted(unknown))}.")
    if isinstance(fields.get("doc_number"), str) and is_no_number(fields["doc_number"]):
        fields["doc_number"] = NO_NUMBER
    changes = Changes()
    with ws.transaction():
        for evidence_id in ids:
            changes |= update_evidence(ws, evidence_id, **fields)
    return changes



# ---------------------------------------------------------------------- changed files

def accept_change(ws: Workspace, evidence_id: int, reason: str) -> Changes:
    """Accept the new content of a stored file that was changed after import, with the reason in the audit log.

    The file keeps its content and moves to the name of its new hash; every evidence row that pointed to the old
    content now points to the new one. Refused for a file that is not changed, and in a finalized year.
    """
    reason = clean_text(reason, "Lý do chấp nhận nội dung mới", required=True, single_line=True)
    if len(reason) < 5:
        raise InputError("Hãy nêu lý do chấp nhận nội dung mới (ít nhất 5 ký tự); lý do được ghi vào nhật ký.")
    store = EvidenceStore(evidence_root(ws))
    with ws.transaction():
        row = ws.db.execute("SELECT sha256 FROM evidence WHERE id = ?", [evidence_id]).fetchone()
        if row is None:
            raise NotFoundError(f"Không có minh chứng số {evidence_id}.")
        old_sha = row[0]
        rows = ws.db.execute("SELECT id, year, code FROM evidence WHERE sha256 = ?", [old_sha]).fetchall()
        for _, year, _code in rows:
            ws.ensure_unlocked(year)
        path = store.path(old_sha)
        if not path.is_file():
            raise InputError("Tệp của minh chứng này đã mất khỏi kho; hãy nhập lại tệp gốc thay vì chấp nhận.")
        new_sha, size = hash_file(path), path.stat().st_size
        if new_sha == old_sha:
            raise InputError("Tệp của minh chứng này không bị thay đổi; không có gì để chấp nhận.")
        store.rehash(old_sha, new_sha)
        ws.db.execute("UPDATE evidence SET sha256 = ?, size = ? WHERE sha256 = ?", [new_sha, size, old_sha])
        for _, year, code in rows:
            ws.audit("accept_change", "evidence", code, year, {"sha256": old_sha},
                     {"sha256": new_sha, "size": size, "reason": reason})
    return Changes(evidence=True)



# ---------------------------------------------------------------------- carrying items into a new year

@dataclass(frozen=True)
class CarryCandidate:
    item: EvidenceItem
    recommended: bool
    reason: str


def carry_over_candidates(ws: Workspace, from_year: int) -> list[CarryCandidate]:
    """Every live item of `from_year`, recommended when it states a validity reaching into the next year."""
    ws.year(from_year)
    next_start = dt.date(from_year + 1, 1, 1)
    candidates = []
    for item in list_evidence(ws, from_year):
        if item.valid_until is None:
            candidates.append(CarryCandidate(item, False, "Không ghi thời hạn hiệu lực; chỉ mang sang nếu văn bản "
                                             "vẫn còn áp dụng."))
        elif item.valid_until >= next_start:
            candidates.append(CarryCandidate(item, True, f"Còn hiệu lực đến {format_date_short(item.valid_until)}."))
        else:
            candidates.append(CarryCandidate(item, False, f"Hết hiệu lực từ {format_date_short(item.valid_until)}."))
    return candidates


def carry_over_evidence(ws: Workspace, from_year: int, to_year: int, evidence_ids: list[int]) -> Changes:
    """Give `to_year` its own copy of the chosen items (same stored file); items already there are skipped."""
    if from_year == to_year:
        raise InputError("Năm nguồn và năm đích phải khác nhau.")
    carried = 0
    with ws.transaction():
        ws.year(from_year)
        ws.ensure_unlocked(to_year)
        known = set(ws.catalogue(to_year).indicator_ids)
        for evidence_id in evidence_ids:
            item = get_evidence(ws, evidence_id)
            if item.year != from_year or item.deleted:
                raise InputError(f"Minh chứng {item.code} không phải minh chứng đang dùng của năm {from_year}.")
            if ws.db.execute("SELECT 1 FROM evidence WHERE year = ? AND sha256 = ? AND deleted_at IS NULL",
                             [to_year, item.sha256]).fetchone():
                continue
            indicators = [i for i in item.indicator_ids if i in known]
            fields = {"doc_number": item.doc_number, "issued_date": item.issued_date, "issuer": item.issuer,
                      "summary": item.summary, "valid_until": item.valid_until}
            _, code = insert_evidence(ws, to_year, sha256=item.sha256, size=item.size, name=item.original_name,
                                      mime=item.mime, fields=fields, indicators=indicators, carried_from=item.id)
            ws.audit("carry_over", "evidence", code, to_year, {"year": from_year, "code": item.code},
                     {"year": to_year, "code": code, "indicators": indicators})
            carried += 1
    return Changes(evidence=True, checklist=True) if carried else Changes()
