"""Checking signatures the way a recipient would: who signed, when, whether the bytes are intact, and trust.

Integrity and trust are reported apart: a changed byte is always caught, and the chain of trust is judged
against the trust anchors given (the bundled national roots by default). The chain and the certificate's
validity are judged at the signing time the signature claims (never later than now). Revocation (CRL/OCSP)
is only checked online; offline the result says "chưa kiểm tra thu hồi", never that all is well.

For a PDF, each signature must cover the whole file, or be followed only by revisions that add validation
data (DSS) or document timestamps: no changed content, no annotations, no further signatures.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from app.dossier.trust import fingerprint, load_certificates
from app.text import format_local_time, printable

if TYPE_CHECKING:
    from asn1crypto import cms, x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureStatus
    from pyhanko_certvalidator import ValidationContext

TRUST_UNKNOWN = "chưa xác minh được chuỗi tin cậy"
REVOCATION_UNCHECKED = "chưa kiểm tra thu hồi"
APPROVAL, TIMESTAMP = "approval", "timestamp"
#: A signing time claimed this far in the future is a forgery, not clock drift.
FUTURE_TOLERANCE = dt.timedelta(minutes=10)

# An untrusted chain is a finding we report in words, not a traceback on the console.
logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)

_TRUST_REASONS = {
    "NO_CERTIFICATE_CHAIN_FOUND": "chứng thư không chuỗi về tổ chức chứng thực tin cậy",
    "CERTIFICATE_CHAIN_GENERAL_FAILURE": "chuỗi chứng thư không hợp lệ",
    "CHAIN_CONSTRAINTS_FAILURE": "chuỗi chứng thư vi phạm ràng buộc của CA",
    "SIG_CONSTRAINTS_FAILURE": "chứng thư không được phép dùng để ký văn bản",
    "CRYPTO_CONSTRAINTS_FAILURE": "thuật toán của chứng thư quá yếu",
    "CRYPTO_CONSTRAINTS_FAILURE_NO_POE": "thuật toán của chứng thư quá yếu",
    "EXPIRED": "chứng thư đã hết hạn vào thời điểm ký",
    "OUT_OF_BOUNDS_NO_POE": "chứng thư không còn hiệu lực vào thời điểm ký",
    "OUT_OF_BOUNDS_NOT_REVOKED": "chứng thư không còn hiệu lực vào thời điểm ký",
    "NOT_YET_VALID": "chứng thư chưa có hiệu lực vào thời điểm ký",
    "REVOKED": "chứng thư ĐÃ BỊ THU HỒI",
    "REVOKED_NO_POE": "chứng thư ĐÃ BỊ THU HỒI",
    "REVOKED_CA_NO_POE": "chứng thư của CA cấp ĐÃ BỊ THU HỒI",
    "TRY_LATER": "không lấy được thông tin thu hồi",
    "REVOCATION_OUT_OF_BOUNDS_NO_POE": "thông tin thu hồi đã cũ",
}


@dataclass(frozen=True)
class SignatureCheck:
    """One signature: signer, time, integrity (intact and mathematically valid), trust (None = not judged).

    Text fields (signer, subject, problem…) come from the signature and are already safe to print.
    """

    signer: str
    signed_at: dt.datetime | None
    intact: bool
    covers_document: bool
    trusted: bool | None
    problem: str = ""
    kind: str = APPROVAL
    subject: str = ""
    issuer: str = ""
    fingerprint: str = ""
    certificate: Any = None
    trust_problem: str = ""
    revocation: str = REVOCATION_UNCHECKED
    revoked: bool = False

    @property
    def ok(self) -> bool:
        return self.intact and self.covers_document and not self.problem and self.trusted is not False

    def describe(self, with_trust: bool = True) -> str:
        """'ký bởi X, lúc T, nguyên vẹn[, chuỗi tin cậy …][ (vấn đề)]'."""
        when = format_local_time(self.signed_at, seconds=True) if self.signed_at else "không rõ thời gian"
        state = "nguyên vẹn" if self.intact and self.covers_document else "ĐÃ BỊ THAY ĐỔI"
        what = "dấu thời gian của" if self.kind == TIMESTAMP else "ký bởi"
        text = f"{what} {self.signer}, lúc {when}, {state}"
        if with_trust:
            if self.trusted is None:
                text += f", {TRUST_UNKNOWN}"
            elif self.trusted:
                text += ", chuỗi tin cậy hợp lệ" + (f", {self.revocation}" if self.kind == APPROVAL else "")
            else:
                text += f", chuỗi tin cậy KHÔNG hợp lệ ({self.trust_problem or 'không rõ lý do'})"
        return f"{text} ({self.problem})" if self.problem else text


def load_trust_roots(paths: list[Path] | None) -> list[x509.Certificate]:
    """CA certificates (PEM or DER) from files; InputError names an unreadable file."""
    return [c for path in paths or [] for c in load_certificates(Path(path), "chứng thư CA tin cậy")]


_SHORT_LABELS = {"common_name": "CN", "organization_name": "O", "organizational_unit_name": "OU",
                 "locality_name": "L", "state_or_province_name": "ST", "country_name": "C", "email_address": "E",
                 "title": "T", "serial_number": "SERIALNUMBER", "street_address": "STREET", "user_id": "UID"}


def name_text(name: x509.Name) -> str:
    """An X.509 name as people compare them on certificates: 'CN=…, O=…, ST=…, C=VN' (safe to print)."""
    parts = []
    for rdn in reversed(list(name.chosen)):
        for attribute in rdn:
            label = _SHORT_LABELS.get(attribute["type"].native, attribute["type"].dotted)
            parts.append(f"{label}={printable(attribute['value'].native, 160)}")
    return printable(", ".join(parts), 400)


def certificate_fields(certificate: x509.Certificate) -> tuple[str, str, str]:
    """(holder's name, subject, issuer) of a certificate, safe to print."""
    name = certificate.subject.native.get("common_name") or name_text(certificate.subject)
    if isinstance(name, list):
        name = ", ".join(str(n) for n in name)
    return printable(name, 200), name_text(certificate.subject), name_text(certificate.issuer)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _moment(claimed: dt.datetime | None) -> dt.datetime:
    """When to judge the chain: the claimed signing time, never later than now."""
    now = _now()
    if claimed is None or claimed.tzinfo is None:
        return now
    return min(claimed, now)


def _context(trust_roots: Sequence[x509.Certificate] | None, claimed: dt.datetime | None,
             online: bool) -> ValidationContext:
    from pyhanko_certvalidator import ValidationContext

    if online:
        return ValidationContext(trust_roots=list(trust_roots or []), allow_fetching=True,
                                 revocation_mode="hard-fail")
    return ValidationContext(trust_roots=list(trust_roots or []), allow_fetching=False,
                             moment=_moment(claimed), best_signature_time=_moment(claimed))


def _key_usage() -> KeyUsageConstraints:
    from pyhanko.sign.validation.settings import KeyUsageConstraints

    return KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False)


def _trust_reason(status: SignatureStatus, certificate: x509.Certificate | None = None,
                  claimed: dt.datetime | None = None) -> str:
    if certificate is not None and certificate.self_signed != "no" and not status.trusted:
        return "chứng thư tự ký, không do tổ chức chứng thực tin cậy nào cấp"
    if certificate is not None and not status.trusted:
        moment = _moment(claimed)
        if moment < certificate.not_valid_before:
            return "chứng thư chưa có hiệu lực vào thời điểm ký"
        if moment > certificate.not_valid_after:
            return "chứng thư đã hết hạn vào thời điểm ký"
    indication = getattr(status, "trust_problem_indic", None)
    name = getattr(indication, "name", "") or ""
    return _TRUST_REASONS.get(name, f"không xác minh được chuỗi tin cậy ({name})" if name else "")


def _has_revocation_pointers(certificate: x509.Certificate) -> bool:
    return bool(certificate.crl_distribution_points or certificate.ocsp_urls)


def _revocation(status_online: SignatureStatus | None, certificate: x509.Certificate) -> tuple[str, bool]:
    """(what the online check found, revoked?)."""
    if status_online is None:
        return REVOCATION_UNCHECKED, False
    if getattr(status_online, "revocation_details", None) is not None:
        return "chứng thư ĐÃ BỊ THU HỒI", True
    reason = _trust_reason(status_online)
    if "THU HỒI" in reason:
        return reason, True
    if status_online.trusted:
        if not _has_revocation_pointers(certificate):
            return "chứng thư không ghi nơi kiểm tra thu hồi (CRL/OCSP)", False
        return "đã kiểm tra thu hồi trực tuyến: chưa bị thu hồi", False
    return "không kiểm tra được thu hồi (không lấy được danh sách thu hồi CRL/OCSP từ nơi cấp chứng thư)", False


def _future_problem(claimed: dt.datetime | None) -> str:
    if claimed is not None and claimed.tzinfo is not None and claimed > _now() + FUTURE_TOLERANCE:
        return "thời gian ký ghi trong chữ ký ở tương lai"
    return ""


def _result(status: SignatureStatus, status_online: SignatureStatus | None, claimed: dt.datetime | None,
            trust_roots: Sequence[x509.Certificate] | None, problem: str, covers: bool, kind: str) -> SignatureCheck:
    certificate = status.signing_cert
    name, subject, issuer = certificate_fields(certificate)
    judged = trust_roots is not None
    trusted = bool(status.trusted) if judged else None
    revocation, revoked = _revocation(status_online, certificate)
    if revoked:
        trusted = False
    intact = bool(status.intact and status.valid)
    return SignatureCheck(
        signer=name, signed_at=claimed, intact=intact, covers_document=covers,
        trusted=trusted, problem=problem or _future_problem(claimed), kind=kind, subject=subject, issuer=issuer,
        fingerprint=fingerprint(certificate), certificate=certificate,
        trust_problem=(revocation if revoked else _trust_reason(status, certificate, claimed)) if trusted is False
        else "",
        revocation=revocation, revoked=revoked,
    )


def _coverage_problem(status: PdfSignatureStatus) -> tuple[bool, str]:
    """(covers the document, the reason if not) for a PDF approval signature."""
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return True, ""
    if status.coverage != SignatureCoverageLevel.ENTIRE_REVISION:
        return False, "chữ ký không bao trùm toàn bộ tệp"
    level = status.modification_level
    if level in (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES):
        return True, ""
    if level == ModificationLevel.FORM_FILLING:
        return False, "sau chữ ký này có chữ ký hoặc nội dung biểu mẫu khác được thêm vào tệp"
    if level == ModificationLevel.ANNOTATIONS:
        return False, "sau chữ ký này có chú thích (annotation) được thêm vào tệp"
    return False, "sau chữ ký này, nội dung văn bản đã bị thay đổi bằng một bản cập nhật thêm vào"


def _integrity_problem(status: SignatureStatus) -> str:
    if not status.intact:
        return "nội dung đã bị sửa sau khi ký"
    if not status.valid:
        return "chữ ký không khớp với chứng thư"
    return ""


#: More objects than any dossier document has (they have hundreds); parsing each costs memory (about 1 KB).
MAX_PDF_OBJECTS = 50_000
_OBJECT = re.compile(rb"\d{1,10}\s+\d{1,5}\s+obj\b")
_XREF_ENTRY = re.compile(rb"\d{10} \d{5} [nf]")
_COUNTS = re.compile(rb"/(?:Size|N)\s+(\d{1,12})")


def pdf_object_estimate(path: Path) -> int:
    """An upper estimate of the objects a PDF parser would load: object headers, cross-reference entries and
    the sizes declared by xref and object streams, counted in one streaming pass (no PDF parsing)."""
    headers = entries = declared = 0
    tail = b""
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            window = tail + chunk
            cut = max(len(window) - 64, 0)  # a match starting in the last 64 bytes is counted with the next chunk
            headers += sum(1 for m in _OBJECT.finditer(window) if m.start() < cut or not chunk)
            entries += sum(1 for m in _XREF_ENTRY.finditer(window) if m.start() < cut)
            declared += sum(int(m.group(1)) for m in _COUNTS.finditer(window) if m.start() < cut)
            tail = window[cut:]
    entries += len(_XREF_ENTRY.findall(tail))
    declared += sum(int(m.group(1)) for m in _COUNTS.finditer(tail))
    headers += len(_OBJECT.findall(tail))
    return max(headers, entries) + declared


def _broken(problem: str, kind: str = APPROVAL) -> SignatureCheck:
    return SignatureCheck("?", None, False, False, None, printable(problem, 240), kind=kind)


def pdf_reader(stream: IO[bytes], max_stream_bytes: int = 32 * 1024 * 1024) -> PdfFileReader:
    """A pyHanko reader for a PDF from outside: lenient syntax, but decoding capped per stream and in total, so a
    compressed stream cannot balloon in memory."""
    from pyhanko.pdf_utils.decode_limits import DecodeLimits, DocumentDecodeBudget, StreamDecodeLimits
    from pyhanko.pdf_utils.reader import PdfFileReader

    limits = DecodeLimits(per_stream=StreamDecodeLimits(max_output_size=max_stream_bytes),
                          document_budget=DocumentDecodeBudget(base_allowance=128 * 1024 * 1024, max_ratio=20))
    return PdfFileReader(stream, strict=False, decode_limits=limits)


def check_pdf_signatures(stream: IO[bytes], trust_roots: Sequence[x509.Certificate] | None = None,
                         online: bool = False) -> list[SignatureCheck]:
    """Every signature in a PDF (approval signatures and document timestamps), in signing order; an empty list
    when it has none. `trust_roots` None: trust not judged. Raises ValueError for an unreadable PDF."""
    from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp

    try:
        reader = pdf_reader(stream)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:  # noqa: BLE001 - a damaged PDF fails in the parser in many ways
        raise ValueError(f"không đọc được tệp PDF ({printable(exc, 160)})") from None
    results: list[SignatureCheck] = []
    for sig in embedded:
        kind = TIMESTAMP if sig.sig_object_type == "/DocTimeStamp" else APPROVAL
        try:
            claimed = sig.self_reported_timestamp if kind == APPROVAL else None
            context = _context(trust_roots, claimed, online=False)
            if kind == TIMESTAMP:
                stamp = validate_pdf_timestamp(sig, context)
                results.append(_result(stamp, None, stamp.timestamp, trust_roots, _integrity_problem(stamp),
                                       bool(stamp.intact and stamp.valid), kind))
                continue
            status = validate_pdf_signature(sig, context, key_usage_settings=_key_usage())
            online_status = validate_pdf_signature(sig, _context(trust_roots, claimed, True), skip_diff=True,
                                                   key_usage_settings=_key_usage()) if online else None
        except Exception as exc:  # noqa: BLE001 - report, never crash, on a malformed signature
            results.append(_broken(f"không kiểm tra được chữ ký: {exc}", kind))
            continue
        covers, coverage_problem = _coverage_problem(status)
        problem = _integrity_problem(status) or coverage_problem
        results.append(_result(status, online_status, claimed or status.signer_reported_dt, trust_roots, problem,
                               covers, APPROVAL))
    return results


def _claimed_cms_time(signed_data: cms.SignedData) -> dt.datetime | None:
    """The signing-time attribute of the first signer, if any."""
    try:
        for attribute in signed_data["signer_infos"][0]["signed_attrs"]:
            if attribute["type"].native == "signing_time":
                signing_time: dt.datetime = attribute["values"][0].native
                return signing_time
    except (KeyError, IndexError, ValueError, TypeError):
        return None
    return None


def check_detached_cms(data: bytes, signature: bytes, trust_roots: Sequence[x509.Certificate] | None = None,
                       online: bool = False) -> SignatureCheck:
    """A detached CMS/CAdES signature over `data`."""
    from asn1crypto import cms
    from pyhanko.sign.validation.generic_cms import async_validate_detached_cms

    try:
        info = cms.ContentInfo.load(signature)
        signed_data = info["content"]
        _ = signed_data.native  # parse fully now so a damaged file fails here
        claimed = _claimed_cms_time(signed_data)
        status = asyncio.run(async_validate_detached_cms(data, signed_data, _context(trust_roots, claimed, False),
                                                         key_usage_settings=_key_usage()))
        online_status = asyncio.run(async_validate_detached_cms(
            data, signed_data, _context(trust_roots, claimed, True), key_usage_settings=_key_usage())) \
            if online else None
    except Exception as exc:  # noqa: BLE001
        return _broken(f"tệp chữ ký hỏng hoặc không đúng định dạng CMS ({exc})")
    return _result(status, online_status, claimed or status.signer_reported_dt, trust_roots,
                   _integrity_problem(status), True, APPROVAL)


__all__ = ["SignatureCheck", "check_pdf_signatures", "check_detached_cms", "load_trust_roots", "certificate_fields",
           "TRUST_UNKNOWN", "REVOCATION_UNCHECKED", "APPROVAL", "TIMESTAMP"]
