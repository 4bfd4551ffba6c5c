"""Checking a dossier package as the recipient would, straight from the ZIP (or its e-mail parts).

Nothing is extracted to disk except signed PDFs spooled into a private temporary folder for signature
checks. Refused, with the reason in Vietnamese: unreadable or truncated ZIPs, unsafe paths (absolute,
'..', drive letters, links, duplicates), zip bombs (size and ratio limits), missing, extra or changed
files, a broken manifest signature or PDF signature, and verdicts that the rules engine does not confirm.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import stat
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from app.dossier import bag
from app.dossier.parts import is_parts_input, open_parts
from app.dossier.sigcheck import (
    TRUST_UNKNOWN,
    SignatureCheck,
    check_detached_cms,
    check_pdf_signatures,
    load_trust_roots,
)
from app.errors import CdhtError, InputError
from app.progress import NullProgress, Progress, check_cancelled
from app.text import nfc

OK, WARN, FAIL = "ok", "warn", "fail"
MARKS = {OK: "✔", WARN: "⚠", FAIL: "✘"}
CHUNK = 1 << 20
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class Limits:
    """Zip-bomb guards: total uncompressed size, per-entry compression ratio, number of entries."""

    max_total_bytes: int = 64 * 1024**3
    max_ratio: int = 100
    max_entries: int = 100_000
    max_tag_file: int = 32 * 1024**2


@dataclass(frozen=True)
class Check:
    title: str
    status: str
    detail: str = ""

    def line(self) -> str:
        return f"{MARKS[self.status]} {self.title}" + (f": {self.detail}" if self.detail else "")


@dataclass
class VerifyReport:
    source: str
    checks: list[Check] = field(default_factory=list)
    info: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.status != FAIL for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if c.status == FAIL]

    def add(self, title: str, status: str, detail: str = "") -> Check:
        check = Check(title, status, detail)
        self.checks.append(check)
        return check

    def summary(self) -> str:
        if not self.ok:
            return "GÓI HỒ SƠ KHÔNG HỢP LỆ: " + "; ".join(f"{c.title}: {c.detail}" for c in self.failures)
        if any(c.status == WARN for c in self.checks):
            return "Gói hồ sơ nguyên vẹn (có lưu ý, xem các dòng ⚠)."
        return "Gói hồ sơ hợp lệ và nguyên vẹn."

    def to_json(self) -> dict:
        return {"source": self.source, "ok": self.ok, "summary": self.summary(), "info": self.info,
                "checks": [{"title": c.title, "status": c.status, "detail": c.detail} for c in self.checks]}


class _Refused(Exception):
    """Stop checking: the package cannot be read further safely."""


def _path_problem(name: str) -> str:
    if "\x00" in name or any(ord(ch) < 32 for ch in name):
        return "tên có ký tự điều khiển"
    if "\\" in name:
        return "đường dẫn dùng dấu '\\'"
    if name.startswith("/") or _DRIVE.match(name):
        return "đường dẫn tuyệt đối"
    parts = name.rstrip("/").split("/")
    if any(part in ("..", ".", "") for part in parts):
        return "đường dẫn thoát ra ngoài gói ('..')" if ".." in parts else "đường dẫn không hợp lệ"
    return ""


def _check_entries(archive: zipfile.ZipFile, limits: Limits, report: VerifyReport) -> tuple[str, list[zipfile.ZipInfo]]:
    """Names and sizes before reading a byte of content; returns the bag folder and the file entries."""
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        report.add("Kích thước giải nén", FAIL, f"quá nhiều tệp ({len(infos)})")
        raise _Refused
    seen: set[str] = set()
    for info in infos:
        problem = _path_problem(info.filename)
        if not problem and stat.S_ISLNK(info.external_attr >> 16):
            problem = "là liên kết (symlink)"
        key = nfc(info.filename).casefold()
        if not problem and key in seen:
            problem = "trùng tên với tệp khác"
        seen.add(key)
        if problem:
            report.add("Đường dẫn an toàn", FAIL, f"'{info.filename}': {problem}")
            raise _Refused
    files = [i for i in infos if not i.is_dir()]
    roots = {i.filename.split("/")[0] for i in infos}
    if len(roots) != 1 or any("/" not in i.filename for i in files):
        report.add("Đường dẫn an toàn", FAIL, "gói phải chứa đúng một thư mục gốc (thư mục của túi BagIt)")
        raise _Refused
    report.add("Đường dẫn an toàn", OK, f"{len(files)} tệp, tất cả nằm trong thư mục '{next(iter(roots))}'")
    total = sum(i.file_size for i in files)
    for info in files:
        if info.flag_bits & 0x41:  # encrypted, or "strong encryption"
            report.add("Đọc tệp ZIP", FAIL, f"'{info.filename}' bị mã hóa (đặt mật khẩu); gói hồ sơ không được mã hóa")
            raise _Refused
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            report.add("Kích thước giải nén", FAIL, f"'{info.filename}' dùng kiểu nén không hỗ trợ")
            raise _Refused
        if info.file_size > CHUNK and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            report.add("Kích thước giải nén", FAIL,
                       f"'{info.filename}' có tỷ lệ nén bất thường (nghi là bom nén): "
                       f"{info.compress_size} byte giải nén thành {info.file_size} byte")
            raise _Refused
    if total > limits.max_total_bytes:
        report.add("Kích thước giải nén", FAIL, f"tổng dung lượng giải nén {total} byte vượt giới hạn "
                                                 f"{limits.max_total_bytes} byte (nghi là bom nén)")
        raise _Refused
    ordered = sorted(files, key=lambda i: i.header_offset)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if before.header_offset + 30 + len(before.filename.encode()) + before.compress_size > after.header_offset:
            report.add("Kích thước giải nén", FAIL, f"các tệp '{before.filename}' và '{after.filename}' chồng lên "
                                                     "nhau trong tệp ZIP (nghi là bom nén)")
            raise _Refused
    report.add("Kích thước giải nén", OK, f"{total} byte, trong giới hạn")
    return next(iter(roots)), ordered


@dataclass
class _Contents:
    digests: dict[str, str] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    small: dict[str, bytes] = field(default_factory=dict)
    pdfs: dict[str, IO[bytes]] = field(default_factory=dict)


def _read_all(archive: zipfile.ZipFile, root: str, infos: list[zipfile.ZipInfo], limits: Limits, workdir: str,
              progress: Progress, report: VerifyReport) -> _Contents:
    """Hash every entry in file order (CRC checked by zipfile); keep tag files in memory and spool the signed PDFs."""
    contents = _Contents()
    total = max(sum(i.file_size for i in infos), 1)
    done = 0
    for info in infos:
        relative = nfc(info.filename[len(root) + 1:])
        keep_small = "/" not in relative or relative.startswith("signatures/") or (
            relative.startswith("data/") and relative.count("/") == 1 and relative.endswith(".json"))
        is_pdf = relative.startswith("data/documents/") and relative.lower().endswith(".pdf")
        digest, count = hashlib.sha256(), 0
        sink: IO[bytes] | None = None
        if is_pdf:
            sink = tempfile.SpooledTemporaryFile(max_size=16 * CHUNK, dir=workdir)
        elif keep_small and info.file_size <= limits.max_tag_file:
            sink = io.BytesIO()
        try:
            with archive.open(info) as stream:
                while chunk := stream.read(CHUNK):
                    count += len(chunk)
                    if count > info.file_size:
                        report.add("Đọc tệp ZIP", FAIL, f"'{relative}' dài hơn kích thước khai báo (nghi là bom nén)")
                        raise _Refused
                    digest.update(chunk)
                    if sink is not None:
                        sink.write(chunk)
                    done += len(chunk)
                    check_cancelled(progress)
                    progress.report(0.8 * done / total, "Đang kiểm tra mã băm các tệp…")
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
            report.add("Đọc tệp ZIP", FAIL, f"tệp '{relative}' bị hỏng hoặc gói bị cắt cụt ({_zip_reason(exc)})")
            raise _Refused from None
        contents.digests[relative] = digest.hexdigest()
        contents.sizes[relative] = count
        if isinstance(sink, io.BytesIO):
            contents.small[relative] = sink.getvalue()
        elif sink is not None:
            sink.seek(0)
            contents.pdfs[relative] = sink
    report.add("Đọc tệp ZIP", OK, "mọi tệp đọc được, mã CRC đúng")
    return contents


def _zip_reason(exc: BaseException) -> str:
    text = str(exc)
    if "CRC" in text:
        return "sai mã CRC"
    if isinstance(exc, EOFError) or "truncated" in text.lower() or "EOF" in text:
        return "dữ liệu bị thiếu"
    return text or type(exc).__name__


def _check_structure(contents: _Contents, report: VerifyReport) -> None:
    required = ["bagit.txt", "bag-info.txt", bag.PAYLOAD_MANIFEST, bag.TAG_MANIFEST]
    missing = [name for name in required if name not in contents.small]
    if missing:
        report.add("Cấu trúc BagIt", FAIL, "thiếu " + ", ".join(missing))
        raise _Refused
    declaration = bag.parse_bag_info(contents.small["bagit.txt"])
    if not declaration.get("BagIt-Version") or declaration.get("Tag-File-Character-Encoding", "").upper() != "UTF-8":
        report.add("Cấu trúc BagIt", FAIL, "bagit.txt không đúng chuẩn (thiếu BagIt-Version hoặc mã hóa UTF-8)")
        raise _Refused
    if not any(name.startswith("data/") for name in contents.digests):
        report.add("Cấu trúc BagIt", FAIL, "không có thư mục dữ liệu data/")
        raise _Refused
    report.add("Cấu trúc BagIt", OK, f"BagIt {declaration['BagIt-Version']}")


def _compare(listed: dict[str, str], present: dict[str, str], label: str) -> list[str]:
    problems = []
    for path, digest in sorted(listed.items()):
        if path not in present:
            problems.append(f"thiếu tệp '{path}'")
        elif present[path] != digest:
            problems.append(f"tệp '{path}' đã bị thay đổi (mã băm SHA-256 không khớp {label})")
    return problems


def _check_manifests(contents: _Contents, report: VerifyReport) -> None:
    try:
        payload = bag.parse_manifest(contents.small[bag.PAYLOAD_MANIFEST], bag.PAYLOAD_MANIFEST)
        tags = bag.parse_manifest(contents.small[bag.TAG_MANIFEST], bag.TAG_MANIFEST)
    except ValueError as exc:
        report.add("Bảng kê mã băm", FAIL, str(exc))
        raise _Refused from None
    data_files = {k: v for k, v in contents.digests.items() if k.startswith("data/")}
    problems = _compare(payload, data_files, "bảng kê")
    problems += [f"tệp thừa '{path}' không có trong bảng kê" for path in sorted(set(data_files) - set(payload))]
    problems += [f"bảng kê ghi tệp '{path}' nằm ngoài data/" for path in payload if not path.startswith("data/")]
    if problems:
        report.add("Mã băm tệp dữ liệu", FAIL, "; ".join(problems))
    else:
        report.add("Mã băm tệp dữ liệu", OK, f"{len(payload)} tệp khớp manifest-sha256.txt")
    tag_files = {k: v for k, v in contents.digests.items() if not k.startswith("data/")}
    problems = _compare(tags, tag_files, "bảng kê tệp thẻ")
    unlisted = set(tag_files) - set(tags) - {bag.TAG_MANIFEST, bag.MANIFEST_SIGNATURE}
    problems += [f"tệp thừa '{path}' không có trong bảng kê tệp thẻ" for path in sorted(unlisted)]
    problems += [f"bảng kê tệp thẻ thiếu '{name}'" for name in bag.TAG_FILES if name not in tags]
    if problems:
        report.add("Mã băm tệp thẻ", FAIL, "; ".join(problems))
    else:
        report.add("Mã băm tệp thẻ", OK, f"{len(tags)} tệp khớp tagmanifest-sha256.txt")
    oxum = bag.parse_bag_info(contents.small["bag-info.txt"]).get("Payload-Oxum", "")
    actual = bag.payload_oxum(sum(s for k, s in contents.sizes.items() if k.startswith("data/")), len(data_files))
    if oxum != actual:
        report.add("Payload-Oxum", FAIL, f"bag-info.txt ghi {oxum or '(trống)'} nhưng thực tế là {actual}")
    else:
        report.add("Payload-Oxum", OK, actual)


def _signature_status(check: SignatureCheck) -> str:
    if not (check.intact and check.covers_document) or check.problem or check.trusted is False:
        return FAIL
    return OK


def _check_signatures(contents: _Contents, roots, report: VerifyReport) -> None:
    signature = contents.small.get(bag.MANIFEST_SIGNATURE)
    trust_states: list[bool | None] = []
    if signature is None:
        report.add("Chữ ký tệp kê khai (CAdES)", WARN, "gói không có chữ ký số trên tệp kê khai (ký ngoài)")
    else:
        check = check_detached_cms(contents.small[bag.TAG_MANIFEST], signature, roots)
        report.add("Chữ ký tệp kê khai (CAdES)", _signature_status(check), check.describe())
        trust_states.append(check.trusted)
    documents = sorted(contents.pdfs)
    if not documents:
        report.add("Chữ ký văn bản PDF", FAIL, "gói không có văn bản PDF nào trong data/documents/")
    for name in documents:
        try:
            checks = check_pdf_signatures(contents.pdfs[name], roots)
        except ValueError as exc:
            report.add(f"Chữ ký {name}", FAIL, str(exc))
            continue
        if not checks:
            report.add(f"Chữ ký {name}", FAIL, "văn bản chưa được ký số")
            continue
        worst = next((c for c in checks if _signature_status(c) == FAIL), checks[-1])
        report.add(f"Chữ ký {name}", _signature_status(worst), worst.describe())
        trust_states.extend(c.trusted for c in checks)
    if roots:
        status = OK if trust_states and all(t is True for t in trust_states) else FAIL
        report.add("Chuỗi tin cậy", status, "mọi chữ ký chuỗi về CA đã cho" if status == OK
                   else "có chữ ký không chuỗi về CA đã cho")
    else:
        report.add("Chuỗi tin cậy", WARN, f"{TRUST_UNKNOWN} (dùng --trust CA.pem để kiểm tra)")


def _check_dataset(contents: _Contents, report: VerifyReport) -> None:
    from app.domain.catalogue import catalogue_for_year
    from app.domain.dataset import parse_dataset
    from app.domain.rules import evaluate

    names = [n for n in contents.small if n.startswith("data/") and n.endswith(".json")]
    if len(names) != 1:
        report.add("Dữ liệu và kết quả đánh giá", FAIL, "không tìm thấy đúng một tệp dữ liệu JSON trong data/")
        return
    try:
        document = json.loads(contents.small[names[0]].decode("utf-8"))
        dataset = parse_dataset(document)
        recorded = document.get("assessment")
        computed = evaluate(catalogue_for_year(dataset.year), dataset.values,
                            dataset.commune.disadvantaged_area).to_json()
    except (ValueError, UnicodeDecodeError, CdhtError) as exc:
        report.add("Dữ liệu và kết quả đánh giá", FAIL, f"tệp dữ liệu không hợp lệ: {exc}")
        return
    if not isinstance(recorded, dict):
        report.add("Dữ liệu và kết quả đánh giá", FAIL, "tệp dữ liệu không kèm kết quả đánh giá")
        return
    differences = [iid for iid, verdict in computed["indicators"].items()
                   if (recorded.get("indicators") or {}).get(iid) != verdict]
    if recorded.get("level") != computed["level"] or differences or recorded.get("criteria") != computed["criteria"]:
        detail = f"kết quả trong gói (mức độ {recorded.get('level')}) khác kết quả tính lại (mức độ {computed['level']})"
        if differences:
            detail += "; chỉ tiêu khác: " + ", ".join(differences)
        report.add("Dữ liệu và kết quả đánh giá", FAIL, detail)
        return
    info = bag.parse_bag_info(contents.small["bag-info.txt"])
    if info.get("CDHT-Year") not in (None, str(dataset.year)):
        report.add("Dữ liệu và kết quả đánh giá", FAIL, f"năm trong dữ liệu ({dataset.year}) khác năm trong bag-info.txt")
        return
    report.add("Dữ liệu và kết quả đánh giá", OK,
               f"xã {dataset.commune.name}, năm {dataset.year}: tính lại theo quy tắc cho cùng kết quả "
               f"(mức độ {computed['level']})")


def verify_stream(stream: IO[bytes], source: str, trust: list[Path] | None = None, limits: Limits | None = None,
                  progress: Progress | None = None, report: VerifyReport | None = None) -> VerifyReport:
    """Verify a package read from a seekable binary stream."""
    limits, progress = limits or Limits(), progress or NullProgress()
    report = report or VerifyReport(source)
    roots = load_trust_roots(trust) if trust else None
    try:
        try:
            archive = zipfile.ZipFile(stream)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
            report.add("Đọc tệp ZIP", FAIL, f"không phải tệp ZIP hợp lệ hoặc tệp bị cắt cụt ({_zip_reason(exc)})")
            raise _Refused from None
        with archive, tempfile.TemporaryDirectory(prefix="cdht-verify-") as workdir:
            root, infos = _check_entries(archive, limits, report)
            contents = _read_all(archive, root, infos, limits, workdir, progress, report)
            _check_structure(contents, report)
            report.info.update(bag.parse_bag_info(contents.small["bag-info.txt"]))
            _check_manifests(contents, report)
            progress.report(0.85, "Đang kiểm tra chữ ký số…")
            _check_signatures(contents, roots, report)
            _check_dataset(contents, report)
            for handle in contents.pdfs.values():
                handle.close()
    except _Refused:
        pass
    progress.report(1.0, "Đã kiểm tra xong.")
    return report


def verify_package(path: Path, trust: list[Path] | None = None, limits: Limits | None = None,
                   progress: Progress | None = None) -> VerifyReport:
    """Verify a package file, a parts manifest (`.parts.json`) or the first part (`.001`)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"Không tìm thấy tệp gói hồ sơ '{path}'.")
    report = VerifyReport(str(path))
    if is_parts_input(path):
        stream, manifest, problems = open_parts(path)
        with stream:
            if manifest is not None:
                digest, size = _whole_digest(stream)
                if size != manifest.size or digest != manifest.sha256:
                    problems.append("gói ghép lại không khớp mã băm trong bảng kê các phần")
            failed = [p for p in problems if "không có bảng kê" not in p]
            report.add("Ghép các phần", FAIL if failed else (WARN if problems else OK),
                       "; ".join(problems) or f"{len(manifest.parts) if manifest else 0} phần đủ và khớp mã băm")
            stream.seek(0)
            return verify_stream(io.BufferedReader(stream, CHUNK), str(path), trust, limits, progress, report)
    with open(path, "rb") as handle:
        return verify_stream(handle, str(path), trust, limits, progress, report)


def _whole_digest(stream) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    stream.seek(0)
    buffer = bytearray(CHUNK)
    while count := stream.readinto(buffer):
        digest.update(memoryview(buffer)[:count])
        size += count
    return digest.hexdigest(), size


__all__ = ["verify_package", "verify_stream", "VerifyReport", "Check", "Limits", "OK", "WARN", "FAIL"]
