"""The dossier PDFs: text read back matches the stored data and verdicts, fonts embedded, NĐ 30 details."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from app.documents import render_dossier_pdfs
from app.errors import InputError
from app.progress import ProgressState
from tests.documents.helpers import YEAR


def squash(text: str) -> str:
    """Text without any whitespace: table cells wrap words at different places than the source text."""
    return re.sub(r"\s+", "", text)


def pdf_text(path: Path, first: int | None = None, last: int | None = None, raw: bool = False) -> str:
    args = ["pdftotext", "-raw" if raw else "-layout"]
    if first:
        args += ["-f", str(first), "-l", str(last or first)]
    text = subprocess.run([*args, str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", " ", text)


def fonts(path: Path) -> list[tuple[str, str]]:
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    return [(line.split()[0], line.split()[-5]) for line in lines]


@pytest.fixture
def dossier(ready_workspace, tmp_path):
    progress = ProgressState()
    paths = render_dossier_pdfs(ready_workspace, YEAR, tmp_path / "out", progress=progress)
    assert progress.fraction == 1.0
    return ready_workspace, paths


def test_every_document_is_written_with_embedded_fonts_only(dossier, tmp_path):
    _ws, paths = dossier
    assert set(paths) == {"to_trinh", "bao_cao", "tong_hop", "bien_ban", "danh_muc_minh_chung", "phan_cong"}
    shots = tmp_path / "png"
    shots.mkdir()
    for key, path in paths.items():
        assert path.read_bytes().startswith(b"%PDF")
        used = fonts(path)
        assert used, key
        assert all(embedded == "yes" for _name, embedded in used), (key, used)
        assert all("LiberationSerif" in name for name, _ in used), (key, used)
        subprocess.run(["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "1", str(path), str(shots / key)], check=True)
    assert len(list(shots.glob("*.png"))) == 6
    assert not list(paths["to_trinh"].parent.glob("*.tmp"))


def test_figures_and_verdicts_come_from_the_assessment(dossier):
    ws, paths = dossier
    assessment = ws.assessment(YEAR)
    summary = pdf_text(paths["tong_hop"])
    for result in assessment.indicators.values():
        if result.figure and len(result.figure) < 30:
            assert result.figure in summary, result.figure
    assert "8.922/14.870 = 60,00%" in summary
    report = pdf_text(paths["bao_cao"])
    assert "Tỷ lệ 60,00% ≥ 60%" in report and "Tỷ lệ 60,00% < 80%" in report
    assert "Mới đạt chuẩn mức độ 2, yêu cầu mức độ 3" in report
    assert "đạt 5/5 tiêu chí, 15/15 chỉ tiêu; kết quả: Đạt" in report
    assert "đạt 3/5 tiêu chí, 12/15 chỉ tiêu; kết quả: Không đạt" in report
    assert "Xã Kiến Hưng có diện tích tự nhiên 12,5 km², dân số 14.870 người." in report
    assert "Nghị định số 142/2025/NĐ-CP" in report and "26/2025/TT-BGDĐT" in report
    assert "H1.1.01" in report and "H9.9.99" not in report


def test_to_trinh_layout_and_request(dossier):
    _ws, paths = dossier
    first = pdf_text(paths["to_trinh"], 1)
    assert "ỦY BAN NHÂN DÂN" in first and "XÃ KIẾN HƯNG" in first
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in first and "Độc lập - Tự do - Hạnh phúc" in first
    assert re.search(r"Số:\s+/TTr-UBND", first)
    assert "Kiến Hưng, ngày 05 tháng 02 năm 2026" in first
    assert "TỜ TRÌNH" in first and "Kính gửi: Sở Giáo dục và Đào tạo." in first
    assert "đạt chuẩn “Cộng đồng học tập” cấp xã mức độ 1 năm 2025" in first
    assert not first.strip().startswith("1 ")
    whole = pdf_text(paths["to_trinh"])
    assert "KT. CHỦ TỊCH" in whole and "PHÓ CHỦ TỊCH" in whole and "Trịnh Thị Thu Huyền" in whole
    assert "Nơi nhận:" in whole and "Lưu: VT, VHXH." in whole


def test_page_numbers_start_on_page_two(dossier):
    _ws, paths = dossier
    page_two = subprocess.run(["pdftotext", "-f", "2", "-l", "2", str(paths["bao_cao"]), "-"],
                              capture_output=True, text=True, check=True).stdout
    assert page_two.strip().splitlines()[0].strip() == "2"
    page_one = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(paths["bao_cao"]), "-"],
                              capture_output=True, text=True, check=True).stdout
    assert page_one.strip().splitlines()[0].strip() != "1"


def test_minutes_evidence_list_and_assignments(dossier):
    _ws, paths = dossier
    minutes = pdf_text(paths["bien_ban"])
    assert re.search(r"Số:\s+/BB-UBND", minutes)
    assert "Vào hồi 08 giờ 00 phút, ngày 20 tháng 01 năm 2026" in minutes
    assert "Lê Thị Hằng, Chủ tịch, Hội Khuyến học xã" in minutes and "Ủy ban MTTQ Việt Nam xã" in minutes
    assert "THƯ KÝ" in minutes and "CHỦ TRÌ" in minutes and "Nguyễn Văn Đức" in minutes
    evidence = pdf_text(paths["danh_muc_minh_chung"])
    assert "H1.1.01" in evidence and "45/KH-UBND" in evidence and "10/02/2025" in evidence
    assert "H9.9.99" not in evidence and "Tổng số: 3 minh chứng." in evidence
    assert evidence.index("H1.1.01") < evidence.index("H1.2.09") < evidence.index("H5.1.01")
    plan = squash(pdf_text(paths["phan_cong"], raw=True))
    assert squash("Trung tâm Dịch vụ sự nghiệp công") in plan and "30/11/2025" in plan
    assert squash("Chưa phân công") in plan


def test_level_above_what_is_met_is_refused(ready_workspace, tmp_path):
    with pytest.raises(InputError, match="mức độ 2"):
        render_dossier_pdfs(ready_workspace, YEAR, tmp_path, level=2)
    assert not list(tmp_path.glob("*.pdf"))


def test_documents_follow_the_data(ready_workspace, tmp_path):
    ready_workspace.set_values(YEAR, "5.1", {"achieved": 8921})
    assert ready_workspace.assessment(YEAR).level == 0
    with pytest.raises(InputError, match="chưa đạt mức độ 1"):
        render_dossier_pdfs(ready_workspace, YEAR, tmp_path)
    from app.services import documents as docs

    meeting = docs.review_meeting(ready_workspace, YEAR)
    docs.save_review_meeting(ready_workspace, YEAR, docs.meeting_from_json({**meeting.to_json(), "level_agreed": None}))
    paths = render_dossier_pdfs(ready_workspace, YEAR, tmp_path)
    summary = pdf_text(paths["tong_hop"])
    assert "8.921/14.870 = 59,99%" in summary and "chưa đủ điều kiện" in summary
    assert "chưa đủ điều kiện đề nghị công nhận" in pdf_text(paths["to_trinh"])


def test_signer_title_chu_tich(ready_workspace, tmp_path):
    ready_workspace.update_profile(signer_title="Chủ tịch", signer_name="Nguyễn Văn An")
    paths = render_dossier_pdfs(ready_workspace, YEAR, tmp_path)
    text = squash(pdf_text(paths["to_trinh"], raw=True))
    assert squash("TM. ỦY BAN NHÂN DÂN CHỦ TỊCH") in text and "KT." not in text and squash("Nguyễn Văn An") in text
