"""The `cdht report / collect / meeting / narrative` commands and the documents page (offscreen Qt)."""

from __future__ import annotations

import json

from app.cli import main
from app.services import documents as docs
from tests.documents.helpers import YEAR


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
    from app.services.workspace import Workspace

    ws = Workspace.open(ready_workspace.path)
    assert docs.recipients(ws, YEAR) == ["Sở Giáo dục và Đào tạo", "Phòng Văn hóa - Xã hội xã"]
    meeting = docs.review_meeting(ws, YEAR)
    assert meeting.chair_name == "Nguyễn Văn An" and meeting.attendees[0].organisation == "Hội Khuyến học xã"
    assert meeting.place == "Hội trường Ủy ban nhân dân xã Kiến Hưng"  # kept from the earlier record
    assert docs.document_texts(ws, YEAR)["recommendations"] == "Đề nghị hỗ trợ."
    ws.close()


def test_documents_page_saves_previews_and_prints(qtbot, ready_workspace, tmp_path):
    from PySide6.QtPrintSupport import QPrinter

    from ui.context import AppContext
    from ui.documents.page import DocumentsPage
    from ui.tasks import wait_for_idle

    ctx = AppContext(ready_workspace, YEAR)
    page = DocumentsPage(ctx)
    qtbot.addWidget(page)
    wait_for_idle()
    assert page.meeting.chair.text() == "Trịnh Thị Thu Huyền" and page.meeting.attendees.rowCount() == 3
    assert "12,5 km²" in page.narrative.editors["situation"].toPlainText()
    assert "thiếu minh chứng" in page.readiness.text()
    assert page.narrative.recipients.toPlainText() == ""
    assert "Sở Giáo dục và Đào tạo" in page.narrative.recipients.placeholderText()
    page.narrative.recipients.setPlainText("Sở Giáo dục và Đào tạo\nHội Cựu chiến binh xã")
    page.save_narrative()
    wait_for_idle()
    assert docs.recipients(ready_workspace, YEAR) == ["Sở Giáo dục và Đào tạo", "Hội Cựu chiến binh xã"]

    page.meeting.add_attendee("Hoàng Văn Nam", "Chủ tịch", "Hội Cựu chiến binh xã")
    page.save_meeting()
    wait_for_idle()
    assert docs.review_meeting(ready_workspace, YEAR).attendees[-1].name == "Hoàng Văn Nam"

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
