"""The `cdht evidence` commands and the demo evidence."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader

from app.cli import main
from app.evidence import library as evidence_library
from app.evidence import store as evidence_store
from app.evidence.demo import add_demo_evidence
from app.services.years import add_year
from tests.evidence.conftest import YEAR, pdf_bytes

ROOT = Path(__file__).resolve().parents[2]


def run(capsys, ws, *args):
    code = main(["--db", str(ws.path), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_add_list_search_remove_restore_trash(ws, write, capsys):
    add_year(ws, 2026)
    a = write("Quyết định Ban chỉ đạo.pdf", pdf_bytes("qd"))
    bad = write("virus.pdf", b"MZ" + b"\x00" * 300)
    code, out, _ = run(capsys, ws, "evidence", "add", str(a), str(bad), "--indicator", "1.1", "--year", str(YEAR),
                       "--number", "12/QĐ-UBND", "--date", "05/02/2024", "--issuer", "UBND xã", "--summary",
                       "Quyết định kiện toàn Ban chỉ đạo")
    assert code == 1  # one file refused
    assert "\nĐã nhập 'Quyết định Ban chỉ đạo.pdf' với mã H1.1.01." in "\n" + out
    assert "Không nhận: Tệp 'virus.pdf' là chương trình" in out
    assert "lưu ý: Ngày ban hành 05/02/2024 nằm ngoài năm đánh giá 2025" in out

    code, out, _ = run(capsys, ws, "evidence", "list", "--year", str(YEAR), "--json")
    [row] = json.loads(out)
    assert (row["code"], row["doc_number"], row["indicators"]) == ("H1.1.01", "12/QĐ-UBND", ["1.1"])
    code, out, err = run(capsys, ws, "evidence", "list")  # two years: which one must be said
    assert code == 1 and "Có 2 năm đánh giá (2025, 2026); hãy chỉ năm bằng --year NĂM." in err
    code, out, _ = run(capsys, ws, "evidence", "list", "--year", "2026")
    assert "Năm 2026: 0 minh chứng." in out
    code, out, _ = run(capsys, ws, "evidence", "search", "ban chi dao", "--year", str(YEAR))
    assert "H1.1.01" in out and "Tìm thấy 1 minh chứng." in out

    assert run(capsys, ws, "evidence", "remove", "H1.1.01", "--year", str(YEAR))[0] == 0
    code, out, _ = run(capsys, ws, "evidence", "trash")
    assert "2025  H1.1.01" in out and "Thùng rác có 1 minh chứng." in out
    code, out, _ = run(capsys, ws, "evidence", "restore", "H1.1.01")
    assert code == 0 and "Đã khôi phục minh chứng H1.1.01" in out
    run(capsys, ws, "evidence", "remove", "H1.1.01", "--year", str(YEAR))
    code, out, _ = run(capsys, ws, "evidence", "trash", "--empty")
    assert "Đã xóa hẳn 1 minh chứng trong thùng rác (1 tệp không còn dùng)." in out


def test_errors_are_one_vietnamese_line(ws, write, capsys):
    path = write("a.pdf", pdf_bytes())
    code, _, err = run(capsys, ws, "evidence", "add", str(path), "--indicator", "7.7")
    assert code == 1 and err.startswith("Lỗi: Không có chỉ tiêu mã \"7.7\"") and "Traceback" not in err
    code, _, err = run(capsys, ws, "evidence", "remove", "H1.1.09")
    assert code == 1 and "Không có minh chứng mã H1.1.09 trong năm 2025" in err
    code, _, err = run(capsys, ws, "evidence", "add", str(path), "--date", "hôm qua")
    assert code == 1 and "Ngày ban hành 'hôm qua' không phải ngày hợp lệ" in err


def test_link_and_unlink_commands(ws, write, capsys):
    run(capsys, ws, "evidence", "add", str(write("a.pdf", pdf_bytes())))
    code, out, _ = run(capsys, ws, "evidence", "link", "MC.01", "--indicator", "2.3")
    assert code == 0 and "Đã gắn minh chứng H2.3.01" in out


def test_console_script_runs(ws, write):
    path = write("a.pdf", pdf_bytes("console"))
    ws.close()
    done = subprocess.run([sys.executable, "-m", "app", "--db", str(ws.path), "evidence", "add", str(path),
                           "--indicator", "1.2"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "Đã nhập 1 tệp." in done.stdout


def test_demo_evidence_is_realistic_and_idempotent(ws):
    results = add_demo_evidence(ws, YEAR)
    assert [r.status for r in results] == ["imported"] * 5
    items = evidence_library.list_evidence(ws, YEAR)
    assert {i.kind_label for i in items} == {"PDF", "Ảnh PNG", "Excel (XLSX)"}
    regulation = next(i for i in items if i.indicator_ids == ("2.3",))
    assert regulation.valid_until is not None and regulation.valid_until.year == YEAR + 2
    text = PdfReader(evidence_store.stored_path(ws, regulation.sha256)).pages[0].extract_text()
    assert "Hội Khuyến học xã" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert all(i.doc_number or i.kind_label != "PDF" for i in items)
    assert [r.status for r in add_demo_evidence(ws, YEAR)] == ["duplicate"] * 5
