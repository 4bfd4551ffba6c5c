"""Building the dossier package: a BagIt bag, serialised as a deterministic ZIP, signed twice over.

Layout inside the ZIP (one top-level folder named like the file):
    bagit.txt, bag-info.txt
    data/documents/*.pdf      the signed dossier documents (PAdES)
    data/tong_hop_YEAR.xlsx   the summary table
    data/du-lieu-YEAR.json    the figures and verdicts (cdht-dataset/1)
    data/evidence/CODE.ext    every live evidence file, named by its code
    manifest-sha256.txt, tagmanifest-sha256.txt
    signatures/tagmanifest-sha256.txt.p7s   detached CAdES signature over the tag manifest
The package UUID is the year's and stays the same for every re-send; the version changes after an unlock.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import APP_NAME, __version__
from app.dossier import bag, embedded
from app.dossier.external import signed_documents_for_package
from app.dossier.final_documents import FinalDocuments, final_documents
from app.dossier.records import PackageRecord, package_uuid, record_package
from app.dossier.signing import (
    Appearance,
    SigningKey,
    TokenKey,
    iso_vietnam,
    open_signer,
    sign_detached,
    sign_pdf,
    signer_name,
    vietnam_now,
)
from app.dossier.zipstream import sha256_file
from app.errors import InputError, describe_os_error
from app.evidence.codes import code_sort_key
from app.evidence.store import stored_path
from app.fileio import atomic_writer, remove_stale_temporaries
from app.progress import NullProgress, Progress, check_cancelled
from app.scratch import scratch_folder
from app.storage.workspace import Workspace
from app.text import fold, nfc, utc_now

if TYPE_CHECKING:
    from pyhanko.sign.signers import Signer

    from app.domain.records import Profile
    from app.dossier.zipstream import DeterministicZip

_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)


@dataclass(frozen=True)
class EvidenceFile:
    code: str
    name: str
    path: Path
    size: int
    sha256: str


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "xa"


def package_name(ws: Workspace, year: int, version: int) -> str:
    """'HoSo-CDHT-dong-tien-2025-v1': the ZIP's file stem and its top-level folder (ASCII, any OS)."""
    return f"HoSo-CDHT-{slug(ws.profile().commune_name)}-{year}-v{version}"


def evidence_files(ws: Workspace, year: int) -> list[EvidenceFile]:
    """The year's live evidence, each named by its code plus the original extension, checked present."""
    with ws.lock:
        rows = ws.db.execute(
            "SELECT code, sha256, size, original_name FROM evidence WHERE year = ? AND deleted_at IS NULL",
            [year]).fetchall()
    rows.sort(key=lambda row: code_sort_key(row[0]))
    files, used = [], set()
    for code, digest, size, original in rows:
        suffix = Path(original).suffix.lower()
        suffix = suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else ""
        stem = _UNSAFE.sub("-", nfc(code)).strip("-.") or "minh-chung"
        name, counter = f"{stem}{suffix}", 2
        while name.lower() in used:
            name, counter = f"{stem}-{counter}{suffix}", counter + 1
        used.add(name.lower())
        path = stored_path(ws, digest)
        if not path.is_file():
            raise InputError(f"Không tìm thấy tệp của minh chứng {code} trong kho minh chứng ({path}).")
        actual = path.stat().st_size
        if actual != size:
            raise InputError(f"Tệp của minh chứng {code} trong kho bị hỏng (kích thước {actual} thay vì {size} byte).")
        files.append(EvidenceFile(code, name, path, size, digest))
    return files


def _bag_info(ws: Workspace, year: int, uuid: str, version: int, level: int, created: str,
              oxum: str) -> list[tuple[str, str]]:
    profile = ws.profile()
    return [
        ("Source-Organization", nfc(f"Ủy ban nhân dân xã {profile.commune_name}")),
        ("External-Description", f"Hồ sơ đề nghị công nhận xã đạt chuẩn \"Cộng đồng học tập\" mức độ {level}, "
                                 f"năm đánh giá {year} (Thông tư 25/2023/TT-BGDĐT)"),
        ("External-Identifier", f"urn:uuid:{uuid}"),
        ("Bagging-Date", created[:10]),
        ("Bag-Software-Agent", f"{APP_NAME} {__version__}"),
        ("Payload-Oxum", oxum),
        ("CDHT-Commune", profile.commune_name),
        ("CDHT-Province", profile.province),
        ("CDHT-Recipient", profile.recipient_authority),
        ("CDHT-Year", str(year)),
        ("CDHT-Level-Requested", str(level)),
        ("CDHT-Package-UUID", uuid),
        ("CDHT-Package-Version", str(version)),
        ("CDHT-Created", created),
        ("CDHT-App-Version", __version__),
    ]


class _Counter:
    """Turns bytes copied into progress between two fractions, and honours cancel."""

    def __init__(self, progress: Progress, total: int, start: float, end: float) -> None:
        self.progress, self.total, self.start, self.end, self.done = progress, max(total, 1), start, end, 0

    def __call__(self, count: int) -> None:
        self.done += count
        check_cancelled(self.progress)
        self.progress.report(self.start + (self.end - self.start) * self.done / self.total,
                             "Đang đóng gói minh chứng…")


def _dataset_bytes(ws: Workspace, year: int) -> bytes:
    return (json.dumps(ws.dataset_document(year, with_verdicts=True), ensure_ascii=False, indent=2) + "\n").encode()


def _document_path(pdf: Path) -> str:
    return f"data/documents/{pdf.name}"


def signed_manifest(ws: Workspace, year: int, final: FinalDocuments, created: str | None = None
                    ) -> embedded.SignedManifest:
    """What a package signed outside the app will hold, for the manifest attached to the carrier document:
    every payload file but the documents by SHA-256, the other documents as exported, and bag-info's fields."""
    uuid = package_uuid(ws, year)
    created = created or iso_vietnam(vietnam_now())
    files = {f"data/{final.xlsx.name}": sha256_file(final.xlsx),
             f"data/du-lieu-{year}.json": hashlib.sha256(_dataset_bytes(ws, year)).hexdigest()}
    files.update({f"data/evidence/{e.name}": e.sha256 for e in evidence_files(ws, year)})
    carrier = embedded.carrier_of([_document_path(p) for p in final.pdfs])
    documents = {_document_path(p): (sha256_file(p), p.stat().st_size) for p in final.pdfs
                 if _document_path(p) != carrier}
    fields = tuple(_bag_info(ws, year, uuid, final.version, final.level, created, ""))
    return embedded.SignedManifest(uuid, final.version, year, final.level, carrier, fields, files, documents)


def _externally_signed_bag_info(ws: Workspace, year: int, final: FinalDocuments, signed: dict[str, Path]
                                ) -> embedded.SignedManifest:
    """The manifest the official signed in the carrier document, checked against what the package will hold."""
    carrier = embedded.carrier_of([_document_path(p) for p in final.pdfs])
    name = carrier.removeprefix("data/documents/")
    try:
        data = embedded.signed_attachment(signed[name])
        manifest = embedded.parse(data) if data is not None else None
    except ValueError as exc:
        raise InputError(f"Bản đã ký của '{name}' có bảng kê gói không đọc được: {exc}.") from None
    if manifest is None:
        raise InputError(f"Bản đã ký của '{name}' không mang bảng kê gói. Hãy xuất lại văn bản để ký ngoài từ ứng "
                         f"dụng và ký đúng tệp '{name}' đã xuất.")
    created = dict(manifest.bag_info).get("CDHT-Created", "")
    expected = signed_manifest(ws, year, final, created)
    if (manifest.package_uuid, manifest.version, manifest.year, manifest.level, manifest.carrier, manifest.files,
            manifest.documents) != (expected.package_uuid, expected.version, expected.year, expected.level,
                                    expected.carrier, expected.files, expected.documents):
        raise InputError(f"Dữ liệu hồ sơ đã khác bảng kê gói được ký trong '{name}' (xuất để ký lúc "
                         f"{created or '?'}). Hãy xuất lại văn bản để ký ngoài và ký lại.")
    return manifest


def build_package(ws: Workspace, year: int, target: Path, key: SigningKey | None = None, *, level: int | None = None,
                  progress: Progress | None = None) -> PackageRecord:
    """Build, sign and record the year's package at `target` (written to a temporary name, then renamed).

    `key` None means the documents were signed outside the app (ký ngoài) and imported beforehand; the package
    is then covered by the manifest signed inside the Danh mục minh chứng instead of a CAdES signature.
    """
    progress = progress or NullProgress()
    target = Path(target)
    info = ws.year(year)
    final = final_documents(ws, year, level, progress)
    uuid = package_uuid(ws, year)
    version = info.package_version
    profile = ws.profile()
    created = iso_vietnam(vietnam_now())
    root = package_name(ws, year, version)
    evidence = evidence_files(ws, year)
    dataset = _dataset_bytes(ws, year)
    check_cancelled(progress)
    progress.report(0.05, "Đang ký các văn bản…")
    appearance = _appearance(ws, profile)
    with scratch_folder(ws.data_dir, "sign") as workdir:
        with _maybe_signer(key) as signer:
            manifest = None
            if signer is None:
                signed, signers = signed_documents_for_package(ws, year, final)
                manifest = _externally_signed_bag_info(ws, year, final, signed)
                signer_text = ", ".join(signers)
                method = "external"
            else:
                signed = {}
                for pdf in final.pdfs:
                    check_cancelled(progress)
                    out = Path(workdir) / pdf.name
                    sign_pdf(signer, pdf, out, appearance)
                    signed[pdf.name] = out
                signer_text = signer_name(signer)
                method = "pkcs11" if isinstance(key, TokenKey) else "pkcs12"
            payload: list[tuple[str, Path, int]] = [
                (_document_path(path), path, path.stat().st_size) for _, path in sorted(signed.items())]
            payload.append((f"data/{final.xlsx.name}", final.xlsx, final.xlsx.stat().st_size))
            payload += [(f"data/evidence/{e.name}", e.path, e.size) for e in evidence]
            dataset_name = f"data/du-lieu-{year}.json"
            total = sum(size for _, _, size in payload) + len(dataset)
            oxum = bag.payload_oxum(total, len(payload) + 1)
            if manifest is not None:
                bag_info = manifest.bag_info_text(oxum)
            else:
                bag_info = bag.bag_info_text(_bag_info(ws, year, uuid, version, final.level, created, oxum))
            files = _write_zip(target, root, payload, dataset_name, dataset, bag_info, signer, progress,
                               {e.name: e.sha256 for e in evidence})
    progress.report(0.99, "Đang ghi nhận gói hồ sơ…")
    record = PackageRecord(0, year, uuid, version, final.level, utc_now(), str(target), target.stat().st_size,
                           files.pop("__package__"), method, signer_text, files)
    saved = record_package(ws, record)
    progress.report(1.0, "Đã lập xong gói hồ sơ.")
    return saved


def _appearance(ws: Workspace, profile: Profile) -> Appearance:
    from app.dossier.records import signing_settings

    settings = signing_settings(ws)
    return Appearance(
        organisation=profile.issuing_body,
        signer_name=profile.signer_name,
        seal_image=Path(settings.seal_image) if settings.seal_image else None,
        signature_image=Path(settings.signature_image) if settings.signature_image else None,
        location=f"Xã {profile.commune_name}, {profile.province}",
    )


class _maybe_signer:
    """`open_signer(key)` as a context manager, or None when the documents were signed outside the app."""

    def __init__(self, key: SigningKey | None) -> None:
        self._context = open_signer(key) if key is not None else None

    def __enter__(self) -> Signer | None:
        return self._context.__enter__() if self._context is not None else None

    def __exit__(self, *exc: Any) -> bool | None:
        return self._context.__exit__(*exc) if self._context is not None else False


def _write_zip(target: Path, root: str, payload: list[tuple[str, Path, int]], dataset_name: str, dataset: bytes,
               bag_info: bytes, signer: Signer | None, progress: Progress, expected: dict[str, str]) -> dict[str, str]:
    """Stream everything into a temporary file beside `target`, then rename it; returns {path: sha256}."""
    from app.dossier.zipstream import DeterministicZip

    remove_stale_temporaries(target)
    counter = _Counter(progress, sum(size for _, _, size in payload), 0.1, 0.95)
    archive = None
    try:
        with atomic_writer(target) as handle:
            archive = DeterministicZip(handle)
            entries: dict[str, str] = {}
            items = sorted([(name, path, size) for name, path, size in payload] + [(dataset_name, None, len(dataset))])
            tags = {"bagit.txt": bag.BAGIT_TXT, "bag-info.txt": bag_info}
            for name in sorted(tags):
                entries[name] = archive.add_bytes(f"{root}/{name}", tags[name])
            for name, path, size in items:
                if path is None:
                    entries[name] = archive.add_bytes(f"{root}/{name}", dataset)
                    continue
                with open(path, "rb", buffering=0) as source:
                    entries[name] = archive.add_stream(f"{root}/{name}", source, size, counter)
                stored = expected.get(name.removeprefix("data/evidence/"))
                if name.startswith("data/evidence/") and stored and stored != entries[name]:
                    raise InputError(f"Tệp minh chứng '{name}' trong kho bị hỏng (mã băm SHA-256 không khớp).")
            payload_entries = {k: v for k, v in entries.items() if k.startswith("data/")}
            manifest = bag.manifest_text(payload_entries)
            entries[bag.PAYLOAD_MANIFEST] = archive.add_bytes(f"{root}/{bag.PAYLOAD_MANIFEST}", manifest)
            tagmanifest = bag.manifest_text({name: entries[name] for name in bag.TAG_FILES})
            if signer is not None:
                progress.report(0.96, "Đang ký tệp kê khai của gói…")
                signature = sign_detached(signer, tagmanifest)
                archive.add_bytes(f"{root}/{bag.MANIFEST_SIGNATURE}", signature)
            entries[bag.TAG_MANIFEST] = archive.add_bytes(f"{root}/{bag.TAG_MANIFEST}", tagmanifest)
            archive.close()
        entries["__package__"] = sha256_file(target)
    except OSError as exc:
        _abandon(archive)
        raise describe_os_error(exc, target) from None
    except BaseException:
        _abandon(archive)
        raise
    return entries


def _abandon(archive: DeterministicZip | None) -> None:
    """After a failed write (atomic_writer has removed the temporary file): the half-written archive is dropped, so
    that nothing, not even the garbage collector, tries to finish it."""
    if archive is not None:
        archive.abandon()
