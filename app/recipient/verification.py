"""The one place where the recipient asks the package verifier about a package and turns its report into a status.

Three classes, the same as the signature policy's exit codes:
    valid    (0)  intact, every signature by one certificate that chains to a trusted CA and is the commune's;
    unbound  (3)  intact and signed, but the signer is not trusted or not bound to the commune named in bag-info;
    invalid  (1)  anything else: damaged, changed, unsigned, or figures the rules engine does not confirm.

Today the integrity checks are `app.dossier.verify.verify_package`'s; trust and the signer ↔ commune binding are
judged here, against the recipient's trust anchors and register of communes. When the verifier learns the
policy itself, only `verify_for_intake` changes.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from app.dossier import bag
from app.dossier.verify import FAIL, OK, WARN, Limits, VerifyReport, verify_package, verify_stream
from app.progress import Progress
from app.recipient.communes import RegisteredCommune, commune_name, identity, province_name
from app.text import fold, nfc

VALID, UNBOUND, INVALID = "valid", "unbound", "invalid"
VERDICT_LABELS = {VALID: "Hợp lệ", UNBOUND: "Chưa xác nhận người ký", INVALID: "Không hợp lệ"}
EXIT_CODES = {VALID: 0, UNBOUND: 3, INVALID: 1}
SIGNER_CHECK = "Người ký là xã gửi hồ sơ"
TRUST_CHECK = "Chuỗi tin cậy"
_COMMUNE_KINDS = ("xa", "phuong", "thi tran", "dac khu")
_PROVINCE_KINDS = ("tinh", "thanh pho", "tp")
_BODY_PREFIXES = ("uy ban nhan dan", "ubnd")


@dataclass(frozen=True)
class PackageIdentity:
    """What the package says about itself (bag-info.txt)."""

    commune: str
    province: str
    year: int | None
    level: int | None
    uuid: str
    version: int
    created: str


@dataclass(frozen=True)
class SignerInfo:
    subject: str
    fingerprint: str


@dataclass(frozen=True)
class IntakeVerdict:
    status: str
    summary: str
    reasons: tuple[str, ...]
    report: dict
    identity: PackageIdentity | None = None
    signer: SignerInfo | None = None
    commune_id: int | None = None
    dataset: dict | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self.status]


def _int(text: str | None) -> int | None:
    return int(text) if text and text.strip().isdigit() else None


def package_identity(info: dict[str, str]) -> PackageIdentity | None:
    if not info.get("CDHT-Commune"):
        return None
    return PackageIdentity(commune_name(info.get("CDHT-Commune", "")), province_name(info.get("CDHT-Province", "")),
                           _int(info.get("CDHT-Year")), _int(info.get("CDHT-Level-Requested")),
                           info.get("CDHT-Package-UUID", ""), _int(info.get("CDHT-Package-Version")) or 0,
                           info.get("CDHT-Created", ""))


# ---------------------------------------------------------------------- what is inside, read after verification

@dataclass
class _Signatures:
    manifest_cert: object | None = None
    others: list = field(default_factory=list)
    pdf_certs: dict[str, object] = field(default_factory=dict)
    signed_at: object | None = None


def cms_signer(signature: bytes):
    """(signer certificate, the other certificates, signing time) of a detached CMS signature."""
    from asn1crypto import cms

    signed = cms.ContentInfo.load(signature)["content"]
    certs = [c.chosen for c in signed["certificates"] if c.name == "certificate"]
    signer_info = signed["signer_infos"][0]
    sid = signer_info["sid"]
    if sid.name == "issuer_and_serial_number":
        wanted = sid.chosen
        issuer, serial = wanted["issuer"].dump(), wanted["serial_number"].native
        cert = next(c for c in certs if c.serial_number == serial and c.issuer.dump() == issuer)
    else:
        cert = next(c for c in certs if c.key_identifier == sid.chosen.native)
    signed_at = None
    for attribute in signer_info["signed_attrs"]:
        if attribute["type"].native == "signing_time":
            signed_at = attribute["values"][0].native
    return cert, [c for c in certs if c is not cert], signed_at


_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")


def pdf_signature_contents(data: bytes) -> list[bytes]:
    """The CMS blobs of a PDF's signatures, found through their /ByteRange: the one gap each range leaves is
    exactly the signature's hex string. (The verifier has already checked every signature with pyHanko; here only
    who signed is needed, without parsing the document a second time.)"""
    blobs = []
    for match in _BYTE_RANGE.finditer(data):
        start, first, second, _length = (int(g) for g in match.groups())
        gap = data[start + first:second]
        if len(gap) >= 2 and gap[:1] == b"<" and gap[-1:] == b">":
            blobs.append(bytes.fromhex(gap[1:-1].decode("ascii")))
    return blobs


def _read_signatures(archive: zipfile.ZipFile, root: str) -> _Signatures:
    """The manifest signature's certificates, and each PDF signature's signer."""
    found = _Signatures()
    names = archive.namelist()
    signature_name = f"{root}/{bag.MANIFEST_SIGNATURE}"
    if signature_name in names:
        found.manifest_cert, found.others, found.signed_at = cms_signer(archive.read(signature_name))
    for name in names:
        if name.startswith(f"{root}/data/documents/") and name.lower().endswith(".pdf"):
            for index, blob in enumerate(pdf_signature_contents(archive.read(name))):
                cert, others, _ = cms_signer(blob)
                found.pdf_certs[f"{name[len(root) + 1:]}#{index + 1}"] = cert
                found.others.extend(others)
    return found


def _read_dataset(archive: zipfile.ZipFile, root: str, year: int | None) -> dict | None:
    name = f"{root}/data/du-lieu-{year}.json"
    if name not in archive.namelist():
        candidates = [n for n in archive.namelist() if re.fullmatch(rf"{re.escape(root)}/data/[^/]+\.json", n)]
        if len(candidates) != 1:
            return None
        name = candidates[0]
    from app.fileio import parse_json

    return parse_json(archive.read(name).decode("utf-8"), "tệp dữ liệu trong gói")


def fingerprint(cert) -> str:
    return hashlib.sha256(cert.dump()).hexdigest()


def _subject_text(cert) -> str:
    """The holder as people read it (the common name), NFC."""
    from app.dossier.signing import certificate_name

    return nfc(certificate_name(cert))


def _chain_trusted(cert, others: Sequence, roots: Sequence, moment) -> bool:
    """Whether the certificate chains to one of `roots` and was valid at the signing time (revocation is not
    checked offline)."""
    from pyhanko_certvalidator import CertificateValidator, ValidationContext

    if not roots:
        return False
    context = ValidationContext(trust_roots=list(roots), allow_fetching=False, moment=moment,
                                revocation_mode="soft-fail")
    try:
        asyncio.run(CertificateValidator(cert, list(others), context).async_validate_usage(set()))
    except Exception:  # noqa: BLE001 - every path-building or validity failure means: not trusted
        return False
    return True


def _pieces(value: str) -> list[str]:
    """Accent-free pieces of one subject attribute ('UBND xã Đồng Tiến, tỉnh Thái Nguyên' -> ['xa dong tien', …])."""
    text = fold(value)
    for prefix in _BODY_PREFIXES:
        text = re.sub(rf"\b{prefix}\b", " ", text)
    return [" ".join(piece.split()) for piece in re.split(r"[,;/\-–]", text) if piece.strip()]


def names_commune(cert, commune: str, province: str) -> bool:
    """Whether the certificate's subject names the commune (as 'xã/phường … NAME') and its province."""
    values = [str(v) for v in cert.subject.native.values() if isinstance(v, str)]
    pieces = {piece for value in values for piece in _pieces(value)}
    wanted_commune = {f"{kind} {fold(commune)}" for kind in _COMMUNE_KINDS}
    wanted_province = {fold(province)} | {f"{kind} {fold(province)}" for kind in _PROVINCE_KINDS}
    return bool(pieces & wanted_commune) and bool(pieces & wanted_province)


# ---------------------------------------------------------------------- the adapter

def _claimed(communes: Sequence[RegisteredCommune], identity_: PackageIdentity | None) -> RegisteredCommune | None:
    """The register's commune that bag-info names (a claim, until the signer is bound to it)."""
    if identity_ is None:
        return None
    key = identity(identity_.commune, identity_.province)
    return next((c for c in communes if identity(c.name, c.province) == key), None)


def _invalid(report: VerifyReport, reasons: list[str], identity_: PackageIdentity | None,
             communes: Sequence[RegisteredCommune]) -> IntakeVerdict:
    """Invalid, but filed under the commune it names, so the register shows that commune's dossier as broken."""
    claimed = _claimed(communes, identity_)
    return IntakeVerdict(INVALID, "Gói hồ sơ không hợp lệ: " + reasons[0] + ".", tuple(reasons), report.to_json(),
                         identity_, commune_id=claimed.id if claimed else None)


def verify_for_intake(path: Path, communes: Sequence[RegisteredCommune], roots: Sequence = (),
                      limits: Limits | None = None, progress: Progress | None = None,
                      stream: IO[bytes] | None = None) -> IntakeVerdict:
    """Verify one stored package for the register: integrity by the package verifier, then trust and binding.
    `stream`, when given, is the package file opened by the caller (who may hash it on the way)."""
    if stream is None:
        report = verify_package(Path(path), limits=limits, progress=progress)
    else:
        report = verify_stream(stream, str(path), limits=limits, progress=progress)
    # The verifier checked integrity only; the chain is judged below against the recipient's own anchors.
    report.checks = [c for c in report.checks if not (c.title == TRUST_CHECK and c.status == WARN)]
    identity_ = package_identity(report.info)
    failures = [f"{c.title}: {c.detail}" if c.detail else c.title for c in report.failures]
    if failures:
        return _invalid(report, failures, identity_, communes)
    if identity_ is None or identity_.year is None:
        return _invalid(report, ["bag-info.txt không ghi tên xã hoặc năm đánh giá"], identity_, communes)
    unsigned = [c for c in report.checks if c.status == WARN and c.title.startswith("Chữ ký tệp kê khai")]
    if unsigned:
        reason = "tệp kê khai của gói không có chữ ký số; theo chính sách chữ ký, mọi tệp phải được xã ký"
        report.add("Chính sách chữ ký", FAIL, reason)
        return _invalid(report, [reason], identity_, communes)
    try:
        with zipfile.ZipFile(path) as archive:
            root = archive.namelist()[0].split("/")[0]
            dataset = _read_dataset(archive, root, identity_.year)
            signatures = _read_signatures(archive, root)
    except Exception as exc:  # noqa: BLE001 - the verifier passed it; anything odd left is still a refusal
        reason = f"không đọc được số liệu hoặc chứng thư người ký trong gói ({type(exc).__name__})"
        report.add("Đọc nội dung gói", FAIL, reason)
        return _invalid(report, [reason], identity_, communes)
    declared = (dataset or {}).get("commune") or {}
    if fold(commune_name(str(declared.get("name", "")))) != fold(identity_.commune):
        reason = (f"tệp số liệu ghi xã {declared.get('name', '(không rõ)')}, còn bag-info.txt ghi xã "
                  f"{identity_.commune}")
        report.add("Dữ liệu đúng xã gửi", FAIL, reason)
        return _invalid(report, [reason], identity_, communes)
    cert = signatures.manifest_cert
    signer = SignerInfo(_subject_text(cert), fingerprint(cert))
    problems: list[str] = []
    others = {fingerprint(c) for c in signatures.pdf_certs.values()} - {signer.fingerprint}
    if others:
        problems.append(f"các chữ ký trong gói không cùng một chứng thư ({len(others) + 1} chứng thư khác nhau)")
    trusted = _chain_trusted(cert, signatures.others, roots, signatures.signed_at)
    if not roots:
        report.add(TRUST_CHECK, WARN, "chưa khai báo chứng thư CA tin cậy nên chưa xác minh được người ký")
        problems.append("chưa có chứng thư CA tin cậy để xác minh người ký (recipient trust add CA.pem)")
    elif not trusted:
        report.add(TRUST_CHECK, FAIL, f"chứng thư của {signer.subject} không chuỗi về CA tin cậy hoặc đã hết hạn "
                                      "khi ký")
        problems.append("chứng thư người ký không do CA tin cậy cấp hoặc không còn hiệu lực khi ký")
    else:
        report.add(TRUST_CHECK, OK, f"{signer.subject}, chuỗi về CA tin cậy")
    commune = _claimed(communes, identity_)
    commune_id = commune.id if commune else None
    if commune is None:
        problems.append(f"xã {identity_.commune} ({identity_.province}) không có trong danh sách xã")
    elif commune.fingerprints:
        if signer.fingerprint not in commune.fingerprints:
            problems.append(f"chứng thư của {signer.subject} không có trong danh sách chứng thư của xã {commune.name}")
    elif not names_commune(cert, identity_.commune, identity_.province):
        problems.append(f"chứng thư của {signer.subject} không mang tên UBND xã {identity_.commune}, "
                        f"{identity_.province}")
    if problems:
        report.add(SIGNER_CHECK, FAIL, "; ".join(problems))
        summary = (f"Gói nguyên vẹn nhưng người ký KHÔNG được xác nhận là UBND xã {identity_.commune}: "
                   f"{problems[0]}.")
        return IntakeVerdict(UNBOUND, summary, tuple(problems), report.to_json(), identity_, signer, commune_id,
                             dataset)
    how = "chứng thư có trong danh sách của xã" if commune and commune.fingerprints else "chứng thư mang tên xã"
    report.add(SIGNER_CHECK, OK, f"{signer.subject} ({how})")
    summary = f"Gói hợp lệ, nguyên vẹn; người ký được xác nhận là UBND xã {identity_.commune}."
    return IntakeVerdict(VALID, summary, (), report.to_json(), identity_, signer, commune_id, dataset)


def report_lines(report: dict) -> list[str]:
    """The stored verifier report as the lines `cdht verify` prints."""
    marks = {OK: "✔", WARN: "⚠", FAIL: "✘"}
    return [f"{marks.get(c['status'], '·')} {c['title']}" + (f": {c['detail']}" if c.get("detail") else "")
            for c in report.get("checks", [])]


__all__ = ["verify_for_intake", "IntakeVerdict", "PackageIdentity", "SignerInfo", "VALID", "UNBOUND", "INVALID",
           "VERDICT_LABELS", "EXIT_CODES", "names_commune", "report_lines", "package_identity"]
