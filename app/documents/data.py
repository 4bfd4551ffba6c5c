"""One consistent snapshot of everything the dossier documents print for a year.

Figures and verdicts come only from `ws.assessment(year)` (the rules engine) and the stored values, so
every document shows exactly what the checklist shows. The requested level is checked here once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from app.domain.catalogue import Catalogue
from app.domain.rules import Assessment
from app.errors import InputError
from app.services import documents as docs
from app.services.workspace import Assignment, Profile, Workspace
from app.text import fold


@dataclass(frozen=True)
class DossierData:
    profile: Profile
    year: int
    catalogue: Catalogue
    assessment: Assessment
    values: dict[str, dict[str, Any]]
    evidence: tuple[docs.EvidenceItem, ...]
    texts: dict[str, str]
    meeting: docs.ReviewMeeting | None
    assignments: tuple[Assignment, ...]
    level: int
    date: dt.date | None

    @property
    def commune(self) -> str:
        return self.profile.commune_name

    @property
    def issuing_lines(self) -> tuple[str, ...]:
        return ("ỦY BAN NHÂN DÂN", f"XÃ {self.profile.commune_name.upper()}")

    @property
    def date_year(self) -> int:
        """The year printed in a blank date line: the submission year (the one after the assessment year)."""
        return self.date.year if self.date else self.year + 1

    def evidence_codes(self, indicator_id: str) -> list[str]:
        return [item.code for item in self.evidence if indicator_id in item.indicators]

    def number(self, key: str) -> str:
        return self.texts.get(f"number.{key}", "")


def requested_level(assessment: Assessment, meeting: docs.ReviewMeeting | None, level: int | None) -> int:
    """The level the dossier asks for: the one given, else the one the meeting agreed, else the one fully met.

    A level above what every criterion meets is refused (TT 25/2023 Điều 9: the commune applies for the level
    it fully meets).
    """
    if level is None and meeting is not None and meeting.level_agreed:
        level = meeting.level_agreed
    if level is None:
        level = assessment.level
    if level not in (0, 1, 2):
        raise InputError(f"Mức độ đề nghị {level!r} không hợp lệ; chỉ có mức độ 1 hoặc 2.")
    if level > assessment.level:
        met = f"mới đạt mức độ {assessment.level}" if assessment.level else "chưa đạt mức độ 1"
        raise InputError(f"Không thể đề nghị công nhận mức độ {level}: theo kết quả tự đánh giá, xã {met}.")
    return level


def collect(ws: Workspace, year: int, level: int | None = None, check_level: bool = True) -> DossierData:
    """Read the year's data once for all documents; without `check_level` the level is simply the one met."""
    with ws.lock:
        assessment = ws.assessment(year)
        meeting = docs.review_meeting(ws, year)
        return DossierData(
            profile=ws.profile(),
            year=year,
            catalogue=ws.catalogue(year),
            assessment=assessment,
            values=ws.values(year),
            evidence=tuple(docs.evidence_items(ws, year)),
            texts=docs.document_texts(ws, year),
            meeting=meeting,
            assignments=tuple(ws.assignments(year)),
            level=requested_level(assessment, meeting, level) if check_level else assessment.level,
            date=docs.document_date(ws, year),
        )


def signer_lines(title: str) -> tuple[str, ...]:
    """The authority lines for the profile's signer title: a deputy signs 'KT. CHỦ TỊCH / PHÓ CHỦ TỊCH'."""
    folded = fold(title)
    if "pho chu tich" in folded:
        return ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")
    if not title.strip() or folded.strip() == "chu tich":
        return ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")
    return ("TM. ỦY BAN NHÂN DÂN", title.strip().upper())
