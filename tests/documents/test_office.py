"""Word drafts and Excel workbooks as an office prints them: reopened with python-docx / openpyxl and converted by
LibreOffice (page counts, whole titles, no text printed over text, no page holding only the signature)."""

from __future__ import annotations

import datetime as dt
import zipfile

import docx
import pytest
from docx.shared import Mm
from openpyxl import load_workbook

from app.documents import build_document, collect, write_all_documents, write_docx_drafts, write_summary_xlsx
from app.documents.collection import write_collection_workbooks
from app.documents.xlsx_layout import INTEGER_FORMAT, PERCENT_FORMAT
from tests.documents.helpers import YEAR
from tests.documents.office import (
    all_text,
    body_left,
    libreoffice_pdfs,
    overlapping_words,
    page_count,
    page_text,
    squash,
)


def test_word_drafts_have_the_nd30_layout(ready_workspace, tmp_path):
    paths = write_docx_drafts(ready_workspace, YEAR, tmp_path)
    assert set(paths) == {"to_trinh", "bao_cao", "bien_ban"}
    document = docx.Document(str(paths["to_trinh"]))
    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(1) and abs(section.page_height - Mm(297)) < Mm(1)
    assert abs(section.left_margin - Mm(30)) < Mm(1) and abs(section.right_margin - Mm(15)) < Mm(1)
    assert abs(section.top_margin - Mm(20)) < Mm(1) and section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml and not section.first_page_header.paragraphs[0].text
    assert document.styles["Normal"].font.name == "Times New Roman"
    header = document.tables[0]
    assert "XÃ KIẾN HƯNG" in header.cell(0, 0).text and "Số: 05/TTr-UBND" in header.cell(1, 0).text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header.cell(0, 1).text
    assert "Kiến Hưng, ngày 05 tháng 02 năm 2026" in header.cell(1, 1).text
    body = [p for p in document.paragraphs if p.text.strip()]
    assert "TỜ TRÌNH" in "\n".join(p.text for p in body) and "mức độ 1" in body[-1].text
    assert body[-1].paragraph_format.keep_with_next and body[-1].paragraph_format.keep_together
    assert body[-2].paragraph_format.keep_with_next
    closing = document.tables[-1]
    assert "Nơi nhận:" in closing.cell(0, 0).text and "KT. CHỦ TỊCH" in closing.cell(0, 1).text
    assert all(p.paragraph_format.keep_with_next for p in closing.cell(0, 1).paragraphs)
    report = docx.Document(str(paths["bao_cao"]))
    headings = [p for p in report.paragraphs if p.text.startswith(("I. ", "IV. ", "Tiêu chí 1.", "Chỉ tiêu 1.1."))]
    assert len(headings) == 4 and all(p.paragraph_format.keep_with_next for p in headings)


def test_word_core_properties_are_honest(ready_workspace, tmp_path):
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    path = write_docx_drafts(ready_workspace, YEAR, tmp_path)["bien_ban"]
    core = docx.Document(str(path)).core_properties
    assert core.author == core.last_modified_by == "Ủy ban nhân dân xã Kiến Hưng"
    assert core.title.startswith("BIÊN BẢN Họp xét kết quả tự đánh giá")
    assert core.created.replace(tzinfo=dt.UTC) >= before
    assert core.comments == "" and core.language == "vi-VN"
    with zipfile.ZipFile(path) as package:
        names = package.namelist()
        app = package.read("docProps/app.xml").decode()
        everything = b"".join(package.read(n) for n in names if n.endswith((".xml", ".rels")))
    assert "<Application>CĐHT xã</Application>" in app and "Ủy ban nhân dân xã Kiến Hưng" in app
    assert b"Macintosh" not in everything and b"python-docx" not in everything and b"2013-12-23" not in everything
    assert "docProps/thumbnail.jpeg" not in names


def test_summary_workbook_has_numbers_header_and_signer(ready_workspace, tmp_path):
    path = write_summary_xlsx(ready_workspace, YEAR, tmp_path / "tong_hop.xlsx")
    sheet = load_workbook(path).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]
    for text in ("ỦY BAN NHÂN DÂN", "XÃ KIẾN HƯNG", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                 "Kiến Hưng, ngày 05 tháng 02 năm 2026", "TM. ỦY BAN NHÂN DÂN", "PHÓ CHỦ TỊCH", "Trịnh Thị Thu Huyền"):
        assert text in values, text
    assert "(Kèm theo Tờ trình số 05/TTr-UBND ngày 05/02/2026 của Ủy ban nhân dân xã Kiến Hưng)" in values
    row = next(r for r in sheet.iter_rows() if r[0].value == "5.1")
    achieved, total, rate = row[3], row[4], row[5]
    assert (achieved.value, total.value, rate.value) == (8922, 14870, 0.6)
    assert achieved.number_format == total.number_format == INTEGER_FORMAT and rate.number_format == PERCENT_FORMAT
    assert [c.value for c in row[6:9]] == ["Đạt", "Không đạt", "H5.1.01"]
    trained = next(r for r in sheet.iter_rows() if r[0].value == "5.2")
    assert (trained[3].value, trained[5].value) == (7900, 0.5312)  # 53,1271…% cut, not rounded
    assert not any(isinstance(v, str) and "/14.870" in v for v in values)  # figures are numbers, not text
    setup = sheet.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 0)
    assert sheet.print_title_rows and round(sheet.page_margins.left * 25.4) == 30
    assert all(sheet.row_dimensions[r].height for r in range(1, sheet.max_row + 1) if any(
        c.value for c in sheet[r]))


def _document_closing(ws, key: str) -> list[str]:
    document = build_document(collect(ws, YEAR), key)
    closing = ["Nơi nhận:", *(f"- {r}" for r in document.recipients)]
    for signer in (document.signer, document.left_signer):
        if signer is not None:
            closing += [*signer.lines, signer.name]
    return closing


def test_libreoffice_prints_every_workbook_and_draft_whole(ready_workspace, tmp_path):
    written = write_all_documents(ready_workspace, YEAR, tmp_path / "out")
    units = write_collection_workbooks(ready_workspace, YEAR, tmp_path / "units")
    sources = [written["to_trinh.docx"], written["bao_cao.docx"], written["bien_ban.docx"], written["tong_hop.xlsx"],
               *units.values()]
    pdfs = libreoffice_pdfs(sources, tmp_path)
    shots = tmp_path / "png"
    shots.mkdir()
    for source, pdf in pdfs.items():
        assert overlapping_words(pdf) == [], source.name
    # The summary: two landscape pages, titles whole, numbers shown the Vietnamese way.
    summary = pdfs[written["tong_hop.xlsx"]]
    assert page_count(summary) <= 3
    first = squash(page_text(summary, 1))
    for title in ("BẢN TỔNG HỢP", "Kết quả đánh giá các tiêu chí, chỉ tiêu “Cộng đồng học tập” cấp xã năm 2025",
                  "(Kèm theo Tờ trình số 05/TTr-UBND ngày 05/02/2026 của Ủy ban nhân dân xã Kiến Hưng)"):
        assert squash(title) in first, title
    everything = squash(all_text(summary)).replace("“", '"').replace("”", '"')
    assert "8.922" in everything and "14.870" in everything and "60,00%" in everything and "53,12%" in everything
    for indicator in ready_workspace.catalogue(YEAR).indicators:  # no indicator text cut by a short row
        assert squash(indicator.text) in everything, indicator.id
    # Unit workbooks: each sheet one page wide, the title and the instruction whole.
    for unit, path in units.items():
        pdf = pdfs[path]
        text = squash(all_text(pdf))
        assert squash("ỦY BAN NHÂN DÂN XÃ KIẾN HƯNG") in text and squash(f"Đơn vị chủ trì: {unit}.") in text
        assert squash("Hướng dẫn: chỉ nhập vào các ô màu vàng ở cột D.") in text
        assert squash("không nhập dấu chấm phân cách hàng nghìn dạng văn bản.") in text
        sheets = len(load_workbook(path).sheetnames) - 1
        assert page_count(pdf) == sheets, (unit, page_count(pdf), sheets)
    # Word drafts: no page that holds only the signature block.
    for key in ("to_trinh", "bao_cao", "bien_ban"):
        pdf = pdfs[written[f"{key}.docx"]]
        document = build_document(collect(ready_workspace, YEAR), key)
        first_page = squash(page_text(pdf, 1, raw=True)).replace('"', "")
        for title in (document.type_title, document.summary, document.number_line, document.place_date):
            assert squash(title).replace("“", "").replace("”", "").replace('"', "") in first_page.replace(
                "“", "").replace("”", ""), (key, title)
        closing = _document_closing(ready_workspace, key)
        for page in range(1, page_count(pdf) + 1):
            assert len(body_left(page_text(pdf, page), closing)) > 40, (key, page)
    import subprocess

    for pdf in pdfs.values():
        subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(shots / pdf.stem)], check=True)
    assert len(list(shots.glob("*.png"))) >= len(pdfs)


@pytest.mark.parametrize("count", [60])
def test_crowded_summary_rows_never_overlap(ready_workspace, tmp_path, count):
    from tests.documents.helpers import add_evidence

    for n in range(count):  # a long evidence list in one cell: its row must grow, not spill over the next rows
        add_evidence(ready_workspace, YEAR, f"H5.2.{2 * n + 1:03d}", ["5.2"], number=f"{n}/QĐ", issued="2025-05-01",
                     issuer="UBND", summary="x")
    path = write_summary_xlsx(ready_workspace, YEAR, tmp_path / "tong_hop.xlsx")
    pdf = libreoffice_pdfs([path], tmp_path)[path]
    assert overlapping_words(pdf) == []
    assert squash("Trịnh Thị Thu Huyền") in squash(all_text(pdf))
    for page in range(1, page_count(pdf) + 1):  # no page with only the signature
        assert len(body_left(page_text(pdf, page), ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH",
                                                    "Trịnh Thị Thu Huyền"])) > 40


def test_the_overlap_check_catches_rows_without_computed_heights(ready_workspace, tmp_path, monkeypatch):
    """Without the computed row heights (as before), LibreOffice prints wrapped text over the next rows."""
    import app.documents.xlsx_summary as summary

    monkeypatch.setattr(summary, "fit_row_heights", lambda sheet: None)
    path = write_summary_xlsx(ready_workspace, YEAR, tmp_path / "tong_hop.xlsx")
    assert overlapping_words(libreoffice_pdfs([path], tmp_path)[path])
