"""`verify` refuses every kind of damage or tampering, with the reason, straight from the ZIP or its parts.

The signature policy (who signed, bound to which commune, coverage) has its own tests in test_policy.py.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from app.dossier.bag import parse_manifest
from app.dossier.parts import split_package
from app.dossier.verify import FAIL, INVALID, OK, UNBOUND, VALID, WARN, Limits, verify_package
from app.errors import InputError
from tests.dossier import forge


def _entries(package: Path) -> tuple[str, dict[str, bytes]]:
    return forge.entries(package)


def tampered(built, tmp_path: Path, change: Callable[[str, dict[str, bytes]], None], restamp: bool = False,
             compress: int = zipfile.ZIP_STORED) -> Path:
    return forge.tampered(built.package, tmp_path / "sua.zip", change, restamped=restamp, compress=compress)


def failing(report, title_prefix: str) -> str:
    assert not report.ok
    matches = [c for c in report.checks if c.title.startswith(title_prefix) and c.status == FAIL]
    assert matches, [c.line() for c in report.checks]
    return matches[0].detail


def test_the_built_package_is_intact_but_its_test_ca_is_not_a_national_anchor(built):
    report = verify_package(built.package)
    assert report.ok and report.verdict == UNBOUND, report.summary()
    statuses = {c.title: c.status for c in report.checks}
    assert statuses["Chữ ký tệp kê khai (CAdES)"] == OK
    assert statuses["Dữ liệu và kết quả đánh giá"] == OK
    assert statuses["Chuỗi tin cậy"] == WARN
    detail = next(c.detail for c in report.checks if c.title == "Chuỗi tin cậy")
    assert "không chuỗi về tổ chức chứng thực tin cậy" in detail and "9 chứng thư gốc quốc gia" in detail
    assert report.summary().startswith("Gói nguyên vẹn nhưng người ký KHÔNG được xác nhận là UBND xã Đồng Tiến")


def test_trust_is_judged_against_the_anchors_given(built, pki):
    report = verify_package(built.package, trust=[pki.ca_pem])
    assert report.verdict == VALID and report.exit_code == 0, report.summary()
    assert report.summary().startswith("Gói hồ sơ hợp lệ và nguyên vẹn: do UBND xã Đồng Tiến (Thái Nguyên) ký")
    assert "chưa kiểm tra thu hồi" in report.summary()
    assert {c.title: c.status for c in report.checks}["Thu hồi chứng thư"] == WARN
    signer = report.signer
    assert signer.fingerprint == pki.signer_fingerprint and signer.bound_by == "name"
    assert "CN=Ủy ban nhân dân xã Đồng Tiến" in signer.subject and "ST=Thái Nguyên" in signer.subject
    assert (report.commune, report.province) == ("Đồng Tiến", "Thái Nguyên")
    report = verify_package(built.package, trust_only=[pki.other_ca_pem])
    assert report.verdict == UNBOUND and report.exit_code == 3
    assert "1 chứng thư do người kiểm tra chỉ định" in next(c.detail for c in report.checks if c.title == "Chuỗi tin cậy")
    assert verify_package(built.package, trust_only=[pki.ca_pem]).verdict == VALID


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


def test_removed_manifest_signature_makes_the_package_invalid(built, tmp_path, pki):
    report = verify_package(tampered(built, tmp_path, lambda root, e: e.pop(
        f"{root}/signatures/tagmanifest-sha256.txt.p7s")), trust=[pki.ca_pem])
    assert report.verdict == INVALID and report.exit_code == 1
    assert "thiếu chữ ký tệp kê khai" in failing(report, "Phạm vi chữ ký")


def test_parts_reassemble_from_manifest_or_first_part_and_damage_is_caught(built, tmp_path):
    manifest_path, manifest = split_package(built.package, tmp_path, 200_000, built.uuid, built.version)
    assert len(manifest.parts) >= 3
    assert b"".join((tmp_path / p.name).read_bytes() for p in manifest.parts) == built.package.read_bytes()
    for source in (manifest_path, tmp_path / manifest.parts[0].name):
        report = verify_package(source)
        assert report.ok and report.verdict == UNBOUND, report.summary()
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


# ---------------------------------------------------------------------------------------------- bounded reading


@pytest.mark.parametrize("where, reason", [("prefix", "byte lạ trước đầu tệp ZIP"),
                                           ("suffix", "byte lạ sau phần kết của tệp ZIP"),
                                           ("comment", "phần chú thích")])
def test_bytes_outside_the_zip_structure_are_refused(built, tmp_path, where, reason):
    data = built.package.read_bytes()
    if where == "prefix":
        data = b"MZ hidden payload " * 10 + data
    elif where == "suffix":
        data += b"<script>hidden</script>"
    else:
        data = data[:-2] + (12).to_bytes(2, "little") + b"hidden bytes"
    (tmp_path / "x.zip").write_bytes(data)
    report = verify_package(tmp_path / "x.zip")
    assert report.verdict == INVALID and reason in failing(report, "Đọc tệp ZIP")


def test_hidden_bytes_between_entries_are_refused(built, tmp_path):
    root, files = _entries(built.package)
    target = forge.write_zip(files, tmp_path / "x.zip")
    with zipfile.ZipFile(target) as archive:
        second = sorted(archive.infolist(), key=lambda i: i.header_offset)[1]
    data = target.read_bytes()
    gap = b"hidden"
    patched = bytearray(data[:second.header_offset] + gap + data[second.header_offset:])
    # move every following local header and the central directory by len(gap), as a careful forger would
    with zipfile.ZipFile(target) as archive:
        infos = archive.infolist()
    import struct
    end = patched.rfind(b"PK\x05\x06")
    directory_offset = struct.unpack("<L", patched[end + 16:end + 20])[0] + len(gap)
    patched[end + 16:end + 20] = struct.pack("<L", directory_offset)
    position = directory_offset
    for _ in infos:
        offset = struct.unpack("<L", patched[position + 42:position + 46])[0]
        if offset >= second.header_offset:
            patched[position + 42:position + 46] = struct.pack("<L", offset + len(gap))
        name, extra, comment = struct.unpack("<HHH", patched[position + 28:position + 34])
        position += 46 + name + extra + comment
    (tmp_path / "gap.zip").write_bytes(bytes(patched))
    assert zipfile.ZipFile(tmp_path / "gap.zip").testzip() is None  # zipfile itself sees nothing wrong
    assert "có 6 byte lạ sau tệp 'HoSo-CDHT-dong-tien-2025-v1/bag-info.txt'" in failing(verify_package(tmp_path / "gap.zip"), "Đọc tệp ZIP")


def test_too_many_entries_are_refused_before_the_directory_is_parsed(built, tmp_path):
    report = verify_package(built.package, limits=Limits(max_entries=10))
    detail = failing(report, "Kích thước giải nén")
    assert detail.startswith("quá nhiều tệp (") and "tối đa 10" in detail
    assert [c.title for c in report.checks] == ["Kích thước giải nén"]


def test_a_hundred_thousand_extra_files_give_one_short_line(built, tmp_path):
    def add(root, files):
        for number in range(99_960):
            files[f"{root}/data/evidence/x{number:06d}.bin"] = b""

    report = verify_package(tampered(built, tmp_path, add))
    detail = failing(report, "Mã băm tệp dữ liệu")
    assert "và 99.9" in detail and detail.endswith("vấn đề khác")
    assert all(len(check.line()) <= 300 for check in report.checks)
    assert len(report.summary()) <= 300 and report.summary().startswith("GÓI HỒ SƠ KHÔNG HỢP LỆ: ")


def test_control_characters_in_names_never_reach_the_screen(built, tmp_path, capsys):
    from app.cli import main

    name = "data/evidence/\x1b[2J\x1b[32m✔ Gói hồ sơ hợp lệ\x1b[0m.pdf"
    target = tampered(built, tmp_path, lambda root, e: e.__setitem__(f"{root}/{name}", b"x"))
    assert main(["verify", str(target)]) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out and "tên có ký tự điều khiển" in out


def test_deeply_nested_dataset_is_refused_without_a_crash(built, tmp_path, capsys):
    from app.cli import main

    deep = b"[" * 200_000 + b"]" * 200_000
    target = tampered(built, tmp_path, lambda root, e: e.__setitem__(f"{root}/data/du-lieu-2025.json", deep),
                      restamp=True)
    assert main(["verify", str(target)]) == 1
    captured = capsys.readouterr()
    assert "lồng nhau quá sâu" in captured.out and captured.err == ""
    assert not (tmp_path / "user-data" / "logs").exists()


def test_oversized_tag_files_and_too_many_documents_are_refused(built, tmp_path):
    report = verify_package(tampered(built, tmp_path, lambda root, e: e.__setitem__(
        f"{root}/bag-info.txt", b"X: " + b"y" * (2 << 20))))
    assert "bag-info.txt' quá lớn" in failing(report, "Kích thước giải nén")
    (tmp_path / "many").mkdir()

    def documents(root, files):
        pdf = files[f"{root}/data/documents/to_trinh_2025.pdf"]
        for number in range(60):
            files[f"{root}/data/documents/them-{number:02d}.pdf"] = pdf

    report = verify_package(tampered(built, tmp_path / "many", documents))
    assert "quá nhiều văn bản PDF" in failing(report, "Kích thước giải nén")


def test_duplicate_parts_are_ignored_and_stray_parts_refused(built, tmp_path):
    import shutil

    manifest_path, manifest = split_package(built.package, tmp_path, 200_000, built.uuid, built.version)
    first, second = (tmp_path / p.name for p in manifest.parts[:2])
    shutil.copy(second, tmp_path / f"{built.package.name} (1).{second.name[-3:]}")  # saved twice by a browser
    shutil.copy(first, tmp_path / f"{built.package.name} - Copy.{first.name[-3:]}")
    report = verify_package(manifest_path)
    assert report.ok and report.checks[0].status == OK, report.summary()
    assert "bỏ qua 2 bản trùng giống hệt" in report.checks[0].detail
    stray = tmp_path / f"{built.package.name}.{len(manifest.parts) + 1:03d}"
    stray.write_bytes(b"PK\x03\x04 extra part")
    report = verify_package(manifest_path)
    assert report.verdict == INVALID and "phần thừa" in failing(report, "Ghép các phần")
    stray.unlink()
    (tmp_path / f"{built.package.name}(2).{second.name[-3:]}").write_bytes(b"other bytes")
    assert "khác phần đã liệt kê" in failing(verify_package(manifest_path), "Ghép các phần")


def test_parts_manifest_must_name_the_package_it_reassembles(built, tmp_path):
    manifest_path, _ = split_package(built.package, tmp_path, 200_000, "00000000-0000-0000-0000-000000000000", 9)
    assert "mã gói hoặc phiên bản khác" in failing(verify_package(manifest_path), "Ghép các phần")
