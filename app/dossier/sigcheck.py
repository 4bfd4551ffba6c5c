"""Checking signatures the way a recipient would: who signed, when, whether the bytes are intact, and trust.

Integrity and trust are reported apart: without the recipient's CA certificate the chain cannot be
judged ("chưa xác minh được chuỗi tin cậy"), but a changed byte is always caught.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from app.dossier.signing import certificate_name
from app.text import format_local_time

TRUST_UNKNOWN = "chưa xác minh được chuỗi tin cậy"

# An untrusted chain is a finding we report in words, not a traceback on the console.
logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)


@dataclass(frozen=True)
class SignatureCheck:
    """One signature: signer, time, integrity (intact and mathematically valid), trust (None = not judged)."""

    signer: str
    signed_at: dt.datetime | None
    intact: bool
    covers_document: bool
    trusted: bool | None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.intact and self.covers_document and not self.problem and self.trusted is not False

    def describe(self) -> str:
        when = format_local_time(self.signed_at) if self.signed_at else "không rõ thời gian"
        trust = {True: "chuỗi tin cậy hợp lệ", False: "chuỗi tin cậy KHÔNG hợp lệ", None: TRUST_UNKNOWN}[self.trusted]
        state = "nguyên vẹn" if self.intact and self.covers_document else "ĐÃ BỊ THAY ĐỔI"
        text = f"ký bởi {self.signer}, lúc {when}, {state}, {trust}"
        return f"{text} ({self.problem})" if self.problem else text


def load_trust_roots(paths: list[Path] | None):
    """CA certificates (PEM or DER) the recipient trusts; InputError names an unreadable file."""
    from asn1crypto import pem, x509

    roots = []
    for path in paths or []:
        try:
            data = Path(path).read_bytes()
            if pem.detect(data):
                roots.extend(x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True))
            else:
                roots.append(x509.Certificate.load(data))
        except (OSError, ValueError) as exc:
            from app.errors import InputError

            raise InputError(f"Không đọc được chứng thư CA tin cậy '{path}': {exc}.") from None
    return roots


def _context(trust_roots):
    from pyhanko_certvalidator import ValidationContext

    if trust_roots:
        return ValidationContext(trust_roots=trust_roots, allow_fetching=False)
    return ValidationContext(trust_roots=[], allow_fetching=False)


def check_pdf_signatures(stream: IO[bytes], trust_roots=None) -> list[SignatureCheck]:
    """Every signature in a PDF; an empty list when it has none. Raises ValueError for an unreadable PDF."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    try:
        reader = PdfFileReader(stream, strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:  # noqa: BLE001 - a damaged PDF fails in the parser in many ways
        raise ValueError(f"không đọc được tệp PDF ({exc})") from None
    results = []
    for index, sig in enumerate(embedded):
        try:
            status = validate_pdf_signature(sig, _context(trust_roots))
        except Exception as exc:  # noqa: BLE001 - report, never crash, on a malformed signature
            results.append(SignatureCheck("?", None, False, False, None, f"không kiểm tra được chữ ký: {exc}"))
            continue
        last = index == len(embedded) - 1
        covers = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
            status.coverage == SignatureCoverageLevel.ENTIRE_REVISION and not last and status.docmdp_ok is not False)
        if not status.intact:
            problem = "nội dung đã bị sửa sau khi ký"
        elif not status.valid:
            problem = "chữ ký không khớp với chứng thư"
        elif not covers:
            problem = "có nội dung được thêm sau chữ ký"
        else:
            problem = ""
        signed_at = status.signer_reported_dt
        results.append(SignatureCheck(
            signer=certificate_name(status.signing_cert), signed_at=signed_at,
            intact=bool(status.intact and status.valid), covers_document=covers,
            trusted=bool(status.trusted) if trust_roots else None, problem=problem,
        ))
    return results


def check_detached_cms(data: bytes, signature: bytes, trust_roots=None) -> SignatureCheck:
    """A detached CMS/CAdES signature over `data`."""
    from asn1crypto import cms
    from pyhanko.sign.validation.generic_cms import async_validate_detached_cms

    try:
        info = cms.ContentInfo.load(signature)
        signed_data = info["content"]
        _ = signed_data.native  # parse fully now so a damaged file fails here
        status = asyncio.run(async_validate_detached_cms(data, signed_data, _context(trust_roots)))
    except Exception as exc:  # noqa: BLE001
        return SignatureCheck("?", None, False, False, None, f"tệp chữ ký hỏng hoặc không đúng định dạng CMS ({exc})")
    intact = bool(status.intact and status.valid)
    return SignatureCheck(
        signer=certificate_name(status.signing_cert), signed_at=status.signer_reported_dt,
        intact=intact, covers_document=True, trusted=bool(status.trusted) if trust_roots else None,
        problem="" if intact else "nội dung đã bị sửa sau khi ký",
    )
