"""The rules engine against Điều 6–8, including exact percentage boundaries and the vùng khó khăn thresholds.

The property tests compare the engine with an independent statement of the thresholds written here from
the Circular's text (regulation.md §1), using exact rational comparison.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.catalogue import catalogue_for_year
from app.domain.rules import MET, MISSING, NOT_MET, evaluate, reaches, requirement_text, share_checks

CATALOGUE = catalogue_for_year(2025)
BOOLEAN_IDS = ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "4.1"]

# Independent statement of TT 25/2023 Điều 6 (level 1) and Điều 7 (level 2), criteria 4–5.
MIN_LEVELS = {1: {"4.2": 2, "4.3": 2, "4.4": 1}, 2: {"4.2": 3, "4.3": 3, "4.4": 2}}
CDHT_PERCENT = {1: 60, 2: 80}
TRAINED_PERCENT = {(1, False): (50, 12), (1, True): (40, 10), (2, False): (60, 15), (2, True): (50, 12)}


def full_values(**overrides) -> dict:
    values = {iid: {"met": True} for iid in BOOLEAN_IDS}
    values.update({"4.2": {"level": 3}, "4.3": {"level": 3}, "4.4": {"level": 2},
                   "5.1": {"achieved": 80, "total": 100}, "5.2": {"trained": 60, "university": 15, "total": 100}})
    values.update(overrides)
    return values


def test_sixty_percent_of_14870_is_met_at_8922_not_8921():
    met = evaluate(CATALOGUE, full_values(**{"5.1": {"achieved": 8922, "total": 14870}}), False)
    assert met.indicators["5.1"].verdicts[1].status == MET
    assert met.indicators["5.1"].verdicts[1].reason == "Tỷ lệ 60,00% ≥ 60%"
    below = evaluate(CATALOGUE, full_values(**{"5.1": {"achieved": 8921, "total": 14870}}), False)
    assert below.indicators["5.1"].verdicts[1].status == NOT_MET
    assert below.indicators["5.1"].verdicts[1].reason == "Tỷ lệ 59,99% < 60%"
    assert below.level == 0


def test_percent_display_never_rounds_up_across_a_threshold():
    result = evaluate(CATALOGUE, full_values(**{"5.1": {"achieved": 59999, "total": 100000}}), False)
    assert result.indicators["5.1"].verdicts[1].reason == "Tỷ lệ 59,99% < 60%"


def test_disadvantaged_area_thresholds_for_5_2():
    values = full_values(**{"5.2": {"trained": 400, "university": 100, "total": 1000}})
    normal = evaluate(CATALOGUE, values, disadvantaged_area=False)
    assert normal.indicators["5.2"].verdicts[1].status == NOT_MET
    assert "40,00% < 50%" in normal.indicators["5.2"].verdicts[1].reason
    hard = evaluate(CATALOGUE, values, disadvantaged_area=True)
    assert hard.indicators["5.2"].verdicts[1].status == MET
    assert "vùng khó khăn" in hard.indicators["5.2"].verdicts[1].reason
    assert hard.indicators["5.2"].verdicts[2].status == NOT_MET
    level2_hard = evaluate(CATALOGUE, full_values(**{"5.2": {"trained": 500, "university": 120, "total": 1000}}), True)
    assert level2_hard.indicators["5.2"].verdicts[2].status == MET
    assert level2_hard.level == 2


def test_both_5_2_ratios_must_hold():
    result = evaluate(CATALOGUE, full_values(**{"5.2": {"trained": 900, "university": 119, "total": 1000}}), False)
    verdict = result.indicators["5.2"].verdicts[1]
    assert verdict.status == NOT_MET
    assert "11,90% < 12%" in verdict.reason


def test_missing_data_is_never_met():
    result = evaluate(CATALOGUE, {}, False)
    assert result.level == 0
    for indicator in result.indicators.values():
        for level in (1, 2):
            assert indicator.verdicts[level].status == MISSING
            assert indicator.verdicts[level].reason == "Chưa nhập số liệu"
    partial = evaluate(CATALOGUE, full_values(**{"5.1": {"total": 100}}), False)
    assert partial.indicators["5.1"].verdicts[1].status == MISSING
    assert "số công dân đạt danh hiệu" in partial.indicators["5.1"].verdicts[1].reason
    assert partial.criteria["5"].verdicts[1].status == MISSING
    assert partial.level == 0


def test_a_criterion_fails_when_one_indicator_fails_even_if_others_are_missing():
    values = full_values(**{"1.1": {"met": False}})
    del values["1.2"]
    result = evaluate(CATALOGUE, values, False)
    criterion = result.criteria["1"].verdicts[1]
    assert criterion.status == NOT_MET
    assert "1.1" in criterion.reason and "1.2" in criterion.reason


def test_level_two_needs_higher_pcgd_levels():
    result = evaluate(CATALOGUE, full_values(**{"4.3": {"level": 2}}), False)
    assert result.level == 1
    assert result.indicators["4.3"].verdicts[2].reason == "Mới đạt chuẩn mức độ 2, yêu cầu mức độ 3"
    zero = evaluate(CATALOGUE, full_values(**{"4.4": {"level": 0}}), False)
    assert zero.level == 0
    assert zero.indicators["4.4"].verdicts[1].reason.startswith("Chưa đạt chuẩn")


def oracle_indicator(iid: str, values: dict, level: int, disadvantaged: bool) -> str:
    entry = values.get(iid, {})
    if iid in BOOLEAN_IDS:
        if "met" not in entry:
            return MISSING
        return MET if entry["met"] else NOT_MET
    if iid in MIN_LEVELS[level]:
        if "level" not in entry:
            return MISSING
        return MET if entry["level"] >= MIN_LEVELS[level][iid] else NOT_MET
    if iid == "5.1":
        if "achieved" not in entry or "total" not in entry:
            return MISSING
        return MET if Fraction(entry["achieved"], entry["total"]) >= Fraction(CDHT_PERCENT[level], 100) else NOT_MET
    if any(k not in entry for k in ("trained", "university", "total")):
        return MISSING
    trained, university = TRAINED_PERCENT[(level, disadvantaged)]
    ok = (Fraction(entry["trained"], entry["total"]) >= Fraction(trained, 100)
          and Fraction(entry["university"], entry["total"]) >= Fraction(university, 100))
    return MET if ok else NOT_MET


@st.composite
def value_sets(draw):
    values = {}
    for iid in BOOLEAN_IDS:
        choice = draw(st.sampled_from([True, False, None, True, True]))
        if choice is not None:
            values[iid] = {"met": choice}
    for iid, top in (("4.2", 3), ("4.3", 3), ("4.4", 2)):
        level = draw(st.one_of(st.none(), st.integers(0, top)))
        if level is not None:
            values[iid] = {"level": level}
    if draw(st.booleans()):
        total = draw(st.integers(1, 200_000))
        values["5.1"] = {"achieved": draw(st.integers(0, total)), "total": total}
    if draw(st.booleans()):
        total = draw(st.integers(1, 200_000))
        trained = draw(st.integers(0, total))
        values["5.2"] = {"trained": trained, "university": draw(st.integers(0, trained)), "total": total}
    return values


@settings(max_examples=400, derandomize=True)
@given(values=value_sets(), disadvantaged=st.booleans())
def test_engine_agrees_with_an_independent_statement_of_the_circular(values, disadvantaged):
    result = evaluate(CATALOGUE, values, disadvantaged)
    expected_level = 0
    for level in (1, 2):
        statuses = {}
        for iid in CATALOGUE.indicator_ids:
            statuses[iid] = oracle_indicator(iid, values, level, disadvantaged)
            assert result.indicators[iid].verdicts[level].status == statuses[iid], (iid, level)
            assert result.indicators[iid].verdicts[level].reason
        if all(s == MET for s in statuses.values()):
            expected_level = level
    assert result.level == expected_level


@settings(max_examples=300, derandomize=True)
@given(total=st.integers(1, 10**7), percent=st.integers(0, 100))
def test_boundary_is_exactly_the_smallest_count_reaching_the_percentage(total, percent):
    boundary = -(-percent * total // 100)  # ceil(percent% of total), in integers
    assert reaches(boundary, total, Fraction(percent))
    if boundary > 0:
        assert not reaches(boundary - 1, total, Fraction(percent))


def test_shares_while_typing_follow_the_engine_at_each_level_and_area():
    ratio = share_checks(CATALOGUE.indicator("5.1"), {"achieved": 8922, "total": 14870}, False)
    assert [(s.name, s.thresholds, s.reached) for s in ratio] == [("Tỷ lệ", {1: 60, 2: 80}, {1: True, 2: False})]
    assert share_checks(CATALOGUE.indicator("5.1"), {"achieved": 8921, "total": 14870}, False)[0].reached[1] is False
    training = CATALOGUE.indicator("5.2")
    figures = {"trained": 45, "university": 11, "total": 100}
    assert [s.reached for s in share_checks(training, figures, False)] == [{1: False, 2: False}, {1: False, 2: False}]
    hard = share_checks(training, figures, True)
    assert [(s.name, s.percent, s.reached) for s in hard] == [
        ("Được đào tạo", 45, {1: True, 2: False}), ("Đại học trở lên", 11, {1: True, 2: False})]
    assert share_checks(training, {"trained": 45, "total": 100}, False) == []
    assert share_checks(CATALOGUE.indicator("5.1"), {"achieved": 1, "total": 0}, False) == []
    assert share_checks(CATALOGUE.indicator("4.2"), {"level": 2}, False) == []


def test_requirement_text_states_each_level_from_the_catalogue():
    assert requirement_text(CATALOGUE.indicator("5.1")) == "Mức độ 1: ít nhất 60%; Mức độ 2: ít nhất 80%."
    assert requirement_text(CATALOGUE.indicator("4.4")) == (
        "Mức độ 1: đạt chuẩn mức độ 1 trở lên; Mức độ 2: đạt chuẩn mức độ 2 trở lên.")
    assert "xã vùng khó khăn: 40% và 10%" in requirement_text(CATALOGUE.indicator("5.2"))
    assert requirement_text(CATALOGUE.indicator("1.1")) == "Cả hai mức độ: thực hiện đầy đủ."
