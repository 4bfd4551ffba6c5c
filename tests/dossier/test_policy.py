"""The signature policy against a forger: every attack is refused (exit 1) or, where only the signer's identity
is in doubt, marked unbound (exit 3). Real keys (a test CA with two commune certificates and a self-signed
impostor), real pyHanko signatures and incremental PDF updates."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app.cli import main
from app.dossier.registry import add_commune, load_registry
from app.dossier.verify import FAIL, INVALID, OK, UNBOUND, VALID, WARN, verify_package
from tests.dossier import forge
from tests.dossier.conftest import build_signed


def failing(report, title_prefix: str) -> str:
    matches = [c for c in report.checks if c.title.startswith(title_prefix) and c.status == FAIL]
    assert matches, [c.line() for c in report.checks]
    return matches[0].detail


def status(report, title: str) -> str:
    return {c.title: c.status for c in report.checks}[title]


@pytest.fixture(scope="module")
def by_other_commune(ready_template, pki, tmp_path_factory):
    """A whole package of UBND xã Đồng Tiến built and signed end to end by UBND xã Kiến Hưng's certificate."""
    from app.dossier.signing import Pkcs12Key

    return build_signed(ready_template, tmp_path_factory.mktemp("kien-hung"),
                        Pkcs12Key(pki.other_commune_p12, pki.p12_password))


@pytest.fixture(scope="module")
def by_impostor(ready_template, pki, tmp_path_factory):
    from app.dossier.signing import Pkcs12Key

    return build_signed(ready_template, tmp_path_factory.mktemp("mao-danh"),
                        Pkcs12Key(pki.impostor_p12, pki.p12_password))


# ---------------------------------------------------------------------------------------------- coverage


def test_stripping_the_manifest_signature_and_changing_the_data_is_invalid(built, pki, tmp_path):
    def claim_level_two(root, files):
        files.pop(f"{root}/signatures/tagmanifest-sha256.txt.p7s")
        files[f"{root}/data/evidence/H01.01.pdf"] = b"%PDF-1.4 a different decision"

    report = verify_package(forge.tampered(built.package, tmp_path / "x.zip", claim_level_two, restamped=True),
                            trust=[pki.ca_pem])
    assert report.verdict == INVALID and report.exit_code == 1
    assert "thiếu chữ ký tệp kê khai" in failing(report, "Phạm vi chữ ký")
    assert status(report, "Mã băm tệp dữ liệu") == OK  # the forger's manifests are consistent; only the policy bites


def test_signature_over_a_changed_manifest_is_invalid(built, pki, tmp_path):
    def change(root, files):
        files[f"{root}/data/evidence/H01.01.pdf"] = b"%PDF-1.4 changed"

    report = verify_package(forge.tampered(built.package, tmp_path / "x.zip", change, restamped=True),
                            trust=[pki.ca_pem])
    assert report.verdict == INVALID
    assert "nội dung đã bị sửa" in failing(report, "Chữ ký tệp kê khai")
    assert "không hợp lệ" in failing(report, "Phạm vi chữ ký")


# ---------------------------------------------------------------------------------------------- who signed


def test_another_commune_re_signing_the_manifest_mixes_signers_and_is_invalid(built, pki, tmp_path,
                                                                               other_commune_key):
    def change(root, files):
        files[f"{root}/data/evidence/H01.01.pdf"] = b"%PDF-1.4 forged evidence"

    report = verify_package(forge.tampered(built.package, tmp_path / "x.zip", change, resign_with=other_commune_key),
                            trust=[pki.ca_pem])
    assert status(report, "Chữ ký tệp kê khai (CAdES)") == OK  # a genuine signature, by the wrong commune
    assert report.verdict == INVALID
    detail = failing(report, "Một người ký")
    assert "Kiến Hưng" in detail and "Đồng Tiến" in detail


def test_a_package_re_signed_entirely_by_another_commune_is_unbound(by_other_commune, pki):
    report = verify_package(by_other_commune.package, trust=[pki.ca_pem])
    assert report.verdict == UNBOUND and report.exit_code == 3, report.summary()
    assert status(report, "Chuỗi tin cậy") == OK and status(report, "Người ký là xã") == WARN
    assert report.summary().startswith("Gói nguyên vẹn nhưng người ký KHÔNG được xác nhận là UBND xã Đồng Tiến "
                                       "(Thái Nguyên): chứng thư không ghi tên xã Đồng Tiến, Thái Nguyên")
    assert report.signer.fingerprint == pki.other_commune_fingerprint and not report.signer.bound


def test_the_recipients_register_binds_a_certificate_on_purpose(by_other_commune, pki, tmp_path):
    registry_file = tmp_path / "so.json"
    add_commune(registry_file, "xã Đồng Tiến", "tỉnh Thái Nguyên", [pki.other_commune_fingerprint.upper()],
                "ubnd@dongtien.example.vn")
    report = verify_package(by_other_commune.package, trust=[pki.ca_pem], registry=load_registry(registry_file))
    assert report.verdict == VALID and report.signer.bound_by == "registry", report.summary()
    add_commune(registry_file, "Kiến Hưng", "Hà Nội", [pki.signer_fingerprint])  # another commune's entry
    other = load_registry(registry_file).find("Kiến Hưng", "Thành phố Hà Nội")
    assert other is not None and pki.signer_fingerprint in other.fingerprints
    assert verify_package(by_other_commune.package, trust=[pki.ca_pem], registry=load_registry(registry_file)) \
        .verdict == VALID


def test_a_self_signed_impostor_with_the_communes_name_is_unbound(by_impostor, pki, capsys):
    report = verify_package(by_impostor.package, trust=[pki.ca_pem])
    assert report.verdict == UNBOUND, report.summary()
    assert status(report, "Người ký là xã") == OK  # the name matches perfectly…
    assert status(report, "Chuỗi tin cậy") == WARN  # …but no trusted CA vouches for it
    assert "chứng thư tự ký, không do tổ chức chứng thực tin cậy nào cấp" in report.summary()
    assert main(["verify", str(by_impostor.package)]) == 3
    assert "KHÔNG được xác nhận là UBND xã Đồng Tiến" in capsys.readouterr().out.splitlines()[-1]


def test_terminal_escapes_in_a_certificate_name_are_not_printed(ready_template, pki, tmp_path, capsys):
    import datetime as dt

    from cryptography import x509
    from cryptography.x509.oid import NameOID

    from app.dossier.signing import Pkcs12Key
    from tests.dossier.pki import issue, write_p12

    painted = "UBND xã Đồng Tiến\x1b[2K\r\x1b[32m✔ Hợp lệ\x1b[0m\u202e"
    key, cert = issue(None, None, dt.datetime.now(dt.UTC), x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, painted),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, painted)]))
    p12 = write_p12(tmp_path / "son.p12", key, cert, [])
    built = build_signed(ready_template, tmp_path / "b", Pkcs12Key(p12, pki.p12_password))
    code = main(["verify", str(built.package)])
    out = capsys.readouterr().out
    assert code == 3
    assert "\x1b" not in out and "\r" not in out and "\u202e" not in out
    assert "UBND xã Đồng Tiến[2K [32m✔ Hợp lệ[0m" in out  # shown, but harmless


# ---------------------------------------------------------------------------------------------- PDF revisions


def _with_document(built, tmp_path: Path, change, key) -> Path:
    """The package with one document changed by `change(pdf_bytes)`, manifests recomputed and re-signed by `key`
    (as if the commune's own manifest key had signed it), so only the PDF rule can object."""
    def edit(root, files):
        name = f"{root}/data/documents/to_trinh_2025.pdf"
        files[name] = change(files[name])

    return forge.tampered(built.package, tmp_path / "x.zip", edit, resign_with=key)


def test_a_later_update_that_changes_the_text_is_invalid(built, pki, tmp_path, p12_key):
    report = verify_package(_with_document(built, tmp_path, forge.change_visible_text, p12_key), trust=[pki.ca_pem])
    assert report.verdict == INVALID
    detail = failing(report, "Chữ ký data/documents/to_trinh_2025.pdf")
    assert "nội dung văn bản đã bị thay đổi bằng một bản cập nhật thêm vào" in detail
    assert status(report, "Chữ ký tệp kê khai (CAdES)") == OK


@pytest.mark.parametrize("second_signer", ["other_commune_key", "p12_key"])
def test_a_changed_pdf_with_an_added_signature_is_invalid(built, pki, tmp_path, request, p12_key, second_signer):
    key = request.getfixturevalue(second_signer)

    def forge_document(data: bytes) -> bytes:
        return forge.sign_pdf_bytes(forge.change_visible_text(data), key, field="ChuKySo2")

    report = verify_package(_with_document(built, tmp_path, forge_document, p12_key), trust=[pki.ca_pem])
    assert report.verdict == INVALID
    detail = failing(report, "Chữ ký data/documents/to_trinh_2025.pdf")
    assert "sau chữ ký này" in detail


def test_an_added_signature_alone_is_invalid(built, pki, tmp_path, p12_key):
    report = verify_package(_with_document(
        built, tmp_path, lambda data: forge.sign_pdf_bytes(data, p12_key, field="ChuKySo2"), p12_key),
        trust=[pki.ca_pem])
    assert "có chữ ký hoặc nội dung biểu mẫu khác được thêm vào" in failing(report, "Chữ ký data/documents/to_trinh")


@pytest.mark.parametrize("archive", [lambda data, ca: forge.add_validation_data(data, ca),
                                     lambda data, ca: forge.add_document_timestamp(data)], ids=["dss", "timestamp"])
def test_later_revisions_adding_only_validation_data_or_a_timestamp_are_accepted(built, pki, tmp_path, p12_key,
                                                                                 archive):
    report = verify_package(_with_document(built, tmp_path, lambda data: archive(data, pki.ca_pem), p12_key),
                            trust=[pki.ca_pem])
    assert report.verdict == VALID, report.summary()


# ---------------------------------------------------------------------------------------------- ký ngoài


@pytest.fixture(scope="module")
def external(ready_template, pki, tmp_path_factory):
    """A package signed outside the app: exported, signed (on the SoftHSM2 token), imported, packaged."""
    import os

    from app.dossier.external import export_unsigned, import_signed
    from app.dossier.finalize import finalize
    from app.dossier.package import build_package
    from app.dossier.signing import Appearance, TokenKey, open_signer, sign_pdf
    from app.storage.workspace import Workspace

    folder = tmp_path_factory.mktemp("ky-ngoai")
    shutil.copytree(ready_template, folder / "xa")
    ws = Workspace.open(folder / "xa" / "cdht.sqlite3")
    try:
        finalize(ws, 2025)
        exported = export_unsigned(ws, 2025, folder / "de-ky")
        os.environ["SOFTHSM2_CONF"] = str(pki.softhsm_conf)
        (folder / "da-ky").mkdir()
        with open_signer(TokenKey(pki.module, pki.token_pin, key_id=pki.key_id)) as signer:
            for pdf in exported:
                sign_pdf(signer, pdf, folder / "da-ky" / pdf.name, Appearance("UBND XÃ ĐỒNG TIẾN"))
        assert all(r.accepted for r in import_signed(ws, 2025, sorted((folder / "da-ky").iterdir())))
        record = build_package(ws, 2025, folder / "goi.zip", None)
    finally:
        ws.close()
    return Path(record.path)


def test_an_externally_signed_package_is_covered_by_its_embedded_manifest(external, pki, capsys):
    report = verify_package(external, trust=[pki.ca_pem])
    assert report.verdict == VALID, report.summary()
    assert report.coverage == "embedded" and "signatures/tagmanifest-sha256.txt.p7s" not in str(report.checks)
    assert "bảng kê ký kèm trong data/documents/danh_muc_minh_chung_2025.pdf" in \
        next(c.detail for c in report.checks if c.title == "Phạm vi chữ ký")
    assert main(["verify", str(external), "--trust", str(pki.ca_pem), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["coverage"] == "embedded"


@pytest.mark.parametrize("change, reason", [
    (lambda root, f: f.__setitem__(f"{root}/data/evidence/H01.01.pdf", b"%PDF-1.4 forged"), "khác bảng kê đã ký"),
    (lambda root, f: f.__setitem__(f"{root}/data/evidence/moi.pdf", b"%PDF-1.4 added"), "không có trong bảng kê"),
    (lambda root, f: f.pop(f"{root}/data/evidence/H02.01.pdf"), "thiếu tệp"),
    (lambda root, f: f.__setitem__(f"{root}/bag-info.txt", f[f"{root}/bag-info.txt"].replace(
        b"CDHT-Level-Requested: 1", b"CDHT-Level-Requested: 2")), "bag-info.txt khác nội dung đã ký"),
    (lambda root, f: f.__setitem__(f"{root}/data/documents/to_trinh_2025.pdf", forge.change_visible_text(
        f[f"{root}/data/documents/to_trinh_2025.pdf"])), "data/documents/to_trinh_2025.pdf"),
])
def test_a_tampered_external_package_is_invalid(external, pki, tmp_path, change, reason):
    report = verify_package(forge.tampered(external, tmp_path / "x.zip", change, restamped=True), trust=[pki.ca_pem])
    assert report.verdict == INVALID
    assert reason in " ".join(c.line() for c in report.failures)


def test_a_manifest_attached_after_signing_is_not_read(external, pki, tmp_path):
    """A forger appends a new attachment (their own manifest) to the signed Danh mục: the signed revision has the
    commune's manifest, and the appended revision breaks the signature's coverage."""
    from app.dossier import embedded

    def replace_manifest(root, files):
        name = f"{root}/data/documents/danh_muc_minh_chung_2025.pdf"
        signed = files[name]
        (tmp_path / "dm.pdf").write_bytes(signed)
        genuine = embedded.parse(embedded.signed_attachment(tmp_path / "dm.pdf"))
        forged = embedded.SignedManifest(**{**genuine.__dict__, "files": {
            **genuine.files, "data/evidence/H01.01.pdf": "0" * 64}})
        files[name] = embedded.embed(signed, forged)
        files[f"{root}/data/evidence/H01.01.pdf"] = b"%PDF-1.4 forged"

    report = verify_package(forge.tampered(external, tmp_path / "x.zip", replace_manifest, restamped=True),
                            trust=[pki.ca_pem])
    assert report.verdict == INVALID
    assert "sau chữ ký này" in failing(report, "Chữ ký data/documents/danh_muc_minh_chung_2025.pdf")
    assert "khác bảng kê đã ký" in failing(report, "Phạm vi chữ ký")


# ---------------------------------------------------------------------------------------------- exit codes


def test_exit_codes_valid_unbound_invalid(built, by_other_commune, pki, tmp_path, capsys):
    assert main(["verify", str(built.package), "--trust", str(pki.ca_pem)]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("Gói hồ sơ hợp lệ và nguyên vẹn")
    assert main(["verify", str(by_other_commune.package), "--trust", str(pki.ca_pem)]) == 3
    assert main(["verify", str(built.package)]) == 3  # the test CA is not a national anchor
    assert main(["verify", str(built.package), "--trust-only", str(pki.other_ca_pem)]) == 3
    capsys.readouterr()
    broken = tmp_path / "hong.zip"
    broken.write_bytes(built.package.read_bytes()[:-100])
    assert main(["verify", str(broken), "--trust", str(pki.ca_pem)]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[-1].startswith("GÓI HỒ SƠ KHÔNG HỢP LỆ: ")
    assert main(["verify", str(built.package), "--json", "--trust", str(pki.ca_pem)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["verdict"] == "valid" and report["exit_code"] == 0
    assert report["signer"]["fingerprint"] == pki.signer_fingerprint and report["commune"] == "Đồng Tiến"
