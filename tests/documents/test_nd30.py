"""The smaller NĐ 30/2020 points, measured on the PDFs: the rule under the trích yếu, quoted names kept on one line,
headings kept with their text, the closing page of a table holding more than the signature."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.documents import build_document, collect, render_dossier_pdfs
from app.documents.nd30 import summary_rule_width
from app.services.indicators import set_values
from tests.documents.helpers import YEAR, add_evidence
from tests.documents.test_fidelity import squash


@pytest.fixture
def dossier(ready_workspace, tmp_path):
    return ready_workspace, render_dossier_pdfs(ready_workspace, YEAR, tmp_path)


def lines_of(path: Path, page: int) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    return [line.strip() for line in text.replace("\u00a0", " ").splitlines() if line.strip()]


def horizontal_rules(path: Path, page: int = 0) -> list[tuple[float, float]]:
    """(length, y) of every horizontal line segment drawn on a page."""
    content = PdfReader(str(path)).pages[page].get_contents().get_data().decode("latin-1")
    segments = re.findall(r"([\d.]+) ([\d.]+) m ([\d.]+) ([\d.]+) l", content)
    return [(float(x1) - float(x0), float(y0)) for x0, y0, x1, y1 in segments if abs(float(y0) - float(y1)) < 0.01]


@pytest.mark.parametrize("key", ["to_trinh", "bao_cao", "tong_hop", "bien_ban", "danh_muc_minh_chung", "phan_cong"])
def test_the_rule_under_the_summary_is_a_third_to_a_half_of_its_line(dossier, key):
    ws, paths = dossier
    document = build_document(collect(ws, YEAR), key)
    reader = PdfReader(str(paths[key]))
    frame = float(reader.pages[0].mediabox.width) - (30 + 15) * 72 / 25.4 - 12
    expected = summary_rule_width(document, frame)
    rules = [length for length, _y in horizontal_rules(paths[key])]
    assert any(abs(length - expected) < 0.5 for length in rules), (key, expected, rules)
    # The longest summary line as printed, measured with pdftotext's word boxes.
    xml = subprocess.run(["pdftotext", "-bbox-layout", "-f", "1", "-l", "1", str(paths[key]), "-"],
                         capture_output=True, text=True, check=True).stdout
    widths = []
    for line in re.findall(r"<line xMin=\"([\d.]+)\" yMin=\"[\d.]+\" xMax=\"([\d.]+)\".*?</line>", xml, re.S):
        widths.append(float(line[1]) - float(line[0]))
    summary_words = set(document.summary.replace("\"", "").split())
    printed = []
    for block in re.findall(r"<line (.*?)</line>", xml, re.S):
        words = re.findall(r">([^<]+)</word>", block)
        if words and set(w.replace("“", "").replace("”", "") for w in words) <= {w.replace("“", "").replace("”", "")
                                                                              for w in summary_words}:
            x0, x1 = re.search(r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"', block).groups()
            printed.append(float(x1) - float(x0))
    assert printed, key
    assert 1 / 3 <= expected / max(printed) <= 1 / 2, (key, expected, max(printed))


def test_quoted_names_never_break_across_lines(dossier):
    _ws, paths = dossier
    for key, path in paths.items():
        for page in range(1, len(PdfReader(str(path)).pages) + 1):
            for line in lines_of(path, page):
                opened = line.rfind("“") > line.rfind("”")
                assert not opened or len(line) - line.rfind("“") > 26, (key, page, line)
    title = squash(" ".join(lines_of(paths["phan_cong"], 1)[:12]))
    assert squash("công nhận “Cộng đồng học tập” cấp xã năm 2025") in title


def test_headings_never_end_a_page(ready_workspace, tmp_path):
    ws = ready_workspace
    for indicator in ("1.1", "2.2", "3.1", "4.3", "5.2"):  # long texts move headings towards page feet
        set_values(ws, YEAR, indicator, {"situation": "Nội dung tình hình chi tiết của chỉ tiêu. " * 25})
    path = render_dossier_pdfs(ws, YEAR, tmp_path)["bao_cao"]
    pages = len(PdfReader(str(path)).pages)
    assert pages >= 6
    heading = re.compile(r"^([IVX]+\. |Tiêu chí \d\. |Chỉ tiêu \d\.\d\. |[12]\. (Ưu điểm|Hạn chế)$)")
    for page in range(1, pages):
        last = lines_of(path, page)[-1]
        assert not heading.match(last), (page, last)


@pytest.mark.parametrize("evidence", [0, 40, 120])
def test_the_table_closing_page_holds_rows_and_not_the_signature_alone(ready_workspace, tmp_path, evidence):
    for n in range(evidence):
        add_evidence(ready_workspace, YEAR, f"H5.2.{3 * n + 1:03d}", ["5.2"], number=f"{n}/QĐ", issued="2025-05-01",
                     issuer="UBND", summary="x")
    path = render_dossier_pdfs(ready_workspace, YEAR, tmp_path)["tong_hop"]
    pages = len(PdfReader(str(path)).pages)
    last = " ".join(lines_of(path, pages))
    assert "Trịnh Thị Thu Huyền" in last and "Kết luận:" in last
    assert "Kết quả chung" in last and ("5.2" in last or "5.1" in last)  # the table's last rows come with it
    if pages > 1:
        assert last.count("Tiêu chí, chỉ tiêu") == 1  # header row repeated above them
