"""The evidence list as a real register: what finalizing requires, suggestions from the file name and the first
page's text layer, editing several items at once — through the service, the CLI and the dialog."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.cli import main
from app.documents.nd30 import FONT, register_fonts
from app.errors import InputError
from app.evidence import importer as evidence_importer
from app.evidence import library as evidence_library
from app.evidence import register as reg
from app.services import evidence as ev
from tests.documents.helpers import YEAR


def admin_pdf(lines: list[str]) -> bytes:
    """A one-page administrative document with a real text layer, as a scanner-free office PDF is."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    register_fonts()
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.setFont(FONT, 12)
    y = 800
    for line in lines:
        page.drawString(72, y, line)
        y -= 18
    page.showPage()
    page.save()
    return buffer.getvalue()


PLAN_PAGE = ["ỦY BAN NHÂN DÂN", "XÃ KIẾN HƯNG", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
             "Số: 18/KH-UBND", "Kiến Hưng, ngày 12 tháng 02 năm 2025", "KẾ HOẠCH",
             "Xây dựng xã hội học tập năm 2025 trên địa bàn xã", "Căn cứ Thông tư số 25/2023/TT-BGDĐT"]


@pytest.fixture
def files(workspace, tmp_path) -> dict[str, int]:
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "ke-hoach.pdf").write_bytes(admin_pdf(PLAN_PAGE))
    (folder / "QĐ 112-QĐ-UBND ngày 05.12.2025.pdf").write_bytes(admin_pdf(["Quyết định công nhận (bản quét)"]))
    (folder / "anh hoat dong.png").write_bytes(Path(__file__).parents[2].joinpath(
        "resources", "icons", "cdht.png").read_bytes())
    results = evidence_importer.import_files(workspace, YEAR, sorted(folder.iterdir()), indicator_ids=["1.2"])
    assert all(r.ok for r in results), [r.message for r in results]
    return {evidence_library.get_evidence(workspace, r.evidence_id).original_name: r.evidence_id for r in results}


def test_finalize_lists_every_item_not_fully_identified(workspace, files):
    problems = reg.register_problems(workspace, YEAR)
    assert len(problems) == 3
    assert "chưa có số, ký hiệu (hoặc “Không số”), ngày ban hành, cơ quan ban hành, trích yếu." in problems[0]
    from app.dossier.finalize import preflight

    item = next(i for i in preflight(workspace, YEAR) if i.label.startswith("Danh mục minh chứng"))
    assert item.problems == tuple(problems)


def test_suggestions_from_the_first_page_and_the_file_name(workspace, files):
    plan = reg.suggest_fields(workspace, files["ke-hoach.pdf"])
    assert (plan.doc_number, plan.issued_date.isoformat(), plan.issuer) == (
        "18/KH-UBND", "2025-02-12", "Ủy ban nhân dân xã Kiến Hưng")
    assert plan.summary == "Kế hoạch xây dựng xã hội học tập năm 2025 trên địa bàn xã"
    assert set(plan.sources.values()) == {"trang đầu của tệp"}
    decision = reg.suggest_fields(workspace, files["QĐ 112-QĐ-UBND ngày 05.12.2025.pdf"])
    assert (decision.doc_number, decision.issued_date.isoformat(), decision.issuer) == ("112/QĐ-UBND", "2025-12-05", "")
    assert decision.sources == {"doc_number": "tên tệp", "issued_date": "tên tệp"}
    assert reg.suggest_fields(workspace, files["anh hoat dong.png"]).fields() == {}
    ev.update_evidence(workspace, files["ke-hoach.pdf"], issuer="UBND xã Kiến Hưng")
    changes, changed = ev.apply_suggestions(workspace, list(files.values()))
    assert changes.evidence and changed == 2
    stored = evidence_library.get_evidence(workspace, files["ke-hoach.pdf"])
    assert (stored.doc_number, stored.issuer) == ("18/KH-UBND", "UBND xã Kiến Hưng")  # what the user typed stays
    assert not reg.missing_fields(stored)


def test_several_items_at_once_all_or_nothing(workspace, files):
    ids = list(files.values())
    with pytest.raises(InputError, match="năm phải ghi đủ 4 chữ số"):
        ev.update_fields(workspace, ids, issuer="Hội Khuyến học xã", issued_date="1/3/25")
    assert all(not evidence_library.get_evidence(workspace, i).issuer for i in ids)
    ev.update_fields(workspace, ids, issuer="Hội Khuyến học xã", issued_date="1/3/2025", doc_number="KHÔNG SỐ",
                      summary="Ảnh và văn bản hoạt động")
    assert reg.register_problems(workspace, YEAR) == []
    assert {evidence_library.get_evidence(workspace, i).doc_number for i in ids} == {"Không số"}
    audit = workspace.audit_entries(entity="evidence", limit=10)
    assert len({e.txn for e in audit[:3]}) == 1  # one transaction
    with pytest.raises(InputError, match="Chưa chọn minh chứng"):
        ev.update_fields(workspace, [], issuer="x")


def test_cli_suggest_edit_incomplete(workspace, files, capsys):
    db = str(workspace.path)
    codes = {name: evidence_library.get_evidence(workspace, i).code for name, i in files.items()}
    workspace.close()
    assert main(["--db", db, "evidence", "incomplete"]) == 0
    assert "3 minh chứng còn thiếu thông tin." in capsys.readouterr().out
    assert main(["--db", db, "evidence", "suggest", codes["ke-hoach.pdf"]]) == 0
    out = capsys.readouterr().out
    assert "số, ký hiệu: 18/KH-UBND  (theo trang đầu của tệp)" in out and "ngày ban hành: 12/02/2025" in out
    assert main(["--db", db, "evidence", "suggest", "--apply"]) == 0
    assert "Đã ghi gợi ý cho 2 minh chứng." in capsys.readouterr().out
    assert main(["--db", db, "evidence", "edit", *codes.values(), "--no-number", "--number", "1"]) == 1
    assert main(["--db", db, "evidence", "edit", codes["anh hoat dong.png"], "--no-number", "--date", "02/03/2025",
                 "--issuer", "Hội Khuyến học xã", "--summary", "Ảnh lễ khai mạc Tuần lễ học tập suốt đời"]) == 0
    assert main(["--db", db, "evidence", "edit", codes["QĐ 112-QĐ-UBND ngày 05.12.2025.pdf"], "--issuer",
                 "Ủy ban nhân dân xã", "--summary", "Quyết định công nhận"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "evidence", "incomplete"]) == 0
    assert capsys.readouterr().out.strip() == "Mọi minh chứng đã đủ thông tin."


def test_the_register_dialog(qtbot, workspace, files, monkeypatch):
    from PySide6.QtCore import QItemSelectionModel
    from PySide6.QtTest import QTest

    from tests.documents.test_cli_ui import type_into_cell, type_text
    from ui.context import AppContext
    from ui.evidence.register_dialog import RegisterDialog
    from ui.tasks import wait_for_idle

    monkeypatch.setattr("ui.dialogs.message_box", lambda *args, **kwargs: None)
    dialog = RegisterDialog(AppContext(workspace, YEAR))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.table.rowCount() == 3 and "3/6 minh chứng còn thiếu" in dialog.count.text()
    plan_row = next(r for r in range(3) if dialog.table.item(r, 1).text() == "ke-hoach.pdf")
    dialog.table.selectRow(plan_row)
    QTest.mouseClick(dialog.suggest_button, Qt.MouseButton.LeftButton)
    wait_for_idle()
    assert dialog.table.rowCount() == 2  # the plan is complete now and leaves the "missing" view
    dialog.only_missing.setChecked(False)
    assert dialog.table.rowCount() == 6
    photo_row = next(r for r in range(6) if dialog.table.item(r, 1).text() == "anh hoat dong.png")
    type_into_cell(dialog.table, photo_row, 5, "Ảnh Tuần lễ học tập suốt đời")
    wait_for_idle()
    photo = next(i for i in evidence_library.list_evidence(workspace, YEAR) if i.original_name == "anh hoat dong.png")
    assert photo.summary == "Ảnh Tuần lễ học tập suốt đời"
    dialog.table.clearSelection()
    for row in range(dialog.table.rowCount()):
        if dialog.table.item(row, 1).text() in ("anh hoat dong.png", "QĐ 112-QĐ-UBND ngày 05.12.2025.pdf"):
            index = dialog.table.model().index(row, 0)
            dialog.table.selectionModel().select(index, QItemSelectionModel.SelectionFlag.Select
                                                 | QItemSelectionModel.SelectionFlag.Rows)
    QTest.mouseClick(dialog.bulk_no_number, Qt.MouseButton.LeftButton)
    type_text(dialog.bulk_date, "05/12/2025")
    type_text(dialog.bulk_issuer, "Ủy ban nhân dân xã Kiến Hưng")
    QTest.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    wait_for_idle()
    assert reg.register_problems(workspace, YEAR) == [
        f"Minh chứng {i.code} (“{i.original_name}”): chưa có trích yếu." for i in evidence_library.list_evidence(workspace, YEAR)
        if i.original_name.startswith("QĐ")]
    assert "1/6 minh chứng còn thiếu" in dialog.count.text()


def test_the_evidence_page_opens_the_register(qtbot, workspace, monkeypatch):
    from PySide6.QtTest import QTest

    from ui.context import AppContext
    from ui.evidence.page import EvidencePage

    opened = []
    monkeypatch.setattr("ui.evidence.register_dialog.RegisterDialog.exec", lambda self: opened.append(self) or 0)
    page = EvidencePage(AppContext(workspace, YEAR))
    qtbot.addWidget(page)
    QTest.mouseClick(page.register_button, Qt.MouseButton.LeftButton)
    assert len(opened) == 1 and opened[0].table.rowCount() == 0  # the helpers' rows are all complete
