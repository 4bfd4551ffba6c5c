"""Fuzzing the Excel data-collection workbooks through `cdht collect import` (hypothesis).

A real exported workbook is damaged the ways a unit's clerk or a broken USB stick would: cells of random
types, deleted/renamed/added sheets, merged cells, formulas, inserted rows, tampered hidden metadata, damaged
ZIP parts, truncated or garbage bytes. Each import is accepted, or refused with a clean Vietnamese message
(one line, or the heading line plus its list of cell problems) and the database left exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, reject
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from app.documents.collection import META_SHEET, write_collection_workbooks
from app.services.assignments import set_assignment
from app.storage.workspace import Workspace
from tests.backup.helpers import make_workspace
from tests.robustness.crash_child import COLLECT_UNIT, collection_round
from tests.robustness.fuzzing import FUZZ, assert_clean_failure, run_cli, workspace_state

pytestmark = pytest.mark.slow

cell_values = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=40),
    st.dates(), st.datetimes(), st.times(),
    st.sampled_from(["Có", "không", "CÓ ", "Mức độ 2", "mức độ 3", "Chưa đạt chuẩn", "=1+1", "=SUM(D7:D8)",
                     "8.922", "8922", " 14870 ", "-1", "0", "1e309", "e\u0301", "Co\u0301", "💥" * 40, "x" * 40_000,
                     10**20, 2**63, -(2**63), 0.5, 1e308, 14870, 8000, 3]),
)
meta_values = st.one_of(cell_values, st.sampled_from([
    "cdht-collect/1", "cdht-collect/2", "Đồng Tiến", "Đồng Tiến", "Thái Nguyên", "tt25-2023", 2025, 2024, 2101,
    "2025", "Tiêu chí 1", "Tiêu chí 9", "D7", "D0", "D", "ZZ", "A1B2", "D1048577", "D99999999999", "XFE1", "1.1",
    "9.9", "4.2", "met", "level", "achieved", "total", "description", "nope", "sheet", "",
]))
sheet_titles = st.one_of(st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=31),
                         st.sampled_from(["Tiêu chí 1", "Tiêu chí 4", "Tiêu chí 5", META_SHEET, "Sheet1", "tiêu chí 5"]))


def _input_cells(book) -> list[tuple[str, str]]:
    rows = list(book[META_SHEET].iter_rows(values_only=True)) if META_SHEET in book.sheetnames else []
    firsts = [r[0] for r in rows]
    table = rows[firsts.index("sheet") + 1:] if "sheet" in firsts else []
    return [(str(r[0]), str(r[1])) for r in table if r[0]]


def _edit_book(draw, book) -> None:
    """One random edit of the kind a person (or another spreadsheet program) makes."""
    action = draw(st.sampled_from(["cell", "cell", "cell", "formula", "merge", "delete_sheet", "rename_sheet",
                                   "add_sheet", "rows", "meta", "meta"]))
    sheets = book.sheetnames
    if not sheets:
        return
    if action in ("cell", "formula"):
        targets = [(s, c) for s, c in _input_cells(book) if s in sheets] or [(sheets[0], "D7")]
        sheet, cell = draw(st.sampled_from(targets))
        if draw(st.booleans()):
            cell = f"{draw(st.sampled_from('ABCDEF'))}{draw(st.integers(1, 30))}"
        book[sheet][cell] = draw(cell_values) if action == "cell" else draw(st.sampled_from(["=1+1", "=D8*2",
                                                                                            "=NOW()"]))
    elif action == "merge":
        sheet = book[draw(st.sampled_from(sheets))]
        first, height = draw(st.integers(1, 20)), draw(st.integers(0, 3))
        sheet.merge_cells(f"C{first}:{draw(st.sampled_from('DE'))}{first + height}")
    elif action == "delete_sheet" and len(sheets) > 1:
        del book[draw(st.sampled_from(sheets))]
    elif action == "rename_sheet":
        book[draw(st.sampled_from(sheets))].title = draw(sheet_titles)
    elif action == "add_sheet":
        book.create_sheet(draw(sheet_titles), index=draw(st.integers(0, len(sheets))))
    elif action == "rows":
        sheet = book[draw(st.sampled_from(sheets))]
        where, count = draw(st.integers(1, 15)), draw(st.integers(1, 3))
        (sheet.insert_rows if draw(st.booleans()) else sheet.delete_rows)(where, count)
    elif action == "meta" and META_SHEET in sheets:
        meta = book[META_SHEET]
        meta.cell(row=draw(st.integers(1, meta.max_row + 2)), column=draw(st.integers(1, 5)), value=draw(meta_values))


def _damage_bytes(draw, data: bytes) -> bytes:
    """Damage below the spreadsheet: parts of the ZIP rewritten or dropped, bytes cut, flipped or replaced."""
    action = draw(st.sampled_from(["part", "drop_part", "truncate", "flip", "garbage"]))
    if action in ("part", "drop_part"):
        with zipfile.ZipFile(io.BytesIO(data)) as source:
            parts = {name: source.read(name) for name in source.namelist()}
        victim = draw(st.sampled_from(sorted(parts)))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
            for name, content in parts.items():
                if name == victim:
                    if action == "drop_part":
                        continue
                    cut = draw(st.integers(0, len(content)))
                    content = content[:cut] + draw(st.binary(max_size=40))
                target.writestr(name, content)
        return buffer.getvalue()
    if action == "truncate":
        return data[:draw(st.integers(0, len(data)))]
    if action == "flip":
        damaged = bytearray(data)
        for _ in range(draw(st.integers(1, 8))):
            damaged[draw(st.integers(0, len(damaged) - 1))] ^= draw(st.integers(1, 255))
        return bytes(damaged)
    return draw(st.binary(max_size=2000))


@st.composite
def damaged_workbooks(draw, template: Path) -> bytes:
    data = template.read_bytes()
    if draw(st.integers(0, 3)):
        book = load_workbook(io.BytesIO(data))
        for _ in range(draw(st.integers(1, 4))):
            try:
                _edit_book(draw, book)
            except (ValueError, TypeError, AttributeError, IllegalCharacterError):
                pass  # openpyxl itself refuses that edit (illegal character, bad title, a merged title cell)
        buffer = io.BytesIO()
        try:
            book.save(buffer)
        except ValueError:  # openpyxl will not write such a workbook (e.g. only the hidden sheet left)
            reject()
        data = buffer.getvalue()
    if draw(st.integers(0, 2)) == 0:
        data = _damage_bytes(draw, data)
    return data


@pytest.fixture(scope="module")
def collect_setup(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("fuzz-collect")
    ws = make_workspace(folder / "data" / "cdht.sqlite3", evidence_files=0)
    try:
        for indicator in collection_round(0):
            set_assignment(ws, 2025, indicator, COLLECT_UNIT, [], dt.date(2025, 11, 30), "in_progress")
        template = write_collection_workbooks(ws, 2025, folder / "phieu", unit=COLLECT_UNIT)[COLLECT_UNIT]
    finally:
        ws.close()
    return ws.path, template


def assert_clean_problem_list(code: int, err: str) -> None:
    """A refused workbook: one line, or a heading line followed by its list of cell problems."""
    heading, *rest = err.rstrip("\n").split("\n")
    assert_clean_failure(code, heading + "\n")
    assert all(line.startswith(("- ", "… và ")) for line in rest), err


def test_the_untouched_template_imports_as_no_change(collect_setup):
    db, template = collect_setup
    source = db.parent.parent / "untouched.xlsx"
    source.write_bytes(template.read_bytes())
    code, out, err = run_cli("--db", str(db), "collect", "import", str(source))
    assert (code, err) == (0, "") and "không có gì thay đổi" in out


@FUZZ
@given(data=st.data())
def test_damaged_workbooks_import_whole_or_are_refused_cleanly(collect_setup, data):
    db, template = collect_setup
    source = db.parent.parent / "phieu-hong.xlsx"
    source.write_bytes(data.draw(damaged_workbooks(template)))
    ws = Workspace.open(db)
    try:
        before = workspace_state(ws)
        code, out, err = run_cli("--db", str(db), "collect", "import", str(source))
        if code == 0:
            assert err == "" and out.startswith(("Đã nhập phiếu", "Phiếu của")), out + err
        else:
            assert_clean_problem_list(code, err)
            assert workspace_state(ws) == before, "a refused workbook changed the database"
    finally:
        ws.close()


@pytest.mark.parametrize("address", ["ZZ", "D0", "A1B2", "D", "D99999999999", None])
def test_a_tampered_input_cell_address_is_a_listed_problem(collect_setup, address):
    """Regression: a cell address in the hidden sheet that is not a D-column cell once crashed the import."""
    db, template = collect_setup
    book = load_workbook(template)
    meta = book[META_SHEET]
    first_input = next(row for row in range(1, meta.max_row + 1) if meta.cell(row, 1).value == "sheet") + 1
    meta.cell(first_input, 2).value = address
    meta.cell(first_input + 2, 2).value = "D9999"
    source = db.parent.parent / "phieu-sua.xlsx"
    book.save(source)
    ws = Workspace.open(db)
    try:
        before = workspace_state(ws)
        code, _, err = run_cli("--db", str(db), "collect", "import", str(source))
        assert_clean_problem_list(code, err)
        assert f"ghi ô nhập '{address}' không hợp lệ" in err and "dòng 9999: không còn là dòng" in err
        assert workspace_state(ws) == before
    finally:
        ws.close()
