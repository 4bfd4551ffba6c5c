"""The `cdht report / collect / meeting / narrative` commands and the documents page (offscreen Qt)."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from app.cli import main
from app.documents import texts as doc_texts
from tests.documents.helpers import YEAR
from tests.ui.conftest import type_text  # the documents tests type through this one


def test_cli_report_collect_and_meeting(ready_workspace, tmp_path, capsys):
    db = str(ready_workspace.path)
    ready_workspace.close()
    out = tmp_path / "hoso"
    assert main(["--db", db, "report", "--year", str(YEAR), "--out", str(out)]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([f"{k}_{YEAR}.pdf" for k in ("to_trinh", "bao_cao", "tong_hop", "bien_ban",
                                                          "danh_muc_minh_chung", "phan_cong")]
                           + [f"{k}_{YEAR}.docx" for k in ("to_trinh", "bao_cao", "bien_ban")] + [f"tong_hop_{YEAR}.xlsx"])
    assert main(["--db", db, "report", "--year", str(YEAR), "--out", str(out), "--level", "2"]) == 1
    assert "không thể đề nghị công nhận mức độ 2" in capsys.readouterr().err

    assert main(["--db", db, "collect", "export", "--year", str(YEAR), "--out", str(tmp_path / "phieu"),
                 "--unit", "Hội Khuyến học"]) == 0
    book = next((tmp_path / "phieu").glob("*.xlsx"))
    assert main(["--db", db, "collect", "import", str(book)]) == 0
    assert "không có gì thay đổi" in capsys.readouterr().out
    (tmp_path / "x.xlsx").write_bytes(b"PK\x03\x04 broken")
    assert main(["--db", db, "collect", "import", str(tmp_path / "x.xlsx")]) == 1
    assert "không phải sổ Excel" in capsys.readouterr().err

    meeting_file = tmp_path / "hop.json"
    meeting_file.write_text(json.dumps({"meeting_date": "22/01/2026", "chair_name": "Nguyễn Văn An",
                                        "conclusions": "Thống nhất."}, ensure_ascii=False), encoding="utf-8")
    assert main(["--db", db, "meeting", "set", "--year", str(YEAR), "--json", str(meeting_file),
                 "--attendee", "Lê Thị Hằng|Chủ tịch|Hội Khuyến học xã", "--level", "1"]) == 0
    assert main(["--db", db, "narrative", "set", "--year", str(YEAR), "kien_nghi=x"]) == 1
    assert main(["--db", db, "narrative", "set", "--year", str(YEAR), "recommendations=Đề nghị hỗ trợ."]) == 0
    capsys.readouterr()
    assert main(["--db", db, "recipients", "show", "--year", str(YEAR)]) == 0
    shown = capsys.readouterr().out
    assert "(danh sách thường dùng)" in shown and "- Sở Giáo dục và Đào tạo;" in shown and "- Lưu: VT, VHXH." in shown
    assert main(["--db", db, "recipients", "set", "--year", str(YEAR), "Sở Giáo dục và Đào tạo",
                 "Phòng Văn hóa - Xã hội xã"]) == 0
    assert main(["--db", db, "recipients", "show", "--year", str(YEAR)]) == 0
    shown = capsys.readouterr().out
    assert "- Phòng Văn hóa - Xã hội xã;" in shown and shown.strip().endswith("- Lưu: VT, VHXH.")
    assert "thường dùng" not in shown and "TT Đảng ủy" not in shown
    assert main(["--db", db, "recipients", "set", "--year", str(YEAR), "--clear", "X"]) == 1
    assert "--clear" in capsys.readouterr().err
    from app.storage.workspace import Workspace

    ws = Workspace.open(ready_workspace.path)
    assert doc_texts.recipients(ws, YEAR) == ["Sở Giáo dục và Đào tạo", "Phòng Văn hóa - Xã hội xã"]
    meeting = doc_texts.review_meeting(ws, YEAR)
    assert meeting.chair_name == "Nguyễn Văn An" and meeting.attendees[0].organisation == "Hội Khuyến học xã"
    assert meeting.place == "Hội trường Ủy ban nhân dân xã Kiến Hưng"  # kept from the earlier record
    assert doc_texts.document_texts(ws, YEAR)["recommendations"] == "Đề nghị hỗ trợ."
    ws.close()


def type_into_cell(table, row: int, column: int, text: str) -> None:
    """Open a table cell's editor as a double click does, type, and press Enter."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QLineEdit


    table.setCurrentCell(row, column)
    table.editItem(table.item(row, column))
    editors = [w for w in table.viewport().findChildren(QLineEdit) if w.isVisible()]
    assert len(editors) == 1, editors
    editor = editors[0]
    editor.selectAll()
    type_text(editor, text)
    QTest.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()  # the delegate commits the edit on the next turn of the event loop
    assert table.item(row, column).text() == text


def retype(widget, text: str) -> None:
    """Select what a field holds and type over it."""

    widget.setFocus()
    widget.selectAll()
    type_text(widget, text)


def test_documents_page_saves_as_typed_previews_and_prints(qtbot, ready_workspace, tmp_path, monkeypatch):
    from PySide6.QtPrintSupport import QPrinter
    from PySide6.QtTest import QTest

    from ui.context import AppContext
    from ui.documents.page import DocumentsPage
    from ui.tasks import wait_for_idle

    ctx = AppContext(ready_workspace, YEAR)
    page = DocumentsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    wait_for_idle()
    assert page.meeting.chair.text() == "Trịnh Thị Thu Huyền" and page.meeting.attendees.rowCount() == 8
    assert "đủ theo Điều 9" in page.meeting.composition.text()
    assert "12,5 km²" in page.narrative.editors["situation"].toPlainText()
    assert "thiếu minh chứng" in page.readiness.text()
    assert page.narrative.recipients.toPlainText() == ""
    assert "Sở Giáo dục và Đào tạo" in page.narrative.recipients.placeholderText()
    type_text(page.narrative.recipients, "Sở Giáo dục và Đào tạo\nHội Cựu chiến binh xã")
    qtbot.waitUntil(lambda: doc_texts.recipients(ready_workspace, YEAR) == ["Sở Giáo dục và Đào tạo",
                                                                        "Hội Cựu chiến binh xã"], timeout=3000)

    # The meeting: a new row typed cell by cell, its role chosen, marked absent with a reason.
    form = page.meeting
    page.tabs.setCurrentIndex(1)
    QTest.mouseClick(next(b for b in form.buttons if b.text() == "Thêm người dự họp"), Qt.MouseButton.LeftButton)
    row = form.attendees.rowCount() - 1
    type_into_cell(form.attendees, row, 0, "Hoàng Văn Nam")
    assert "Chưa thành biên bản" not in form.draft_note.text()
    type_into_cell(form.attendees, row, 1, "Phó Chủ tịch")
    type_into_cell(form.attendees, row, 2, "Hội Cựu chiến binh xã")
    form.attendees.cellWidget(row, 3).setCurrentIndex(form.attendees.cellWidget(row, 3).findData("to_chuc_ctxh"))
    form.attendees.item(row, 4).setCheckState(Qt.CheckState.Unchecked)
    wait_for_idle()
    assert "hãy ghi lý do vắng mặt" in form.draft_note.text() and form.draft_note.isVisible()  # kept as typed
    assert "đang nhập dở" in page.readiness.text()
    last_valid = doc_texts.review_meeting(ready_workspace, YEAR).attendees[-1]  # the record stays the last valid one
    assert (last_valid.name, last_valid.role, last_valid.present) == ("Hoàng Văn Nam", "to_chuc_ctxh", True)
    type_into_cell(form.attendees, row, 5, "ốm")
    wait_for_idle()
    added = doc_texts.review_meeting(ready_workspace, YEAR).attendees[-1]
    assert (added.name, added.title, added.organisation, added.role, added.present, added.absence_reason) == (
        "Hoàng Văn Nam", "Phó Chủ tịch", "Hội Cựu chiến binh xã", "to_chuc_ctxh", False, "ốm")
    assert not form.draft_note.isVisible()

    # The composition check shows what Điều 9.1.c still lacks, and "add the required rows" fills the gaps.
    union = next(r for r in range(form.attendees.rowCount()) if form.attendees.item(r, 2).text().startswith("Công đoàn"))
    form.attendees.selectRow(union)
    QTest.mouseClick(form.remove_button, Qt.MouseButton.LeftButton)
    wait_for_idle()
    assert "Công đoàn xã" in form.composition.text()
    QTest.mouseClick(form.complete_button, Qt.MouseButton.LeftButton)
    assert form.attendees.item(form.attendees.rowCount() - 1, 2).text() == "Công đoàn xã"
    type_into_cell(form.attendees, form.attendees.rowCount() - 1, 0, "Phạm Thị Mai")
    wait_for_idle()
    assert "đủ theo Điều 9" in form.composition.text()

    # Numbers and dates: typed on their tab, stored normalised, shown normalised once the field is left.
    numbers = page.numbers
    page.tabs.setCurrentIndex(2)
    retype(numbers.numbers["to_trinh"], "9/TTr-UBND")
    retype(numbers.dates["to_trinh"], "6/2/2026")  # leaving the number stores it at once
    qtbot.waitUntil(lambda: doc_texts.document_texts(ready_workspace, YEAR)["date.to_trinh"] == "2026-02-06", timeout=3000)
    texts = doc_texts.document_texts(ready_workspace, YEAR)
    assert texts["number.to_trinh"] == "09" and numbers.numbers["to_trinh"].text() == "09"
    retype(numbers.dates["bao_cao"], "6/2/26")
    numbers.plan_summary.setFocus()
    wait_for_idle()
    assert numbers.dates["to_trinh"].text() == "06/02/2026"
    assert doc_texts.document_texts(ready_workspace, YEAR)["date.bao_cao"] == "2026-02-05"  # refused, unchanged
    assert numbers.dates["bao_cao"].text() == "6/2/26" and numbers.dates["bao_cao"].property("invalid")
    assert page.problem.text() == ("Chưa lưu: Ngày ký Báo cáo không hợp lệ: “6/2/26”: năm phải ghi đủ 4 chữ số "
                                   "(ví dụ 2026, không phải 26).")
    assert page.unsaved() == [f"Ngày ký Báo cáo “6/2/26”: {page.problem.text().removeprefix('Chưa lưu: ')}"]
    retype(numbers.dates["bao_cao"], "06/02/2026")
    numbers.plan_summary.setFocus()
    wait_for_idle()
    assert doc_texts.document_texts(ready_workspace, YEAR)["date.bao_cao"] == "2026-02-06"
    assert not page.problem.isVisible() and not numbers.dates["bao_cao"].property("invalid") and not page.unsaved()

    # Căn cứ: the suggestions print only once confirmed on this tab.
    assert {"nd142-2025", "tt11-2025", "tt15-2025"} <= set(numbers.suggestion_buttons)
    assert not any("142/2025" in numbers.bases.item(i).text() for i in range(numbers.bases.count()))
    QTest.mouseClick(numbers.suggestion_buttons["tt15-2025"], Qt.MouseButton.LeftButton)
    wait_for_idle()
    assert any("Thông tư số 15/2025/TT-BGDĐT" in numbers.bases.item(i).text() for i in range(numbers.bases.count()))
    assert "tt15-2025" not in numbers.suggestion_buttons

    page.document.setCurrentIndex(page.document.findData("tong_hop"))
    page.generate_preview()
    wait_for_idle()
    assert page.pdf.pageCount() >= 2 and page.print_button.isEnabled()
    assert not page.save_docx_button.isEnabled()

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    page.paint_pages(printer)
    from pypdf import PdfReader

    assert len(PdfReader(str(tmp_path / "printed.pdf")).pages) == page.pdf.pageCount()
