"""The recipient's command line: JSON and text output, and one Vietnamese line (exit 1 or 2) for every mistake."""

from __future__ import annotations

import json

import pytest

from app.cli import main
from app.dossier.registry import load_registry
from app.storage.workspace import Workspace
from tests.recipient.conftest import YEAR


@pytest.fixture
def register_path(decided, tmp_path):
    decided.open(tmp_path / "so").close()
    return str(tmp_path / "so" / "cdht-tiep-nhan.sqlite3")


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_as_json_and_filtered(register_path, capsys):
    code, out, _ = run(capsys, "--db", register_path, "recipient", "list", "--year", str(YEAR), "--json")
    rows = {row["commune"]: row for row in json.loads(out)}
    assert code == 0 and len(rows) == 6
    assert rows["Sơn Cẩm"]["status"] == "decided" and rows["Sơn Cẩm"]["late"] and rows["Sơn Cẩm"]["level_verified"] == 0
    assert rows["Phúc Xuân"]["status"] == "invalid" and rows["Linh Sơn"]["status"] == "unconfirmed"
    code, out, _ = run(capsys, "--db", register_path, "recipient", "list", "--year", str(YEAR), "--status",
                       "unconfirmed")
    assert [line.split()[1] for line in out.splitlines()[:-1]] == ["Linh", "Tân"]
    assert out.splitlines()[-1] == "Tổng: Chưa xác nhận người ký 2 (2 dòng)."
    code, out, _ = run(capsys, "--db", register_path, "recipient", "list", "--search", "son cam", "--late")
    assert "Sơn Cẩm" in out and "NỘP SAU HẠN" in out and "Hội đồng: không đạt" in out
    code, out, _ = run(capsys, "--db", register_path, "recipient", "list", "--unknown")
    assert "xã La Bằng" in out


def test_show_prints_versions_report_and_appraisal(register_path, capsys):
    code, out, _ = run(capsys, "--db", register_path, "recipient", "show", "dong tien", "--year", str(YEAR))
    assert code == 0
    assert "2 gói" in out and "▶ hiện hành" in out and "thay thế bởi bản mới" in out
    assert "✔ Người ký là xã: UBND xã Đồng Tiến (Thái Nguyên): chứng thư ghi đúng tên xã và tỉnh" in out and "Kết quả (đã kết luận: mức độ 1)." in out
    code, out, _ = run(capsys, "--db", register_path, "recipient", "show", "Đồng Tiến", "--json")
    document = json.loads(out)
    assert len(document["packages"]) == 2 and document["packages"][0]["receipts"]


def test_mistakes_end_in_one_vietnamese_line(register_path, tmp_path, capsys):
    commune_db = tmp_path / "xa.sqlite3"
    Workspace.open(commune_db).close()
    cases = [
        (["--db", str(commune_db), "recipient", "list"], "là cơ sở dữ liệu của xã, không phải cơ sở dữ liệu của cơ "
                                                          "quan tiếp nhận hồ sơ"),
        (["--db", register_path, "status", "--year", "2025"], "cơ quan tiếp nhận hồ sơ, không phải cơ sở dữ liệu của xã"),
        (["--db", register_path, "recipient", "show", "Hà Nội"], "Không có xã 'Hà Nội' trong danh sách xã"),
        (["--db", register_path, "recipient", "council", "set", "--year", "2026", "--mode", "meeting",
          "--member", "A|chủ tịch|", "--member", "B|thư ký|"], "tối thiểu 05 người (hiện có 2)"),
        (["--db", register_path, "recipient", "appraise", "Đồng Tiến", "--year", "2025", "--indicator", "1.1",
          "--result", "khong_dat", "--note", "x"], "đã có kết quả công nhận"),
        (["--db", register_path, "recipient", "decide", "--year", "2025", "--number", "7", "--date", "31/02/2026"],
         "Ngày quyết định '31/02/2026' không hợp lệ"),
        (["--db", register_path, "recipient", "results", "--year", "2025", "--out", str(tmp_path)],
         "Chưa chọn khóa ký của cơ quan"),
        (["--db", register_path, "recipient", "intake"], "Hãy chỉ thư mục, tệp hoặc --imap HOST"),
    ]
    for args, expected in cases:
        code, out, err = run(capsys, *args)
        assert code == 1, (args, out, err)
        assert err.count("\n") == 1 and err.startswith("Lỗi: ") and expected in err, err


def test_commune_list_import_is_all_or_nothing(register_path, tmp_path, capsys):
    bad = tmp_path / "ds.csv"
    bad.write_text("Xã;Tỉnh;Mã chứng thư\nBa Vì;Thái Nguyên;\nCam Thượng;Thái Nguyên;12ab\n", encoding="utf-8")
    code, _out, err = run(capsys, "--db", register_path, "recipient", "communes", "import", str(bad))
    assert code == 1 and "'ds.csv', dòng 3: Mã chứng thư '12ab' không phải dấu vân tay SHA-256" in err
    good = tmp_path / "ds2.csv"
    good.write_text("Tên xã,Tỉnh,Địa chỉ thư\nxã Ba Vì,tỉnh Thái Nguyên,ubnd@bavi.vn\nĐồng Tiến,Thái Nguyên,\n",
                    encoding="utf-8")
    code, out, _ = run(capsys, "--db", register_path, "recipient", "communes", "import", str(good))
    assert code == 0 and out.strip() == "Đã nhập danh sách xã: thêm 1, cập nhật 0, không đổi 1."
    export = tmp_path / "registry.json"
    run(capsys, "--db", register_path, "recipient", "communes", "export", str(export))
    assert json.loads(export.read_text(encoding="utf-8"))["format"] == "cdht-registry/1"
    registry = load_registry(export)  # the verifier's own reader (cdht verify --registry): one register format
    assert registry.find("Ba Vì", "Thái Nguyên").contact == "ubnd@bavi.vn" and len(registry.entries) == 7
    other = tmp_path / "other.sqlite3"
    run(capsys, "--db", str(other), "recipient", "init", "--agency", "Sở Giáo dục và Đào tạo", "--province",
        "Thái Nguyên")
    code, out, _ = run(capsys, "--db", str(other), "recipient", "communes", "import", str(export))
    assert code == 0 and "thêm 7" in out


def test_trust_list_names_the_national_anchors_and_the_added_ca(register_path, capsys):
    from app.dossier.trust import bundled_anchors

    code, out, _ = run(capsys, "--db", register_path, "recipient", "trust", "list")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    assert lines[0] == (f"Tin cậy {len(bundled_anchors())} chứng thư gốc quốc gia đi kèm ứng dụng và 1 chứng thư CA "
                        "do cơ quan thêm:")
    assert lines[1].endswith("CA Thử Nghiệm Chuyên Dùng")
