"""Every bad dataset is refused with one Vietnamese line naming the field; good ones round-trip."""

from __future__ import annotations

import json
import unicodedata

import pytest

from app.domain.dataset import load_dataset_text, parse_dataset
from app.errors import InputError


def mutate(doc: dict, path: list, value) -> dict:
    target = doc
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


BAD_CASES = [
    (["indicators", "6.1"], {"met": True}, "indicators.6.1"),
    (["indicators", "1.1", "met"], "có", "indicators.1.1.met"),
    (["indicators", "1.1", "met"], 1, "indicators.1.1.met"),
    (["indicators", "1.1"], [True], "indicators.1.1"),
    (["indicators", "5.1", "achieved"], -1, "indicators.5.1.achieved"),
    (["indicators", "5.1", "achieved"], 8922.5, "indicators.5.1.achieved"),
    (["indicators", "5.1", "achieved"], "8922", "indicators.5.1.achieved"),
    (["indicators", "5.1", "achieved"], 14871, "indicators.5.1.achieved"),
    (["indicators", "5.1", "total"], 0, "indicators.5.1.total"),
    (["indicators", "5.2", "university"], 7436, "indicators.5.2.university"),
    (["indicators", "5.2", "trained"], 20000, "indicators.5.2.trained"),
    (["indicators", "5.2", "total"], -5, "indicators.5.2.total"),
    (["indicators", "4.2", "level"], 4, "indicators.4.2.level"),
    (["indicators", "4.4", "level"], 3, "indicators.4.4.level"),
    (["indicators", "4.3", "level"], True, "indicators.4.3.level"),
    (["indicators", "4.3", "met"], True, "indicators.4.3.met"),
    (["indicators", "1.2", "achieved"], 5, "indicators.1.2.achieved"),
    (["indicators", "5.2", "notes"], 12, "indicators.5.2.notes"),
    (["format"], "cdht-dataset/2", "format"),
    (["format"], KeyError, "format"),
    (["year"], "2025", "year"),
    (["year"], 1800, "year"),
    (["commune"], KeyError, "commune"),
    (["commune", "name"], "", "commune.name"),
    (["commune", "disadvantaged_area"], "không", "commune.disadvantaged_area"),
    (["indicators"], [], "indicators"),
]


@pytest.mark.parametrize(("path", "value", "field"), BAD_CASES)
def test_bad_input_names_the_field(dataset_doc, path, value, field):
    with pytest.raises(InputError) as info:
        parse_dataset(mutate(dataset_doc, path, value))
    message = info.value.message
    assert field in message
    assert "\n" not in message


def test_broken_json_is_refused_with_position():
    with pytest.raises(InputError, match="dòng 1"):
        load_dataset_text('{"format": ')


def test_valid_dataset_round_trips(dataset_doc):
    dataset = parse_dataset(dataset_doc)
    assert dataset.year == 2025
    assert dataset.values["5.1"] == {"achieved": 8922, "total": 14870}
    assert dataset.values["5.2"]["notes"] == "dân số từ 15 tuổi trở lên"
    assert parse_dataset(json.loads(json.dumps(dataset.to_json()))) == dataset


def test_null_fields_mean_not_entered(dataset_doc):
    dataset_doc["indicators"]["5.1"] = {"achieved": None, "total": 14870}
    dataset_doc["indicators"]["1.1"] = None
    dataset = parse_dataset(dataset_doc)
    assert dataset.values["5.1"] == {"total": 14870}
    assert "1.1" not in dataset.values


def test_text_is_normalised_to_nfc(dataset_doc):
    dataset_doc["commune"]["name"] = unicodedata.normalize("NFD", "Đồng Tiến")
    dataset_doc["indicators"]["5.2"]["notes"] = unicodedata.normalize("NFD", "dân số từ 15 tuổi")
    dataset = parse_dataset(dataset_doc)
    assert dataset.commune.name == unicodedata.normalize("NFC", "Đồng Tiến")
    assert unicodedata.is_normalized("NFC", dataset.values["5.2"]["notes"])
