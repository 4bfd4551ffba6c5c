"""The dossier PDFs: text read back matches the stored data and verdicts, fonts embedded, NĐ 30 details."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from app.documents import render_dossier_pdfs
from app.errors import InputError
from app.progress import ProgressState
from app.services import documents as docs
from app.services.indicators import set_values
from app.services.profile import update_profile
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
    summary = pdf_text(paths["tong_hop"])
    assert "8.922/14.870 = 60,00%" in summary
    assert squash("Được đào tạo: 7.900/14.870 = 53,12%; trong đó đại học trở lên: 1.900/14.870 = 12,77%") in squash(
        pdf_text(paths["tong_hop"], raw=True))
    assert "ĐH trở lên" not in summary and "Đạt chuẩn mức độ 3" in summary
    assert "không làm tròn" in summary  # 53,12% and 12,77% lost digits: the documents say so
    report = pdf_text(paths["bao_cao"])
    assert "mức độ 1: Đạt (tỷ lệ 60,00% ≥ 60%); mức độ 2: Không đạt (tỷ lệ 60,00% < 80%)." in report
    assert "mức độ 1: Đạt (mới đạt chuẩn mức độ 2, yêu cầu mức độ 2)" not in report
    assert "(đạt chuẩn mức độ 2, yêu cầu mức độ 2)" in report  # 4.3: no brackets inside brackets
    assert not re.search(r"\([^()]*\([^()]*\)[^()]*\)", report), "nested brackets"
    assert "đạt 5/5 tiêu chí, 15/15 chỉ tiêu; kết quả: Đạt" in report
    assert "đạt 3/5 tiêu chí, 12/15 chỉ tiêu; kết quả: Không đạt" in report
    assert "Xã Kiến Hưng có diện tích tự nhiên 12,5 km², dân số 14.870 người." in report
    assert "Quyết định công nhận: Quyết định số 12/QĐ-UBND ngày 15/12/2025." in report
    assert "H1.1.01" in report and "H9.9.99" not in report


def test_legal_bases_are_the_communes_and_the_last_ends_with_a_full_stop(dossier):
    ws, paths = dossier
    report = pdf_text(paths["bao_cao"])
    plan = "Kế hoạch số 46/KH-UBND ngày 01/03/2025 của Ủy ban nhân dân xã Kiến Hưng về xây dựng “Cộng đồng học tập” năm 2025."
    assert squash(plan) in squash(report)
    assert "Nghị định số 142/2025/NĐ-CP" not in report  # a suggestion until the commune confirms it

    docs.confirm_legal_basis(ws, "nd142-2025")
    again = pdf_text(render_dossier_pdfs(ws, YEAR, paths["bao_cao"].parent / "again")["bao_cao"])
    assert "Nghị định số 142/2025/NĐ-CP ngày 12/6/2025" in again and "Thông tư số 15/2025" not in again
    order = [again.index(t) for t in ("Thông tư số 25/2023", "Kế hoạch số 46/KH-UBND", "Nghị định số 142/2025")]
    assert order == sorted(order)
    assert squash("phương 02 cấp trong lĩnh vực quản lý nhà nước của Bộ Giáo dục và Đào tạo.") in squash(again)
    to_trinh = pdf_text(paths["to_trinh"])
    assert squash("Căn cứ kết quả tự đánh giá và Biên bản số 07/BB-UBND ngày 20/01/2026") in squash(to_trinh)
    assert squash("của Ủy ban nhân dân xã Kiến Hưng. Ủy ban nhân dân xã Kiến Hưng đã tổ chức") in squash(to_trinh)


def test_to_trinh_layout_and_request(dossier):
    _ws, paths = dossier
    first = pdf_text(paths["to_trinh"], 1)
    assert "ỦY BAN NHÂN DÂN" in first and "XÃ KIẾN HƯNG" in first
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in first and "Độc lập - Tự do - Hạnh phúc" in first
    assert "Số: 05/TTr-UBND" in first  # "5" typed, printed with NĐ 30's leading zero
    assert "Kiến Hưng, ngày 05 tháng 02 năm 2026" in first
    assert "TỜ TRÌNH" in first and "Kính gửi: Sở Giáo dục và Đào tạo." in first
    whole = pdf_text(paths["to_trinh"])
    request = "kính trình Sở Giáo dục và Đào tạo xem xét"
    assert whole.count(request) == 1 and "đạt chuẩn “Cộng đồng học tập” cấp xã mức độ 1 năm 2025./." in whole
    assert "Báo cáo số 06/BC-UBND ngày 05/02/2026" in whole and "Danh mục minh chứng (3 minh chứng)." in whole
    assert "KT. CHỦ TỊCH" in whole and "PHÓ CHỦ TỊCH" in whole and "Trịnh Thị Thu Huyền" in whole
    assert "Nơi nhận:" in whole and "Lưu: VT, VHXH." in whole
    assert not first.strip().startswith("1 ")


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
    assert "Số: 07/BB-UBND" in minutes and "Kiến Hưng, ngày 20 tháng 01 năm 2026" in minutes
    assert "Vào hồi 08 giờ 00 phút, ngày 20 tháng 01 năm 2026" in minutes
    assert "Lê Thị Hằng, Chủ tịch Hội Khuyến học xã" in minutes and "|" not in minutes
    assert "3. Thành phần tham dự: 7 đại biểu:" in minutes
    assert "4. Vắng mặt: 1 đại biểu: - Vũ Văn Hùng, Chủ tịch Hội Nông dân xã, lý do: đi công tác." in minutes
    assert "THƯ KÝ" in minutes and "CHỦ TRÌ" in minutes and "Nguyễn Văn Đức" in minutes
    assert minutes.count("Cuộc họp thống nhất đề nghị công nhận xã Kiến Hưng") == 1
    evidence = pdf_text(paths["danh_muc_minh_chung"])
    assert "H1.1.01" in evidence and "45/KH-UBND" in evidence and "10/02/2025" in evidence
    assert "H9.9.99" not in evidence and "Tổng số: 3 minh chứng." in evidence
    assert evidence.index("H1.1.01") < evidence.index("H1.2.09") < evidence.index("H5.1.01")
    assert "(Kèm theo Tờ trình số 05/TTr-UBND ngày 05/02/2026 của Ủy ban nhân dân xã Kiến Hưng)" in evidence
    plan = squash(pdf_text(paths["phan_cong"], raw=True))
    assert squash("Trung tâm Dịch vụ sự nghiệp công") in plan and "30/11/2025" in plan
    assert squash("Chưa phân công") not in plan
    assert squash("(Kèm theo Kế hoạch số 46/KH-UBND ngày 01/03/2025 của Ủy ban nhân dân xã Kiến Hưng)") in plan
    assert squash("Hội Khuyến học, Đài truyền thanh") in plan  # partners in the order entered
    assert squash("PHÓ CHỦ TỊCH Trịnh Thị Thu Huyền") in plan


def test_no_phan_cong_without_assignments(ready_workspace, tmp_path):
    from app.documents.readiness import document_notes

    with ready_workspace.transaction():
        ready_workspace.db.execute("DELETE FROM assignments WHERE year = ?", [YEAR])
    paths = render_dossier_pdfs(ready_workspace, YEAR, tmp_path)
    assert "phan_cong" not in paths and not list(tmp_path.glob("phan_cong*"))
    assert any("Phân công" in note for note in document_notes(ready_workspace, YEAR))


def test_level_above_what_is_met_is_refused(ready_workspace, tmp_path):
    with pytest.raises(InputError, match="mức độ 2"):
        render_dossier_pdfs(ready_workspace, YEAR, tmp_path, level=2)
    assert not list(tmp_path.glob("*.pdf"))


def test_documents_follow_the_data(ready_workspace, tmp_path):
    set_values(ready_workspace, YEAR, "5.1", {"achieved": 8921})
    assert ready_workspace.assessment(YEAR).level == 0
    with pytest.raises(InputError, match="chưa đạt mức độ 1"):
        render_dossier_pdfs(ready_workspace, YEAR, tmp_path)
    from app.documents import texts as doc_texts
    from app.domain import meeting as mt

    meeting = doc_texts.review_meeting(ready_workspace, YEAR)
    docs.save_review_meeting(ready_workspace, YEAR, mt.meeting_from_json({**meeting.to_json(), "level_agreed": None}))
    paths = render_dossier_pdfs(ready_workspace, YEAR, tmp_path)
    summary = pdf_text(paths["tong_hop"])
    assert "8.921/14.870 = 59,99%" in summary and "chưa đủ điều kiện" in summary
    assert "chưa đủ điều kiện đề nghị công nhận" in pdf_text(paths["to_trinh"])
    assert "kính trình" not in pdf_text(paths["to_trinh"])
    assert "thống nhất đề nghị công nhận" not in pdf_text(paths["bao_cao"])


def test_signer_title_chu_tich(ready_workspace, tmp_path):
    update_profile(ready_workspace, signer_title="Chủ tịch", signer_name="Nguyễn Văn An")
    paths = render_dossier_pdfs(ready_workspace, YEAR, tmp_path)
    text = squash(pdf_text(paths["to_trinh"], raw=True))
    assert squash("TM. ỦY BAN NHÂN DÂN CHỦ TỊCH") in text and "KT." not in text and squash("Nguyễn Văn An") in text
