"""Checking a dossier package as the recipient would, straight from the ZIP (or its e-mail parts).

The signature policy (docs/chinh-sach-chu-ky.md) is enforced here:
- every payload file and every tag file is covered by the commune signer's signature: the CAdES signature over
  tagmanifest-sha256.txt, or — for documents signed outside the app — the manifest attached to a signed
  document (see `app.dossier.embedded`). A package with neither is invalid;
- every PDF in data/documents/ carries the signer's signature over the whole file (later revisions may only
  add validation data or document timestamps);
- all signatures are by one certificate, or by certificates with the same subject;
- the signer's certificate chains to a trust anchor (the bundled national roots unless told otherwise), judged
  at the signing time; revocation is checked only online and otherwise reported as not checked;
- the signer is bound to the commune and province of bag-info.txt: by the certificate's subject, or by the
  recipient's register of communes (`app.dossier.registry`).

Verdicts: VALID (exit 0) — intact, trusted and bound; UNBOUND (exit 3) — intact and signed, but the signer is
not trusted or not bound to the commune; INVALID (exit 1) — anything damaged, missing, unsigned or forged.
Every text taken from the package or a certificate is stripped of control characters before it is shown.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from app.dossier import bag, embedded
from app.dossier.binding import bind_signer, same_place
from app.dossier.parts import collect_parts, is_parts_input
from app.dossier.sigcheck import (
    APPROVAL,
    MAX_PDF_OBJECTS,
    REVOCATION_UNCHECKED,
    SignatureCheck,
    check_detached_cms,
    check_pdf_signatures,
    pdf_object_estimate,
)
from app.dossier.trust import TrustAnchors, trust_anchors
from app.dossier.zipcheck import (
    CHUNK,
    DOCUMENTS,
    PATHS,
    READ,
    SIZES,
    Contents,
    Limits,
    Refused,
    check_entries,
    open_archive,
    read_contents,
    shown,
)
from app.errors import CdhtError, InputError
from app.progress import NullProgress, Progress
from app.text import format_int, format_size, joined_limited, printable

if TYPE_CHECKING:
    from app.dossier.parts import PartsManifest
    from app.dossier.registry import Registry

OK, WARN, FAIL = "ok", "warn", "fail"
MARKS = {OK: "✔", WARN: "⚠", FAIL: "✘"}
VALID, UNBOUND, INVALID = "valid", "unbound", "invalid"
EXIT_CODES = {VALID: 0, INVALID: 1, UNBOUND: 3}
VERDICT_LABELS = {VALID: "Hợp lệ", UNBOUND: "Chưa xác nhận người ký", INVALID: "Không hợp lệ"}
#: Longest line a check or the summary prints (a hostile package cannot flood the screen).
LINE_LIMIT = 300

COVERAGE, CADES = "Phạm vi chữ ký", "Chữ ký tệp kê khai (CAdES)"
ONE_SIGNER, CHAIN, REVOCATION, BINDING = "Một người ký", "Chuỗi tin cậy", "Thu hồi chứng thư", "Người ký là xã"


@dataclass(frozen=True)
class Check:
    title: str
    status: str
    detail: str = ""

    def line(self) -> str:
        return f"{MARKS[self.status]} {self.title}" + (f": {self.detail}" if self.detail else "")


@dataclass(frozen=True)
class SignerIdentity:
    """Who signed the package, as the recipient should read it (all text already safe to print)."""

    name: str
    subject: str
    issuer: str
    fingerprint: str
    signed_at: dt.datetime | None
    trusted: bool
    trust_problem: str
    revocation: str
    bound: bool
    bound_by: str
    binding_problem: str
    fingerprints: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "subject": self.subject, "issuer": self.issuer, "fingerprint": self.fingerprint,
                "fingerprints": list(self.fingerprints),
                "signed_at": self.signed_at.isoformat() if self.signed_at else None, "trusted": self.trusted,
                "trust_problem": self.trust_problem, "revocation": self.revocation, "bound": self.bound,
                "bound_by": self.bound_by, "binding_problem": self.binding_problem}


@dataclass
class VerifyReport:
    """Every check with its reason, the package's bag-info, the signer, and the verdict."""

    source: str
    checks: list[Check] = field(default_factory=list)
    info: dict[str, str] = field(default_factory=dict)
    signer: SignerIdentity | None = None
    coverage: str = ""
    #: The package's dataset document (figures and verdicts), once it passed its checks.
    dataset: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if c.status == FAIL]

    @property
    def verdict(self) -> str:
        """VALID, UNBOUND or INVALID."""
        if not self.checks or self.failures or self.signer is None:
            return INVALID
        return VALID if self.signer.trusted and self.signer.bound else UNBOUND

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]

    @property
    def ok(self) -> bool:
        """The package is intact and signed (valid or unbound): nothing in it was damaged or forged."""
        return self.verdict != INVALID

    @property
    def valid(self) -> bool:
        return self.verdict == VALID

    @property
    def commune(self) -> str:
        return self.info.get("CDHT-Commune", "")

    @property
    def province(self) -> str:
        return self.info.get("CDHT-Province", "")

    @property
    def package_uuid(self) -> str:
        return self.info.get("CDHT-Package-UUID", "")

    @property
    def version(self) -> str:
        return self.info.get("CDHT-Package-Version", "")

    @property
    def year(self) -> str:
        return self.info.get("CDHT-Year", "")

    @property
    def level(self) -> str:
        return self.info.get("CDHT-Level-Requested", "")

    @property
    def organisation(self) -> str:
        """'UBND xã Đồng Tiến (Thái Nguyên)' — the commune the package speaks for."""
        if not self.commune:
            return "xã ghi trong gói"
        return f"UBND xã {self.commune}" + (f" ({self.province})" if self.province else "")

    def add(self, title: str, status: str, detail: str = "") -> Check:
        room = max(40, LINE_LIMIT - len(title) - 4)
        check = Check(printable(title, 120), status, printable(detail, room))
        self.checks.append(check)
        return check

    def summary(self) -> str:
        """One sentence saying which of the three outcomes this is, and why."""
        verdict = self.verdict
        if verdict == INVALID:
            head = "GÓI HỒ SƠ KHÔNG HỢP LỆ: "
            reasons = [f"{c.title}: {c.detail}" if c.detail else c.title for c in self.failures]
            if not reasons:
                reasons = ["gói không có chữ ký số nào"]
            return head + joined_limited(reasons, LINE_LIMIT - len(head), noun="lỗi")
        signer = cast(SignerIdentity, self.signer)  # set unless the verdict is INVALID (above)
        if verdict == UNBOUND:
            reason = signer.trust_problem if not signer.trusted else signer.binding_problem
            return printable(f"Gói nguyên vẹn nhưng người ký KHÔNG được xác nhận là {self.organisation}: {reason}.",
                             LINE_LIMIT)
        return printable(f"Gói hồ sơ hợp lệ và nguyên vẹn: do {self.organisation} ký ({signer.name}), chứng thư tin "
                         f"cậy; {signer.revocation}.", LINE_LIMIT)

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "verdict": self.verdict, "exit_code": self.exit_code, "ok": self.ok,
                "summary": self.summary(), "commune": self.commune, "province": self.province, "info": self.info,
                "coverage": self.coverage, "signer": self.signer.to_json() if self.signer else None,
                "checks": [{"title": c.title, "status": c.status, "detail": c.detail} for c in self.checks]}


# ---------------------------------------------------------------------------------------------- structure


def _check_structure(contents: Contents, report: VerifyReport) -> None:
    required = ["bagit.txt", "bag-info.txt", bag.PAYLOAD_MANIFEST, bag.TAG_MANIFEST]
    missing = [name for name in required if name not in contents.small]
    if missing:
        raise Refused("Cấu trúc BagIt", "thiếu " + ", ".join(missing))
    declaration = bag.parse_bag_info(contents.small["bagit.txt"])
    if not declaration.get("BagIt-Version") or declaration.get("Tag-File-Character-Encoding", "").upper() != "UTF-8":
        raise Refused("Cấu trúc BagIt", "bagit.txt không đúng chuẩn (thiếu BagIt-Version hoặc mã hóa UTF-8)")
    if not any(name.startswith("data/") for name in contents.digests):
        raise Refused("Cấu trúc BagIt", "không có thư mục dữ liệu data/")
    report.add("Cấu trúc BagIt", OK, f"BagIt {declaration['BagIt-Version']}")


#: Problems kept word for word in a check's detail; the rest are only counted (the line is cut at 300 anyway).
KEPT_PROBLEMS = 50


class _Problems:
    """A few problems in words and a count of all of them, so a hostile package cannot fill memory with text."""

    def __init__(self) -> None:
        self.kept: list[str] = []
        self.count = 0

    def add(self, text: str) -> None:
        self.count += 1
        if len(self.kept) < KEPT_PROBLEMS:
            self.kept.append(text)

    def text(self) -> str:
        return joined_limited(self.kept, noun="vấn đề", total=self.count)


def _path_key(path: str) -> bytes:
    """A short fingerprint of a path, to remember which files a listing named without keeping the names."""
    return hashlib.blake2b(path.encode("utf-8", "surrogatepass"), digest_size=12).digest()


def _compare_listing(data: bytes, name: str, contents: Contents, in_scope: Callable[[str], bool], label: str,
                     problems: _Problems) -> tuple[int, set[bytes]]:
    """Check a manifest against the files present, line by line; returns (lines, keys of the paths listed)."""
    listed: set[bytes] = set()
    for path, digest in bag.iter_manifest(data, name):
        key = _path_key(path)
        if key in listed:
            raise ValueError(f"{name} liệt kê hai lần tệp '{shown(path)}'")
        listed.add(key)
        if not in_scope(path):
            problems.add(f"bảng kê ghi tệp '{shown(path)}' nằm ngoài data/")
            continue
        actual = contents.digests.get(path)
        if actual is None:
            problems.add(f"thiếu tệp '{shown(path)}'")
        elif actual != digest:
            problems.add(f"tệp '{shown(path)}' đã bị thay đổi (mã băm SHA-256 không khớp {label})")
    return len(listed), listed


def _is_payload(path: str) -> bool:
    return path.startswith("data/")


def _oxum(contents: Contents) -> str:
    sizes = [size for path, size in contents.sizes.items() if _is_payload(path)]
    return bag.payload_oxum(sum(sizes), len(sizes))


def _check_manifests(contents: Contents, limits: Limits, report: VerifyReport) -> None:
    for name in (bag.PAYLOAD_MANIFEST, bag.TAG_MANIFEST):
        lines = contents.small[name].count(b"\n")
        if lines > limits.max_entries:
            raise Refused("Bảng kê mã băm", f"{name} có {format_int(lines)} dòng, nhiều hơn số tệp tối đa của một gói")
    payload, tags = _Problems(), _Problems()
    try:
        count, listed = _compare_listing(contents.small[bag.PAYLOAD_MANIFEST], bag.PAYLOAD_MANIFEST, contents,
                                         _is_payload, "bảng kê", payload)
        for path in contents.digests:
            if _is_payload(path) and _path_key(path) not in listed:
                payload.add(f"tệp thừa '{shown(path)}' không có trong bảng kê")
        del listed
        tag_count, tag_listed = _compare_listing(contents.small[bag.TAG_MANIFEST], bag.TAG_MANIFEST, contents,
                                                 lambda path: not _is_payload(path), "bảng kê tệp thẻ", tags)
    except ValueError as exc:
        raise Refused("Bảng kê mã băm", str(exc)) from None
    for path in contents.digests:
        if not _is_payload(path) and path not in (bag.TAG_MANIFEST, bag.MANIFEST_SIGNATURE) \
                and _path_key(path) not in tag_listed:
            tags.add(f"tệp thừa '{shown(path)}' không có trong bảng kê tệp thẻ")
    for name in bag.TAG_FILES:
        if _path_key(name) not in tag_listed:
            tags.add(f"bảng kê tệp thẻ thiếu '{name}'")
    report.add("Mã băm tệp dữ liệu", FAIL if payload.count else OK,
               payload.text() if payload.count else f"{format_int(count)} tệp khớp manifest-sha256.txt")
    report.add("Mã băm tệp thẻ", FAIL if tags.count else OK,
               tags.text() if tags.count else f"{tag_count} tệp khớp tagmanifest-sha256.txt")
    oxum = bag.parse_bag_info(contents.small["bag-info.txt"]).get("Payload-Oxum", "")
    actual = _oxum(contents)
    if oxum != actual:
        report.add("Payload-Oxum", FAIL, f"bag-info.txt ghi {printable(oxum, 40) or '(trống)'} nhưng thực tế là {actual}")
    else:
        report.add("Payload-Oxum", OK, actual)


# ---------------------------------------------------------------------------------------------- signatures


def _check_documents(contents: Contents, anchors: TrustAnchors, online: bool,
                     report: VerifyReport) -> list[SignatureCheck]:
    """Each PDF: signed, intact, signature over the whole file; returns every approval signature found."""
    approvals: list[SignatureCheck] = []
    if not contents.pdfs:
        report.add("Chữ ký văn bản PDF", FAIL, "gói không có văn bản PDF nào trong data/documents/")
    for name in sorted(contents.pdfs):
        title = f"Chữ ký {shown(name)}"
        objects = pdf_object_estimate(contents.pdfs[name])
        if objects > MAX_PDF_OBJECTS:
            report.add(title, FAIL, f"văn bản có quá nhiều đối tượng PDF (khoảng {format_int(objects)}; tối đa "
                                    f"{format_int(MAX_PDF_OBJECTS)}) nên không được mở")
            contents.pdfs.pop(name).unlink()
            continue
        try:
            with open(contents.pdfs[name], "rb") as handle:
                checks = check_pdf_signatures(handle, anchors.certificates, online)
        except ValueError as exc:
            report.add(title, FAIL, str(exc))
            continue
        signed = [c for c in checks if c.kind == APPROVAL]
        if not signed:
            report.add(title, FAIL, "văn bản chưa được ký số")
            continue
        bad = next((c for c in checks if not (c.intact and c.covers_document) or c.problem), None)
        stamps = len(checks) - len(signed)
        note = f"; kèm {stamps} dấu thời gian" if stamps else ""
        report.add(title, FAIL if bad else OK, _integrity_text(bad or signed[-1]) + ("" if bad else note))
        approvals.extend(signed)
    return approvals


def _integrity_text(check: SignatureCheck) -> str:
    return check.describe(with_trust=False)


def _prefix_digest(path: Path, size: int) -> str | None:
    """SHA-256 of the first `size` bytes of a file (None when it is shorter)."""
    digest, left = hashlib.sha256(), size
    with open(path, "rb") as handle:
        while left > 0:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                return None
            digest.update(chunk)
            left -= len(chunk)
    return digest.hexdigest()


def _canonical_listing(data: bytes, entries: dict[str, str], names: Iterable[str]) -> bool:
    """Is `data` exactly the manifest `bag.manifest_text` would write for these entries (compared line by line)?"""
    lines = io.BytesIO(data)
    for name in sorted(names):
        if lines.readline() != bag.manifest_text({name: entries[name]}):
            return False
    return lines.readline() == b""


def _embedded_problems(manifest: embedded.SignedManifest, carrier: str, contents: Contents) -> _Problems:
    """Differences between the signed manifest and the package (none when everything is covered)."""
    problems = _Problems()
    if manifest.carrier != carrier:
        problems.add(f"bảng kê ghi văn bản mang nó là '{shown(manifest.carrier)}'")
    for path, digest in manifest.files.items():
        actual = contents.digests.get(path) if not path.startswith(DOCUMENTS) else None
        if actual is None:
            problems.add(f"thiếu tệp '{shown(path)}' có trong bảng kê đã ký")
        elif actual != digest:
            problems.add(f"tệp '{shown(path)}' khác bảng kê đã ký (mã băm SHA-256 không khớp)")
    for path in contents.digests:
        if _is_payload(path) and not path.startswith(DOCUMENTS) and path not in manifest.files:
            problems.add(f"tệp '{shown(path)}' không có trong bảng kê đã ký")
    for path, (digest, size) in manifest.documents.items():
        if path not in contents.digests:
            problems.add(f"thiếu văn bản '{shown(path)}' có trong bảng kê đã ký")
        elif path not in contents.pdfs or _prefix_digest(contents.pdfs[path], size) != digest:
            problems.add(f"văn bản '{shown(path)}' không phải là bản đã xuất để ký (nội dung khác)")
    for path in contents.digests:
        if path.startswith(DOCUMENTS) and path != carrier and path not in manifest.documents:
            problems.add(f"văn bản '{shown(path)}' không có trong bảng kê đã ký")
    if contents.small.get("bag-info.txt") != manifest.bag_info_text(_oxum(contents)):
        problems.add("bag-info.txt khác nội dung đã ký trong bảng kê")
    if contents.small.get("bagit.txt") != bag.BAGIT_TXT:
        problems.add("bagit.txt khác nội dung chuẩn")
    payload_names = [path for path in contents.digests if _is_payload(path)]
    if not _canonical_listing(contents.small.get(bag.PAYLOAD_MANIFEST, b""), contents.digests, payload_names):
        problems.add("manifest-sha256.txt không đúng dạng chuẩn của các tệp trong gói")
    if not _canonical_listing(contents.small.get(bag.TAG_MANIFEST, b""), contents.digests,
                              [name for name in bag.TAG_FILES if name in contents.digests]) \
            or not all(name in contents.digests for name in bag.TAG_FILES):
        problems.add("tagmanifest-sha256.txt không đúng dạng chuẩn")
    return problems


def _check_coverage(contents: Contents, cades: SignatureCheck | None, report: VerifyReport) -> None:
    """Policy rule 1: everything in the package is covered by the signer's signature, one way or the other."""
    if cades is not None:
        if cades.intact:
            report.coverage = "cades"
            report.add(COVERAGE, OK, "chữ ký CAdES trên tagmanifest-sha256.txt bao trùm bag-info.txt, bảng kê và mọi "
                                     "tệp trong data/; mỗi văn bản PDF có chữ ký riêng")
        else:
            report.add(COVERAGE, FAIL, "chữ ký trên tệp kê khai không hợp lệ nên dữ liệu và minh chứng không được bảo vệ")
        return
    carriers = []
    for name in sorted(contents.pdfs):
        try:
            data = embedded.signed_attachment(contents.pdfs[name])
        except ValueError:
            data = None
        if data is not None:
            carriers.append((name, data))
    if not carriers:
        report.add(COVERAGE, FAIL, "dữ liệu, minh chứng và bag-info.txt không được chữ ký nào bao trùm: thiếu chữ ký "
                                   "tệp kê khai và không văn bản đã ký nào mang bảng kê ký kèm")
        return
    if len(carriers) > 1:
        report.add(COVERAGE, FAIL, "nhiều văn bản cùng mang bảng kê ký kèm: "
                   + ", ".join(shown(name) for name, _ in carriers[:5]))
        return
    carrier, data = carriers[0]
    try:
        manifest = embedded.parse(data)
    except ValueError as exc:
        report.add(COVERAGE, FAIL, str(exc))
        return
    problems = _embedded_problems(manifest, carrier, contents)
    del manifest
    if problems.count:
        report.add(COVERAGE, FAIL, "bảng kê ký kèm không khớp gói: " + joined_limited(
            problems.kept, 220, noun="vấn đề", total=problems.count))
        return
    report.coverage = "embedded"
    report.add(COVERAGE, OK, f"gói ký ngoài: bảng kê ký kèm trong {shown(carrier)} (đã ký) khớp bag-info.txt, dữ "
                             "liệu, bảng tổng hợp, minh chứng và các văn bản đã xuất để ký")


def _subject_key(check: SignatureCheck) -> str:
    return check.subject.casefold()


def _check_identity(approvals: list[SignatureCheck], anchors: TrustAnchors, registry: Registry | None, online: bool,
                    report: VerifyReport) -> None:
    """One signer, trusted, bound to the commune: the signer identity of the report."""
    if not approvals:
        return
    certificates = {c.fingerprint: c for c in approvals if c.fingerprint}
    if not certificates:
        return
    first = approvals[0]
    if len({_subject_key(c) for c in certificates.values()}) > 1:
        names = [f"{c.signer} ({c.fingerprint[:12]}…)" for c in certificates.values()]
        report.add(ONE_SIGNER, FAIL, "các chữ ký trong gói do những người ký khác nhau: " + joined_limited(names, 200))
    elif len(certificates) > 1:
        report.add(ONE_SIGNER, OK, f"{len(certificates)} chứng thư cùng chủ thể '{first.subject}'")
    else:
        report.add(ONE_SIGNER, OK, f"mọi chữ ký dùng cùng một chứng thư: {first.subject}")
    untrusted = next((c for c in approvals if not c.trusted), None)
    if untrusted is None:
        report.add(CHAIN, OK, f"còn hiệu lực lúc ký, do {first.issuer} cấp, chuỗi về chứng thư tin cậy "
                              f"({anchors.describe()})")
    else:
        report.add(CHAIN, WARN, f"{untrusted.trust_problem or 'không xác minh được'} (đã đối chiếu với "
                                f"{anchors.describe()})")
    revocations = {c.revocation for c in approvals}
    revocation = next(iter(revocations)) if len(revocations) == 1 else "; ".join(sorted(revocations))
    checked = online and all(c.revocation.startswith("đã kiểm tra") for c in approvals)
    hint = " (kiểm tra ngoại tuyến; dùng --online khi có mạng)" if revocation == REVOCATION_UNCHECKED else ""
    report.add(REVOCATION, OK if checked else WARN, revocation + hint)
    commune, province = report.commune, report.province
    bindings = [bind_signer(c.certificate.subject.native, fp, commune, province, registry)
                for fp, c in certificates.items()]
    unbound = next((b for b in bindings if not b.bound), None)
    bound_by = "" if unbound else ("registry" if any(b.by == "registry" for b in bindings) else "name")
    if unbound is None:
        how = "chứng thư ghi đúng tên xã và tỉnh" if bound_by == "name" else \
            "dấu vân tay chứng thư có trong sổ đăng ký xã của nơi nhận"
        report.add(BINDING, OK, f"{report.organisation}: {how}")
    else:
        report.add(BINDING, WARN, unbound.reason)
    report.signer = SignerIdentity(
        name=first.signer, subject=first.subject, issuer=first.issuer, fingerprint=first.fingerprint,
        signed_at=first.signed_at, trusted=untrusted is None,
        trust_problem=untrusted.trust_problem if untrusted else "", revocation=revocation,
        bound=unbound is None, bound_by=bound_by, binding_problem=unbound.reason if unbound else "",
        fingerprints=tuple(certificates),
    )


def _check_signatures(contents: Contents, anchors: TrustAnchors, registry: Registry | None, online: bool,
                      report: VerifyReport) -> None:
    cades = None
    signature = contents.small.get(bag.MANIFEST_SIGNATURE)
    approvals: list[SignatureCheck] = []
    if signature is not None:
        cades = check_detached_cms(contents.small[bag.TAG_MANIFEST], signature, anchors.certificates, online)
        report.add(CADES, OK if cades.intact and not cades.problem else FAIL, _integrity_text(cades))
        if cades.fingerprint:
            approvals.append(cades)
    approvals += _check_documents(contents, anchors, online, report)
    _check_coverage(contents, cades, report)
    _check_identity(approvals, anchors, registry, online, report)


# ---------------------------------------------------------------------------------------------- content


def _check_dataset(contents: Contents, report: VerifyReport) -> None:
    from app.domain.catalogue import catalogue_for_year
    from app.domain.dataset import parse_dataset
    from app.domain.rules import evaluate
    from app.fileio import parse_json

    title = "Dữ liệu và kết quả đánh giá"
    names = [n for n in contents.small if n.startswith("data/") and n.endswith(".json")]
    if len(names) != 1:
        report.add(title, FAIL, "không tìm thấy đúng một tệp dữ liệu JSON trong data/")
        return
    try:
        document = parse_json(contents.small[names[0]].decode("utf-8"), "tệp dữ liệu")
        dataset = parse_dataset(document)
        recorded = document.get("assessment")
        computed = evaluate(catalogue_for_year(dataset.year), dataset.values,
                            dataset.commune.disadvantaged_area).to_json()
    except CdhtError as exc:
        report.add(title, FAIL, f"tệp dữ liệu không hợp lệ: {exc.message}")
        return
    except (ValueError, UnicodeDecodeError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        report.add(title, FAIL, f"tệp dữ liệu không hợp lệ: {exc}")
        return
    if not isinstance(recorded, dict):
        report.add(title, FAIL, "tệp dữ liệu không kèm kết quả đánh giá")
        return
    indicators = found if isinstance(found := recorded.get("indicators"), dict) else {}
    differences = [iid for iid, verdict in computed["indicators"].items() if indicators.get(iid) != verdict]
    if recorded.get("level") != computed["level"] or differences or recorded.get("criteria") != computed["criteria"]:
        detail = (f"kết quả trong gói (mức độ {printable(recorded.get('level'), 20)}) khác kết quả tính lại "
                  f"(mức độ {computed['level']})")
        if differences:
            detail += "; chỉ tiêu khác: " + ", ".join(differences)
        report.add(title, FAIL, detail)
        return
    if report.info.get("CDHT-Year") not in (None, str(dataset.year)):
        report.add(title, FAIL, f"năm trong dữ liệu ({dataset.year}) khác năm trong bag-info.txt")
        return
    if report.commune and not same_place(dataset.commune.name, dataset.commune.province, report.commune,
                                         report.province):
        report.add(title, FAIL, f"tệp dữ liệu ghi xã {dataset.commune.name} ({dataset.commune.province}), còn "
                                f"bag-info.txt ghi xã {report.commune} ({report.province})")
        return
    report.dataset = document
    report.add(title, OK, f"xã {dataset.commune.name}, năm {dataset.year}: tính lại theo quy tắc cho cùng kết quả "
                          f"(mức độ {computed['level']})")


# ---------------------------------------------------------------------------------------------- entry points


def _read_package(stream: IO[bytes], limits: Limits, workdir: str, progress: Progress,
                  report: VerifyReport) -> Contents:
    """Check and read every entry; zipfile's own list of entries is dropped before the remaining checks."""
    archive, layout = open_archive(stream, limits)
    with archive:
        root, infos, total = check_entries(stream, archive, layout, limits)
        report.add(PATHS, OK, f"{format_int(len(infos))} tệp, tất cả nằm trong thư mục '{shown(root)}'")
        report.add(SIZES, OK, f"{format_size(total)} khi giải nén, trong giới hạn")
        return read_contents(archive, root, infos, total, limits, workdir, progress)


def verify_stream(stream: IO[bytes], source: str, trust: list[Path] | None = None, limits: Limits | None = None,
                  progress: Progress | None = None, report: VerifyReport | None = None, *,
                  trust_only: list[Path] | None = None, registry: Registry | None = None,
                  online: bool = False, anchors: TrustAnchors | None = None) -> VerifyReport:
    """Verify a package read from a seekable binary stream (see `verify_package` for the options)."""
    limits, progress = limits or Limits(), progress or NullProgress()
    report = report or VerifyReport(source)
    anchors = anchors or trust_anchors(trust, trust_only)
    try:
        with tempfile.TemporaryDirectory(prefix="cdht-verify-") as workdir:
            contents = _read_package(stream, limits, workdir, progress, report)
            report.add(READ, OK, "mọi tệp đọc được, mã CRC đúng, không có dữ liệu nằm ngoài các tệp của gói")
            _check_structure(contents, report)
            report.info.update({printable(k, 60): printable(v, 200)
                                for k, v in bag.parse_bag_info(contents.small["bag-info.txt"]).items()})
            _check_manifests(contents, limits, report)
            progress.report(0.85, "Đang kiểm tra chữ ký số…")
            _check_signatures(contents, anchors, registry, online, report)
            _check_dataset(contents, report)
    except Refused as refusal:
        report.add(refusal.title, FAIL, refusal.detail)
    progress.report(1.0, "Đã kiểm tra xong.")
    return report


def verify_package(path: Path, trust: list[Path] | None = None, limits: Limits | None = None,
                   progress: Progress | None = None, *, trust_only: list[Path] | None = None,
                   registry: Registry | None = None, online: bool = False) -> VerifyReport:
    """Verify a package file, a parts manifest (`.parts.json`) or the first part (`.001`).

    `trust` adds CA certificates to the bundled national anchors, `trust_only` replaces them; `registry` (a
    `Registry`) binds signers by fingerprint; `online` checks revocation through CRL/OCSP.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"Không tìm thấy tệp gói hồ sơ '{path}'.")
    anchors = trust_anchors(trust, trust_only)
    report = VerifyReport(str(path))
    options: dict[str, Any] = dict(trust=trust, limits=limits, progress=progress, report=report, registry=registry,
                                   online=online, anchors=anchors)
    if is_parts_input(path):
        parts = collect_parts(path)
        with parts.stream() as stream:
            problems = list(parts.problems)
            if parts.manifest is not None:
                digest, size = _whole_digest(stream)
                if size != parts.manifest.size or digest != parts.manifest.sha256:
                    problems.append("gói ghép lại không khớp mã băm trong bảng kê các phần")
            report.add("Ghép các phần", FAIL if problems else (WARN if parts.notes else OK),
                       joined_limited(problems + list(parts.notes), noun="vấn đề") or parts.summary())
            stream.seek(0)
            verify_stream(io.BufferedReader(stream, CHUNK), str(path), **options)
            _check_parts_identity(parts.manifest, report)
            return report
    with open(path, "rb") as handle:
        return verify_stream(handle, str(path), **options)


def _check_parts_identity(manifest: PartsManifest | None, report: VerifyReport) -> None:
    """The parts manifest must speak of the package it reassembles (same UUID and version)."""
    if manifest is None or not manifest.package_uuid or not report.package_uuid:
        return
    if manifest.package_uuid != report.package_uuid or str(manifest.version) != report.version:
        report.add("Ghép các phần", FAIL, "bảng kê các phần ghi mã gói hoặc phiên bản khác với gói")


def _whole_digest(stream: io.RawIOBase) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    stream.seek(0)
    buffer = bytearray(CHUNK)
    while count := stream.readinto(buffer):
        digest.update(memoryview(buffer)[:count])
        size += count
    return digest.hexdigest(), size


__all__ = ["verify_package", "verify_stream", "VerifyReport", "SignerIdentity", "Check", "Limits", "OK", "WARN",
           "FAIL", "VALID", "UNBOUND", "INVALID", "EXIT_CODES", "VERDICT_LABELS", "MARKS"]
