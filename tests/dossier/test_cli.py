"""The dossier commands end to end: finalize, export with a token (PIN from the environment), verify, outbox."""

from __future__ import annotations

import json
import shutil

import pytest

from app.cli import main
from app.dossier.drives import parse_lsblk, removable_drives
from tests.dossier.conftest import YEAR


@pytest.fixture
def db(ready_template, tmp_path):
    shutil.copytree(ready_template, tmp_path / "xa")
    return str(tmp_path / "xa" / "cdht.sqlite3")


def test_finalize_export_with_token_verify_unlock(db, tmp_path, pki, monkeypatch, capsys):
    assert main(["--db", db, "finalize", "--year", str(YEAR)]) == 0
    out = capsys.readouterr().out
    assert "✔ Đã đánh giá đủ các chỉ tiêu" in out and "phiên bản gói 1" in out

    monkeypatch.setenv("CDHT_TEST_PIN", pki.token_pin)
    package = tmp_path / "usb" / "goi.zip"
    code = main(["--db", db, "export", "--year", str(YEAR), "--out", str(package), "--pkcs11-lib", str(pki.module),
                 "--key-id", pki.key_id, "--pin-env", "CDHT_TEST_PIN"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Có thể rút ổ USB ra." in captured.out and pki.token_pin not in captured.out + captured.err

    assert main(["verify", str(package), "--trust", str(pki.ca_pem)]) == 0
    out = capsys.readouterr().out
    assert "Gói hồ sơ xã Đồng Tiến (Thái Nguyên), năm 2025, mức độ 1, phiên bản 1" in out
    assert "✔ Chữ ký tệp kê khai (CAdES)" in out and "Gói hồ sơ hợp lệ và nguyên vẹn: do UBND xã Đồng Tiến" in out
    assert "Người ký: CN=Ủy ban nhân dân xã Đồng Tiến, O=Ủy ban nhân dân xã Đồng Tiến, ST=Thái Nguyên, C=VN" in out

    assert main(["verify", str(package), "--json"]) == 3  # the test CA is not one of the national anchors
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True and report["verdict"] == "unbound" and report["info"]["CDHT-Package-Version"] == "1"
    assert any(c["status"] == "warn" and c["title"] == "Chuỗi tin cậy" for c in report["checks"])

    data = bytearray(package.read_bytes())
    data[len(data) // 2] ^= 0xFF
    (tmp_path / "hong.zip").write_bytes(bytes(data))
    assert main(["verify", str(tmp_path / "hong.zip")]) == 1
    assert "GÓI HỒ SƠ KHÔNG HỢP LỆ" in capsys.readouterr().out

    assert main(["--db", db, "unlock", "--year", str(YEAR), "--reason", "Sửa biên bản họp"]) == 0
    assert "Đã mở khóa" in capsys.readouterr().out


def test_export_with_pkcs12_password_from_environment_and_errors(db, tmp_path, pki, monkeypatch, capsys):
    assert main(["--db", db, "export", "--year", str(YEAR), "--out", str(tmp_path / "a.zip"), "--p12", str(pki.p12),
                 "--p12-password-env", "CDHT_P12"]) == 1
    assert "chưa được chốt" in capsys.readouterr().err
    main(["--db", db, "finalize", "--year", str(YEAR)])
    assert main(["--db", db, "export", "--year", str(YEAR), "--out", str(tmp_path / "a.zip"), "--p12", str(pki.p12),
                 "--p12-password-env", "CDHT_P12"]) == 1
    assert "Biến môi trường CDHT_P12 chưa được đặt" in capsys.readouterr().err
    monkeypatch.setenv("CDHT_P12", pki.p12_password)
    assert main(["--db", db, "export", "--year", str(YEAR), "--out", str(tmp_path / "a.zip"), "--p12", str(pki.p12),
                 "--p12-password-env", "CDHT_P12"]) == 0
    assert (tmp_path / "a.zip").is_file()
    assert main(["--db", db, "export", "--year", str(YEAR), "--out", str(tmp_path / "b.zip"), "--pin", "123456"]) == 2
    assert "Lệnh không hợp lệ" in capsys.readouterr().err


def test_token_list_and_outbox_listing(db, pki, capsys):
    assert main(["token", "list", "--pkcs11-lib", str(pki.module)]) == 0
    out = capsys.readouterr().out
    assert f"mã khóa {pki.key_id}" in out and pki.token_label in out and "Ủy ban nhân dân xã Đồng Tiến" in out
    assert main(["token", "list", "--pkcs11-lib", str(pki.module), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert pki.key_id in [c["key_id"] for s in listed["slots"] for c in s["certificates"]]
    assert main(["--db", db, "outbox"]) == 0
    assert "Hộp thư đi trống." in capsys.readouterr().out
    assert main(["--db", db, "outbox", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_removable_drive_listing():
    sample = json.dumps({"blockdevices": [
        {"name": "sda", "rm": False, "label": None, "mountpoint": None,
         "children": [{"name": "sda1", "rm": False, "label": None, "mountpoint": "/"}]},
        {"name": "sdb", "rm": True, "label": None, "mountpoint": None,
         "children": [{"name": "sdb1", "rm": True, "label": "USB-XA", "mountpoint": "/media/vanthu/USB-XA"}]},
    ]})
    assert parse_lsblk(sample) == [("/media/vanthu/USB-XA", "USB-XA")]
    assert parse_lsblk("không phải json") == []
    assert all(d.path.is_dir() for d in removable_drives())
