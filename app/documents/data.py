"""One consistent snapshot of everything the dossier documents print for a year.

Figures and verdicts come only from `ws.assessment(year)` (the rules engine) and the stored values, so
every document shows exactly what the checklist shows. The requested level is checked here once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from app.documents import legal_bases as bases
from app.documents import texts as doc_texts
from app.domain.catalogue import Catalogue
from app.domain.meeting import ReviewMeeting
from app.domain.records import Assignment, Profile
from app.domain.rules import Assessment
from app.errors import InputError
from app.storage.workspace import Workspace
from app.text import fold


@dataclass(frozen=True)
class DossierData:
    profile: Profile
    year: int
    catalogue: Catalogue
    assessment: Assessment
    values: dict[str, dict[str, Any]]
    evidence: tuple[doc_texts.ListedEvidence, ...]
    texts: dict[str, str]
    meeting: ReviewMeeting | None
    assignments: tuple[Assignment, ...]
    level: int
    legal_entries: tuple[dict[str, str], ...] = ()
    organisations: tuple[str, ...] = ()

    @property
    def commune(self) -> str:
        return self.profile.commune_name

    @property
    def unit(self) -> str:
        """'xã' (or phường, thị trấn, đặc khu): the word documents print before the commune's name."""
        return self.profile.commune_kind

    @property
    def place(self) -> str:
        """'xã Kiến Hưng'."""
        return f"{self.unit} {self.commune}"

    @property
    def ubnd(self) -> str:
        """'Ủy ban nhân dân xã Kiến Hưng'."""
        return f"Ủy ban nhân dân {self.place}"

    @property
    def issuing_lines(self) -> tuple[str, ...]:
        return ("ỦY BAN NHÂN DÂN", f"{self.unit.upper()} {self.commune.upper()}")

    @property
    def date_year(self) -> int:
        """The year printed in a blank date line: the submission year (the one after the assessment year)."""
        return self.year + 1

    def evidence_codes(self, indicator_id: str) -> list[str]:
        return [item.code for item in self.evidence if indicator_id in item.indicators]

    def number(self, key: str) -> str:
        """The stored number of a document ('05', or '05/TTr-VHXH'); '' when not given yet."""
        return self.texts.get(f"number.{key}", "")

    def reference(self, key: str) -> str:
        """'05/TTr-UBND' for a numbered document, '' when its number is not given yet."""
        return doc_texts.number_reference(self.number(key), doc_texts.NUMBERED_DOCUMENTS[key][1])

    def issue_date(self, key: str) -> dt.date | None:
        """The date a document carries: the Biên bản the meeting's day, the others their signing date; the
        Tổng hợp and the Danh mục are attachments of the Tờ trình, the Phân công of the commune's plan."""
        if key == "bien_ban":
            return self.meeting.meeting_date if self.meeting else None
        if key in ("tong_hop", "danh_muc_minh_chung"):
            key = "to_trinh"
        if key == "phan_cong":
            return doc_texts.stored_date(self.texts, "plan.date")
        return doc_texts.stored_date(self.texts, f"date.{key}")

    @property
    def plan_reference(self) -> str:
        return doc_texts.number_reference(self.texts.get("plan.number", ""), doc_texts.PLAN_CODE)

    @property
    def has_assignments(self) -> bool:
        return any(a.lead_unit or a.coordinating_units for a in self.assignments)


def requested_level(assessment: Assessment, meeting: ReviewMeeting | None, level: int | None) -> int:
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
        meeting = doc_texts.review_meeting(ws, year)
        return DossierData(
            profile=ws.profile(),
            year=year,
            catalogue=ws.catalogue(year),
            assessment=assessment,
            values=ws.values(year),
            evidence=tuple(doc_texts.evidence_items(ws, year)),
            texts=doc_texts.document_texts(ws, year),
            meeting=meeting,
            assignments=tuple(ws.assignments(year)),
            level=requested_level(assessment, meeting, level) if check_level else assessment.level,
            legal_entries=tuple(bases.entries(ws)),
            organisations=doc_texts.organisations(ws),
        )


def signer_lines(title: str) -> tuple[str, ...]:
    """The authority lines for the profile's signer title: a deputy signs 'KT. CHỦ TỊCH / PHÓ CHỦ TỊCH'."""
    folded = fold(title)
    if "pho chu tich" in folded:
        return ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")
    if not title.strip() or folded.strip() == "chu tich":
        return ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")
    return ("TM. ỦY BAN NHÂN DÂN", title.strip().upper())
