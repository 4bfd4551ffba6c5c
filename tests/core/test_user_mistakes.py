"""Mistakes a new user makes, each answered in one Vietnamese line with a non-zero exit and nothing written:
a mistyped --db, hints that forget --db, a two-digit year, restore targets that would mix data, a missing backup,
a report that cannot be complete, evidence commands that guess the year, a silent switch of the vùng khó khăn
thresholds, English from argparse, JSON or the OS, and sizes in raw bytes."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest

from app.backup import create_backup_zip
from app.cli import main
from app.errors import describe_os_error
from tests.backup.helpers import make_workspace, snapshot


def run(capsys, *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line(code: int, err: str) -> str:
    assert code != 0 and err.startswith("Lỗi: ") and err.count("\n") == 1, err
    assert "không mong muốn" not in err and "Traceback" not in err
    return err


@pytest.fixture
def commune(tmp_path):
    ws = make_workspace(tmp_path / "xa" / "cdht.sqlite3", evidence_files=2)
    ws.close()
    return ws.path


def test_a_mistyped_db_is_refused_and_creates_nothing(tmp_path, capsys):
    wrong = tmp_path / "xa" / "cdht.sqlte3"
    for argv in (["status", "--year", "2025"], ["year", "add", "2025"], ["dataset", "export", "--year", "2025",
                                                                        str(tmp_path / "x.json")]):
        err = one_line(*run(capsys, "--db", wrong, *argv)[::2])
        assert f"Không có cơ sở dữ liệu '{wrong}'" in err and f"'cdht --db {wrong} init --commune" in err
    assert not wrong.exists() and not wrong.parent.exists()
    assert run(capsys, "--db", wrong, "init", "--commune", "Kiến Hưng", "--province", "Hà Nội")[0] == 0


def test_every_hint_repeats_the_db_the_user_gave(commune, capsys):
    err = one_line(*run(capsys, "--db", commune, "status", "--year", "2030")[::2])
    assert f"(cdht --db {commune} year add 2030)" in err
    spaced = commune.parent.parent / "xa có dấu cách" / "cdht.sqlite3"
    commune.parent.rename(spaced.parent)
    err = one_line(*run(capsys, "--db", spaced, "status", "--year", "2030")[::2])
    assert f'cdht --db "{spaced}" year add 2030' in err


def test_a_two_digit_year_is_refused_without_suggesting_to_add_it(commune, capsys):
    err = one_line(*run(capsys, "--db", commune, "status", "--year", "25")[::2])
    assert "2000 đến 2100" in err and "year add" not in err


def test_restore_to_a_bare_name_makes_a_new_folder_with_the_evidence_inside(commune, tmp_path, capsys, monkeypatch):
    backup = _zip_backup(commune, tmp_path)
    monkeypatch.chdir(commune.parent)  # run where the live database is, as the user did
    code, out, err = run(capsys, "restore", backup, "--to", "MOI5")
    assert code == 0 and err == ""
    assert (commune.parent / "MOI5" / "cdht.sqlite3").is_file() and (commune.parent / "MOI5" / "evidence").is_dir()
    assert snapshot(commune.parent / "MOI5" / "cdht.sqlite3") == snapshot(commune)
    assert sorted(p.name for p in commune.parent.iterdir()) == ["MOI5", "backup-places.json", "cdht.sqlite3",
                                                                "evidence"]  # nothing restored beside the live one


def test_restore_into_an_existing_empty_folder_works(commune, tmp_path, capsys):
    backup = _zip_backup(commune, tmp_path)
    empty = tmp_path / "trong"
    empty.mkdir()
    assert run(capsys, "restore", backup, "--to", empty)[0] == 0
    assert (empty / "cdht.sqlite3").is_file()


def test_restore_refuses_targets_that_would_mix_with_other_data(commune, tmp_path, capsys):
    backup = _zip_backup(commune, tmp_path)
    before = sorted(p.name for p in commune.parent.iterdir())
    err = one_line(*run(capsys, "restore", backup, "--to", commune.parent / "khac.sqlite3")[::2])
    assert "đã chứa dữ liệu" in err
    err = one_line(*run(capsys, "restore", backup, "--to", commune.parent)[::2])
    assert "không trống" in err
    assert sorted(p.name for p in commune.parent.iterdir()) == before


def test_a_missing_backup_file_is_not_found(tmp_path, capsys):
    err = one_line(*run(capsys, "restore", tmp_path / "khong-co.zip", "--to", tmp_path / "moi")[::2])
    assert "Không tìm thấy bản sao lưu" in err and not (tmp_path / "moi").exists()


def test_report_names_what_is_missing_up_front_and_writes_nothing(commune, tmp_path, capsys):
    out = tmp_path / "ho-so"
    err = one_line(*run(capsys, "--db", commune, "report", "--year", "2025", "--out", out)[::2])
    assert "chưa ghi thông tin cuộc họp xét năm 2025" in err and "Không có tệp nào được ghi" in err
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


def test_evidence_commands_need_the_year_when_there_are_several(commune, tmp_path, capsys):
    assert run(capsys, "--db", commune, "year", "add", "2026")[0] == 0
    pdf = tmp_path / "quyet-dinh.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% quyet dinh 2025\n%%EOF\n")
    err = one_line(*run(capsys, "--db", commune, "evidence", "add", pdf, "--indicator", "1.1")[::2])
    assert "Có 2 năm đánh giá (2025, 2026); hãy chỉ năm bằng --year NĂM." in err
    code, out, _ = run(capsys, "--db", commune, "evidence", "add", pdf, "--indicator", "1.1", "--date", "15/03/2025")
    assert code == 0 and "Dùng năm đánh giá 2025 theo ngày ban hành 15/03/2025" in out


def test_a_dataset_that_switches_the_vung_kho_khan_thresholds_needs_consent(commune, tmp_path, capsys):
    document = json.loads(json.dumps(_dataset(commune)))
    document["commune"]["disadvantaged_area"] = True
    path = tmp_path / "so-lieu.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    before = snapshot(commune)
    err = one_line(*run(capsys, "--db", commune, "dataset", "import", path)[::2])
    assert "đổi từ xã không thuộc vùng khó khăn sang xã thuộc vùng khó khăn" in err and "--accept-profile-change" in err
    assert snapshot(commune) == before


def test_english_from_json_argparse_and_the_os_is_translated(commune, tmp_path, capsys):
    bad = tmp_path / "hong.json"
    bad.write_text('{"format": "cdht-dataset/1", year: 2025}', encoding="utf-8")
    err = one_line(*run(capsys, "--db", commune, "dataset", "import", bad)[::2])
    assert "không phải JSON hợp lệ (dòng 1, cột 30)" in err and "Expecting" not in err
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "hiện số phiên bản rồi thoát" in out and "show program" not in out
    err = one_line(*run(capsys, "status", "--year")[::2])
    assert "cần một giá trị" in err
    err = one_line(*run(capsys, "--db", commune, "dataset", "export", "--year", "2025", commune / "x.json")[::2])
    assert "là tệp, không phải thư mục" in err and "Not a directory" not in err
    assert "vừa bị rút ra" in describe_os_error(OSError(errno.EIO, "Input/output error"), "E:/").message
    assert "không còn kết nối" in describe_os_error(OSError(errno.ENODEV, "No such device"), "E:/").message


def test_sizes_are_shown_the_vietnamese_way(commune, tmp_path, capsys):
    pdf = tmp_path / "lon.pdf"
    pdf.write_bytes(b"%PDF-1.4\n" + b"0" * 3 * 1024 * 1024)
    ws = _open(commune)
    ws.write_setting("evidence.max_file_mb", 1)
    ws.close()
    code, out, err = run(capsys, "--db", commune, "evidence", "add", pdf, "--year", "2025")
    err = one_line(code, err)
    assert "(3 MB) lớn hơn giới hạn 1 MB" in err and "byte" not in err


def _open(db: Path):
    from app.storage.workspace import Workspace

    return Workspace.open(db)


def _zip_backup(db: Path, folder: Path) -> Path:
    ws = _open(db)
    try:
        return create_backup_zip(ws, folder / "sao-luu.zip").path
    finally:
        ws.close()


def _dataset(db: Path) -> dict:
    from app.services.datasets import export_dataset

    ws = _open(db)
    try:
        return export_dataset(ws, 2025)
    finally:
        ws.close()
