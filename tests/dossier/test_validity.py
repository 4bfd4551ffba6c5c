"""The chain and the certificate's validity are judged at the signing time the signature claims."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from cryptography.hazmat.primitives import serialization

from app.dossier import sigcheck
from app.dossier.sigcheck import check_pdf_signatures, load_trust_roots
from app.dossier.signing import Appearance, Pkcs12Key, open_signer, sign_pdf
from tests.dossier.conftest import small_pdf
from tests.dossier.pki import ORGANISATION, PROVINCE, _ca, commune_name, issue, write_p12


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hieu-luc")
    key, cert = _ca("CA Hiệu Lực", dt.datetime.now(dt.UTC))
    (folder / "ca.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return folder, key, cert


def _signed(ca, tmp_path, starts: dt.timedelta, days: int, password: str) -> bytes:
    folder, ca_key, ca_cert = ca
    key, cert = issue(ca_key, ca_cert, dt.datetime.now(dt.UTC), commune_name(ORGANISATION, PROVINCE),
                      starts=starts, days=days)
    p12 = write_p12(tmp_path / "k.p12", key, cert, [ca_cert])
    (tmp_path / "in.pdf").write_bytes(small_pdf("Bao cao"))
    with open_signer(Pkcs12Key(p12, password)) as signer:
        sign_pdf(signer, tmp_path / "in.pdf", tmp_path / "out.pdf", Appearance("UBND"))
    return (tmp_path / "out.pdf").read_bytes()


def _check(ca, data: bytes):
    return check_pdf_signatures(io.BytesIO(data), load_trust_roots([ca[0] / "ca.pem"]))[0]


def test_a_certificate_not_yet_valid_when_signing_is_not_trusted(ca, pki, tmp_path):
    check = _check(ca, _signed(ca, tmp_path, dt.timedelta(days=2), 30, pki.p12_password))
    assert check.intact and check.trusted is False
    assert "chưa có hiệu lực vào thời điểm ký" in check.trust_problem


def test_a_certificate_expired_before_signing_is_not_trusted(ca, pki, tmp_path):
    check = _check(ca, _signed(ca, tmp_path, dt.timedelta(days=-40), 30, pki.p12_password))
    assert check.intact and check.trusted is False
    assert "đã hết hạn vào thời điểm ký" in check.trust_problem


def test_a_certificate_expired_since_signing_still_counts(ca, pki, tmp_path, monkeypatch):
    data = _signed(ca, tmp_path, dt.timedelta(days=-1), 30, pki.p12_password)
    monkeypatch.setattr(sigcheck, "_now", lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=365))
    check = _check(ca, data)  # checked a year later: the certificate has expired, but was valid when it signed
    assert check.trusted is True, check.trust_problem
