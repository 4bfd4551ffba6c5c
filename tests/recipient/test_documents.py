"""Text fidelity of the recipient's documents, read back with pdftotext: every number, name and count printed equals
the stored value, and no sentence appears twice in one document."""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.recipient.documents import collect_round, write_round_documents
from app.recipient.documents.summary import province_counts
from app.recipient.register import packages
from app.text import format_date_short
from tests.recipient.conftest import COUNCIL, DECISION_DATE, REFUSAL_NOTE, YEAR


def text_of(path: Path, raw: bool = True) -> str:
    result = subprocess.run(["pdftotext", "-raw" if raw else "-layout", str(path), "-"], capture_output=True,
                            text=True, check=True)
    return result.stdout


def flat(text: str) -> str:
    return " ".join(text.split())


def repeated_sentences(text: str) -> list[str]:
    sentences = [s.strip() for s in re.split(r"(?<=[.;:])\s+", flat(text)) if len(s.strip()) >= 30]
    return [s for s, n in Counter(sentences).items() if n > 1]


@pytest.fixture(scope="module")
def round_docs(decided, tmp_path_factory):
    folder = tmp_path_factory.mktemp("docs")
    rws = decided.open(folder / "so")
    written = write_round_documents(rws, YEAR, folder / "van-ban")
    data = collect_round(rws, YEAR)
    texts = {name: text_of(path) for name, path in written.items() if name.endswith(".pdf")}
    yield written, data, texts, rws
    rws.close()


def test_every_document_is_written(round_docs):
    written, data, _texts, _rws = round_docs
    assert set(written) == {
        f"bao_cao_tham_dinh_{YEAR}.pdf", f"to_trinh_cong_nhan_{YEAR}.pdf", f"quyet_dinh_{YEAR}.pdf",
        f"tong_hop_tinh_{YEAR}.pdf", f"tong_hop_tinh_{YEAR}.xlsx", "tong-hop-tham-dinh/dong-tien_2025.pdf",
        "tong-hop-tham-dinh/quyet-thang_2025.pdf", "tong-hop-tham-dinh/son-cam_2025.pdf",
        "cong-van-tra-loi/son-cam_2025.pdf"}
    assert [r.commune for r in data.recognised] == ["Đồng Tiến", "Quyết Thắng"]


def test_no_sentence_twice_in_any_document(round_docs):
    _written, _data, texts, _rws = round_docs
    for name, text in texts.items():
        assert repeated_sentences(text) == [], name


def test_report_prints_the_stored_figures(round_docs):
    _written, data, texts, _rws = round_docs
    report = flat(texts[f"bao_cao_tham_dinh_{YEAR}.pdf"])
    assert f"của {data.received:02d} xã/{len(data.rows):02d} xã trong danh sách" in report
    assert f"trong đó {data.valid:02d} hồ sơ hợp lệ" in report and f"{data.late:02d} hồ sơ nộp sau hạn ngày 28/02/2026" in report
    assert (data.received, len(data.rows), data.valid, data.late) == (6, 6, 3, 1)
    assert f"Hội đồng đã kết luận thẩm định {len(data.results):02d} hồ sơ" in report
    assert f"Hội đồng đánh giá gồm {len(COUNCIL):02d} thành viên" in report
    for member in COUNCIL:
        name, role, title = member.split("|")
        assert f"- {name}, {title}:" in report
    assert "họp Hội đồng ngày 20/03/2026" in report
    assert f"Chỉ tiêu 5.1, mức độ 1: xã tự đánh giá đạt, Hội đồng đánh giá không đạt. Lý do: {REFUSAL_NOTE}." in report
    assert "công nhận 02 xã đạt chuẩn “Cộng đồng học tập” cấp xã năm 2025 (mức độ 1: 01 xã; mức độ 2: 01 xã)" in report
    assert "01 xã chưa đủ điều kiện công nhận (Sơn Cẩm)" in report
    assert "Nguyễn Văn Hải" in report and "Quyết định số 45/QĐ-SGDĐT ngày 02/3/2026" in report
    table = flat(text_of(_written_path(round_docs, f"bao_cao_tham_dinh_{YEAR}.pdf"), raw=False))
    assert "15/15" in table and "14/15" in table


def _written_path(round_docs, name):
    return round_docs[0][name]


def test_submission_and_decision_print_the_decision_and_validity(round_docs):
    _written, data, texts, _rws = round_docs
    submission = flat(texts[f"to_trinh_cong_nhan_{YEAR}.pdf"])
    assert "quyết định công nhận 02 xã đạt chuẩn" in submission
    decision = flat(texts[f"quyet_dinh_{YEAR}.pdf"])
    assert "Số: 123/QĐ-SGDĐT" in decision and "ngày 25 tháng 3 năm 2026" in decision
    assert "(Dự thảo)" not in decision
    assert "thời hạn 36 tháng, đến ngày 25/03/2029" in decision
    assert "Kèm theo Quyết định số 123/QĐ-SGDĐT ngày 25/03/2026 của Giám đốc Sở Giáo dục và Đào tạo" in decision
    listed = re.findall(r"^(\d+) (.+?) Thái Nguyên Mức độ (\d) (\d\d/\d\d/\d{4})$", texts[f"quyet_dinh_{YEAR}.pdf"],
                        re.MULTILINE)
    assert listed == [("1", "Đồng Tiến", "1", "25/03/2029"), ("2", "Quyết Thắng", "2", "25/03/2029")]
    assert "Trần Văn Hùng" in decision and "Ủy ban nhân dân tỉnh Thái Nguyên;" in decision


def test_reply_states_the_reasons_per_indicator(round_docs):
    _written, data, texts, rws = round_docs
    reply = flat(texts["cong-van-tra-loi/son-cam_2025.pdf"])
    son_cam = next(r for r in data.results if r.commune == "Sơn Cẩm")
    package = next(p for p in packages(rws) if p.commune == "Sơn Cẩm")
    assert "Số: 45/SGDĐT-GDTX" in reply
    assert "V/v trả lời hồ sơ đề nghị công nhận “Cộng đồng học tập” cấp xã năm 2025" in reply
    assert "Kính gửi: Ủy ban nhân dân xã Sơn Cẩm." in reply
    assert f"gói hồ sơ phiên bản {package.version}, nhận ngày 05/03/2026" in reply
    failing = son_cam.appraisal.not_met()
    assert [item.indicator_id for item, _ in failing] == ["5.1"]
    assert "- Chỉ tiêu 5.1 (" in reply and f"không đạt. Lý do: {REFUSAL_NOTE}." in reply
    assert "Chỉ tiêu 1.1" not in reply


def test_province_summary_counts_match_in_pdf_and_excel(round_docs):
    written, data, texts, _rws = round_docs
    counts = province_counts(data)
    layout = text_of(written[f"tong_hop_tinh_{YEAR}.pdf"], raw=False)
    for label, value in counts:
        assert re.search(rf"{re.escape(label)}\s+{value}\b", layout), label
    sheet = load_workbook(written[f"tong_hop_tinh_{YEAR}.xlsx"]).active
    values = {row[1]: row[2] for row in sheet.iter_rows(values_only=True) if row[1] and isinstance(row[2], int)}
    assert values == dict(counts)
    numbers = [row[0] for row in sheet.iter_rows(values_only=True) if isinstance(row[0], int)]
    assert numbers == list(range(1, len(data.rows) + 1))
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows


def test_commune_summary_prints_council_verdicts(round_docs):
    _written, _data, texts, _rws = round_docs
    son_cam = text_of(round_docs[0]["tong-hop-tham-dinh/son-cam_2025.pdf"], raw=False)
    assert REFUSAL_NOTE.split()[0] in son_cam
    assert "Kết luận của Hội đồng: xã Sơn Cẩm chưa đủ điều kiện công nhận" in flat(son_cam)
    assert "Kết luận của Hội đồng: xã Quyết Thắng đạt chuẩn “Cộng đồng học tập” cấp xã mức độ 2" in flat(
        texts["tong-hop-tham-dinh/quyet-thang_2025.pdf"])


def test_before_the_decision_the_decision_is_a_draft(decided, tmp_path):
    rws = decided.open(tmp_path / "so")
    rws.db.execute("DELETE FROM outcomes")
    rws.db.execute("DELETE FROM decisions")
    rws.db.conn.commit()
    from app.recipient.documents.decision import decision_pdf

    path = tmp_path / "qd.pdf"
    path.write_bytes(decision_pdf(collect_round(rws, YEAR)))
    text = flat(text_of(path))
    assert "(Dự thảo)" in text and "ngày tháng năm 2026" in text
    assert "36 tháng kể từ ngày ký Quyết định" in text and "25/03/2029" not in text
    assert format_date_short(DECISION_DATE) not in text
    rws.close()
