"""The recipient's register of communes: a versioned JSON file, managed from the CLI, used by `verify`, and
trust on first use only on purpose."""

from __future__ import annotations

import json

import pytest

from app.cli import main
from app.dossier.binding import names_commune, names_province, subject_names_commune
from app.dossier.registry import (
    REGISTRY_FORMAT,
    add_commune,
    default_registry_path,
    import_registry,
    load_registry,
    register_signer,
)
from app.dossier.verify import verify_package
from app.errors import InputError
from tests.dossier import forge


def test_register_file_format_merge_and_lookup(tmp_path, pki):
    path = tmp_path / "so.json"
    assert load_registry(path).entries == ()
    with pytest.raises(InputError, match="ký tự điều khiển"):  # control characters are refused, never stored
        add_commune(path, "xã Đồng Tiến", "Tỉnh Thái Nguyên", [pki.signer_fingerprint], "ubnd@dongtien.vn\x1b[31m")
    assert load_registry(path).entries == ()
    entry = add_commune(path, "xã Đồng Tiến", "Tỉnh Thái Nguyên", [pki.signer_fingerprint], "ubnd@dongtien.vn")
    assert entry.contact == "ubnd@dongtien.vn"
    add_commune(path, "ĐỒNG TIẾN", "thai nguyen", ["AA" * 32], note="Chứng thư gia hạn")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["format"] == REGISTRY_FORMAT and len(document["communes"]) == 1
    saved = document["communes"][0]
    assert saved["commune"] == "Đồng Tiến" or saved["commune"] == "xã Đồng Tiến"
    assert saved["fingerprints"] == [pki.signer_fingerprint, "aa" * 32] and saved["contact"] == "ubnd@dongtien.vn"
    registry = load_registry(path)
    assert registry.binds(pki.signer_fingerprint, "Đồng Tiến", "Thái Nguyên")
    assert not registry.binds(pki.signer_fingerprint, "Đồng Tiến", "Hà Nội")
    assert not registry.binds(pki.other_commune_fingerprint, "Đồng Tiến", "Thái Nguyên")


@pytest.mark.parametrize("text, reason", [
    ("{", "không phải JSON hợp lệ"),
    ('{"format": "khac", "communes": []}', "cdht-registry/1"),
    ('{"format": "cdht-registry/1", "communes": [{"commune": "", "province": "Hà Nội"}]}', "Tên xã"),
    ('{"format": "cdht-registry/1", "communes": [{"commune": "A", "province": "B", "fingerprints": ["xyz"]}]}',
     "Dấu vân tay"),
    ("[" * 100 + "]" * 100, "lồng nhau quá sâu"),
])
def test_a_bad_register_is_refused_whole_with_the_reason(tmp_path, text, reason):
    path, source = tmp_path / "so.json", tmp_path / "nhap.json"
    add_commune(path, "Đồng Tiến", "Thái Nguyên")
    before = path.read_bytes()
    source.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=reason):
        import_registry(path, source)
    assert path.read_bytes() == before


def test_registry_commands_and_verify_use_the_same_register(built, pki, tmp_path, capsys):
    import shutil

    folder = tmp_path / "nhan"
    shutil.copytree(built.folder, folder)
    db = str(folder / "cdht.sqlite3")
    assert main(["--db", db, "registry", "list"]) == 0
    assert "chưa có xã nào" in capsys.readouterr().out
    other = tmp_path / "noi-khac.json"
    add_commune(other, "Kiến Hưng", "Hà Nội", [pki.other_commune_fingerprint], "0243 000 000")
    assert main(["--db", db, "registry", "import", str(other)]) == 0
    assert "thêm 1 xã" in capsys.readouterr().out
    assert main(["--db", db, "registry", "add", "--commune", "Đồng Tiến", "--province", "Thái Nguyên",
                 "--cert", str(pki.signer_cert_pem), "--contact", "ubnd@dongtien.vn"]) == 0
    assert pki.signer_fingerprint in capsys.readouterr().out
    assert main(["--db", db, "registry", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [c["commune"] for c in listed["communes"]] == ["Kiến Hưng", "Đồng Tiến"]
    assert main(["--db", db, "registry", "export", str(tmp_path / "ra.json")]) == 0
    assert json.loads((tmp_path / "ra.json").read_text(encoding="utf-8")) == listed
    assert default_registry_path(folder).is_file() and not default_registry_path(built.folder).exists()
    assert main(["--db", db, "registry", "remove", "--commune", "Kiến Hưng", "--province", "Hà Nội"]) == 0
    assert main(["--db", db, "registry", "remove", "--commune", "Kiến Hưng", "--province", "Hà Nội"]) == 1
    assert "không có xã Kiến Hưng" in capsys.readouterr().err
    assert main(["verify", str(built.package), "--registry", str(tmp_path / "khong-co.json")]) == 1
    assert "Không tìm thấy sổ đăng ký" in capsys.readouterr().err


def test_trust_on_first_use_is_explicit_and_only_for_an_intact_package(by_name_only, pki, tmp_path, capsys):
    registry_file = tmp_path / "so.json"
    assert main(["verify", str(by_name_only), "--trust", str(pki.ca_pem)]) == 3
    assert not registry_file.exists()  # checking never adds anything
    capsys.readouterr()
    assert main(["registry", "add", "--from-package", str(by_name_only), "--trust", str(pki.ca_pem),
                 "--registry", str(registry_file), "--contact", "0208 000 000"]) == 0
    out = capsys.readouterr().out
    assert pki.other_commune_fingerprint in out and "cho xã Đồng Tiến (Thái Nguyên)" in out
    assert main(["verify", str(by_name_only), "--trust", str(pki.ca_pem), "--registry", str(registry_file)]) == 0
    broken = forge.tampered(by_name_only, tmp_path / "hong.zip", lambda root, f: f.__setitem__(
        f"{root}/data/evidence/H01.01.pdf", b"forged"), restamped=True)
    report = verify_package(broken, trust=[pki.ca_pem])
    with pytest.raises(InputError, match="gói nguyên vẹn"):
        register_signer(tmp_path / "so2.json", report)
    assert not (tmp_path / "so2.json").exists()


@pytest.fixture(scope="module")
def by_name_only(ready_template, pki, tmp_path_factory):
    """Đồng Tiến's package signed with a certificate that does not name it (here: Kiến Hưng's)."""
    from app.dossier.signing import Pkcs12Key
    from tests.dossier.conftest import build_signed

    return build_signed(ready_template, tmp_path_factory.mktemp("ten"),
                        Pkcs12Key(pki.other_commune_p12, pki.p12_password)).package


@pytest.mark.parametrize("value, commune, expected", [
    ("Ủy ban nhân dân xã Đồng Tiến", "Đồng Tiến", True),
    ("UBND XÃ ĐỒNG TIẾN", "đồng tiến", True),
    ("UBND xã Đồng Tiến Mới", "Đồng Tiến", False),
    ("UBND xã Kiến Hưng", "Kiến", False),
    ("UBND xã Tịnh Khê tỉnh Quảng Ngãi", "Tịnh Khê", True),
    ("UBND phường Đồng Tiến - TP. Hà Nội", "Đồng Tiến", True),
    ("Đồng Tiến", "Đồng Tiến", False),  # a bare name is not an organisation
    ("Công ty Đồng Tiến", "Đồng Tiến", False),
])
def test_commune_names_match_whole_units_only(value, commune, expected):
    assert names_commune(value, commune) is expected


@pytest.mark.parametrize("value, province, expected", [
    ("Thái Nguyên", "Thái Nguyên", True), ("Tỉnh Thái Nguyên", "thai nguyen", True),
    ("UBND xã Đồng Tiến, tỉnh Thái Nguyên", "Thái Nguyên", True), ("TP. Hà Nội", "Thành phố Hà Nội", True),
    ("Thái Nguyên Mới", "Thái Nguyên", False), ("UBND xã Thái Nguyên", "Thái Nguyên", False),
])
def test_province_names_match_whole_values_or_units(value, province, expected):
    assert names_province(value, province) is expected


def test_the_subject_must_name_both_commune_and_province():
    subject = {"common_name": "Nguyễn Văn An", "organizational_unit_name": "UBND xã Đồng Tiến",
               "locality_name": "Tỉnh Thái Nguyên"}
    assert subject_names_commune(subject, "Đồng Tiến", "Thái Nguyên")
    assert not subject_names_commune(subject, "Đồng Tiến", "Hà Nội")
    assert not subject_names_commune({"common_name": "UBND xã Đồng Tiến"}, "Đồng Tiến", "Thái Nguyên")
