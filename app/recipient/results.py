"""The result back to each commune: a small signed BagIt package, and reading one back on the commune's side.

    KetQua-CDHT-<xã>-<năm>/
        bagit.txt, bag-info.txt
        data/ket-qua-NĂM.json          cdht-result/1: level, decision number and date, validity, council verdicts
        data/quyet-dinh-NĂM.pdf        the decision with its list (recognised), or
        data/cong-van-tra-loi-NĂM.pdf  the reply stating the reasons (not recognised); signed PAdES
        manifest-sha256.txt, tagmanifest-sha256.txt
        signatures/tagmanifest-sha256.txt.p7s   the recipient's detached CAdES signature

Built with the same bag, ZIP and signing code as the commune's dossier package. The reader trusts nothing it
is given: sizes and paths are checked before anything is read, every file against the manifests, the manifest
signature and the PDF signature against the same certificate, which must chain to a trusted CA or have been
accepted explicitly by its fingerprint.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from app import APP_NAME, __version__
from app.dossier import bag
from app.dossier.package import slug
from app.dossier.signing import Appearance, SigningKey, iso_vietnam, open_signer, sign_detached, sign_pdf, vietnam_now
from app.dossier.zipstream import DeterministicZip
from app.errors import InputError
from app.fileio import atomic_writer, parse_json, read_bytes_capped, write_bytes_atomic
from app.progress import Progress, check_cancelled
from app.recipient.decisions import decision_of
from app.recipient.documents import collect_round, decision_pdf, reply_pdf
from app.recipient.documents.data import CommuneResult, RoundData
from app.recipient.register import package
from app.recipient.workspace import RecipientWorkspace
from app.text import nfc

if TYPE_CHECKING:
    from asn1crypto import x509
    from pyhanko.sign.signers import Signer

    from app.recipient.decisions import Decision, Outcome

RESULT_FORMAT = "cdht-result/1"
MAX_RESULT_BYTES = 50 * 1024 * 1024
MAX_ENTRIES = 20
RECOGNISED, REFUSED = "recognised", "refused"


def result_document(data: RoundData, result: CommuneResult, sha256: str) -> dict[str, Any]:
    """The cdht-result/1 document of one commune (its outcome must be recorded)."""
    outcome = cast("Outcome", result.outcome)
    decision = cast("Decision", data.decision)  # build_result_packages checked that the round has one
    level = result.appraisal.level_requested
    record = {
        "format": RESULT_FORMAT,
        "commune": {"name": result.commune, "province": result.row.province},
        "year": data.year,
        "package": {"version": result.row.version, "sha256": sha256},
        "issuer": data.agency.name,
        "outcome": RECOGNISED if outcome.level else REFUSED,
        "level": outcome.level,
        "level_requested": level,
        "decision": {"number": decision.number, "date": decision.date.isoformat()},
        "valid_until": outcome.valid_until.isoformat() if outcome.valid_until else None,
        "validity_months": data.catalogue.validity_months if outcome.level else None,
        "reply": None if outcome.level else {"number": outcome.reply_number,
                                             "date": outcome.reply_date.isoformat() if outcome.reply_date else None},
        "council_verdicts": {
            item.indicator_id: {f"level{lv}": {"status": v.status, "note": v.note} for lv, v in sorted(item.council.items())}
            for item in result.appraisal.indicators},
    }
    return record


def _bag_info(data: RoundData, result: CommuneResult, oxum: str, created: str) -> bytes:
    outcome = cast("Outcome", result.outcome)
    described = (f"Kết quả công nhận xã đạt chuẩn \"Cộng đồng học tập\" mức độ {outcome.level}" if outcome.level
                 else "Văn bản trả lời hồ sơ đề nghị công nhận \"Cộng đồng học tập\"")
    return bag.bag_info_text([
        ("Source-Organization", data.agency.name),
        ("External-Description", f"{described}, xã {result.commune}, năm đánh giá {data.year}"),
        ("Bagging-Date", created[:10]),
        ("Bag-Software-Agent", f"{APP_NAME} {__version__}"),
        ("Payload-Oxum", oxum),
        ("CDHT-Result-Commune", result.commune),
        ("CDHT-Result-Province", result.row.province),
        ("CDHT-Year", str(data.year)),
        ("CDHT-Result-Level", str(outcome.level)),
        ("CDHT-Decision-Number", cast("Decision", data.decision).number),
        ("CDHT-Created", created),
    ])


def _write(target: Path, root: str, payload: dict[str, bytes], bag_info: bytes, signer: Signer) -> None:
    entries = {"bagit.txt": bag.BAGIT_TXT, "bag-info.txt": bag_info}
    digests = {name: hashlib.sha256(content).hexdigest() for name, content in {**entries, **payload}.items()}
    manifest = bag.manifest_text({n: d for n, d in digests.items() if n.startswith("data/")})
    digests[bag.PAYLOAD_MANIFEST] = hashlib.sha256(manifest).hexdigest()
    tagmanifest = bag.manifest_text({name: digests[name] for name in bag.TAG_FILES})
    files = {**entries, **payload, bag.PAYLOAD_MANIFEST: manifest, bag.TAG_MANIFEST: tagmanifest,
             bag.MANIFEST_SIGNATURE: sign_detached(signer, tagmanifest)}
    with atomic_writer(target) as handle:
        archive = DeterministicZip(handle)
        for name in sorted(files):
            archive.add_bytes(f"{root}/{name}", files[name])
        archive.close()


def package_name(result: CommuneResult, year: int) -> str:
    return f"KetQua-CDHT-{slug(result.commune)}-{year}"


def build_result_packages(rws: RecipientWorkspace, year: int, out_dir: Path, key: SigningKey,
                          progress: Progress | None = None) -> list[Path]:
    """One signed result package per commune with a recorded outcome; returns the files written."""
    if decision_of(rws, year) is None:
        raise InputError(f"Năm {year} chưa ghi quyết định công nhận (recipient decide); chưa có kết quả để gửi.")
    data = collect_round(rws, year)
    decided = [r for r in data.results if r.outcome is not None]
    appearance = Appearance(organisation=data.agency.name, signer_name=data.agency.head_name,
                            reason="Ký văn bản kết quả công nhận", location=data.agency.place)
    written: list[Path] = []
    with open_signer(key) as signer, tempfile.TemporaryDirectory(prefix="cdht-result-") as workdir:
        signed_decision: bytes | None = None
        for index, result in enumerate(decided):
            check_cancelled(progress)
            if progress is not None:
                progress.report(index / max(len(decided), 1), f"Đang lập gói kết quả của xã {result.commune}…")
            if cast("Outcome", result.outcome).level:  # `decided` holds recorded outcomes only
                if signed_decision is None:
                    signed_decision = _signed(signer, decision_pdf(data), appearance, Path(workdir) / "qd.pdf")
                pdf_name, pdf = f"data/quyet-dinh-{year}.pdf", signed_decision
            else:
                pdf_name = f"data/cong-van-tra-loi-{year}.pdf"
                pdf = _signed(signer, reply_pdf(data, result), appearance, Path(workdir) / f"cv{index}.pdf")
            sha = package(rws, cast(int, result.row.package_id)).sha256  # a concluded row has its package
            document = (json.dumps(result_document(data, result, sha), ensure_ascii=False, indent=2) + "\n").encode()
            payload = {f"data/ket-qua-{year}.json": document, pdf_name: pdf}
            oxum = bag.payload_oxum(sum(len(v) for v in payload.values()), len(payload))
            created = iso_vietnam(vietnam_now())
            name = package_name(result, year)
            target = Path(out_dir) / f"{name}.zip"
            _write(target, name, payload, _bag_info(data, result, oxum, created), signer)
            rws.audit("export", "result_package", result.commune, year, None, {"file": str(target)})
            written.append(target)
    if progress is not None:
        progress.report(1.0, f"Đã lập {len(written)} gói kết quả.")
    return written


def _signed(signer: Signer, pdf: bytes, appearance: Appearance, scratch: Path) -> bytes:
    source = scratch.with_suffix(".src.pdf")
    write_bytes_atomic(source, pdf)
    sign_pdf(signer, source, scratch, appearance)
    return scratch.read_bytes()


# ---------------------------------------------------------------------- reading one back (the commune's side)

class UntrustedSignerError(InputError):
    """The result package is intact, but its signer is neither under a trusted CA nor accepted before."""

    def __init__(self, message: str, signer: str, fingerprint: str) -> None:
        super().__init__(message)
        self.signer = signer
        self.fingerprint = fingerprint


@dataclass(frozen=True)
class ResultPackage:
    """A verified result package: the cdht-result/1 document, its signed PDF, and who signed."""

    result: dict[str, Any]
    pdf_name: str
    pdf: bytes
    signer: str
    fingerprint: str
    trusted_by: str  # "chain" | "accepted"

    @property
    def decision_date(self) -> dt.date:
        return dt.date.fromisoformat(self.result["decision"]["date"])


def _entries(archive: zipfile.ZipFile, source: str) -> tuple[str, dict[str, bytes]]:
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise InputError(f"'{source}' không phải gói kết quả: có quá nhiều tệp ({len(infos)}).")
    if sum(i.file_size for i in infos) > MAX_RESULT_BYTES:
        raise InputError(f"'{source}' quá lớn so với một gói kết quả.")
    roots = {i.filename.split("/")[0] for i in infos}
    files: dict[str, bytes] = {}
    for info in infos:
        name = info.filename
        parts = name.rstrip("/").split("/")
        if (len(roots) != 1 or name.startswith("/") or "\\" in name or any(p in ("", ".", "..") for p in parts[1:])
                or stat.S_ISLNK(info.external_attr >> 16) or any(ord(c) < 32 for c in name)):
            raise InputError(f"'{source}' có đường dẫn không an toàn ('{name[:80]}'); không nhận.")
        if info.is_dir():
            continue
        relative = nfc("/".join(parts[1:]))
        if relative in files:
            raise InputError(f"'{source}' có hai tệp cùng tên '{relative}'; không nhận.")
        files[relative] = archive.read(info)
    return next(iter(roots)), files


def _check_manifests(files: dict[str, bytes], source: str) -> None:
    for required in ("bagit.txt", "bag-info.txt", bag.PAYLOAD_MANIFEST, bag.TAG_MANIFEST, bag.MANIFEST_SIGNATURE):
        if required not in files:
            raise InputError(f"'{source}' thiếu tệp {required}; không phải gói kết quả hợp lệ.")
    try:
        payload = bag.parse_manifest(files[bag.PAYLOAD_MANIFEST], bag.PAYLOAD_MANIFEST)
        tags = bag.parse_manifest(files[bag.TAG_MANIFEST], bag.TAG_MANIFEST)
    except ValueError as exc:
        raise InputError(f"'{source}': {exc}.") from None
    data = {n for n in files if n.startswith("data/")}
    if set(payload) != data or set(tags) != set(bag.TAG_FILES):
        raise InputError(f"'{source}': danh sách tệp không khớp bảng kê (có tệp thừa hoặc thiếu); không nhận.")
    for name, digest in [*payload.items(), *tags.items()]:
        if hashlib.sha256(files[name]).hexdigest() != digest:
            raise InputError(f"'{source}': tệp '{name}' đã bị thay đổi (mã băm không khớp); không nhận.")


def _check_result(document: object, source: str) -> dict[str, Any]:
    if not isinstance(document, dict) or document.get("format") != RESULT_FORMAT:
        raise InputError(f"'{source}': tệp kết quả không đúng định dạng {RESULT_FORMAT}.")
    try:
        level = document["level"]
        if level not in (0, 1, 2) or document["outcome"] not in (RECOGNISED, REFUSED) or (level > 0) != (
                document["outcome"] == RECOGNISED):
            raise ValueError("level")
        dt.date.fromisoformat(document["decision"]["date"])
        str(document["decision"]["number"])
        int(document["year"])
        str(document["commune"]["name"])
        if level:
            dt.date.fromisoformat(document["valid_until"])
    except (KeyError, TypeError, ValueError):
        raise InputError(f"'{source}': tệp kết quả thiếu hoặc sai mức độ, số, ngày quyết định.") from None
    return document


def read_result_package(path: Path, roots: list[x509.Certificate] | None = None, accepted: tuple[str, ...] = ()) -> ResultPackage:
    """Read and verify a result package; raises InputError naming the problem, or UntrustedSignerError when only
    the signer's identity is in doubt."""
    from app.dossier.sigcheck import check_detached_cms, check_pdf_signatures
    from app.dossier.trust import fingerprint

    path = Path(path)
    source = path.name
    data = read_bytes_capped(path, MAX_RESULT_BYTES, "gói kết quả")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _root, files = _entries(archive, source)
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, RuntimeError, OSError):
        raise InputError(f"'{source}' không phải tệp ZIP hợp lệ hoặc bị cắt cụt.") from None
    _check_manifests(files, source)
    manifest_check = check_detached_cms(files[bag.TAG_MANIFEST], files[bag.MANIFEST_SIGNATURE], roots or None)
    if not manifest_check.intact:
        raise InputError(f"'{source}': chữ ký số của cơ quan tiếp nhận không hợp lệ ({manifest_check.problem}).")
    signer, print_ = manifest_check.signer, manifest_check.fingerprint
    pdfs = [n for n in files if re.fullmatch(r"data/[^/]+\.pdf", n)]
    results = [n for n in files if re.fullmatch(r"data/ket-qua-\d{4}\.json", n)]
    if len(pdfs) != 1 or len(results) != 1:
        raise InputError(f"'{source}' phải có đúng một văn bản PDF và một tệp kết quả; không nhận.")
    checks = check_pdf_signatures(io.BytesIO(files[pdfs[0]]), roots or None)
    from pyhanko.pdf_utils.reader import PdfFileReader

    signers = {fingerprint(s.signer_cert) for s in PdfFileReader(io.BytesIO(files[pdfs[0]]), strict=False)
               .embedded_signatures}
    if not checks or not all(c.intact and c.covers_document and not c.problem for c in checks) or signers != {print_}:
        raise InputError(f"'{source}': văn bản {pdfs[0][5:]} chưa được cùng cơ quan ký số hoặc đã bị sửa sau khi ký.")
    document = _check_result(parse_json(files[results[0]].decode("utf-8", "replace"), "tệp kết quả"), source)
    if roots and manifest_check.trusted:
        trusted_by = "chain"
    elif print_ in accepted:
        trusted_by = "accepted"
    else:
        raise UntrustedSignerError(
            f"Gói kết quả nguyên vẹn nhưng người ký ({signer}) chưa được xác nhận: chứng thư không thuộc CA tin cậy "
            f"và chưa được chấp nhận. Mã chứng thư (SHA-256): {print_}. Hãy đối chiếu mã này với cơ quan tiếp nhận "
            "trước khi chấp nhận.", signer, print_)
    return ResultPackage(document, pdfs[0][5:], files[pdfs[0]], signer, print_, trusted_by)


__all__ = ["build_result_packages", "read_result_package", "result_document", "ResultPackage",
           "UntrustedSignerError", "RESULT_FORMAT", "RECOGNISED", "REFUSED"]
