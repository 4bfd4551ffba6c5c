"""PAdES and CAdES signatures with a real PKCS#12 file and a real PKCS#11 token (SoftHSM2)."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest

from app.dossier.sigcheck import check_detached_cms, check_pdf_signatures, load_trust_roots
from app.dossier.signing import Appearance, Pkcs12Key, TokenKey, open_signer, sign_detached, sign_pdf
from app.dossier.tokens import diagnose
from app.errors import InputError
from tests.dossier.conftest import small_pdf

ORG = "ỦY BAN NHÂN DÂN XÃ ĐỒNG TIẾN"


@pytest.fixture
def unsigned(tmp_path: Path) -> Path:
    path = tmp_path / "bao-cao.pdf"
    path.write_bytes(small_pdf("Bao cao tu danh gia"))
    return path


def _pdfsig(path: Path) -> str:
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=30).stdout


@pytest.mark.parametrize("kind", ["p12", "token"])
def test_pdf_signature_is_valid_for_pyhanko_and_poppler(kind, pki, p12_key, token_key, unsigned, tmp_path):
    key = p12_key if kind == "p12" else token_key
    signed = tmp_path / "signed.pdf"
    with open_signer(key) as signer:
        sign_pdf(signer, unsigned, signed, Appearance(ORG, signer_name="Nguyễn Văn An"))
    checks = check_pdf_signatures(io.BytesIO(signed.read_bytes()), load_trust_roots([pki.ca_pem]))
    assert len(checks) == 1
    assert checks[0].intact and checks[0].covers_document and checks[0].trusted is True
    assert checks[0].signer == "Ủy ban nhân dân xã Đồng Tiến"
    assert checks[0].signed_at.utcoffset().total_seconds() == 7 * 3600
    report = _pdfsig(signed)
    assert "Signature is Valid" in report and "Total document signed" in report


def test_visible_stamp_shows_organisation_and_vietnam_time_in_liberation_serif(p12_key, unsigned, tmp_path,
                                                                             monkeypatch):
    import datetime as dt
    import re
    import time

    monkeypatch.setenv("TZ", "America/New_York")  # the PC's own zone must not matter (NĐ 30: Vietnam time)
    time.tzset()
    signed = tmp_path / "signed.pdf"
    try:
        before = dt.datetime.now(dt.UTC)
        with open_signer(p12_key) as signer:
            sign_pdf(signer, unsigned, signed, Appearance(ORG))
        after = dt.datetime.now(dt.UTC)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    fonts = subprocess.run(["pdffonts", str(signed)], capture_output=True, text=True).stdout
    assert "LiberationSerif" in fonts
    text = subprocess.run(["pdftotext", "-layout", str(signed), "-"], capture_output=True, text=True).stdout
    assert f"Ký bởi: {ORG}" in text
    shown = re.search(r"Thời gian ký: (\d\d:\d\d:\d\d) ngày (\d\d/\d\d/\d{4}) \(\+07:00\)", text)
    assert shown, text
    stamped = dt.datetime.strptime(" ".join(shown.groups()), "%H:%M:%S %d/%m/%Y").replace(
        tzinfo=dt.timezone(dt.timedelta(hours=7)))
    assert before.replace(microsecond=0) - dt.timedelta(seconds=1) <= stamped <= after
    png = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-singlefile", str(signed), str(png)], check=True)
    assert png.with_suffix(".png").stat().st_size > 1000


def test_one_changed_byte_breaks_the_pdf_signature(p12_key, unsigned, tmp_path):
    signed = tmp_path / "signed.pdf"
    with open_signer(p12_key) as signer:
        sign_pdf(signer, unsigned, signed, Appearance(ORG))
    data = bytearray(signed.read_bytes())
    position = data.index(b"ReportLab")  # the document information, inside the signed byte range
    data[position] = ord("X")
    checks = check_pdf_signatures(io.BytesIO(bytes(data)))
    assert checks and not checks[0].intact
    assert "ĐÃ BỊ THAY ĐỔI" in checks[0].describe()


def test_detached_cms_from_the_token_verifies_with_openssl(pki, token_key, tmp_path):
    content = tmp_path / "tagmanifest-sha256.txt"
    content.write_bytes(b"0" * 64 + b"  bagit.txt\n")
    with open_signer(token_key) as signer:
        (tmp_path / "m.p7s").write_bytes(sign_detached(signer, content.read_bytes()))
    command = ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", str(tmp_path / "m.p7s"),
               "-content", str(content), "-CAfile", str(pki.ca_pem), "-purpose", "any", "-out", "/dev/null"]
    assert subprocess.run(command, capture_output=True).returncode == 0
    check = check_detached_cms(content.read_bytes(), (tmp_path / "m.p7s").read_bytes(), load_trust_roots([pki.ca_pem]))
    assert check.intact and check.trusted
    content.write_bytes(b"1" * 64 + b"  bagit.txt\n")
    assert subprocess.run(command, capture_output=True).returncode != 0
    assert not check_detached_cms(content.read_bytes(), (tmp_path / "m.p7s").read_bytes()).intact


def test_token_diagnostics_list_certificates_by_key_id_without_pin(pki):
    report = diagnose(pki.module)
    slot = next(s for s in report.slots if s.token_label == pki.token_label)
    by_id = {c.key_id: c for c in slot.certificates}
    assert by_id[pki.key_id].subject.endswith("Quốc gia: VN")  # Vietnamese labels, not "Common Name:"
    assert "Common Name" not in by_id[pki.key_id].subject and by_id[pki.key_id].subject.startswith("Tên: ")
    assert "Ủy ban nhân dân xã Đồng Tiến" in by_id[pki.key_id].subject
    assert "CA Gốc Thử Nghiệm" in by_id[pki.key_id].issuer
    assert by_id[pki.key_id].label == "Chứng thư UBND xã Đồng Tiến"
    assert by_id[pki.key_id].not_before < by_id[pki.key_id].not_after


def test_token_key_chosen_by_certificate_serial(pki, unsigned, tmp_path):
    key = TokenKey(pki.module, pki.token_pin, serial=pki.signer_serial)
    with open_signer(key) as signer:
        sign_pdf(signer, unsigned, tmp_path / "s.pdf", Appearance(ORG))
    assert check_pdf_signatures(io.BytesIO((tmp_path / "s.pdf").read_bytes()))[0].intact


def test_token_errors_are_vietnamese(pki):
    with pytest.raises(InputError, match="Không tìm thấy chứng thư số đã chọn.*mã khóa a1b2c3"):
        with open_signer(TokenKey(pki.module, pki.token_pin, key_id="ffff")):
            pass
    with pytest.raises(InputError, match="Mã PIN không đúng.*3 lần"):
        with open_signer(TokenKey(pki.module, "000000", key_id=pki.key_id)):
            pass
    with pytest.raises(InputError, match="Không tìm thấy thư viện PKCS#11"):
        diagnose(Path("/khong/co/thu-vien.so"))
    # one wrong PIN did not lock the token: the right PIN still works
    with open_signer(TokenKey(pki.module, pki.token_pin, key_id=pki.key_id)) as signer:
        assert signer is not None


def test_wrong_pkcs12_password_is_refused(pki):
    with pytest.raises(InputError, match="sai mật khẩu"):
        with open_signer(Pkcs12Key(pki.p12, "sai")):
            pass
