"""The criteria catalogue: Thông tư 25/2023 (and any later amendment) as versioned data files.

A catalogue is a JSON file in `data/catalogue/`. It is validated when loaded, and a malformed one is
refused with a message naming the bad entry. Adding an amendment means adding a file, not code.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

from app.errors import CatalogueError, describe_os_error
from app.paths import CATALOGUE_DIR
from app.text import nfc_deep

CATALOGUE_FORMAT = "cdht-catalogue/1"
LEVELS = (1, 2)
INPUT_TYPES = ("boolean", "level", "ratio", "training")
AREAS = ("normal", "disadvantaged")


@dataclass(frozen=True)
class TrainingThresholds:
    """The two shares a training indicator (5.2) asks for at one level and area, in percent."""

    trained: Fraction
    university: Fraction


@dataclass(frozen=True)
class Indicator:
    """One chỉ tiêu: its wording, how it is entered and what each level requires.

    `requirement` is the validated data as loaded; read it through `min_level`, `min_percent` and
    `training_thresholds`, which say which kind of indicator each applies to.
    """

    id: str
    criterion_id: str
    text: str
    input: str
    requirement: dict[int, dict[str, Any]]
    levels: tuple[int, ...] = ()
    level_names: dict[int, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)
    hint: str = ""
    yes_text: str = "Đã thực hiện đầy đủ"
    no_text: str = "Chưa thực hiện đầy đủ"
    short_name: str = ""
    recognition_decision: bool = False
    data_source_hint: str = ""

    @property
    def number(self) -> int:
        """The position inside its criterion: 2 for '1.2'."""
        return int(self.id.split(".")[1])

    @property
    def label(self) -> str:
        """Id and short name, for lists: '4.4 Xóa mù chữ'."""
        return f"{self.id} {self.short_name}"

    @property
    def counted(self) -> bool:
        """True when the figures are counts of citizens (a ratio or training indicator) with a data source."""
        return self.input in ("ratio", "training")

    def min_level(self, level: int) -> int:
        """The lowest standard a 'level' indicator must reach for recognition at `level`."""
        if self.input != "level":
            raise ValueError(f"chỉ tiêu {self.id} không xét theo mức độ đạt chuẩn")
        return int(self.requirement[level]["min_level"])

    def min_percent(self, level: int) -> Fraction:
        """The share a 'ratio' indicator must reach for recognition at `level`."""
        if self.input != "ratio":
            raise ValueError(f"chỉ tiêu {self.id} không xét theo một tỷ lệ")
        threshold: Fraction = self.requirement[level]["min_percent"]
        return threshold

    def training_thresholds(self, level: int, disadvantaged: bool) -> TrainingThresholds:
        """The shares a 'training' indicator must reach at `level`, for a commune in a vùng khó khăn or not."""
        if self.input != "training":
            raise ValueError(f"chỉ tiêu {self.id} không xét theo tỷ lệ đào tạo")
        part = self.requirement[level]["disadvantaged" if disadvantaged else "normal"]
        return TrainingThresholds(trained=part["trained"], university=part["university"])

    def level_name(self, level: int) -> str:
        """The name of a standard of a 'level' indicator ('Mức độ 2', 'Chưa đạt chuẩn')."""
        return self.level_names.get(level, f"Mức độ {level}")


@dataclass(frozen=True)
class Criterion:
    """One tiêu chí and its chỉ tiêu."""

    id: str
    name: str
    source: dict[int, str]
    indicators: tuple[Indicator, ...]
    short_name: str = ""

    @property
    def label(self) -> str:
        """Id and short name, for lists and charts: '4. Phổ cập giáo dục – xóa mù chữ'."""
        return f"{self.id}. {self.short_name}"


@dataclass(frozen=True)
class Catalogue:
    """A validated catalogue, with indicators in document order."""

    id: str
    title: str
    short_title: str
    effective_from: dt.date
    level_names: dict[int, str]
    level_sources: dict[int, str]
    validity_months: int
    upgrade_after_months: int
    submission_deadline: tuple[int, int]
    criteria: tuple[Criterion, ...]

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(ind for crit in self.criteria for ind in crit.indicators)

    def indicator(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    def criterion(self, criterion_id: str) -> Criterion:
        for crit in self.criteria:
            if crit.id == criterion_id:
                return crit
        raise KeyError(criterion_id)

    @property
    def indicator_ids(self) -> tuple[str, ...]:
        return tuple(ind.id for ind in self.indicators)

    @property
    def deadline_text(self) -> str:
        """The day and month of next year by which a year's dossier is due: '28/02'."""
        month, day = self.submission_deadline
        return f"{day:02d}/{month:02d}"

    @property
    def recognition_terms(self) -> str:
        """How long a recognition lasts and when a level-1 commune may ask for level 2, in one sentence."""
        return (f"Quyết định có hiệu lực {self.validity_months} tháng; xã đạt mức độ 1 có thể đề nghị công nhận "
                f"mức độ 2 sau {self.upgrade_after_months} tháng kể từ ngày quyết định.")


def _fail(where: str, problem: str) -> CatalogueError:
    return CatalogueError(f"Bộ tiêu chí không hợp lệ — {where}: {problem}")


def _first_words(text: str, count: int = 6) -> str:
    words = text.split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "")


def _optional_text(raw: dict[str, Any], key: str, where: str) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        raise _fail(where, f"{key} phải là một chuỗi văn bản")
    return value.strip()


def _percent(value: Any, where: str) -> Fraction:
    """Thresholds are strings or integers ('60', '12.5') so that they stay exact."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise _fail(where, "ngưỡng phải là số nguyên hoặc chuỗi số, ví dụ \"60\"")
    try:
        number = Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        raise _fail(where, f"ngưỡng {value!r} không phải là số") from None
    if not 0 <= number <= 100:
        raise _fail(where, f"ngưỡng {value!r} phải nằm trong khoảng 0–100")
    return number


def _requirement(kind: str, raw: Any, levels: tuple[int, ...], where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _fail(where, "yêu cầu phải là một đối tượng")
    if kind == "boolean":
        if raw != {"met": True}:
            raise _fail(where, 'chỉ tiêu có/không phải có yêu cầu {"met": true}')
        return {"met": True}
    if kind == "level":
        minimum = raw.get("min_level")
        if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum not in levels:
            raise _fail(where, f"min_level phải là một trong các mức {list(levels)}")
        return {"min_level": minimum}
    if kind == "ratio":
        return {"min_percent": _percent(raw.get("min_percent"), where + " min_percent")}
    result: dict[str, Any] = {}
    for area in AREAS:
        part = raw.get(area)
        if not isinstance(part, dict):
            raise _fail(where, f"thiếu ngưỡng cho '{area}'")
        trained = _percent(part.get("trained_min_percent"), f"{where} {area}.trained_min_percent")
        university = _percent(part.get("university_min_percent"), f"{where} {area}.university_min_percent")
        result[area] = {"trained": trained, "university": university}
    return result


def _indicator(raw: Any, criterion_id: str, position: int) -> Indicator:
    if not isinstance(raw, dict):
        raise _fail(f"tiêu chí {criterion_id}, chỉ tiêu thứ {position}", "phải là một đối tượng")
    ind_id = raw.get("id")
    expected = f"{criterion_id}.{position}"
    if ind_id != expected:
        raise _fail(f"tiêu chí {criterion_id}, chỉ tiêu thứ {position}", f"mã phải là '{expected}', không phải {ind_id!r}")
    where = f"chỉ tiêu {ind_id}"
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        raise _fail(where, "thiếu nội dung chỉ tiêu (text)")
    kind = raw.get("input")
    if kind not in INPUT_TYPES:
        raise _fail(where, f"kiểu nhập {kind!r} không được hỗ trợ (chỉ {', '.join(INPUT_TYPES)})")
    levels: tuple[int, ...] = ()
    level_names: dict[int, str] = {}
    if kind == "level":
        raw_levels = raw.get("levels")
        if (not isinstance(raw_levels, list) or not raw_levels
                or not all(isinstance(x, int) and not isinstance(x, bool) and x >= 0 for x in raw_levels)
                or sorted(set(raw_levels)) != raw_levels):
            raise _fail(where, "levels phải là danh sách số nguyên tăng dần, ví dụ [0, 1, 2, 3]")
        levels = tuple(raw_levels)
        names = raw.get("level_names", {})
        level_names = {lv: str(names.get(str(lv), f"Mức độ {lv}")) for lv in levels}
    fields = raw.get("fields", {})
    required_fields = {"ratio": {"achieved", "total"}, "training": {"trained", "university", "total"}}.get(kind, set())
    if not isinstance(fields, dict) or set(fields) != required_fields:
        if required_fields or fields:
            raise _fail(where, f"fields phải gồm đúng {sorted(required_fields)}")
    requirement_raw = raw.get("requirement")
    if not isinstance(requirement_raw, dict):
        raise _fail(where, "thiếu yêu cầu theo mức độ (requirement)")
    requirement = {}
    for level in LEVELS:
        requirement[level] = _requirement(kind, requirement_raw.get(str(level)), levels, f"{where}, mức độ {level}")
    decision = raw.get("recognition_decision", False)
    if not isinstance(decision, bool):
        raise _fail(where, "recognition_decision phải là true hoặc false")
    return Indicator(
        id=ind_id, criterion_id=criterion_id, text=text, input=kind, requirement=requirement,
        levels=levels, level_names=level_names, fields=dict(fields), hint=str(raw.get("hint", "")),
        yes_text=str(raw.get("yes_text", "Đã thực hiện đầy đủ")), no_text=str(raw.get("no_text", "Chưa thực hiện đầy đủ")),
        short_name=_optional_text(raw, "short_name", where) or _first_words(text),
        recognition_decision=decision, data_source_hint=_optional_text(raw, "data_source_hint", where),
    )


def parse_catalogue(raw: Any, origin: str = "bộ tiêu chí") -> Catalogue:
    """Validate a decoded catalogue document and build the `Catalogue`."""
    raw = nfc_deep(raw)
    if not isinstance(raw, dict) or raw.get("format") != CATALOGUE_FORMAT:
        raise _fail(origin, f"thẻ định dạng phải là '{CATALOGUE_FORMAT}'")
    for key in ("id", "title", "effective_from", "criteria"):
        if key not in raw:
            raise _fail(origin, f"thiếu trường '{key}'")
    try:
        effective = dt.date.fromisoformat(raw["effective_from"])
    except (TypeError, ValueError):
        raise _fail(origin, f"ngày hiệu lực {raw['effective_from']!r} không đúng dạng YYYY-MM-DD") from None
    recognition = raw.get("recognition", {})
    deadline_text = str(recognition.get("submission_deadline", "02-28"))
    try:
        month, day = (int(x) for x in deadline_text.split("-"))
        dt.date(2001, month, day)
    except ValueError:
        raise _fail(origin, f"hạn nộp hồ sơ {deadline_text!r} không đúng dạng MM-DD") from None
    levels_raw = raw.get("levels", {})
    criteria_raw = raw["criteria"]
    if not isinstance(criteria_raw, list) or not criteria_raw:
        raise _fail(origin, "danh sách tiêu chí rỗng")
    criteria = []
    for position, crit in enumerate(criteria_raw, start=1):
        if not isinstance(crit, dict) or crit.get("id") != str(position):
            raise _fail(f"tiêu chí thứ {position}", f"mã phải là '{position}'")
        name = crit.get("name")
        if not isinstance(name, str) or not name.strip():
            raise _fail(f"tiêu chí {position}", "thiếu tên tiêu chí")
        indicators_raw = crit.get("indicators")
        if not isinstance(indicators_raw, list) or not indicators_raw:
            raise _fail(f"tiêu chí {position}", "không có chỉ tiêu nào")
        indicators = tuple(_indicator(item, str(position), i) for i, item in enumerate(indicators_raw, start=1))
        source = {lv: str(crit.get("source", {}).get(str(lv), "")) for lv in LEVELS}
        short_name = _optional_text(crit, "short_name", f"tiêu chí {position}") or _first_words(name)
        criteria.append(Criterion(id=str(position), name=name, source=source, indicators=indicators,
                                  short_name=short_name))
    return Catalogue(
        id=str(raw["id"]),
        title=str(raw["title"]),
        short_title=str(raw.get("short_title", raw["title"])),
        effective_from=effective,
        level_names={lv: str(levels_raw.get(str(lv), {}).get("name", f"Mức độ {lv}")) for lv in LEVELS},
        level_sources={lv: str(levels_raw.get(str(lv), {}).get("source", "")) for lv in LEVELS},
        validity_months=int(recognition.get("validity_months", 36)),
        upgrade_after_months=int(recognition.get("upgrade_after_months", 12)),
        submission_deadline=(month, day),
        criteria=tuple(criteria),
    )


def load_catalogue_file(path: Path) -> Catalogue:
    """Read and validate one catalogue file."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CatalogueError(f"Không đọc được bộ tiêu chí {path.name}: {describe_os_error(exc, action='đọc').message}") from None
    except json.JSONDecodeError as exc:
        raise CatalogueError(f"Bộ tiêu chí {path.name} không phải JSON hợp lệ (dòng {exc.lineno}, cột {exc.colno})") from None
    return parse_catalogue(raw, origin=path.name)


def available_catalogues(directory: Path = CATALOGUE_DIR) -> dict[str, Catalogue]:
    """Every catalogue shipped in `directory`, by id."""
    result = {}
    for path in sorted(directory.glob("*.json")):
        catalogue = load_catalogue_file(path)
        result[catalogue.id] = catalogue
    return result


@cache
def _all_catalogues() -> tuple[Catalogue, ...]:
    return tuple(sorted(available_catalogues().values(), key=lambda c: c.effective_from))


def select_catalogue(catalogues: list[Catalogue] | tuple[Catalogue, ...], year: int) -> Catalogue:
    """The catalogue in force for an assessment year: the newest one effective by 31/12 of that year.

    A year before every catalogue's effective date gets the oldest one.
    """
    ordered = sorted(catalogues, key=lambda c: c.effective_from)
    if not ordered:
        raise CatalogueError("Không tìm thấy bộ tiêu chí nào trong thư mục dữ liệu của ứng dụng.")
    candidates = [c for c in ordered if c.effective_from <= dt.date(year, 12, 31)]
    return candidates[-1] if candidates else ordered[0]


def catalogue_for_year(year: int) -> Catalogue:
    """The shipped catalogue in force for an assessment year."""
    return select_catalogue(_all_catalogues(), year)


def legal_deadline(year: int) -> dt.date:
    """The dossier deadline the catalogue in force sets for an assessment year (its day and month of the next year)."""
    month, day = catalogue_for_year(year).submission_deadline
    return dt.date(year + 1, month, day)


def open_assessment_year(today: dt.date) -> int:
    """The assessment year whose dossier is due next on `today`: last year's until its deadline has passed."""
    return today.year - 1 if today <= legal_deadline(today.year - 1) else today.year


def catalogue_in_force(today: dt.date) -> Catalogue:
    """The catalogue of the assessment year whose dossier is due next on `today` (named on start and About)."""
    return catalogue_for_year(open_assessment_year(today))


def catalogue_by_id(catalogue_id: str) -> Catalogue:
    """A shipped catalogue by its id."""
    for catalogue in _all_catalogues():
        if catalogue.id == catalogue_id:
            return catalogue
    raise CatalogueError(f"Không có bộ tiêu chí mã '{catalogue_id}' trong phiên bản ứng dụng này.")
