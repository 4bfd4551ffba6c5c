"""A throw-away test PKI: a root CA, two commune signers and an impostor (PKCS#12 files), and a SoftHSM2 token
holding the first commune's key.

- the commune of the test dossiers: CN=O="Ủy ban nhân dân xã Đồng Tiến", ST="Thái Nguyên" (as Vietnamese CAs fill
  organisation certificates);
- another commune under the same CA: "UBND xã Kiến Hưng", L="Thành phố Hà Nội";
- an impostor: a self-signed certificate with exactly the first commune's name.

Made with `cryptography` in a fraction of a second; the token is a real PKCS#11 module (SoftHSM2) with a
Vietnamese token label and a Vietnamese certificate label, so lookups by key id are exercised for real.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

SOFTHSM_MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")
P12_PASSWORD = "mật-khẩu-p12"
TOKEN_PIN = "123456"
TOKEN_SO_PIN = "12345678"
TOKEN_LABEL = "Token Ký Số Xã"
KEY_ID = "a1b2c3"
ORGANISATION = "Ủy ban nhân dân xã Đồng Tiến"
PROVINCE = "Thái Nguyên"
OTHER_COMMUNE = "UBND xã Kiến Hưng"
OTHER_PROVINCE = "Thành phố Hà Nội"


@dataclass(frozen=True)
class TestPki:
    folder: Path
    ca_pem: Path
    other_ca_pem: Path
    signer_cert_pem: Path
    p12: Path
    p12_password: str
    softhsm_conf: Path
    module: Path
    token_label: str
    token_pin: str
    key_id: str
    signer_serial: int
    other_commune_p12: Path
    impostor_p12: Path
    impostor_cert_pem: Path
    signer_fingerprint: str
    other_commune_fingerprint: str
    impostor_fingerprint: str


def _name(common_name: str, organisation: str, province: str = "", locality: str = "") -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if province:
        attributes.append(x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, province))
    if locality:
        attributes.append(x509.NameAttribute(NameOID.LOCALITY_NAME, locality))
    attributes += [x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                   x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    return x509.Name(attributes)


def commune_name(common_name: str, province: str) -> x509.Name:
    return _name(common_name, common_name, province=province)


def _ca(common_name: str, now: dt.datetime) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = _name(common_name, "CA thử nghiệm CĐHT")
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def issue(ca_key, ca_cert: x509.Certificate | None, now: dt.datetime, subject: x509.Name, *,
          crl_url: str | None = None, days: int = 730, starts: dt.timedelta = dt.timedelta(days=-1),
          key: rsa.RSAPrivateKey | None = None) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """A signer certificate for `subject`, valid from `now + starts` for `days` days; `ca_cert` None makes it
    self-signed (with its own key)."""
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    issuer_key = ca_key if ca_cert is not None else key
    builder = (
        x509.CertificateBuilder().subject_name(subject)
        .issuer_name(ca_cert.subject if ca_cert is not None else subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now + starts).not_valid_after(now + starts + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if crl_url:
        builder = builder.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            [x509.UniformResourceIdentifier(crl_url)], None, None, None)]), critical=False)
    return key, builder.sign(issuer_key, hashes.SHA256())


def _signer(ca_key: rsa.RSAPrivateKey, ca_cert: x509.Certificate,
            now: dt.datetime) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    return issue(ca_key, ca_cert, now, commune_name(ORGANISATION, PROVINCE))


def write_p12(path: Path, key, cert: x509.Certificate, chain: list[x509.Certificate]) -> Path:
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"signer", key, cert, chain, serialization.BestAvailableEncryption(P12_PASSWORD.encode("utf-8"))))
    return path


def fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def _run(*args: str, env: dict[str, str]) -> None:
    subprocess.run(args, check=True, capture_output=True, env=env, timeout=60)


def make_pki(folder: Path) -> TestPki:
    """Create the CA, the signer's PKCS#12 file and a SoftHSM2 token under `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    ca_key, ca_cert = _ca("CA Gốc Thử Nghiệm", now)
    _, other_cert = _ca("CA Khác", now)
    key, cert = _signer(ca_key, ca_cert, now)
    pem = serialization.Encoding.PEM
    (folder / "ca.pem").write_bytes(ca_cert.public_bytes(pem))
    (folder / "other-ca.pem").write_bytes(other_cert.public_bytes(pem))
    (folder / "signer.pem").write_bytes(cert.public_bytes(pem))
    write_p12(folder / "signer.p12", key, cert, [ca_cert])
    other_key, other_cert = issue(ca_key, ca_cert, now, _name(OTHER_COMMUNE, OTHER_COMMUNE, locality=OTHER_PROVINCE))
    write_p12(folder / "kien-hung.p12", other_key, other_cert, [ca_cert])
    impostor_key, impostor_cert = issue(None, None, now, commune_name(ORGANISATION, PROVINCE))
    write_p12(folder / "mao-danh.p12", impostor_key, impostor_cert, [])
    (folder / "mao-danh.pem").write_bytes(impostor_cert.public_bytes(pem))
    (folder / "signer.key.pem").write_bytes(key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    (folder / "signer.der").write_bytes(cert.public_bytes(serialization.Encoding.DER))
    (folder / "ca.der").write_bytes(ca_cert.public_bytes(serialization.Encoding.DER))

    tokens = folder / "tokens"
    tokens.mkdir(exist_ok=True)
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    _run("softhsm2-util", "--init-token", "--free", "--label", TOKEN_LABEL, "--so-pin", TOKEN_SO_PIN,
         "--pin", TOKEN_PIN, env=env)
    _run("softhsm2-util", "--import", str(folder / "signer.key.pem"), "--token", TOKEN_LABEL,
         "--label", "Khóa ký của UBND xã", "--id", KEY_ID, "--pin", TOKEN_PIN, env=env)
    module = str(SOFTHSM_MODULE)
    for der, object_id, label in ((folder / "signer.der", KEY_ID, "Chứng thư UBND xã Đồng Tiến"),
                                  (folder / "ca.der", "ca01", "CA Gốc")):
        _run("pkcs11-tool", "--module", module, "--token-label", TOKEN_LABEL, "--login", "--pin", TOKEN_PIN,
             "--write-object", str(der), "--type", "cert", "--id", object_id, "--label", label, env=env)
    (folder / "signer.key.pem").unlink()
    return TestPki(folder, folder / "ca.pem", folder / "other-ca.pem", folder / "signer.pem", folder / "signer.p12",
                   P12_PASSWORD, conf, SOFTHSM_MODULE, TOKEN_LABEL, TOKEN_PIN, KEY_ID, cert.serial_number,
                   folder / "kien-hung.p12", folder / "mao-danh.p12", folder / "mao-danh.pem", fingerprint(cert),
                   fingerprint(other_cert), fingerprint(impostor_cert))
