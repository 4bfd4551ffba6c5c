"""The one place where the recipient asks the package verifier about a package and turns its report into a status.

The verdict is the signature policy's (`app.dossier.verify`, docs/chinh-sach-chu-ky.md), the same as
`cdht verify` prints, with its exit codes:
    valid    (0)  intact, covered by the commune signer's signature, trusted, bound to the commune of bag-info;
    unbound  (3)  intact and signed, but the signer is not trusted or not bound to that commune;
    invalid  (1)  anything else: damaged, changed, unsigned, or figures the rules engine does not confirm.

The recipient supplies what the verifier judges against: the national anchors bundled with the app plus the CAs
it added (`recipient trust add`), and its register of communes as the verifier's register (`cdht-registry/1`):
a certificate is the commune's when it names the commune and province, or when its fingerprint is listed for that
commune. Nothing here judges trust or binding a second time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from app.dossier.registry import Registry
from app.dossier.verify import (
    EXIT_CODES,
    FAIL,
    INVALID,
    MARKS,
    UNBOUND,
    VALID,
    VERDICT_LABELS,
    Limits,
    VerifyReport,
    verify_stream,
)
from app.progress import Progress
from app.recipient.communes import RegisteredCommune, commune_name, identity, province_name, registry_of

if TYPE_CHECKING:
    from app.dossier.trust import TrustAnchors


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
    report: dict[str, Any]
    identity: PackageIdentity | None = None
    signer: SignerInfo | None = None
    commune_id: int | None = None
    dataset: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self.status]


@dataclass(frozen=True)
class IntakeContext:
    """What packages are judged against, read once per intake and small enough to send to a worker process:
    the register's communes and the DER bytes of the CA certificates the recipient added."""

    communes: tuple[RegisteredCommune, ...]
    roots: tuple[bytes, ...] = ()

    @property
    def registry(self) -> Registry:
        """The register of communes as the verifier's register: one list of communes and fingerprints."""
        return registry_of(self.communes)

    def anchors(self) -> TrustAnchors:
        """The bundled national anchors plus the recipient's own CAs."""
        from asn1crypto import x509

        from app.dossier.trust import with_bundled

        return with_bundled([x509.Certificate.load(der) for der in self.roots])


def _int(text: str | None) -> int | None:
    return int(text) if text and text.strip().isdigit() else None


def package_identity(info: dict[str, str]) -> PackageIdentity | None:
    if not info.get("CDHT-Commune"):
        return None
    return PackageIdentity(commune_name(info.get("CDHT-Commune", "")), province_name(info.get("CDHT-Province", "")),
                           _int(info.get("CDHT-Year")), _int(info.get("CDHT-Level-Requested")),
                           info.get("CDHT-Package-UUID", ""), _int(info.get("CDHT-Package-Version")) or 0,
                           info.get("CDHT-Created", ""))


def _claimed(communes: Sequence[RegisteredCommune], identity_: PackageIdentity | None) -> RegisteredCommune | None:
    """The register's commune that bag-info names (the package is filed under it, whatever its verdict)."""
    if identity_ is None:
        return None
    key = identity(identity_.commune, identity_.province)
    return next((c for c in communes if identity(c.name, c.province) == key), None)


def _reasons(report: VerifyReport) -> list[str]:
    """Why the package is not valid, in the verifier's words."""
    if report.verdict == INVALID:
        return [f"{c.title}: {c.detail}" if c.detail else c.title for c in report.failures] or \
            ["gói không có chữ ký số nào"]
    signer = report.signer
    if report.verdict == UNBOUND and signer is not None:
        return [problem for problem in (signer.trust_problem if not signer.trusted else "",
                                        signer.binding_problem if not signer.bound else "") if problem]
    return []


def verdict_of(report: VerifyReport, communes: Sequence[RegisteredCommune]) -> IntakeVerdict:
    """The register's view of a verifier report: status, summary, reasons, identity, signer and commune."""
    identity_ = package_identity(report.info)
    reasons = _reasons(report)
    summary = report.summary()
    commune = _claimed(communes, identity_)
    if report.verdict != INVALID and (identity_ is None or identity_.year is None):
        reason = "bag-info.txt không ghi tên xã hoặc năm đánh giá"
        report.add("Thông tin gói", FAIL, reason)
        reasons, summary = [reason], report.summary()
    elif identity_ is not None and commune is None:
        missing = f"xã {identity_.commune} ({identity_.province}) không có trong danh sách xã"
        reasons.append(missing)
        summary += f" Lưu ý: {missing}."
    signer = SignerInfo(report.signer.name, report.signer.fingerprint) if report.signer else None
    dataset = report.dataset if report.verdict != INVALID else None
    return IntakeVerdict(report.verdict, summary, tuple(reasons), report.to_json(), identity_, signer,
                         commune.id if commune else None, dataset)


def verify_for_intake(path: Path, context: IntakeContext, limits: Limits | None = None,
                      progress: Progress | None = None, stream: IO[bytes] | None = None) -> IntakeVerdict:
    """Verify one stored package for the register with the signature policy, against the recipient's anchors and
    register. `stream`, when given, is the package file opened by the caller (who may hash it on the way)."""
    options: dict[str, Any] = dict(limits=limits, progress=progress, registry=context.registry, anchors=context.anchors())
    if stream is not None:
        report = verify_stream(stream, str(path), **options)
    else:
        with open(path, "rb") as handle:
            report = verify_stream(handle, str(path), **options)
    return verdict_of(report, context.communes)


def report_lines(report: dict[str, Any]) -> list[str]:
    """The stored verifier report as the lines `cdht verify` prints."""
    return [f"{MARKS.get(c['status'], '·')} {c['title']}" + (f": {c['detail']}" if c.get("detail") else "")
            for c in report.get("checks", [])]


__all__ = ["verify_for_intake", "verdict_of", "IntakeContext", "IntakeVerdict", "PackageIdentity", "SignerInfo",
           "VALID", "UNBOUND", "INVALID", "VERDICT_LABELS", "EXIT_CODES", "report_lines", "package_identity"]
