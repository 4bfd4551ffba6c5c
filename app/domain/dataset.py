"""The dataset interchange format `cdht-dataset/1`: one commune's figures for one assessment year.

`parse_dataset` validates a decoded document completely before anything uses it, and raises
`InputError` with a one-line Vietnamese message naming the first bad field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from app.domain.catalogue import Catalogue, Indicator, catalogue_for_year
from app.errors import InputError
from app.text import MAX_NAME_LENGTH, MAX_TEXT_LENGTH, check_text, format_int, nfc_deep

DATASET_FORMAT = "cdht-dataset/1"
MIN_YEAR, MAX_YEAR = 2000, 2100
#: Largest count of citizens accepted: a commune has tens of thousands; ten million is already a large province,
#: so anything above is a typing or file error, not a figure.
MAX_COUNT = 10_000_000
#: Longest name of a free-text field of an indicator.
MAX_FIELD_NAME = 64

#: The value fields each input type takes; everything else an indicator carries is free text.
VALUE_FIELDS: dict[str, tuple[str, ...]] = {
    "boolean": ("met",),
    "level": ("level",),
    "ratio": ("achieved", "total"),
    "training": ("trained", "university", "total"),
}

#: Free-text fields the app itself fills in (the report uses them); other string fields are kept too.
TEXT_FIELDS: dict[str, str] = {
    "description": "Nội dung đã thực hiện",
    "situation": "Hiện trạng",
    "strengths": "Điểm mạnh",
    "limitations": "Hạn chế",
    "data_source": "Nguồn số liệu, mẫu số",
    "decision_number": "Số quyết định công nhận",
    "decision_date": "Ngày quyết định công nhận",
    "notes": "Ghi chú",
}

FIELD_LABELS: dict[str, str] = {
    "met": "kết quả thực hiện",
    "level": "mức độ đạt chuẩn",
    "achieved": "số công dân đạt danh hiệu",
    "trained": "số công dân được đào tạo",
    "university": "số có trình độ đại học trở lên",
    "total": "tổng số công dân",
}


@dataclass(frozen=True)
class Commune:
    name: str
    province: str
    disadvantaged_area: bool


@dataclass(frozen=True)
class Dataset:
    """Validated figures: `values[indicator_id][field]`, where a field that is absent was not entered."""

    commune: Commune
    year: int
    values: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": DATASET_FORMAT,
            "commune": {
                "name": self.commune.name,
                "province": self.commune.province,
                "disadvantaged_area": self.commune.disadvantaged_area,
            },
            "year": self.year,
            "indicators": {ind_id: dict(fields) for ind_id, fields in sorted(self.values.items(), key=_id_key)},
        }


def _id_key(item: tuple[str, Any]) -> tuple[int, ...]:
    return tuple(int(part) for part in item[0].split("."))


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _bad(path: str, problem: str) -> InputError:
    return InputError(f"Dữ liệu không hợp lệ — {path}: {problem}")


def _checked_text(value: str, where: str, label: str, max_length: int = MAX_TEXT_LENGTH,
                  single_line: bool = False) -> str:
    """`check_text`, with a refusal reported at the field's place in the file."""
    try:
        return check_text(value, label, max_length, single_line)
    except InputError as exc:
        raise _bad(where, exc.message[:1].lower() + exc.message[1:].rstrip(".")) from None


def validate_indicator_values(indicator: Indicator, raw: Any, path: str) -> dict[str, Any]:
    """Check one indicator's fields; return the kept fields (nulls dropped: they mean 'not entered')."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _bad(path, "phải là một đối tượng JSON, ví dụ {\"met\": true}")
    kept: dict[str, Any] = {}
    value_fields = VALUE_FIELDS[indicator.input]
    for key, value in raw.items():
        where = f"{path}.{key}"
        _checked_text(key, where, "tên trường", MAX_FIELD_NAME, single_line=True)
        if value is None:
            continue
        if key in value_fields:
            kept[key] = _checked_value(indicator, key, value, where)
        elif key in FIELD_LABELS or key in ("met", "level"):
            raise _bad(where, f"chỉ tiêu {indicator.id} không dùng trường này (chỉ dùng {', '.join(value_fields)})")
        elif isinstance(value, str):
            kept[key] = _checked_text(value, where, "nội dung")
        else:
            raise _bad(where, "trường bổ sung phải là chuỗi văn bản")
    _check_consistency(kept, path)
    return kept


def _checked_value(indicator: Indicator, key: str, value: Any, where: str) -> Any:
    if key == "met":
        if not isinstance(value, bool):
            raise _bad(where, "phải là true hoặc false")
        return value
    if key == "level":
        if not _is_int(value):
            raise _bad(where, f"mức độ phải là số nguyên trong {list(indicator.levels)}")
        if value not in indicator.levels:
            raise _bad(where, f"mức độ {value} không tồn tại; chỉ có {', '.join(map(str, indicator.levels))}")
        return value
    if not _is_int(value):
        raise _bad(where, f"{FIELD_LABELS[key]} phải là số nguyên")
    if value < 0:
        raise _bad(where, f"{FIELD_LABELS[key]} không được âm ({value})")
    if value > MAX_COUNT:
        raise _bad(where, f"{FIELD_LABELS[key]} ({format_int(value)}) lớn hơn mức hợp lý {format_int(MAX_COUNT)}; "
                          "hãy kiểm tra lại số liệu")
    if key == "total" and value == 0:
        raise _bad(where, "tổng số công dân phải lớn hơn 0")
    return value


def figures_problem(values: Mapping[str, Any]) -> tuple[str, str] | None:
    """The first figure that contradicts another (a part above the total, university above trained) as
    (field, why), or None. Checked before storing and while the user types."""
    total = values.get("total")
    for part in ("achieved", "trained", "university"):
        if values.get(part) is not None and total is not None and values[part] > total:
            return part, f"{FIELD_LABELS[part]} ({format_int(values[part])}) lớn hơn tổng số công dân ({format_int(total)})"
    university, trained = values.get("university"), values.get("trained")
    if university is not None and trained is not None and university > trained:
        return "university", (f"số có trình độ đại học trở lên ({format_int(university)}) lớn hơn "
                              f"số được đào tạo ({format_int(trained)})")
    return None


def _check_consistency(kept: Mapping[str, Any], path: str) -> None:
    problem = figures_problem(kept)
    if problem is not None:
        raise _bad(f"{path}.{problem[0]}", problem[1])


def parse_dataset(raw: Any, catalogue: Catalogue | None = None) -> Dataset:
    """Validate a decoded `cdht-dataset/1` document."""
    raw = nfc_deep(raw)
    if not isinstance(raw, dict):
        raise _bad("tệp", "phải là một đối tượng JSON")
    if raw.get("format") != DATASET_FORMAT:
        raise _bad("format", f"phải là \"{DATASET_FORMAT}\", không phải {json.dumps(raw.get('format'), ensure_ascii=False)}")
    year = raw.get("year")
    if not _is_int(year) or not MIN_YEAR <= year <= MAX_YEAR:
        raise _bad("year", f"năm đánh giá phải là số nguyên từ {MIN_YEAR} đến {MAX_YEAR}")
    commune_raw = raw.get("commune")
    if not isinstance(commune_raw, dict):
        raise _bad("commune", "thiếu thông tin xã (name, province, disadvantaged_area)")
    for key in ("name", "province"):
        value = commune_raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise _bad(f"commune.{key}", "phải là chuỗi văn bản không rỗng")
        _checked_text(value.strip(), f"commune.{key}", "tên", MAX_NAME_LENGTH, single_line=True)
    disadvantaged = commune_raw.get("disadvantaged_area")
    if not isinstance(disadvantaged, bool):
        raise _bad("commune.disadvantaged_area", "phải là true hoặc false (xã thuộc vùng khó khăn hay không)")
    catalogue = catalogue or catalogue_for_year(year)
    indicators_raw = raw.get("indicators", {})
    if not isinstance(indicators_raw, dict):
        raise _bad("indicators", "phải là một đối tượng, khóa là mã chỉ tiêu như \"1.1\"")
    known = set(catalogue.indicator_ids)
    values: dict[str, dict[str, Any]] = {}
    for ind_id, ind_raw in indicators_raw.items():
        if ind_id not in known:
            raise _bad(f"indicators.{ind_id}", f"không có chỉ tiêu mã \"{ind_id}\" trong {catalogue.short_title}")
        kept = validate_indicator_values(catalogue.indicator(ind_id), ind_raw, f"indicators.{ind_id}")
        if kept:
            values[ind_id] = kept
    commune = Commune(commune_raw["name"].strip(), commune_raw["province"].strip(), disadvantaged)
    return Dataset(commune=commune, year=year, values=values)


def load_dataset_text(text: str, catalogue: Catalogue | None = None) -> Dataset:
    """Decode and validate a dataset file's text; hostile files (deep nesting, giant numbers, lone
    surrogates) end in the same clean InputError as any other bad file."""
    from app.fileio import parse_json

    try:
        raw = parse_json(text, "tệp dữ liệu")
        json.dumps(raw, ensure_ascii=False).encode("utf-8")
        return parse_dataset(raw, catalogue)
    except RecursionError:
        raise InputError("Tệp dữ liệu có cấu trúc lồng nhau quá sâu; đây không phải tệp cdht-dataset/1 hợp lệ.") from None
    except UnicodeEncodeError:
        raise InputError("Tệp dữ liệu chứa ký tự Unicode không hợp lệ (mã \\uD800–\\uDFFF đứng lẻ).") from None
    except ValueError:
        raise InputError("Tệp dữ liệu chứa một số quá lớn (hàng nghìn chữ số); đây không phải số liệu hợp lệ.") from None
