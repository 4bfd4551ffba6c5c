"""Word drafts and the Excel summary: reopened with python-docx / openpyxl, converted by LibreOffice."""

from __future__ import annotations

import shutil
import subprocess

import docx
from docx.shared import Mm
from openpyxl import load_workbook

from app.documents import write_all_documents, write_docx_drafts, write_summary_xlsx
from tests.documents.helpers import YEAR


def test_word_drafts_have_the_nd30_layout(ready_workspace, tmp_path):
    paths = write_docx_drafts(ready_workspace, YEAR, tmp_path)
    assert set(paths) == {"to_trinh", "bao_cao", "bien_ban"}
    document = docx.Document(str(paths["to_trinh"]))
    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(1) and abs(section.page_height - Mm(297)) < Mm(1)
    assert abs(section.left_margin - Mm(30)) < Mm(1) and abs(section.right_margin - Mm(15)) < Mm(1)
    assert abs(section.top_margin - Mm(20)) < Mm(1) and section.different_first_page_header_footer
    assert document.styles["Normal"].font.name == "Times New Roman"
    header = document.tables[0]
    assert "XÃ KIẾN HƯNG" in header.cell(0, 0).text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header.cell(0, 1).text
    assert "Kiến Hưng, ngày 05 tháng 02 năm 2026" in header.cell(1, 1).text
    body = "\n".join(p.text for p in document.paragraphs)
    assert "TỜ TRÌNH" in body and "mức độ 1" in body
    closing = document.tables[-1]
    assert "Nơi nhận:" in closing.cell(0, 0).text and "KT. CHỦ TỊCH" in closing.cell(0, 1).text
    report = docx.Document(str(paths["bao_cao"]))
    assert "8.922/14.870 = 60,00%" in "\n".join(p.text for p in report.paragraphs)


def test_summary_workbook_matches_the_assessment(ready_workspace, tmp_path):
    path = write_summary_xlsx(ready_workspace, YEAR, tmp_path / "tong_hop.xlsx")
    sheet = load_workbook(path).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]
    assessment = ready_workspace.assessment(YEAR)
    assert assessment.indicators["5.1"].figure in values
    assert assessment.indicators["5.2"].figure in values
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "5.1")
    assert row[3:5] == ("Đạt", "Không đạt") and row[5] == "H5.1.01"
    assert "ỦY BAN NHÂN DÂN XÃ KIẾN HƯNG" in values


def test_libreoffice_converts_the_workbooks(ready_workspace, tmp_path):
    written = write_all_documents(ready_workspace, YEAR, tmp_path / "out")
    soffice = shutil.which("libreoffice") or shutil.which("soffice")
    assert soffice, "LibreOffice is required for this check (apt-get install libreoffice-calc-nogui)"
    profile = tmp_path / "lo-profile"
    result = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path / "pdf"), str(written["tong_hop.xlsx"])],
        capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    converted = tmp_path / "pdf" / "tong_hop_2025.pdf"
    text = subprocess.run(["pdftotext", str(converted), "-"], capture_output=True, text=True, check=True).stdout
    assert "8.922/14.870=60,00%" in "".join(text.split())
