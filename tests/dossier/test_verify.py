"""`verify` refuses every kind of damage or tampering, with the reason, straight from the ZIP or its parts."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from app.dossier.bag import TAG_FILES, manifest_text, parse_manifest
from app.dossier.parts import split_package
from app.dossier.verify import FAIL, OK, WARN, Limits, verify_package
from app.errors import InputError


def _entries(package: Path) -> tuple[str, dict[str, bytes]]:
    with zipfile.ZipFile(package) as archive:
        names = archive.namelist()
        root = names[0].split("/")[0]
        return root, {name: archive.read(name) for name in names}


def _restamp(root: str, entries: dict[str, bytes]) -> None:
    """What a careful forger does: recompute both manifests after changing files (the signature cannot follow)."""
    def rel(name: str) -> str:
        return name[len(root) + 1:]

    payload = {rel(n): hashlib.sha256(d).hexdigest() for n, d in entries.items() if rel(n).startswith("data/")}
    entries[f"{root}/manifest-sha256.txt"] = manifest_text(payload)
    tags = {name: hashlib.sha256(entries[f"{root}/{name}"]).hexdigest() for name in TAG_FILES}
    entries[f"{root}/tagmanifest-sha256.txt"] = manifest_text(tags)


def tampered(built, tmp_path: Path, change: Callable[[str, dict[str, bytes]], None], restamp: bool = False,
             compress: int = zipfile.ZIP_STORED) -> Path:
    root, entries = _entries(built.package)
    change(root, entries)
    if restamp:
        _restamp(root, entries)
    target = tmp_path / "sua.zip"
    with zipfile.ZipFile(target, "w", compression=compress) as archive:
        for name in sorted(entries):
            archive.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), entries[name], compress_type=compress)
    return target


def failing(report, title_prefix: str) -> str:
    assert not report.ok
    matches = [c for c in report.checks if c.title.startswith(title_prefix) and c.status == FAIL]
    assert matches, [c.line() for c in report.checks]
    return matches[0].detail


def test_the_built_package_passes_with_trust_unknown_reported_apart(built):
    report = verify_package(built.package)
    assert report.ok, report.summary()
    statuses = {c.title: c.status for c in report.checks}
    assert statuses["Chữ ký tệp kê khai (CAdES)"] == OK
    assert statuses["Dữ liệu và kết quả đánh giá"] == OK
    assert statuses["Chuỗi tin cậy"] == WARN
    assert "chưa xác minh được chuỗi tin cậy" in next(c.detail for c in report.checks if c.title == "Chuỗi tin cậy")


def test_trust_is_judged_when_a_ca_is_given(built, pki):
    assert verify_package(built.package, trust=[pki.ca_pem]).ok
    report = verify_package(built.package, trust=[pki.other_ca_pem])
    assert "không chuỗi về CA" in failing(report, "Chuỗi tin cậy")


def test_changed_evidence_byte_is_caught_by_the_manifest(built, tmp_path):
    def change(root, entries):
        name = f"{root}/data/evidence/H01.01.pdf"
        entries[name] = entries[name][:-5] + b"X" + entries[name][-4:]

    detail = failing(verify_package(tampered(built, tmp_path, change)), "Mã băm tệp dữ liệu")
    assert "data/evidence/H01.01.pdf" in detail and "đã bị thay đổi" in detail


def test_flipped_byte_in_the_zip_file_is_caught_by_crc(built, tmp_path):
    data = bytearray(built.package.read_bytes())
    with zipfile.ZipFile(built.package) as archive:
        info = archive.getinfo(next(n for n in archive.namelist() if n.endswith("H03.01.pdf")))
    data[info.header_offset + 30 + len(info.filename) + 40] ^= 0xFF
    (tmp_path / "hong.zip").write_bytes(bytes(data))
    detail = failing(verify_package(tmp_path / "hong.zip"), "Đọc tệp ZIP")
    assert "H03.01.pdf" in detail and "CRC" in detail


def test_missing_and_extra_files_are_refused(built, tmp_path):
    report = verify_package(tampered(built, tmp_path, lambda root, e: e.pop(f"{root}/data/evidence/H02.01.pdf")))
    assert "thiếu tệp 'data/evidence/H02.01.pdf'" in failing(report, "Mã băm tệp dữ liệu")
    (tmp_path / "extra").mkdir()
    report = verify_package(tampered(built, tmp_path / "extra",
                                     lambda root, e: e.__setitem__(f"{root}/data/evidence/them.txt", b"them")))
    assert "tệp thừa 'data/evidence/them.txt'" in failing(report, "Mã băm tệp dữ liệu")
    (tmp_path / "tag").mkdir()
    report = verify_package(tampered(built, tmp_path / "tag",
                                     lambda root, e: e.__setitem__(f"{root}/ghi-chu.txt", b"x")))
    assert "tệp thừa 'ghi-chu.txt'" in failing(report, "Mã băm tệp thẻ")


@pytest.mark.parametrize("name, reason", [
    ("{root}/../../thoat-ra.txt", "thoát ra ngoài gói"),
    ("/etc/cdht-tuyet-doi.txt", "đường dẫn tuyệt đối"),
    ("C:/Windows/loi.txt", "đường dẫn tuyệt đối"),
    ("{root}\\data\\x.txt", "dấu '\\'"),
])
def test_unsafe_paths_are_refused_before_reading(built, tmp_path, name, reason):
    report = verify_package(tampered(built, tmp_path, lambda root, e: e.__setitem__(name.format(root=root), b"x")))
    assert reason in failing(report, "Đường dẫn an toàn")
    assert not any(c.title == "Mã băm tệp dữ liệu" for c in report.checks)


def test_duplicate_names_are_refused(built, tmp_path):
    root, entries = _entries(built.package)
    target = tmp_path / "trung.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in sorted(entries.items()):
            archive.writestr(name, data)
        with pytest.warns(UserWarning, match="Duplicate name"):
            archive.writestr(f"{root}/bagit.txt", b"BagIt-Version: 1.0\n")
    assert "trùng tên" in failing(verify_package(target), "Đường dẫn an toàn")


def test_zip_bomb_is_refused_by_ratio_and_by_total_size(built, tmp_path):
    bomb = tampered(built, tmp_path, lambda root, e: e.__setitem__(f"{root}/data/evidence/bom.bin", bytes(30 << 20)),
                    compress=zipfile.ZIP_DEFLATED)
    assert bomb.stat().st_size < 2 << 20
    assert "bom nén" in failing(verify_package(bomb), "Kích thước giải nén")
    detail = failing(verify_package(built.package, limits=Limits(max_total_bytes=100_000)), "Kích thước giải nén")
    assert "vượt giới hạn" in detail


def test_truncated_zip_is_refused(built, tmp_path):
    data = built.package.read_bytes()
    (tmp_path / "cut.zip").write_bytes(data[: len(data) // 2])
    assert "cắt cụt" in failing(verify_package(tmp_path / "cut.zip"), "Đọc tệp ZIP")
    (tmp_path / "empty.zip").write_bytes(b"")
    assert not verify_package(tmp_path / "empty.zip").ok


def test_restamped_forgery_of_the_verdicts_breaks_the_signature_and_the_rules_check(built, tmp_path):
    def change(root, entries):
        name = f"{root}/data/du-lieu-2025.json"
        document = json.loads(entries[name])
        document["assessment"]["level"] = 2
        document["assessment"]["indicators"]["5.2"]["level2"] = "met"
        entries[name] = json.dumps(document, ensure_ascii=False).encode()

    report = verify_package(tampered(built, tmp_path, change, restamp=True))
    assert "nội dung đã bị sửa" in failing(report, "Chữ ký tệp kê khai")
    detail = failing(report, "Dữ liệu và kết quả đánh giá")
    assert "mức độ 2" in detail and "5.2" in detail
    assert {c.title: c.status for c in report.checks}["Mã băm tệp dữ liệu"] == OK


def test_restamped_forgery_of_a_signed_pdf_is_caught_by_its_signature(built, tmp_path):
    def change(root, entries):
        name = f"{root}/data/documents/to_trinh_2025.pdf"
        data = bytearray(entries[name])
        position = data.index(b"/Producer")
        data[position + 12] = ord("Z")
        entries[name] = bytes(data)

    report = verify_package(tampered(built, tmp_path, change, restamp=True))
    assert "ĐÃ BỊ THAY ĐỔI" in failing(report, "Chữ ký data/documents/to_trinh_2025.pdf")
    failing(report, "Chữ ký tệp kê khai")


def test_removed_manifest_signature_is_flagged(built, tmp_path):
    report = verify_package(tampered(built, tmp_path, lambda root, e: e.pop(
        f"{root}/signatures/tagmanifest-sha256.txt.p7s")))
    status = {c.title: c.status for c in report.checks}
    assert status["Chữ ký tệp kê khai (CAdES)"] == WARN
    assert "có lưu ý" in report.summary()


def test_parts_reassemble_from_manifest_or_first_part_and_damage_is_caught(built, tmp_path):
    manifest_path, manifest = split_package(built.package, tmp_path, 200_000, built.uuid, built.version)
    assert len(manifest.parts) >= 3
    assert b"".join((tmp_path / p.name).read_bytes() for p in manifest.parts) == built.package.read_bytes()
    for source in (manifest_path, tmp_path / manifest.parts[0].name):
        report = verify_package(source)
        assert report.ok, report.summary()
        assert report.checks[0].title == "Ghép các phần" and report.checks[0].status == OK
    second = tmp_path / manifest.parts[1].name
    data = bytearray(second.read_bytes())
    data[100] ^= 1
    second.write_bytes(bytes(data))
    assert "bị hỏng" in failing(verify_package(manifest_path), "Ghép các phần")
    second.unlink()
    with pytest.raises(InputError, match="Thiếu phần"):
        verify_package(manifest_path)
    manifest_path.unlink()
    report = verify_package(tmp_path / manifest.parts[0].name)
    assert not report.ok  # only the first part is left: the ZIP cannot be read
    assert report.checks[0].status == WARN


def test_manifest_parser_refuses_garbage():
    with pytest.raises(ValueError, match="dòng 1"):
        parse_manifest(b"khong-phai-ma-bam  data/x\n", "manifest-sha256.txt")


@pytest.mark.parametrize("text", ["[]", '{"format": "x", "size": 1e999}', "{", '{"format": "cdht-parts/1"}'])
def test_parts_manifest_garbage_is_refused_in_vietnamese(tmp_path, capsys, text):
    from app.cli import main

    path = tmp_path / "goi.parts.json"
    path.write_text(text, encoding="utf-8")
    assert main(["verify", str(path)]) != 0
    err = capsys.readouterr().err
    assert err.startswith("Lỗi: ") and "goi.parts.json" in err and "Traceback" not in err
    assert "object" not in err and "attribute" not in err
