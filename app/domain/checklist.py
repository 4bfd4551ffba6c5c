"""The live checklist: the legal verdict plus evidence readiness, summed up in one headline.

Evidence readiness is reported beside the verdict, never mixed into it: an indicator can be met in
law and still lack minh chứng for the dossier.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.domain.catalogue import LEVELS
from app.domain.rules import MET, MISSING, NOT_MET, Assessment

EVIDENCE_OK, EVIDENCE_EXPLAINED, EVIDENCE_MISSING = "ok", "explained", "missing"


@dataclass(frozen=True)
class EvidenceState:
    """How one indicator stands for the dossier: evidence items linked, or a written explanation."""

    count: int = 0
    explanation: str = ""

    @property
    def status(self) -> str:
        if self.count > 0:
            return EVIDENCE_OK
        if self.explanation.strip():
            return EVIDENCE_EXPLAINED
        return EVIDENCE_MISSING


@dataclass(frozen=True)
class Checklist:
    assessment: Assessment
    evidence: dict[str, EvidenceState] | None

    @property
    def level(self) -> int:
        return self.assessment.level

    def lacking_evidence(self) -> list[str]:
        """Indicators met at some level that have neither evidence nor an explanation ("thiếu minh chứng").

        Empty when evidence is not known (a dataset judged on its own).
        """
        if self.evidence is None:
            return []
        return [
            iid
            for iid, result in self.assessment.indicators.items()
            if result.verdicts[1].met and self.evidence.get(iid, EvidenceState()).status == EVIDENCE_MISSING
        ]

    def target_level(self) -> int:
        """The level worth working towards next: the one above the level met, at most 2."""
        return min(self.level + 1, max(LEVELS))

    def headline(self) -> str:
        level = self.level
        if level == max(LEVELS):
            text = f"Đủ điều kiện đề nghị công nhận mức độ {level}"
        else:
            target = self.target_level()
            gaps = len(self.assessment.unmet(target))
            if level:
                text = f"Đủ điều kiện đề nghị công nhận mức độ {level} — còn thiếu {gaps} chỉ tiêu cho mức độ {target}"
            else:
                text = f"Chưa đủ điều kiện đề nghị công nhận — còn thiếu {gaps} chỉ tiêu cho mức độ {target}"
        lacking = self.lacking_evidence()
        if lacking:
            text += f"; {len(lacking)} chỉ tiêu thiếu minh chứng"
        return text

    def missing_items(self) -> list[str]:
        """Human-readable list of what stands between the commune and the next level, then evidence gaps."""
        items = []
        target = self.target_level()
        levels = [target] if self.level < max(LEVELS) else []
        for level in levels:
            for result in self.assessment.unmet(level):
                items.append(f"Chỉ tiêu {result.id} (mức độ {level}): {result.verdicts[level].reason}")
        for iid in self.lacking_evidence():
            items.append(f"Chỉ tiêu {iid}: thiếu minh chứng (chưa có tệp minh chứng hoặc giải trình)")
        return items

    def to_json(self) -> dict[str, Any]:
        data = self.assessment.to_json()
        data["headline"] = self.headline()
        data["missing"] = self.missing_items()
        if self.evidence is not None:
            data["evidence"] = {
                iid: {"count": self.evidence.get(iid, EvidenceState()).count,
                      "status": self.evidence.get(iid, EvidenceState()).status}
                for iid in self.assessment.indicators
            }
        return data


def build_checklist(assessment: Assessment, evidence: Mapping[str, EvidenceState] | None = None) -> Checklist:
    """Pair a verdict with evidence readiness; `evidence=None` means readiness is not known."""
    return Checklist(assessment=assessment, evidence=None if evidence is None else dict(evidence))


__all__ = [
    "Checklist", "EvidenceState", "build_checklist", "MET", "NOT_MET", "MISSING",
    "EVIDENCE_OK", "EVIDENCE_EXPLAINED", "EVIDENCE_MISSING",
]
