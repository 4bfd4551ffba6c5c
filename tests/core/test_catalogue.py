"""The TT 25/2023 catalogue is data: loaded, validated, and amendable by adding a file."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest

from app.domain.catalogue import (
    available_catalogues,
    catalogue_for_year,
    load_catalogue_file,
    parse_catalogue,
    select_catalogue,
)
from app.errors import CatalogueError
from app.paths import CATALOGUE_DIR

SHIPPED = json.loads((CATALOGUE_DIR / "tt25-2023.json").read_text(encoding="utf-8"))


def test_shipped_catalogue_has_five_criteria_and_fifteen_indicators():
    catalogue = catalogue_for_year(2025)
    assert catalogue.id == "TT25-2023"
    assert catalogue.effective_from == dt.date(2024, 2, 12)
    assert [c.id for c in catalogue.criteria] == ["1", "2", "3", "4", "5"]
    assert catalogue.indicator_ids == (
        "1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "4.1", "4.2", "4.3", "4.4", "5.1", "5.2",
    )
    assert catalogue.criterion("4").source == {1: "Điều 6 khoản 4", 2: "Điều 7 khoản 4"}


def test_thresholds_match_the_circular():
    catalogue = catalogue_for_year(2025)
    assert catalogue.indicator("4.2").requirement == {1: {"min_level": 2}, 2: {"min_level": 3}}
    assert catalogue.indicator("4.4").requirement == {1: {"min_level": 1}, 2: {"min_level": 2}}
    assert catalogue.indicator("5.1").requirement[1]["min_percent"] == 60
    assert catalogue.indicator("5.1").requirement[2]["min_percent"] == 80
    req = catalogue.indicator("5.2").requirement
    assert (req[1]["normal"]["trained"], req[1]["normal"]["university"]) == (50, 12)
    assert (req[1]["disadvantaged"]["trained"], req[1]["disadvantaged"]["university"]) == (40, 10)
    assert (req[2]["normal"]["trained"], req[2]["normal"]["university"]) == (60, 15)
    assert (req[2]["disadvantaged"]["trained"], req[2]["disadvantaged"]["university"]) == (50, 12)


def test_typed_accessors_read_the_same_thresholds_and_refuse_the_wrong_kind():
    catalogue = catalogue_for_year(2025)
    assert [catalogue.indicator("4.2").min_level(lv) for lv in (1, 2)] == [2, 3]
    assert [catalogue.indicator("5.1").min_percent(lv) for lv in (1, 2)] == [60, 80]
    training = catalogue.indicator("5.2")
    assert [(t.trained, t.university) for t in (training.training_thresholds(1, False), training.training_thresholds(1, True),
                                               training.training_thresholds(2, False), training.training_thresholds(2, True))] \
        == [(50, 12), (40, 10), (60, 15), (50, 12)]
    with pytest.raises(ValueError):
        catalogue.indicator("5.1").min_level(1)
    with pytest.raises(ValueError):
        catalogue.indicator("4.2").min_percent(1)


def test_short_names_and_entry_hints_come_from_the_catalogue_data():
    catalogue = catalogue_for_year(2025)
    assert catalogue.criterion("4").label == "4. Phổ cập giáo dục – xóa mù chữ"
    assert catalogue.indicator("4.4").label == "4.4 Xóa mù chữ"
    assert catalogue.indicator("5.1").short_name == 'Tỷ lệ "Công dân học tập"'
    assert [i.id for i in catalogue.indicators if i.recognition_decision] == ["4.1", "4.2", "4.3", "4.4"]
    assert [i.id for i in catalogue.indicators if i.counted] == ["5.1", "5.2"]
    assert "15 tuổi" in catalogue.indicator("5.2").data_source_hint
    # a later catalogue without short names falls back to the first words of the legal text
    doc = copy.deepcopy(SHIPPED)
    del doc["criteria"][4]["indicators"][0]["short_name"]
    del doc["criteria"][4]["short_name"]
    amended = parse_catalogue(doc)
    assert amended.indicator("5.1").short_name == "Công dân trong xã đạt danh…"
    assert amended.criterion("5").short_name.endswith("…")


def _broken(mutate) -> dict:
    doc = copy.deepcopy(SHIPPED)
    mutate(doc)
    return doc


@pytest.mark.parametrize(
    ("mutate", "named"),
    [
        (lambda d: d.update(format="other/1"), "cdht-catalogue/1"),
        (lambda d: d.pop("effective_from"), "effective_from"),
        (lambda d: d.update(effective_from="12/02/2024"), "12/02/2024"),
        (lambda d: d["criteria"][1]["indicators"][0].update(id="2.9"), "2.1"),
        (lambda d: d["criteria"][4]["indicators"][0].update(input="slider"), "chỉ tiêu 5.1"),
        (lambda d: d["criteria"][4]["indicators"][0]["requirement"]["2"].update(min_percent="tám mươi"), "chỉ tiêu 5.1"),
        (lambda d: d["criteria"][4]["indicators"][0]["requirement"]["1"].update(min_percent="160"), "0–100"),
        (lambda d: d["criteria"][3]["indicators"][1]["requirement"]["2"].update(min_level=4), "chỉ tiêu 4.2"),
        (lambda d: d["criteria"][4]["indicators"][1]["requirement"]["1"].pop("disadvantaged"), "disadvantaged"),
        (lambda d: d["criteria"][2].update(indicators=[]), "tiêu chí 3"),
        (lambda d: d["criteria"][0]["indicators"][2].update(text=""), "chỉ tiêu 1.3"),
        (lambda d: d["criteria"][0]["indicators"][2].update(short_name=3), "chỉ tiêu 1.3"),
        (lambda d: d["criteria"][3]["indicators"][0].update(recognition_decision="có"), "recognition_decision"),
    ],
)
def test_malformed_catalogue_is_refused_naming_the_bad_entry(mutate, named):
    with pytest.raises(CatalogueError) as info:
        parse_catalogue(_broken(mutate), origin="thử.json")
    assert named in info.value.message


def test_broken_json_catalogue_file_is_refused(tmp_path: Path):
    path = tmp_path / "hong.json"
    path.write_text("{ not json", encoding="utf-8")
    with pytest.raises(CatalogueError, match="hong.json"):
        load_catalogue_file(path)


def test_an_amendment_is_a_new_file_selected_by_effective_date(tmp_path: Path):
    (tmp_path / "tt25-2023.json").write_text(json.dumps(SHIPPED, ensure_ascii=False), encoding="utf-8")
    amended = copy.deepcopy(SHIPPED)
    amended["id"] = "TT99-2027"
    amended["effective_from"] = "2027-03-01"
    amended["criteria"][4]["indicators"][0]["requirement"]["1"]["min_percent"] = "65"
    (tmp_path / "tt99-2027.json").write_text(json.dumps(amended, ensure_ascii=False), encoding="utf-8")
    catalogues = list(available_catalogues(tmp_path).values())
    assert select_catalogue(catalogues, 2026).id == "TT25-2023"
    newer = select_catalogue(catalogues, 2027)
    assert newer.id == "TT99-2027"
    assert newer.indicator("5.1").requirement[1]["min_percent"] == 65
    assert select_catalogue(catalogues, 2020).id == "TT25-2023"
