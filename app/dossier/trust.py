"""Trust anchors for checking signatures: the Vietnamese national roots bundled with the app, plus the recipient's own.

The bundled anchors (data/trust/*.pem, listed with fingerprints and sources in data/trust/README.md) are the
public root and intermediate certificates of Ban Cơ yếu Chính phủ (VGCA) and NEAC. `extra` certificates are
added to them (`cdht verify --trust`); `only` replaces them (`--trust-only`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import InputError
from app.fileio import MAX_TRUST_BYTES, read_bytes_capped
from app.paths import DATA_DIR

if TYPE_CHECKING:
    from asn1crypto import x509

TRUST_DIR = DATA_DIR / "trust"


def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 of the certificate's DER bytes, lower-case hex (as `openssl x509 -fingerprint -sha256`, no colons)."""
    return hashlib.sha256(certificate.dump()).hexdigest()


def normalise_fingerprint(text: str) -> str:
    """'AB:CD…' or 'ab cd…' -> 'abcd…'; InputError unless it is 64 hexadecimal digits."""
    value = "".join(ch for ch in str(text).strip().lower() if ch not in ": ")
    if len(value) != 64 or any(ch not in "0123456789abcdef" for ch in value):
        raise InputError(f"Dấu vân tay '{text}' không hợp lệ: cần 64 chữ số hệ 16 (SHA-256 của chứng thư).")
    return value


def load_certificates(path: Path, what: str = "tệp chứng thư") -> list[x509.Certificate]:
    """Every X.509 certificate in a PEM (one or several) or DER file; InputError names an unreadable file."""
    from asn1crypto import pem, x509

    data = read_bytes_capped(Path(path), MAX_TRUST_BYTES, what)
    try:
        if pem.detect(data):
            found = [x509.Certificate.load(der) for kind, _, der in pem.unarmor(data, multiple=True)
                     if kind == "CERTIFICATE"]
        else:
            found = [x509.Certificate.load(data)]
        for certificate in found:
            _ = certificate.native  # parse fully now so a damaged file fails here, not during validation
    except (ValueError, TypeError, KeyError):
        raise InputError(f"Không đọc được {what} '{Path(path).name}': không phải chứng thư X.509 (PEM hoặc DER).") \
            from None
    if not found:
        raise InputError(f"{what[:1].upper()}{what[1:]} '{Path(path).name}' không chứa chứng thư nào.")
    return found


@dataclass(frozen=True)
class TrustAnchors:
    """The certificates a signature chain may end in, and where they came from."""

    certificates: tuple[x509.Certificate, ...]
    bundled: int
    added: int

    def describe(self) -> str:
        parts = []
        if self.bundled:
            parts.append(f"{self.bundled} chứng thư gốc quốc gia đi kèm ứng dụng")
        if self.added:
            parts.append(f"{self.added} chứng thư do người kiểm tra chỉ định")
        return " và ".join(parts) or "không có chứng thư tin cậy nào"


def bundled_anchors() -> list[x509.Certificate]:
    """The national anchors shipped in data/trust (an empty list if the folder is missing)."""
    certificates: list[x509.Certificate] = []
    for path in sorted(TRUST_DIR.glob("*.pem")):
        certificates.extend(load_certificates(path, "chứng thư gốc đi kèm"))
    return certificates


def trust_anchors(extra: list[Path] | None = None, only: list[Path] | None = None) -> TrustAnchors:
    """Bundled anchors plus `extra`, or exactly `only` when it is given (even an empty list)."""
    added = [c for path in (only if only is not None else extra or []) for c in load_certificates(path,
                                                                                             "chứng thư CA tin cậy")]
    return _anchor_set([] if only is not None else bundled_anchors(), added)


def with_bundled(certificates: list[x509.Certificate]) -> TrustAnchors:
    """The bundled anchors plus certificates already loaded (a recipient's own CAs, kept in its register)."""
    return _anchor_set(bundled_anchors(), list(certificates))


def _anchor_set(bundled: list[x509.Certificate], added: list[x509.Certificate]) -> TrustAnchors:
    unique: dict[str, x509.Certificate] = {}
    for certificate in bundled + added:
        unique.setdefault(fingerprint(certificate), certificate)
    return TrustAnchors(tuple(unique.values()), len(bundled), len(added))


__all__ = ["TRUST_DIR", "TrustAnchors", "bundled_anchors", "fingerprint", "load_certificates",
           "normalise_fingerprint", "trust_anchors", "with_bundled"]
