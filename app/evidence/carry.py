"""Carrying evidence forward when a new assessment year is copied from the previous one.

Multi-year documents (a coordination regulation for 2.3, a decision establishing a board) stay valid;
the new year gets its own rows pointing at the same stored file (nothing is copied), with links to the
indicators the new year's catalogue still has, and fresh codes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.errors import InputError
from app.evidence.library import EvidenceItem, get_evidence, insert_evidence, list_evidence
from app.services.workspace import Changes
from app.text import format_date_short


@dataclass(frozen=True)
class CarryCandidate:
    item: EvidenceItem
    recommended: bool
    reason: str


def carry_over_candidates(ws, from_year: int) -> list[CarryCandidate]:
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


def carry_over_evidence(ws, from_year: int, to_year: int, evidence_ids: list[int]) -> Changes:
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


__all__ = ["CarryCandidate", "carry_over_candidates", "carry_over_evidence"]
