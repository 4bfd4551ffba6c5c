"""The CA certificates the recipient trusts for communes' signatures, besides the national anchors bundled with the
app (a provincial or test CA, for example).

Kept inside the database (DER), so that a copy or backup of the register carries them along.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from app.dossier.signing import certificate_name
from app.errors import InputError
from app.fileio import MAX_TRUST_BYTES, read_bytes_capped
from app.recipient.workspace import RecipientWorkspace
from app.text import utc_now


@dataclass(frozen=True)
class TrustAnchor:
    fingerprint: str
    subject: str


def _certificates(path: Path) -> list[bytes]:
    from asn1crypto import pem, x509

    data = read_bytes_capped(Path(path), MAX_TRUST_BYTES, "tệp chứng thư CA")
    try:
        ders = [der for _, _, der in pem.unarmor(data, multiple=True)] if pem.detect(data) else [data]
        for der in ders:
            x509.Certificate.load(der).subject.human_friendly  # noqa: B018 - parse fully now
    except (ValueError, TypeError):
        raise InputError(f"Tệp '{Path(path).name}' không phải chứng thư số (PEM hoặc DER).") from None
    if not ders:
        raise InputError(f"Tệp '{Path(path).name}' không chứa chứng thư nào.")
    return ders


def add_trust_anchors(rws: RecipientWorkspace, path: Path) -> list[TrustAnchor]:
    """Trust every CA certificate in a PEM or DER file; returns the ones added."""
    from asn1crypto import x509

    added = []
    with rws.transaction():
        for der in _certificates(path):
            cert = x509.Certificate.load(der)
            if not cert.ca:
                raise InputError(f"Chứng thư '{cert.subject.human_friendly}' không phải chứng thư của tổ chức cấp "
                                 "chứng thư (CA); không thêm.")
            fingerprint = hashlib.sha256(der).hexdigest()
            subject = certificate_name(cert)
            cursor = rws.db.execute("INSERT OR IGNORE INTO trust_anchors (fingerprint, subject, der, added_at) "
                                    "VALUES (?, ?, ?, ?)", [fingerprint, subject, der, utc_now()])
            if cursor.rowcount:
                rws.audit("create", "trust_anchor", fingerprint, None, None, subject)
                added.append(TrustAnchor(fingerprint, subject))
    return added


def trust_anchors(rws: RecipientWorkspace) -> list[TrustAnchor]:
    with rws.lock:
        return [TrustAnchor(r[0], r[1]) for r in rws.db.execute(
            "SELECT fingerprint, subject FROM trust_anchors ORDER BY added_at, fingerprint")]


def trust_roots(rws: RecipientWorkspace) -> tuple[bytes, ...]:
    """The DER bytes of the CA certificates the recipient added, for the verifier (beside the bundled anchors)."""
    with rws.lock:
        rows = rws.db.execute("SELECT der FROM trust_anchors ORDER BY added_at, fingerprint").fetchall()
    return tuple(bytes(row[0]) for row in rows)


__all__ = ["TrustAnchor", "add_trust_anchors", "trust_anchors", "trust_roots"]
