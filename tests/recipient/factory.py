"""Real commune packages for the recipient's tests and benchmarks, made by the commune side itself.

`CommunePki` issues one certificate per commune (O = CN = "Ủy ban nhân dân xã …", L = province) under a test CA,
plus an impostor's self-signed certificate; `make_package` sets up a commune as the commune tests do
(`tests.dossier.conftest.make_ready_workspace`: figures, evidence, texts, numbers, review meeting), finalizes it
and exports its signed package. Everything derives from the arguments, so two runs build the same dossiers.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from app.dossier.signing import Pkcs12Key
from app.services.assignments import add_unit, set_assignment
from app.services.documents import set_document_texts
from app.storage.workspace import Workspace
from tests.benchmarks.synthetic import dataset_document
from tests.dossier.conftest import add_evidence, make_ready_workspace
from tests.dossier.pki import _ca

PASSWORD = "mật-khẩu-thử"
PROVINCE = "Thái Nguyên"


def _subject(organisation: str, province: str | None) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if province:
        attributes.append(x509.NameAttribute(NameOID.LOCALITY_NAME, province))
    attributes += [x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                   x509.NameAttribute(NameOID.COMMON_NAME, organisation)]
    return x509.Name(attributes)


def _certificate(subject: x509.Name, key, issuer: x509.Name, issuer_key, now: dt.datetime) -> x509.Certificate:
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=400)).not_valid_after(now + dt.timedelta(days=730))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(issuer_key, hashes.SHA256()))


@dataclass
class CommunePki:
    """A test CA and the PKCS#12 keys it issued, by holder ('Đồng Tiến', 'sở', …)."""

    folder: Path
    ca_pem: Path
    keys: dict[str, Pkcs12Key] = field(default_factory=dict)
    fingerprints: dict[str, str] = field(default_factory=dict)

    @classmethod
    def create(cls, folder: Path) -> CommunePki:
        folder.mkdir(parents=True, exist_ok=True)
        now = dt.datetime.now(dt.UTC)
        ca_key, ca_cert = _ca("CA Thử Nghiệm Chuyên Dùng", now)
        pki = cls(folder, folder / "ca.pem")
        pki.ca_pem.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
        pki._ca = (ca_key, ca_cert)
        return pki

    def issue(self, holder: str, organisation: str, province: str | None = PROVINCE, self_signed: bool = False) -> Pkcs12Key:
        """A key and certificate for `organisation`, issued by the test CA (or self-signed, as an impostor)."""
        now = dt.datetime.now(dt.UTC)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        subject = _subject(organisation, province)
        ca_key, ca_cert = self._ca
        cert = _certificate(subject, key, subject if self_signed else ca_cert.subject, key if self_signed else ca_key,
                            now)
        path = self.folder / f"{len(self.keys):03d}.p12"
        path.write_bytes(pkcs12.serialize_key_and_certificates(
            b"signer", key, cert, None if self_signed else [ca_cert],
            serialization.BestAvailableEncryption(PASSWORD.encode("utf-8"))))
        self.keys[holder] = Pkcs12Key(path, PASSWORD)
        self.fingerprints[holder] = cert.fingerprint(hashes.SHA256()).hex()
        return self.keys[holder]

    def commune_key(self, commune: str, province: str = PROVINCE) -> Pkcs12Key:
        return self.keys.get(commune) or self.issue(commune, f"Ủy ban nhân dân xã {commune}", province)


def make_commune(folder: Path, commune: str, province: str = PROVINCE, year: int = 2025, level: int = 1,
                 seed: int = 0, evidence_bytes: int = 0) -> Workspace:
    """A commune whose `year` dossier is ready to finalize at `level` (the commune tests' ready workspace, with
    this commune's name and figures, and a plan assigning indicator 5.1, so that every document is in the package);
    `evidence_bytes` adds one large, incompressible evidence file (deterministic)."""
    ws = make_ready_workspace(folder, dataset_document(year, level, seed, commune=(commune, province)), level)
    add_unit(ws, "Hội Khuyến học")
    set_assignment(ws, year, "5.1", lead_unit="Hội Khuyến học")
    set_document_texts(ws, year, {"plan.number": "46", "plan.date": f"10/01/{year}"})
    if evidence_bytes:
        add_evidence(ws, year, "H99.02", random.Random(f"{commune}:{seed}").randbytes(evidence_bytes), "ảnh.jpg",
                     ["1.1"], issuer=f"UBND xã {commune}")
    return ws


def export(ws: Workspace, year: int, target: Path, key: Pkcs12Key) -> Path:
    """Finalize the year (a new package version) and export its signed package to `target`."""
    from app.dossier.finalize import finalize
    from app.dossier.package import build_package

    finalize(ws, year)
    return Path(build_package(ws, year, target, key).path)


def new_version(ws: Workspace, year: int, target: Path, key: Pkcs12Key, reason: str = "Bổ sung minh chứng") -> Path:
    """Unlock with a reason, change a narrative text, and export the next version."""
    from app.dossier.finalize import unlock

    unlock(ws, year, reason)
    set_document_texts(ws, year, {"limitations": f"Cơ sở vật chất còn thiếu ({reason.lower()})."})
    return export(ws, year, target, key)


def make_package(folder: Path, commune: str, key: Pkcs12Key, province: str = PROVINCE, year: int = 2025,
                 level: int = 1, seed: int = 0, evidence_bytes: int = 0) -> Path:
    ws = make_commune(folder / "xa", commune, province, year, level, seed, evidence_bytes)
    try:
        return export(ws, year, folder / f"HoSo-{seed}.zip", key)
    finally:
        ws.close()

