"""Data-collection workbooks: one .xlsx per responsible unit with only its assigned chỉ tiêu, and their import.

A workbook carries a hidden, protected sheet naming the commune, year, unit, catalogue and the address of
every input cell. Import checks the whole file first (every problem is listed with its sheet and cell), then
applies everything in one transaction through `ws.set_values`, which audits each change; importing the same
file again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from app.changes import Changes
from app.documents.xlsx_layout import fit_row_heights, page_setup
from app.domain.catalogue import Catalogue, Indicator
from app.domain.dataset import FIELD_LABELS, validate_indicator_values
from app.domain.normalise import DATE_FIELDS
from app.domain.places import PlaceName, normalise_commune, normalise_province
from app.errors import InputError
from app.fileio import write_bytes_atomic
from app.progress import Progress, check_cancelled
from app.storage.workspace import Workspace
from app.text import DateError, fold, format_date_short, nfc, parse_date

COLLECT_FORMAT = "cdht-collect/1"
META_SHEET = "_cdht"
VALUE_COLUMN = "D"
FIRST_DATA_ROW = 7
FONT_NAME = "Times New Roman"
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
THIN = Side(style="thin", color="999999")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
YES, NO = "Có", "Không"
#: Optional free-text rows offered for every chỉ tiêu (extra rows for PCGD-XMC recognition decisions).
TEXT_ROWS = {"description": "Nội dung đã thực hiện", "data_source": "Nguồn số liệu, minh chứng"}
DECISION_ROWS = {"decision_number": "Số quyết định công nhận", "decision_date": "Ngày quyết định (dd/mm/yyyy)"}
INSTRUCTIONS = ("Hướng dẫn: chỉ nhập vào các ô màu vàng ở cột D. Không thêm, xóa dòng, không gộp ô, không đổi tên "
                "sheet, không dùng công thức. Ô để trống nghĩa là chưa có số liệu (giữ nguyên số liệu đã có). "
                "Số nhập dạng số nguyên, không nhập dấu chấm phân cách hàng nghìn dạng văn bản.")


@dataclass(frozen=True)
class InputCell:
    sheet: str
    cell: str
    indicator_id: str
    field: str


@dataclass
class CollectionImport:
    """What an import did: the workbook's unit and year, and the chỉ tiêu whose data changed."""

    unit: str
    year: int
    changed: list[str] = field(default_factory=list)
    changes: Changes = field(default_factory=Changes)


class WorkbookProblems(InputError):
    """A workbook with one or more problems; nothing was imported. `problems` lists them cell by cell."""

    def __init__(self, filename: str, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:30]
        more = f"\n… và {len(problems) - len(shown)} lỗi khác." if len(problems) > len(shown) else ""
        super().__init__(f"Tệp '{filename}' có {len(problems)} lỗi, chưa nhập gì:\n"
                         + "\n".join(f"- {p}" for p in shown) + more)


# ---------------------------------------------------------------------- export

def collection_units(ws: Workspace, year: int) -> list[str]:
    """Lead units that have chỉ tiêu assigned this year, in catalogue order."""
    return list(dict.fromkeys(a.lead_unit for a in ws.assignments(year) if a.lead_unit))


def _field_rows(indicator: Indicator) -> list[tuple[str, str, str]]:
    """(field, label, hint) for every input row of a chỉ tiêu."""
    if indicator.input == "boolean":
        rows = [("met", "Kết quả thực hiện", f"Chọn {YES} hoặc {NO}")]
    elif indicator.input == "level":
        names = ", ".join(indicator.level_names[lv] for lv in indicator.levels)
        rows = [("level", "Mức độ đạt chuẩn", f"Chọn một trong: {names}")]
    else:
        rows = [(name, label, "Số nguyên, không âm") for name, label in indicator.fields.items()]
    rows += [(name, label, "Văn bản (không bắt buộc)") for name, label in TEXT_ROWS.items()]
    if indicator.input == "level":
        rows += [(name, label, "Văn bản (không bắt buộc)") for name, label in DECISION_ROWS.items()]
    return rows


def _display(indicator: Indicator, name: str, value: Any) -> Any:
    if value is None:
        return None
    if name == "met":
        return YES if value else NO
    if name == "level":
        return indicator.level_names.get(value, str(value))
    if name in DATE_FIELDS and isinstance(value, str) and value:
        return format_date_short(dt.date.fromisoformat(value))
    return value


def _sheet_name(criterion_id: str) -> str:
    return f"Tiêu chí {criterion_id}"


def collection_workbook_bytes(ws: Workspace, year: int, unit: str) -> bytes:
    """The collection workbook of one unit: its assigned chỉ tiêu, current values pre-filled."""
    catalogue = ws.catalogue(year)
    profile = ws.profile()
    assigned = [a.indicator_id for a in ws.assignments(year) if a.lead_unit and fold(a.lead_unit) == fold(unit)]
    if not assigned:
        raise InputError(f"Đơn vị \"{unit}\" không chủ trì chỉ tiêu nào trong năm {year}.")
    values = ws.values(year)
    book = Workbook()
    book.remove(cast(Worksheet, book.active))  # a new workbook has one worksheet, active
    inputs: list[InputCell] = []
    for criterion in catalogue.criteria:
        indicators = [ind for ind in criterion.indicators if ind.id in assigned]
        if not indicators:
            continue
        sheet = book.create_sheet(_sheet_name(criterion.id))
        _sheet_heading(sheet, profile.issuing_body, f"Tiêu chí {criterion.id}. {criterion.name}", unit, year)
        row = FIRST_DATA_ROW
        for indicator in indicators:
            for name, label, hint in _field_rows(indicator):
                _input_row(sheet, row, indicator, name, label, hint, values.get(indicator.id, {}).get(name))
                inputs.append(InputCell(sheet.title, f"{VALUE_COLUMN}{row}", indicator.id, name))
                row += 1
        fit_row_heights(sheet)
        page_setup(sheet, title_rows=(FIRST_DATA_ROW - 1, FIRST_DATA_ROW - 1))
        sheet.protection.sheet = True
        sheet.protection.formatColumns = False
        sheet.protection.formatRows = False
    _meta_sheet(book, profile.commune_name, profile.province, year, unit, catalogue, inputs)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


COLUMNS = (("Mã chỉ tiêu", 9), ("Nội dung chỉ tiêu", 50), ("Thông tin cần nhập", 28), ("Giá trị", 20),
           ("Hướng dẫn", 28))


def _sheet_heading(sheet: Worksheet, issuing_body: str, criterion_title: str, unit: str, year: int) -> None:
    """Title rows merged across the table and wrapped, so that they print whole above it."""
    lines = [(issuing_body, True), (f"PHIẾU THU THẬP SỐ LIỆU “CỘNG ĐỒNG HỌC TẬP” NĂM {year}", True),
             (criterion_title, True),
             (f"Đơn vị chủ trì: {unit}. Số liệu tính từ 01/01/{year} đến 31/12/{year}.", False),
             (INSTRUCTIONS, False)]
    for col, (_title, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[chr(64 + col)].width = width
    for row, (text, bold) in enumerate(lines, start=1):
        cell = sheet.cell(row=row, column=1, value=text)
        cell.font = Font(name=FONT_NAME, size=12, bold=bold, italic=row == 5, color="C00000" if row == 5 else None)
        cell.alignment = Alignment(horizontal="center" if row <= 3 else "left", vertical="top", wrap_text=True)
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(COLUMNS))
    for col, (title, _width) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=FIRST_DATA_ROW - 1, column=col, value=title)
        cell.font = Font(name=FONT_NAME, size=12, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = GRID
    sheet.freeze_panes = f"A{FIRST_DATA_ROW}"


def _input_row(sheet: Worksheet, row: int, indicator: Indicator, name: str, label: str, hint: str, value: Any) -> None:
    texts = (indicator.id, indicator.text, label, _display(indicator, name, value), hint)
    for col, text in enumerate(texts, start=1):
        cell = sheet.cell(row=row, column=col, value=text)
        cell.font = Font(name=FONT_NAME, size=12, bold=col == 1)
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        cell.border = GRID
    target = sheet[f"{VALUE_COLUMN}{row}"]
    target.fill = INPUT_FILL
    target.protection = Protection(locked=False)
    if name in ("met", "level"):
        choices = [YES, NO] if name == "met" else [indicator.level_names[lv] for lv in indicator.levels]
        validation = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
        validation.error = f"Chỉ chọn một trong: {', '.join(choices)}."
    elif name in ("achieved", "total", "trained", "university"):
        validation = DataValidation(type="whole", operator="greaterThanOrEqual",
                                    formula1="1" if name == "total" else "0", allow_blank=True)
        validation.error = "Nhập số nguyên không âm (tổng số phải lớn hơn 0)."
    else:
        return
    validation.errorTitle = "Giá trị không hợp lệ"
    validation.showErrorMessage = True
    sheet.add_data_validation(validation)
    validation.add(target)


def _meta_sheet(book: Workbook, commune: str, province: str, year: int, unit: str, catalogue: Catalogue,
                inputs: list[InputCell]) -> None:
    sheet = book.create_sheet(META_SHEET)
    rows: list[tuple[object, ...]] = [("format", COLLECT_FORMAT), ("commune", commune), ("province", province), ("year", year),
            ("unit", unit), ("catalogue", catalogue.id),
            ("exported_at", dt.datetime.now(dt.UTC).isoformat(timespec="seconds")), ("", "")]
    rows.append(("sheet", "cell", "indicator", "field"))
    rows += [(c.sheet, c.cell, c.indicator_id, c.field) for c in inputs]
    for row in rows:
        sheet.append(list(row))
    sheet.sheet_state = "veryHidden"
    sheet.protection.sheet = True


def write_collection_workbooks(ws: Workspace, year: int, out_dir: Path, unit: str | None = None,
                               progress: Progress | None = None) -> dict[str, Path]:
    """One workbook per lead unit (or only `unit`) into `out_dir`; returns {unit: path}."""
    units = collection_units(ws, year)
    if unit is not None:
        matches = [u for u in units if fold(u) == fold(unit)]
        if not matches:
            known = ", ".join(units) or "chưa có đơn vị nào được phân công"
            raise InputError(f"Đơn vị \"{unit}\" không chủ trì chỉ tiêu nào năm {year} (các đơn vị: {known}).")
        units = matches
    if not units:
        raise InputError(f"Năm {year} chưa phân công đơn vị chủ trì cho chỉ tiêu nào; hãy phân công trước.")
    result = {}
    for index, name in enumerate(units):
        check_cancelled(progress)
        if progress is not None:
            progress.report(index / len(units), f"Đang xuất phiếu của {name}…")
        path = Path(out_dir) / f"thu_thap_{year}_{_slug(name)}.xlsx"
        result[name] = write_bytes_atomic(path, collection_workbook_bytes(ws, year, name))
    return result


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", fold(name)).strip("_") or "don_vi"


# ---------------------------------------------------------------------- import

def _open_workbook(path: Path) -> Workbook:
    if not path.is_file():
        raise InputError(f"Không tìm thấy tệp '{path}'.")
    try:
        return load_workbook(path, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, EOFError):
        raise InputError(f"Tệp '{path.name}' không phải sổ Excel .xlsx hợp lệ (hoặc đã bị hỏng).") from None
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds of errors on foreign files
        raise InputError(f"Tệp '{path.name}' không phải sổ Excel .xlsx hợp lệ (hoặc đã bị hỏng).") from None


def _read_meta(book: Workbook, filename: str) -> tuple[dict[str, Any], list[InputCell]]:
    if META_SHEET not in book.sheetnames:
        raise InputError(f"Tệp '{filename}' không phải phiếu thu thập số liệu do CĐHT xã xuất ra "
                         "(không có trang thông tin phiếu).")
    meta: dict[str, Any] = {}
    inputs: list[InputCell] = []
    in_table = False
    for row in book[META_SHEET].iter_rows(values_only=True):
        if in_table and row[0]:
            inputs.append(InputCell(str(row[0]), str(row[1]), str(row[2]), str(row[3])))
        elif row[0] == "sheet":
            in_table = True
        elif row[0]:
            meta[str(row[0])] = row[1]
    if meta.get("format") != COLLECT_FORMAT:
        raise InputError(f"Tệp '{filename}' có định dạng phiếu {meta.get('format')!r}, ứng dụng này đọc "
                         f"'{COLLECT_FORMAT}'.")
    return meta, inputs


def _check_origin(ws: Workspace, meta: dict[str, Any], filename: str, expected_year: int | None) -> int:
    profile = ws.profile()
    commune = str(meta.get("commune") or "")
    if not _same_place(commune, profile.commune_name, normalise_commune) or not _same_place(
            str(meta.get("province") or ""), profile.province, normalise_province):
        raise InputError(f"Tệp '{filename}' là phiếu của xã {commune} ({meta.get('province')}), không phải của xã "
                         f"{profile.commune_name} ({profile.province}). Không nhập gì.")
    year = meta.get("year")
    if not isinstance(year, int):
        raise InputError(f"Tệp '{filename}' không ghi năm đánh giá hợp lệ.")
    if expected_year is not None and year != expected_year:
        raise InputError(f"Tệp '{filename}' là phiếu năm {year}, không phải năm {expected_year} đang làm việc. "
                         "Không nhập gì.")
    if all(info.year != year for info in ws.years()):
        raise InputError(f"Tệp '{filename}' là phiếu năm {year}, nhưng cơ sở dữ liệu chưa có năm đánh giá này.")
    if meta.get("catalogue") != ws.catalogue(year).id:
        raise InputError(f"Tệp '{filename}' được lập theo bộ tiêu chí {meta.get('catalogue')}, khác bộ tiêu chí của "
                         f"năm {year}.")
    return year


def _same_place(written: str, stored: str, normalise: Callable[[str], PlaceName]) -> bool:
    """Whether a name in a workbook names the stored commune or province (older workbooks may carry a prefix)."""
    try:
        return fold(normalise(written).name) == fold(stored)
    except InputError:
        return False


def _where(item: InputCell) -> str:
    return f"Sheet '{item.sheet}', ô {item.cell}"


def _parse_cell(indicator: Indicator, name: str, raw: Any) -> Any:
    """The stored value for one input cell (None when empty); ValueError with a Vietnamese reason when invalid."""
    if raw is None:
        return None
    if isinstance(raw, str):
        raw = nfc(raw).strip()
        if raw == "":
            return None
    if name == "met":
        choices = {fold(YES): True, fold(NO): False}
        if isinstance(raw, str) and fold(raw) in choices:
            return choices[fold(raw)]
        raise ValueError(f"“{raw}” không hợp lệ; chỉ chọn {YES} hoặc {NO}")
    if name == "level":
        by_name = {fold(indicator.level_names[lv]): lv for lv in indicator.levels}
        if isinstance(raw, str) and fold(raw) in by_name:
            return by_name[fold(raw)]
        if isinstance(raw, int) and not isinstance(raw, bool) and raw in indicator.levels:
            return raw
        raise ValueError(f"“{raw}” không phải mức độ hợp lệ; chỉ chọn: "
                         + ", ".join(indicator.level_names[lv] for lv in indicator.levels))
    if name in FIELD_LABELS:
        if isinstance(raw, str):
            raise ValueError(f"ô chứa văn bản “{raw}”, cần nhập số nguyên ({FIELD_LABELS[name]})")
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or (isinstance(raw, float) and not raw.is_integer()):
            raise ValueError(f"{FIELD_LABELS[name]} phải là số nguyên, không phải {raw!r}")
        return int(raw)
    if name in DATE_FIELDS:
        if isinstance(raw, (dt.datetime, dt.date)):
            return (raw.date() if isinstance(raw, dt.datetime) else raw).isoformat()
        try:
            return parse_date(str(raw)).isoformat()
        except DateError as error:
            raise ValueError(f"{DATE_FIELDS[name]} {error}") from None
    if isinstance(raw, (dt.datetime, dt.date)):
        return format_date_short(raw.date() if isinstance(raw, dt.datetime) else raw)
    return nfc(str(raw)).strip()


_VALIDATION_MESSAGE = re.compile(r"— chỉ tiêu [\d.]+\.(\w+): (.*)$", re.S)
_INPUT_CELL = re.compile(rf"{VALUE_COLUMN}([1-9][0-9]{{0,6}})")


def read_collection_workbook(ws: Workspace, path: Path, expected_year: int | None = None
                             ) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Check a workbook completely; returns (metadata, {indicator: {field: value}}) or raises WorkbookProblems."""
    path = Path(path)
    book = _open_workbook(path)
    meta, inputs = _read_meta(book, path.name)
    year = _check_origin(ws, meta, path.name, expected_year)
    catalogue = ws.catalogue(year)
    problems: list[str] = []
    updates: dict[str, dict[str, Any]] = {}
    cells: dict[tuple[str, str], InputCell] = {}
    checked_sheets: dict[str, bool] = {}
    for item in inputs:
        if item.sheet not in checked_sheets:
            checked_sheets[item.sheet] = _check_sheet(book, item.sheet, problems)
        if not checked_sheets[item.sheet]:
            continue
        try:
            indicator = catalogue.indicator(item.indicator_id)
        except KeyError:
            problems.append(f"{_where(item)}: chỉ tiêu {item.indicator_id} không có trong bộ tiêu chí.")
            continue
        sheet = book[item.sheet]
        address = _INPUT_CELL.fullmatch(item.cell)
        if address is None:
            problems.append(f"Trang thông tin của phiếu ghi ô nhập '{item.cell}' không hợp lệ (phiếu đã bị sửa); "
                            "hãy xuất phiếu mới.")
            continue
        row = int(address.group(1))
        label = next((lbl for name, lbl, _hint in _field_rows(indicator) if name == item.field), "")
        if (str(sheet[f"A{row}"].value or "").strip(), str(sheet[f"C{row}"].value or "").strip()) != (
                item.indicator_id, label):
            problems.append(f"Sheet '{item.sheet}', dòng {row}: không còn là dòng “{label}” của chỉ tiêu "
                            f"{item.indicator_id} (có thể đã thêm hoặc xóa dòng).")
            continue
        cell = sheet[item.cell]
        if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("=")):
            problems.append(f"{_where(item)}: có công thức; hãy nhập giá trị trực tiếp.")
            continue
        try:
            value = _parse_cell(indicator, item.field, cell.value)
        except ValueError as exc:
            problems.append(f"{_where(item)}: {exc}.")
            continue
        cells[(item.indicator_id, item.field)] = item
        if value is not None:
            updates.setdefault(item.indicator_id, {})[item.field] = value
    current = ws.values(year)
    for ind_id, fields in updates.items():
        merged = {**current.get(ind_id, {}), **fields}
        try:
            validate_indicator_values(catalogue.indicator(ind_id), merged, f"chỉ tiêu {ind_id}")
        except InputError as exc:
            match = _VALIDATION_MESSAGE.search(exc.message)
            name, reason = (match.group(1), match.group(2)) if match else ("", exc.message)
            item = cells.get((ind_id, name)) or next(c for (i, _), c in cells.items() if i == ind_id)
            problems.append(f"{_where(item)}: {reason}.")
    if problems:
        raise WorkbookProblems(path.name, problems)
    return meta, updates


def _check_sheet(book: Workbook, name: str, problems: list[str]) -> bool:
    if name not in book.sheetnames:
        problems.append(f"Không tìm thấy sheet '{name}' (sheet đã bị đổi tên hoặc xóa?).")
        return False
    merged = [r for r in book[name].merged_cells.ranges if r.max_row >= FIRST_DATA_ROW - 1]  # title rows are merged
    if merged:
        ranges = ", ".join(str(r) for r in list(merged)[:5])
        problems.append(f"Sheet '{name}' có ô bị gộp ({ranges}); hãy bỏ gộp ô rồi nhập lại.")
        return False
    return True


