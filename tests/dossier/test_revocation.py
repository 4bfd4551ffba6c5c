"""Revocation: checked online through the CA's CRL (served here on 127.0.0.1), never claimed when offline."""

from __future__ import annotations

import datetime as dt
import http.server
import io
import threading
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from app.cli import main
from app.dossier.sigcheck import check_pdf_signatures, load_trust_roots
from app.dossier.signing import Appearance, Pkcs12Key, open_signer, sign_pdf
from tests.dossier.conftest import build_signed, small_pdf
from tests.dossier.pki import ORGANISATION, PROVINCE, _ca, commune_name, issue, write_p12


class CrlServer:
    """Serves one CRL file over HTTP on 127.0.0.1 (the CA's distribution point)."""

    def __init__(self) -> None:
        self.body = b""
        self.requests = 0
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server hook name
                owner.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/pkix-crl")
                self.send_header("Content-Length", str(len(owner.body)))
                self.end_headers()
                self.wfile.write(owner.body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/ca.crl"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None


@pytest.fixture(scope="module")
def revocation_pki(tmp_path_factory):
    """A CA publishing a CRL on 127.0.0.1, a commune certificate in good standing and a revoked one."""
    folder = tmp_path_factory.mktemp("crl")
    server = CrlServer()
    now = dt.datetime.now(dt.UTC)
    ca_key, ca_cert = _ca("CA Có CRL", now)
    good_key, good = issue(ca_key, ca_cert, now, commune_name(ORGANISATION, PROVINCE), crl_url=server.url)
    bad_key, bad = issue(ca_key, ca_cert, now, commune_name(ORGANISATION, PROVINCE), crl_url=server.url)
    crl = (x509.CertificateRevocationListBuilder().issuer_name(ca_cert.subject).last_update(now - dt.timedelta(hours=1))
           .next_update(now + dt.timedelta(days=7))
           .add_revoked_certificate(x509.RevokedCertificateBuilder().serial_number(bad.serial_number)
                                    .revocation_date(now - dt.timedelta(minutes=30)).build())
           .sign(ca_key, hashes.SHA256()))
    server.body = crl.public_bytes(serialization.Encoding.DER)
    (folder / "ca.pem").write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    keys = {"good": write_p12(folder / "good.p12", good_key, good, [ca_cert]),
            "revoked": write_p12(folder / "revoked.p12", bad_key, bad, [ca_cert])}
    yield folder / "ca.pem", keys, server
    server.close()


def _signed_pdf(p12: Path, password: str, tmp_path: Path) -> bytes:
    (tmp_path / "in.pdf").write_bytes(small_pdf("Bao cao"))
    with open_signer(Pkcs12Key(p12, password)) as signer:
        sign_pdf(signer, tmp_path / "in.pdf", tmp_path / "out.pdf", Appearance("UBND"))
    return (tmp_path / "out.pdf").read_bytes()


def test_offline_never_claims_revocation_was_checked(revocation_pki, pki, tmp_path):
    ca, keys, server = revocation_pki
    before = server.requests
    check = check_pdf_signatures(io.BytesIO(_signed_pdf(keys["revoked"], pki.p12_password, tmp_path)),
                                 load_trust_roots([ca]))[0]
    assert check.trusted is True and check.revocation == "chưa kiểm tra thu hồi" and not check.revoked
    assert server.requests == before  # offline means no network at all


def test_online_finds_the_revoked_certificate_and_passes_the_good_one(revocation_pki, pki, tmp_path):
    ca, keys, server = revocation_pki
    roots = load_trust_roots([ca])
    good = check_pdf_signatures(io.BytesIO(_signed_pdf(keys["good"], pki.p12_password, tmp_path)), roots, online=True)[0]
    assert good.trusted is True and good.revocation == "đã kiểm tra thu hồi trực tuyến: chưa bị thu hồi"
    revoked = check_pdf_signatures(io.BytesIO(_signed_pdf(keys["revoked"], pki.p12_password, tmp_path)), roots,
                                   online=True)[0]
    assert revoked.revoked and revoked.trusted is False and "ĐÃ BỊ THU HỒI" in revoked.trust_problem
    assert server.requests >= 2


def test_verify_online_marks_a_revoked_signer_unbound(revocation_pki, ready_template, pki, tmp_path, capsys):
    ca, keys, _ = revocation_pki
    built = build_signed(ready_template, tmp_path / "b", Pkcs12Key(keys["revoked"], pki.p12_password))
    assert main(["verify", str(built.package), "--trust", str(ca)]) == 0
    assert "chưa kiểm tra thu hồi" in capsys.readouterr().out.splitlines()[-1]
    assert main(["verify", str(built.package), "--trust", str(ca), "--online"]) == 3
    out = capsys.readouterr().out
    assert "⚠ Thu hồi chứng thư: chứng thư ĐÃ BỊ THU HỒI" in out
    assert out.splitlines()[-1].startswith("Gói nguyên vẹn nhưng người ký KHÔNG được xác nhận")


def test_an_unreachable_revocation_server_is_not_success(revocation_pki, pki, tmp_path):
    ca, keys, server = revocation_pki
    data = _signed_pdf(keys["good"], pki.p12_password, tmp_path)
    server.close()
    check = check_pdf_signatures(io.BytesIO(data), load_trust_roots([ca]), online=True)[0]
    assert not check.revocation.startswith("đã kiểm tra")
    assert "không" in check.revocation
