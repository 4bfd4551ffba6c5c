"""The rules engine: Thông tư 25/2023 Điều 6–8 as pure functions.

Every indicator is judged at each level as `met`, `not_met` or `missing`, always with a reason a
person can read. Percentages are compared with integers only (60% of 14 870 is met at 8 922, not at
8 921). Missing data is never `met`. A criterion is met only when all its indicators are, a level
only when all criteria are (Điều 8).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from app.domain.catalogue import LEVELS, Catalogue, Indicator
from app.domain.dataset import FIELD_LABELS
from app.text import format_int, format_percent, format_threshold

MET, NOT_MET, MISSING = "met", "not_met", "missing"
STATUS_LABELS = {MET: "Đạt", NOT_MET: "Không đạt", MISSING: "Chưa có số liệu"}


@dataclass(frozen=True)
class Verdict:
    status: str
    reason: str

    @property
    def met(self) -> bool:
        return self.status == MET


@dataclass(frozen=True)
class IndicatorResult:
    indicator: Indicator
    verdicts: dict[int, Verdict]
    figure: str

    @property
    def id(self) -> str:
        return self.indicator.id


@dataclass(frozen=True)
class CriterionResult:
    criterion_id: str
    name: str
    verdicts: dict[int, Verdict]


@dataclass(frozen=True)
class Assessment:
    """The legal verdict for one dataset. `level` is the highest level whose every criterion is met."""

    catalogue_id: str
    level: int
    disadvantaged_area: bool
    criteria: dict[str, CriterionResult]
    indicators: dict[str, IndicatorResult]

    def level_status(self, level: int) -> str:
        return combine([c.verdicts[level].status for c in self.criteria.values()])

    def unmet(self, level: int) -> list[IndicatorResult]:
        """Indicators that keep this level from being met (not met or missing), in order."""
        return [r for r in self.indicators.values() if not r.verdicts[level].met]

    def to_json(self) -> dict[str, Any]:
        return {
            "catalogue": self.catalogue_id,
            "level": self.level,
            "disadvantaged_area": self.disadvantaged_area,
            "criteria": {
                cid: {
                    "level1": c.verdicts[1].status,
                    "level2": c.verdicts[2].status,
                    "reasons": [f"Mức độ {lv}: {c.verdicts[lv].reason}" for lv in LEVELS],
                }
                for cid, c in self.criteria.items()
            },
            "indicators": {
                iid: {
                    "level1": r.verdicts[1].status,
                    "level2": r.verdicts[2].status,
                    "figure": r.figure,
                    "reasons": [f"Mức độ {lv}: {r.verdicts[lv].reason}" for lv in LEVELS],
                }
                for iid, r in self.indicators.items()
            },
        }


def combine(statuses: list[str]) -> str:
    """All met -> met; any not met -> not_met; otherwise something is missing."""
    if all(s == MET for s in statuses):
        return MET
    if any(s == NOT_MET for s in statuses):
        return NOT_MET
    return MISSING


def reaches(part: int, whole: int, percent: Fraction) -> bool:
    """True when part/whole >= percent/100, decided with integers only."""
    return part * 100 * percent.denominator >= percent.numerator * whole


def _missing_fields(values: Mapping[str, Any], names: tuple[str, ...]) -> Verdict | None:
    absent = [n for n in names if values.get(n) is None]
    if not absent:
        return None
    if len(absent) == len(names):
        return Verdict(MISSING, "Chưa nhập số liệu")
    return Verdict(MISSING, "Chưa nhập " + ", ".join(FIELD_LABELS[n] for n in absent))


def _judge_boolean(indicator: Indicator, values: Mapping[str, Any], level: int) -> Verdict:
    missing = _missing_fields(values, ("met",))
    if missing:
        return missing
    if values["met"]:
        return Verdict(MET, indicator.yes_text)
    return Verdict(NOT_MET, indicator.no_text)


def _judge_level(indicator: Indicator, values: Mapping[str, Any], level: int) -> Verdict:
    missing = _missing_fields(values, ("level",))
    if missing:
        return missing
    reached = values["level"]
    required = indicator.min_level(level)
    required_name = indicator.level_names.get(required, f"mức độ {required}").lower()
    reached_name = indicator.level_names.get(reached, f"mức độ {reached}")
    if reached >= required:
        return Verdict(MET, f"Đạt chuẩn {reached_name.lower()} (yêu cầu {required_name})")
    if reached == 0:
        return Verdict(NOT_MET, f"Chưa đạt chuẩn (yêu cầu {required_name})")
    return Verdict(NOT_MET, f"Mới đạt chuẩn {reached_name.lower()}, yêu cầu {required_name}")


def _ratio_text(label: str, part: int, whole: int, percent: Fraction) -> tuple[bool, str]:
    ok = reaches(part, whole, percent)
    sign = "≥" if ok else "<"
    return ok, f"{label}{format_percent(Fraction(part * 100, whole))} {sign} {format_threshold(percent)}"


def _judge_ratio(indicator: Indicator, values: Mapping[str, Any], level: int) -> Verdict:
    missing = _missing_fields(values, ("achieved", "total"))
    if missing:
        return missing
    ok, text = _ratio_text("Tỷ lệ ", values["achieved"], values["total"], indicator.min_percent(level))
    return Verdict(MET if ok else NOT_MET, text)


def _judge_training(indicator: Indicator, values: Mapping[str, Any], level: int, disadvantaged: bool) -> Verdict:
    missing = _missing_fields(values, ("trained", "university", "total"))
    if missing:
        return missing
    thresholds = indicator.training_thresholds(level, disadvantaged)
    ok_trained, trained = _ratio_text("Được đào tạo ", values["trained"], values["total"], thresholds.trained)
    ok_uni, uni = _ratio_text("đại học trở lên ", values["university"], values["total"], thresholds.university)
    suffix = " (ngưỡng xã thuộc vùng khó khăn)" if disadvantaged else ""
    return Verdict(MET if ok_trained and ok_uni else NOT_MET, f"{trained}; {uni}{suffix}")


def figure_text(indicator: Indicator, values: Mapping[str, Any]) -> str:
    """The entered figure as printed in the summary table, or '' when nothing was entered."""
    kind = indicator.input
    if kind == "boolean":
        met = values.get("met")
        return "" if met is None else ("Có" if met else "Không")
    if kind == "level":
        reached = values.get("level")
        return "" if reached is None else indicator.level_names.get(reached, f"Mức độ {reached}")
    total = values.get("total")
    if kind == "ratio":
        achieved = values.get("achieved")
        if achieved is None or total is None:
            return ""
        return f"{format_int(achieved)}/{format_int(total)} = {format_percent(Fraction(achieved * 100, total))}"
    trained, university = values.get("trained"), values.get("university")
    if trained is None or university is None or total is None:
        return ""
    return (
        f"Đào tạo: {format_int(trained)}/{format_int(total)} = {format_percent(Fraction(trained * 100, total))}; "
        f"ĐH trở lên: {format_int(university)}/{format_int(total)} = {format_percent(Fraction(university * 100, total))}"
    )


def judge_indicator(indicator: Indicator, values: Mapping[str, Any], disadvantaged: bool) -> IndicatorResult:
    """Judge one indicator at both levels."""
    verdicts = {}
    for level in LEVELS:
        if indicator.input == "boolean":
            verdicts[level] = _judge_boolean(indicator, values, level)
        elif indicator.input == "level":
            verdicts[level] = _judge_level(indicator, values, level)
        elif indicator.input == "ratio":
            verdicts[level] = _judge_ratio(indicator, values, level)
        else:
            verdicts[level] = _judge_training(indicator, values, level, disadvantaged)
    return IndicatorResult(indicator=indicator, verdicts=verdicts, figure=figure_text(indicator, values))


def _criterion_reason(status: str, results: list[IndicatorResult], level: int) -> str:
    if status == MET:
        return f"Cả {len(results)} chỉ tiêu đều đạt"
    failing = [r.id for r in results if r.verdicts[level].status == NOT_MET]
    missing = [r.id for r in results if r.verdicts[level].status == MISSING]
    parts = []
    if failing:
        parts.append("Chỉ tiêu chưa đạt: " + ", ".join(failing))
    if missing:
        parts.append("chưa có số liệu: " + ", ".join(missing))
    text = "; ".join(parts)
    return text[0].upper() + text[1:]


def evaluate(catalogue: Catalogue, values: Mapping[str, Mapping[str, Any]], disadvantaged_area: bool) -> Assessment:
    """Judge every indicator, criterion and level of `catalogue` for the entered `values`."""
    results = {ind.id: judge_indicator(ind, values.get(ind.id, {}), disadvantaged_area) for ind in catalogue.indicators}
    return assess(catalogue, results, disadvantaged_area)


def assess(catalogue: Catalogue, results: Mapping[str, IndicatorResult], disadvantaged_area: bool) -> Assessment:
    """Criteria and level from indicator verdicts (Điều 8), whoever judged the indicators: the engine from the
    figures, or an appraisal council. An indicator without a result counts as missing, never as met."""
    indicators: dict[str, IndicatorResult] = {}
    criteria: dict[str, CriterionResult] = {}
    for criterion in catalogue.criteria:
        judged = [results.get(ind.id) or IndicatorResult(ind, {lv: Verdict(MISSING, "Chưa đánh giá") for lv in LEVELS}, "")
                  for ind in criterion.indicators]
        for result in judged:
            indicators[result.id] = result
        verdicts = {}
        for level in LEVELS:
            status = combine([r.verdicts[level].status for r in judged])
            verdicts[level] = Verdict(status, _criterion_reason(status, judged, level))
        criteria[criterion.id] = CriterionResult(criterion.id, criterion.name, verdicts)
    level = 0
    for candidate in LEVELS:
        if all(c.verdicts[candidate].met for c in criteria.values()):
            level = candidate
    return Assessment(catalogue.id, level, disadvantaged_area, criteria, indicators)


def requirement_text(indicator: Indicator) -> str:
    """What each level asks of an indicator, in one or two lines."""
    if indicator.input == "boolean":
        return "Cả hai mức độ: thực hiện đầy đủ."
    parts = []
    for level in LEVELS:
        if indicator.input == "level":
            name = indicator.level_name(indicator.min_level(level)).lower()
            parts.append(f"Mức độ {level}: đạt chuẩn {name} trở lên")
        elif indicator.input == "ratio":
            parts.append(f"Mức độ {level}: ít nhất {format_threshold(indicator.min_percent(level))}")
        else:
            normal = indicator.training_thresholds(level, disadvantaged=False)
            hard = indicator.training_thresholds(level, disadvantaged=True)
            parts.append(
                f"Mức độ {level}: được đào tạo ≥ {format_threshold(normal.trained)}, đại học trở lên ≥ "
                f"{format_threshold(normal.university)} (xã vùng khó khăn: {format_threshold(hard.trained)} và "
                f"{format_threshold(hard.university)})"
            )
    return "; ".join(parts) + "."


@dataclass(frozen=True)
class ShareCheck:
    """One share a counted indicator asks for (the ratio, or the trained and university shares), as typed,
    with whether it reaches each level's threshold."""

    name: str
    percent: Fraction
    thresholds: dict[int, Fraction]
    reached: dict[int, bool]


def share_checks(indicator: Indicator, values: Mapping[str, Any], disadvantaged: bool) -> list[ShareCheck]:
    """The shares of a ratio or training indicator against each level's threshold, for feedback while typing.

    Empty when the indicator is not counted or a figure is missing or the total is zero; figures that
    contradict each other are refused by `app.domain.dataset.figures_problem`, not here.
    """
    total = values.get("total")
    if indicator.input == "ratio":
        parts: dict[str, tuple[str, dict[int, Fraction]]] = {
            "achieved": ("Tỷ lệ", {lv: indicator.min_percent(lv) for lv in LEVELS})}
    elif indicator.input == "training":
        limits = {lv: indicator.training_thresholds(lv, disadvantaged) for lv in LEVELS}
        parts = {"trained": ("Được đào tạo", {lv: t.trained for lv, t in limits.items()}),
                 "university": ("Đại học trở lên", {lv: t.university for lv, t in limits.items()})}
    else:
        return []
    if not isinstance(total, int) or total <= 0 or any(not isinstance(values.get(p), int) for p in parts):
        return []
    return [ShareCheck(name, Fraction(values[part] * 100, total), thresholds,
                       {lv: reaches(values[part], total, threshold) for lv, threshold in thresholds.items()})
            for part, (name, thresholds) in parts.items()]
