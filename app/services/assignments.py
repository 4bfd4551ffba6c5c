"""Phân công: which unit leads the data and evidence of each indicator, with which partners, by when (the table
attached to the commune's Kế hoạch, seed 004). Set one indicator at a time, clear it, or take a whole table from a
CSV or Excel file laid out like the plan's (Tiêu chí, Chỉ tiêu, Đơn vị chủ trì, Đơn vị phối hợp[, Hạn])."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.changes import Changes
from app.domain.records import ASSIGNMENT_STATUSES, Assignment
from app.errors import InputError, NotFoundError
from app.fileio import read_bytes_capped
from app.storage.workspace import Workspace
from app.text import MAX_ORGANISATION_LENGTH, clean_text, fold, parse_date

#: The largest assignment table read (a plan's table is a few kilobytes).
MAX_TABLE_BYTES = 5 * 1024 * 1024


def unit_id(ws: Workspace, name: str) -> int:
    """The id of the unit called `name`, created (and audited) when new; call inside a transaction."""
    name = clean_text(name, "Tên đơn vị", required=True, single_line=True, max_length=MAX_ORGANISATION_LENGTH)
    row = ws.db.execute("SELECT id FROM units WHERE name = ?", [name]).fetchone()
    if row:
        return int(row[0])
    cursor = ws.db.execute("INSERT INTO units (name) VALUES (?)", [name])
    ws.audit("create", "unit", name, None, None, name)
    return int(cursor.lastrowid or 0)


def add_unit(ws: Workspace, name: str) -> Changes:
    with ws.transaction():
        unit_id(ws, name)
    return Changes(assignments=True)


def _assignment_json(a: Assignment | None) -> dict[str, Any] | None:
    if a is None:
        return None
    return {"lead_unit": a.lead_unit, "coordinating_units": list(a.coordinating_units),
            "due_date": a.due_date.isoformat() if a.due_date else None, "status": a.status, "note": a.note}


def write_assignment(ws: Workspace, year: int, assignment: Assignment) -> bool:
    """Store one indicator's assignment as given (audited); returns whether anything changed. Call inside a
    transaction, after validating: this only writes."""
    old = next((a for a in ws.assignments(year) if a.indicator_id == assignment.indicator_id), None)
    if old == assignment:
        return False
    lead = unit_id(ws, assignment.lead_unit) if assignment.lead_unit else None
    ws.db.execute(
        "INSERT INTO assignments (year, indicator_id, lead_unit_id, due_date, status, note) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(year, indicator_id) DO UPDATE SET lead_unit_id = excluded.lead_unit_id, "
        "due_date = excluded.due_date, status = excluded.status, note = excluded.note",
        [year, assignment.indicator_id, lead, assignment.due_date.isoformat() if assignment.due_date else None,
         assignment.status, assignment.note],
    )
    assignment_id = ws.db.execute(
        "SELECT id FROM assignments WHERE year = ? AND indicator_id = ?", [year, assignment.indicator_id]
    ).fetchone()[0]
    ws.db.execute("DELETE FROM assignment_units WHERE assignment_id = ?", [assignment_id])
    for position, name in enumerate(assignment.coordinating_units):  # partners in the order entered
        ws.db.execute("INSERT OR IGNORE INTO assignment_units (assignment_id, unit_id, position) VALUES (?, ?, ?)",
                      [assignment_id, unit_id(ws, name), position])
    ws.audit("update" if old else "create", "assignment", assignment.indicator_id, year,
             _assignment_json(old), _assignment_json(assignment))
    return True


def _due(value: dt.date | str | None) -> dt.date | None:
    if not isinstance(value, str):
        return value
    try:
        return parse_date(value) if value.strip() else None
    except ValueError:
        raise InputError(f"Hạn hoàn thành {value!r} không phải ngày hợp lệ (dd/mm/yyyy).") from None


def clean_assignment(ws: Workspace, year: int, indicator_id: str, lead_unit: str | None = None,
                     coordinating_units: Sequence[str] = (), due_date: dt.date | str | None = None,
                     status: str = "todo", note: str = "") -> Assignment:
    """An assignment as it would be stored; InputError or NotFoundError names what is wrong."""
    catalogue = ws.catalogue(year)
    if indicator_id not in catalogue.indicator_ids:
        raise NotFoundError(f"Không có chỉ tiêu mã \"{indicator_id}\".")
    if status not in ASSIGNMENT_STATUSES:
        raise InputError(f"Trạng thái phân công {status!r} không hợp lệ; chỉ có: {', '.join(ASSIGNMENT_STATUSES)}.")
    lead = clean_text(lead_unit, "Đơn vị chủ trì", single_line=True, max_length=MAX_ORGANISATION_LENGTH) or None
    coordinating = tuple(dict.fromkeys(
        c for c in (clean_text(x, "Đơn vị phối hợp", single_line=True, max_length=MAX_ORGANISATION_LENGTH)
                    for x in coordinating_units) if c))
    return Assignment(indicator_id, lead, coordinating, _due(due_date), status, clean_text(note, "Ghi chú"))


def set_assignment(ws: Workspace, year: int, indicator_id: str, lead_unit: str | None = None,
                   coordinating_units: Sequence[str] = (), due_date: dt.date | str | None = None,
                   status: str = "todo", note: str = "") -> Changes:
    """Who collects the data and evidence of one indicator, with whom, by when (seed 004's table)."""
    assignment = clean_assignment(ws, year, indicator_id, lead_unit, coordinating_units, due_date, status, note)
    with ws.transaction():
        ws.year(year)
        changed = write_assignment(ws, year, assignment)
    return Changes(assignments=True) if changed else Changes()


def clear_assignment(ws: Workspace, year: int, indicator_id: str) -> Changes:
    """Remove one indicator's assignment (lead, partners, due date, status and note)."""
    if indicator_id not in ws.catalogue(year).indicator_ids:
        raise NotFoundError(f"Không có chỉ tiêu mã \"{indicator_id}\".")
    with ws.transaction():
        old = next((a for a in ws.assignments(year) if a.indicator_id == indicator_id), None)
        if old is None:
            return Changes()
        ws.db.execute("DELETE FROM assignments WHERE year = ? AND indicator_id = ?", [year, indicator_id])
        ws.audit("clear", "assignment", indicator_id, year, _assignment_json(old), None)
    return Changes(assignments=True)


# ---------------------------------------------------------------------- a table from a file

@dataclass(frozen=True)
class AssignmentRow:
    """One row of an assignment table as read: the indicator it names and what it assigns."""

    indicator_id: str
    lead_unit: str
    coordinating_units: tuple[str, ...]
    due_date: str = ""


_HEADERS = {"criterion": ("tieu chi",), "indicator": ("chi tieu", "ma chi tieu"),
            "lead": ("don vi chu tri", "chu tri"), "partners": ("don vi phoi hop", "phoi hop"),
            "due": ("han hoan thanh", "han", "thoi han")}
_NUMBERED = re.compile(r"^\s*(\d+)\s*[.)]")
_CODE = re.compile(r"^\s*(\d+)\.(\d+)\s*$")


def _column_of(header: str) -> str | None:
    text = fold(header).strip(" :*")
    return next((name for name, words in _HEADERS.items() if text in words), None)


def _partners(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in re.split(r"[;,\n]", text) if part.strip())


def read_assignment_rows(rows: list[list[str]], source: str) -> list[AssignmentRow]:
    """The assignments of a table laid out like the plan's: a header row naming the columns, then one row per
    indicator. A blank Tiêu chí cell repeats the one above; an indicator is '1.2' or numbered within its
    criterion ('2. Xây dựng chương trình…'). A row with no indicator number continues the text above (a table
    broken over two pages) and is skipped."""
    header_at = next((i for i, row in enumerate(rows) if sum(_column_of(c) is not None for c in row) >= 2), None)
    if header_at is None:
        raise InputError(f"{source}: không thấy dòng tiêu đề “Chỉ tiêu, Đơn vị chủ trì, Đơn vị phối hợp”.")
    columns = {name: i for i, cell in enumerate(rows[header_at]) if (name := _column_of(cell)) is not None}
    if "indicator" not in columns or not {"lead", "partners"} & set(columns):
        raise InputError(f"{source}: cần cột “Chỉ tiêu” và cột “Đơn vị chủ trì” hoặc “Đơn vị phối hợp”.")

    def cell(row: list[str], name: str) -> str:
        index = columns.get(name)
        return " ".join(row[index].split()) if index is not None and index < len(row) else ""

    result: list[AssignmentRow] = []
    criterion = ""
    for number, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        if not any(c.strip() for c in row):
            continue
        criterion_text, indicator_text = cell(row, "criterion"), cell(row, "indicator")
        if (match := _NUMBERED.match(criterion_text)) is not None:
            criterion = match.group(1)
        code = _CODE.match(indicator_text)
        numbered = _NUMBERED.match(indicator_text)
        if code is not None:
            indicator_id = f"{int(code.group(1))}.{int(code.group(2))}"
        elif numbered is not None and criterion:
            indicator_id = f"{criterion}.{int(numbered.group(1))}"
        elif numbered is not None:
            raise InputError(f"{source}, dòng {number}: chỉ tiêu “{indicator_text[:40]}” không kèm tiêu chí; "
                             "ghi mã đầy đủ (ví dụ 1.2) hoặc điền cột “Tiêu chí”.")
        else:
            continue  # the rest of the row above, broken over a page
        result.append(AssignmentRow(indicator_id, cell(row, "lead"), _partners(cell(row, "partners")),
                                    cell(row, "due")))
    if not result:
        raise InputError(f"{source}: không có dòng phân công nào.")
    return result


def _table_rows(path: Path) -> list[list[str]]:
    data = read_bytes_capped(path, MAX_TABLE_BYTES, "bảng phân công")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - any damage is the same answer to the user
            raise InputError(f"Tệp '{path.name}' không phải sổ Excel (.xlsx) đọc được.") from None
        sheet = book.worksheets[0]
        return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"Tệp '{path.name}' không phải văn bản UTF-8 (hãy lưu CSV dạng UTF-8).") from None
    dialect = "excel-tab" if text.count("\t") > text.count(",") else "excel"
    try:
        return [list(row) for row in csv.reader(io.StringIO(text), dialect=dialect)]
    except csv.Error as error:
        raise InputError(f"Tệp '{path.name}' không phải bảng CSV đọc được ({error}).") from None


def import_assignments(ws: Workspace, year: int, path: Path) -> tuple[Changes, list[AssignmentRow]]:
    """Set the assignments of every indicator a table names (.csv, tab-separated text or .xlsx), all or nothing.
    Indicators the table does not name keep theirs; status and note of an existing assignment are kept."""
    path = Path(path)
    rows = read_assignment_rows(_table_rows(path), path.name)
    current = {a.indicator_id: a for a in ws.assignments(year)}
    changes = Changes()
    with ws.transaction():
        for row in rows:
            old = current.get(row.indicator_id)
            changes |= set_assignment(ws, year, row.indicator_id, row.lead_unit or None, row.coordinating_units,
                                      row.due_date or (old.due_date if old else None),
                                      old.status if old else "todo", old.note if old else "")
    return changes, rows
