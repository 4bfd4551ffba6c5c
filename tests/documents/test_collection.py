"""Unit data-collection workbooks: export, validation on import (all or nothing), idempotence, audit."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.documents.collection import (
    META_SHEET,
    WorkbookProblems,
    write_collection_workbooks,
)
from app.domain.records import Profile
from app.errors import InputError
from app.services.documents import import_collection_workbook
from app.services.profile import save_profile
from app.services.years import add_year
from app.storage.workspace import Workspace
from tests.documents.helpers import YEAR


@pytest.fixture
def unit_book(workspace, tmp_path) -> Path:
    return write_collection_workbooks(workspace, YEAR, tmp_path, unit="hội khuyến học")["Hội Khuyến học"]


def edited(path: Path, target: Path, edit) -> Path:
    book = load_workbook(path)
    edit(book)
    book.save(target)
    return target


def audit_count(ws: Workspace) -> int:
    return len(ws.audit_entries(limit=100000))


def test_one_workbook_per_lead_unit_with_only_its_indicators(workspace, tmp_path):
    written = write_collection_workbooks(workspace, YEAR, tmp_path / "all")
    assert set(written) == {"Trung tâm Dịch vụ sự nghiệp công", "Hội Khuyến học", "Phòng Văn hóa – Xã hội",
                            "Phòng Kinh tế"}
    book = load_workbook(written["Hội Khuyến học"])
    assert book.sheetnames == ["Tiêu chí 5", META_SHEET]
    assert book[META_SHEET].sheet_state == "veryHidden" and book[META_SHEET].protection.sheet
    sheet = book["Tiêu chí 5"]
    assert sheet.protection.sheet
    ids = {row[0] for row in sheet.iter_rows(min_row=7, values_only=True) if row[0]}
    assert ids == {"5.1"}
    assert sheet["D7"].value == 8922 and sheet["D8"].value == 14870 and not sheet["D7"].protection.locked
    assert any("D7" in str(v.sqref) and v.type == "whole" for v in sheet.data_validations.dataValidation)
    assert "Hướng dẫn" in sheet["A5"].value
    meta = {row[0]: row[1] for row in book[META_SHEET].iter_rows(values_only=True) if row[0]}
    assert meta["commune"] == "Kiến Hưng" and meta["year"] == YEAR and meta["unit"] == "Hội Khuyến học"
    assert meta["format"] == "cdht-collect/1"
    boolean = load_workbook(written["Trung tâm Dịch vụ sự nghiệp công"])["Tiêu chí 1"]
    assert boolean["D7"].value == "Có"
    assert any(v.type == "list" and "Có,Không" in v.formula1 for v in boolean.data_validations.dataValidation)
    with pytest.raises(InputError, match="không chủ trì"):
        write_collection_workbooks(workspace, YEAR, tmp_path, unit="Đoàn Thanh niên")


def test_round_trip_is_idempotent_and_audited(workspace, unit_book, tmp_path):
    before = audit_count(workspace)
    assert import_collection_workbook(workspace, unit_book).changed == []
    assert audit_count(workspace) == before

    def fill(book):
        book["Tiêu chí 5"]["D7"] = 9100
        book["Tiêu chí 5"]["D9"] = "Rà soát danh sách công dân học tập ở 12 thôn"
    path = edited(unit_book, tmp_path / "filled.xlsx", fill)
    result = import_collection_workbook(workspace, path, expected_year=YEAR)
    assert result.unit == "Hội Khuyến học" and result.changed == ["5.1"] and result.changes.checklist
    assert workspace.values(YEAR)["5.1"]["achieved"] == 9100
    entries = workspace.audit_entries(key_prefix="5.1/", year=YEAR, limit=10)
    assert {(e.entity_key, e.old, e.new) for e in entries[:2]} == {
        ("5.1/achieved", 8922, 9100), ("5.1/description", None, "Rà soát danh sách công dân học tập ở 12 thôn")}
    after = audit_count(workspace)
    assert import_collection_workbook(workspace, path).changed == []
    assert audit_count(workspace) == after


@pytest.mark.parametrize("edit, message", [
    (lambda b: b["Tiêu chí 5"].__setitem__("D7", "tám nghìn"),
     "Sheet 'Tiêu chí 5', ô D7: ô chứa văn bản “tám nghìn”, cần nhập số nguyên"),
    (lambda b: b["Tiêu chí 5"].__setitem__("D7", 20000),
     "Sheet 'Tiêu chí 5', ô D7: số công dân đạt danh hiệu (20.000) lớn hơn tổng số công dân (14.870)"),
    (lambda b: b["Tiêu chí 5"].__setitem__("D8", "=D7*2"), "Sheet 'Tiêu chí 5', ô D8: có công thức"),
    (lambda b: b["Tiêu chí 5"].__setitem__("D8", -5), "không được âm"),
    (lambda b: b["Tiêu chí 5"].merge_cells("D7:E8"), "Sheet 'Tiêu chí 5' có ô bị gộp (D7:E8)"),
    (lambda b: setattr(b["Tiêu chí 5"], "title", "Trang 1"), "Không tìm thấy sheet 'Tiêu chí 5'"),
    (lambda b: b["Tiêu chí 5"].delete_rows(7), "Sheet 'Tiêu chí 5', dòng 7: không còn là dòng “Số công dân đạt danh hiệu \"Công dân học tập\"” của chỉ tiêu 5.1"),
])
def test_bad_cells_are_listed_and_nothing_is_applied(workspace, unit_book, tmp_path, edit, message):
    def edit_and_change_another(book):
        if "Tiêu chí 5" in book.sheetnames:
            book["Tiêu chí 5"]["D10"] = "Hội Khuyến học xã (đã rà soát)"
        edit(book)
    path = edited(unit_book, tmp_path / "bad.xlsx", edit_and_change_another)
    values, before = workspace.values(YEAR), audit_count(workspace)
    with pytest.raises(WorkbookProblems) as caught:
        import_collection_workbook(workspace, path)
    assert message in caught.value.message and "chưa nhập gì" in caught.value.message
    assert workspace.values(YEAR) == values and audit_count(workspace) == before


def test_foreign_and_malformed_files_are_refused(workspace, unit_book, tmp_path):
    text = tmp_path / "notes.xlsx"
    text.write_text("không phải Excel", encoding="utf-8")
    with pytest.raises(InputError, match="không phải sổ Excel .xlsx hợp lệ"):
        import_collection_workbook(workspace, text)
    with pytest.raises(InputError, match="Không tìm thấy tệp"):
        import_collection_workbook(workspace, tmp_path / "missing.xlsx")
    plain = edited(unit_book, tmp_path / "plain.xlsx", lambda b: b.remove(b[META_SHEET]))
    with pytest.raises(InputError, match="không phải phiếu thu thập số liệu"):
        import_collection_workbook(workspace, plain)
    with pytest.raises(InputError, match="là phiếu năm 2025, không phải năm 2026"):
        import_collection_workbook(workspace, unit_book, expected_year=2026)

    other = Workspace.open(tmp_path / "other.sqlite3")
    save_profile(other, Profile("Đồng Tiến", "Thái Nguyên"))
    add_year(other, YEAR)
    with pytest.raises(InputError, match="là phiếu của xã Kiến Hưng"):
        import_collection_workbook(other, unit_book)
    other.close()

    def other_year(book):
        sheet = book[META_SHEET]
        for row in sheet.iter_rows():
            if row[0].value == "year":
                row[1].value = 2019
    with pytest.raises(InputError, match="chưa có năm đánh giá này"):
        import_collection_workbook(workspace, edited(unit_book, tmp_path / "y.xlsx", other_year))
