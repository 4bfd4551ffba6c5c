"""The `cdht` command line: assess, init, year, dataset, status — and clean Vietnamese errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main

from .test_dataset import BAD_CASES, mutate


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_assess_json_shape_and_verdicts(capsys, write_json, dataset_doc):
    code, out, _ = run_cli(capsys, "assess", str(write_json(dataset_doc)), "--json")
    assert code == 0
    result = json.loads(out)
    assert result["level"] == 1
    assert set(result["criteria"]) == {"1", "2", "3", "4", "5"}
    assert result["criteria"]["5"] == {**result["criteria"]["5"], "level1": "met", "level2": "not_met"}
    assert result["indicators"]["5.1"]["level1"] == "met"
    assert result["indicators"]["5.1"]["level2"] == "not_met"
    assert "Mức độ 2: Tỷ lệ 60,00% < 80%" in result["indicators"]["5.1"]["reasons"]
    assert len(result["indicators"]) == 15


def test_assess_text_shows_headline(capsys, write_json, dataset_doc):
    code, out, _ = run_cli(capsys, "assess", str(write_json(dataset_doc)))
    assert code == 0
    assert "Đủ điều kiện đề nghị công nhận mức độ 1 — còn thiếu 3 chỉ tiêu cho mức độ 2" in out


@pytest.mark.parametrize(("path", "value", "field"), BAD_CASES)
def test_assess_bad_input_exits_nonzero_with_one_line(capsys, write_json, dataset_doc, path, value, field):
    code, out, err = run_cli(capsys, "assess", str(write_json(mutate(dataset_doc, path, value))))
    assert code != 0
    assert out == ""
    assert err.startswith("Lỗi: ") and field in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_dataset_import_of_bad_file_writes_nothing(capsys, tmp_path, write_json, dataset_doc):
    db = str(tmp_path / "x.sqlite3")
    assert run_cli(capsys, "--db", db, "init", "--commune", "Đồng Tiến", "--province", "Thái Nguyên")[0] == 0
    assert run_cli(capsys, "--db", db, "dataset", "import", str(write_json(dataset_doc)))[0] == 0
    bad = mutate(json.loads(json.dumps(dataset_doc)), ["indicators", "5.1", "achieved"], 99999)
    bad["indicators"]["1.1"] = {"met": False}
    code, _, err = run_cli(capsys, "--db", db, "dataset", "import", str(write_json(bad, "bad.json")))
    assert code != 0 and "5.1" in err
    other = json.loads(json.dumps(dataset_doc))
    other["commune"]["name"] = "Kiến Hưng"
    other["indicators"]["1.1"] = {"met": False}
    code, _, err = run_cli(capsys, "--db", db, "dataset", "import", str(write_json(other, "other.json")))
    assert code != 0 and "Kiến Hưng" in err
    out_path = tmp_path / "after.json"
    assert run_cli(capsys, "--db", db, "dataset", "export", "--year", "2025", str(out_path))[0] == 0
    assert json.loads(out_path.read_text(encoding="utf-8"))["indicators"]["1.1"] == {"met": True}


def test_status_matches_assess_on_the_exported_dataset(capsys, tmp_path, write_json, dataset_doc):
    db = str(tmp_path / "s.sqlite3")
    dataset_doc["commune"]["disadvantaged_area"] = True
    dataset_doc["indicators"]["5.2"] = {"trained": 4000, "university": 1000, "total": 10000}
    del dataset_doc["indicators"]["3.2"]
    assert run_cli(capsys, "--db", db, "init", "--commune", "Đồng Tiến", "--province", "Thái Nguyên")[0] == 0
    assert run_cli(capsys, "--db", db, "year", "add", "2024")[0] == 0
    code, _, err = run_cli(capsys, "--db", db, "dataset", "import", str(write_json(dataset_doc)))
    assert code == 1 and "--accept-profile-change" in err and "xã thuộc vùng khó khăn" in err
    code, out, _ = run_cli(capsys, "--db", db, "dataset", "import", str(write_json(dataset_doc)),
                           "--accept-profile-change")
    assert code == 0 and "Đã đổi theo tệp: năm 2025 đổi từ xã không thuộc vùng khó khăn" in out
    exported = tmp_path / "exported.json"
    assert run_cli(capsys, "--db", db, "dataset", "export", "--year", "2025", str(exported))[0] == 0
    code, out, _ = run_cli(capsys, "--db", db, "status", "--year", "2025", "--json")
    assert code == 0
    status = json.loads(out)
    code, out, _ = run_cli(capsys, "assess", str(exported), "--json")
    assessed = json.loads(out)
    assert status["level"] == assessed["level"] == 0
    assert status["indicators"] == assessed["indicators"]
    assert status["criteria"] == assessed["criteria"]
    assert status["indicators"]["3.2"]["level1"] == "missing"
    assert status["indicators"]["5.2"]["level1"] == "met"


def test_year_copy_forward_from_cli(capsys, tmp_path, write_json, dataset_doc):
    db = str(tmp_path / "y.sqlite3")
    assert run_cli(capsys, "--db", db, "init", "--commune", "Đồng Tiến", "--province", "Thái Nguyên",
                   "--disadvantaged")[0] == 0
    dataset_doc["commune"]["disadvantaged_area"] = True
    assert run_cli(capsys, "--db", db, "dataset", "import", str(write_json(dataset_doc)))[0] == 0
    code, out, _ = run_cli(capsys, "--db", db, "year", "add", "2026", "--copy-from", "2025")
    assert code == 0 and "chép từ năm 2025" in out
    code, out, _ = run_cli(capsys, "--db", db, "status", "--year", "2026", "--json")
    assert json.loads(out)["level"] == 1
    code, _, err = run_cli(capsys, "--db", db, "status", "--year", "2030")
    assert code != 0 and "2030" in err


def test_usage_errors_are_vietnamese(capsys):
    code, _, err = run_cli(capsys, "assess")
    assert code == 2 and err.startswith("Lỗi: Lệnh không hợp lệ")


def test_python_dash_m_app_runs_without_traceback(tmp_path, write_json, dataset_doc):
    dataset_doc["indicators"]["5.1"]["achieved"] = 20000
    result = subprocess.run([sys.executable, "-m", "app", "assess", str(write_json(dataset_doc))],
                            capture_output=True, text=True, encoding="utf-8", cwd=Path(__file__).parents[2])
    assert result.returncode != 0
    assert "indicators.5.1.achieved" in result.stderr and "Traceback" not in result.stderr


def test_year_add_carries_valid_evidence_forward(capsys, tmp_path, write_json, dataset_doc):
    db = str(tmp_path / "e.sqlite3")
    assert run_cli(capsys, "--db", db, "init", "--commune", "Đồng Tiến", "--province", "Thái Nguyên")[0] == 0
    assert run_cli(capsys, "--db", db, "dataset", "import", str(write_json(dataset_doc)))[0] == 0
    regulation = tmp_path / "Quy chế phối hợp.pdf"
    regulation.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    plan = tmp_path / "Kế hoạch 2025.pdf"
    plan.write_bytes(b"%PDF-1.4\n% ke hoach 2025\n%%EOF\n")
    assert run_cli(capsys, "--db", db, "evidence", "add", str(regulation), "--indicator", "2.3", "--year", "2025",
                   "--valid-until", "31/12/2027")[0] == 0
    assert run_cli(capsys, "--db", db, "evidence", "add", str(plan), "--indicator", "1.2", "--year", "2025")[0] == 0
    code, out, _ = run_cli(capsys, "--db", db, "year", "add", "2026", "--copy-from", "2025", "--carry-evidence", "valid")
    assert code == 0 and "Đã mang sang 1 minh chứng: H2.3.01" in out
    code, out, _ = run_cli(capsys, "--db", db, "status", "--year", "2026", "--json")
    evidence = json.loads(out)["evidence"]
    assert evidence["2.3"]["count"] == 1 and evidence["1.2"]["count"] == 0
    code, _, err = run_cli(capsys, "--db", db, "year", "add", "2027", "--carry-evidence", "all")
    assert code != 0 and "--copy-from" in err
