"""Reading a package ZIP the way a careful recipient must: bounded memory, no bytes outside the ZIP, no tricks.

Before zipfile reads the central directory, its end record is read by hand: the entry count and the directory
size are capped first (a million-entry directory is refused without being parsed), the end record must be the
last bytes of the file and the directory must start right after the last entry, and the first entry at byte
0 — so nothing can hide before, between or after the entries. Entries are then checked by name and size before
any content is read, and read in 1 MiB chunks: hashed, kept in memory only for the few small tag files (each
with its own cap), spooled to a private temporary folder for the signed PDFs, and never held whole otherwise.
"""

from __future__ import annotations

import hashlib
import io
import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from app.dossier import bag
from app.progress import Progress, check_cancelled
from app.text import format_int, format_size, nfc, printable

CHUNK = 1 << 20
_EOCD, _EOCD64, _LOCATOR64, _LOCAL, _DESCRIPTOR = b"PK\x05\x06", b"PK\x06\x06", b"PK\x06\x07", b"PK\x03\x04", b"PK\x07\x08"
_EOCD_SIZE, _LOCATOR_SIZE, _LOCAL_SIZE = 22, 20, 30
_DRIVE = re.compile(r"^[A-Za-z]:")
DOCUMENTS = "data/documents/"
READ, SIZES, PATHS = "Đọc tệp ZIP", "Kích thước giải nén", "Đường dẫn an toàn"


@dataclass(frozen=True)
class Limits:
    """Caps that keep a hostile package from exhausting the recipient's PC (4 GB RAM is common)."""

    max_total_bytes: int = 64 * 1024**3
    max_ratio: int = 100
    max_entries: int = 100_000
    max_tag_file: int = 16 * 1024**2
    max_central_directory: int = 16 * 1024**2
    max_documents: int = 50
    max_document_bytes: int = 50 * 1024**2
    max_small_file: int = 1024**2
    max_dataset_bytes: int = 10 * 1024**2


class Refused(Exception):
    """Stop reading: the package cannot be read further safely. `title` and `detail` are the failed check."""

    def __init__(self, title: str, detail: str) -> None:
        super().__init__(detail)
        self.title, self.detail = title, detail


@dataclass(frozen=True)
class Layout:
    entries: int
    directory_offset: int
    directory_size: int


def _read_at(stream: IO[bytes], offset: int, count: int) -> bytes:
    stream.seek(offset)
    return stream.read(count)


def read_layout(stream: IO[bytes], limits: Limits) -> Layout:
    """The end-of-directory records, checked: nothing after them, nothing before the entries, counts capped."""
    size = stream.seek(0, io.SEEK_END)
    if size < _EOCD_SIZE:
        raise Refused(READ, "không phải tệp ZIP hợp lệ hoặc tệp bị cắt cụt (tệp quá ngắn)")
    tail = _read_at(stream, max(0, size - 70_000), 70_000)
    record = tail[-_EOCD_SIZE:]
    if not record.startswith(_EOCD) or record[20:22] != b"\x00\x00":
        position = tail.rfind(_EOCD)
        if position < 0 or len(tail) - position < _EOCD_SIZE:
            raise Refused(READ, "không phải tệp ZIP hợp lệ hoặc tệp bị cắt cụt (không thấy phần kết của ZIP)")
        comment = struct.unpack("<H", tail[position + 20:position + 22])[0]
        extra = len(tail) - position - _EOCD_SIZE
        if extra == comment and comment:
            raise Refused(READ, f"tệp ZIP có phần chú thích {format_int(comment)} byte nằm ngoài các tệp của gói")
        raise Refused(READ, f"có {format_int(extra)} byte lạ sau phần kết của tệp ZIP")
    _, disk, directory_disk, on_disk, entries, directory_size, directory_offset, _ = struct.unpack("<4s4H2LH", record)
    end_position = size - _EOCD_SIZE
    directory_end = end_position
    locator = _read_at(stream, end_position - _LOCATOR_SIZE, _LOCATOR_SIZE) if end_position >= _LOCATOR_SIZE else b""
    if locator.startswith(_LOCATOR64):
        _, disk64, record64_offset, disks = struct.unpack("<4sLQL", locator)
        record64 = _read_at(stream, record64_offset, 56)
        if len(record64) < 56 or not record64.startswith(_EOCD64) or disk64 != 0 or disks != 1:
            raise Refused(READ, "phần kết ZIP64 của tệp bị hỏng")
        (_, length, _, _, disk, directory_disk, on_disk, entries, directory_size,
         directory_offset) = struct.unpack("<4sQ2H2L4Q", record64)
        if record64_offset + 12 + length != end_position - _LOCATOR_SIZE:
            raise Refused(READ, "có byte lạ giữa các phần kết của tệp ZIP64")
        directory_end = record64_offset
    if disk or directory_disk or on_disk != entries:
        raise Refused(READ, "tệp ZIP chia nhiều đĩa (multi-disk) không được hỗ trợ")
    if entries > limits.max_entries:
        raise Refused(SIZES, f"quá nhiều tệp ({format_int(entries)}; tối đa {format_int(limits.max_entries)})")
    if entries == 0:
        raise Refused(READ, "tệp ZIP rỗng, không có tệp nào")
    if directory_size > limits.max_central_directory or directory_size < 46 * entries:
        raise Refused(SIZES, f"thư mục trung tâm của tệp ZIP có kích thước bất thường ({format_size(directory_size)})")
    gap = directory_end - directory_offset - directory_size
    if gap > 0:
        raise Refused(READ, f"có {format_int(gap)} byte lạ trước đầu tệp ZIP hoặc trước thư mục trung tâm")
    if gap < 0:
        raise Refused(READ, "thư mục trung tâm của tệp ZIP sai vị trí (tệp bị cắt cụt hoặc bị sửa)")
    return Layout(entries, directory_offset, directory_size)


MAX_NAME = 1024


def path_problem(name: str) -> str:
    """Why an entry name is unsafe ('' when it is fine)."""
    if len(name) > MAX_NAME:
        return f"tên dài quá {MAX_NAME} ký tự"
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        return "tên có ký tự điều khiển"
    if "\\" in name:
        return "đường dẫn dùng dấu '\\'"
    if name.startswith("/") or _DRIVE.match(name):
        return "đường dẫn tuyệt đối"
    parts = name.rstrip("/").split("/")
    if any(part in ("..", ".", "") for part in parts):
        return "đường dẫn thoát ra ngoài gói ('..')" if ".." in parts else "đường dẫn không hợp lệ"
    return ""


def shown(name: str) -> str:
    """An entry name as printed in a message: control characters removed, cut at 120 characters."""
    return printable(name, 120)


def _check_names(infos: list[zipfile.ZipInfo]) -> str:
    seen: set[str] = set()
    for info in infos:
        problem = path_problem(info.filename)
        if not problem and stat.S_ISLNK(info.external_attr >> 16):
            problem = "là liên kết (symlink)"
        key = nfc(info.filename).casefold()
        if not problem and key in seen:
            problem = "trùng tên với tệp khác"
        seen.add(key)
        if problem:
            raise Refused(PATHS, f"'{shown(info.filename)}': {problem}")
    roots = {i.filename.split("/")[0] for i in infos}
    if len(roots) != 1 or any("/" not in i.filename for i in infos if not i.is_dir()):
        raise Refused(PATHS, "gói phải chứa đúng một thư mục gốc (thư mục của túi BagIt)")
    return next(iter(roots))


def _check_sizes(files: list[zipfile.ZipInfo], limits: Limits) -> int:
    total = 0
    for info in files:
        name = shown(info.filename)
        if info.flag_bits & 0x41:  # encrypted, or "strong encryption"
            raise Refused(READ, f"'{name}' bị mã hóa (đặt mật khẩu); gói hồ sơ không được mã hóa")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise Refused(SIZES, f"'{name}' dùng kiểu nén không hỗ trợ")
        if info.file_size > CHUNK and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise Refused(SIZES, f"'{name}' có tỷ lệ nén bất thường (nghi là bom nén): {format_int(info.compress_size)}"
                                 f" byte giải nén thành {format_int(info.file_size)} byte")
        if info.compress_type == zipfile.ZIP_STORED and info.file_size != info.compress_size:
            raise Refused(SIZES, f"'{name}' khai báo hai kích thước khác nhau cho một tệp không nén")
        total += info.file_size
        if total > limits.max_total_bytes:
            raise Refused(SIZES, f"tổng dung lượng giải nén vượt giới hạn {format_size(limits.max_total_bytes)} "
                                 "(nghi là bom nén)")
    return total


def _descriptor_fits(stream: IO[bytes], offset: int, gap: int) -> bool:
    """A data descriptor (after an entry written with flag bit 3) is 12/20 bytes, or 16/24 with its signature."""
    if gap in (12, 20):
        return True
    return gap in (16, 24) and _read_at(stream, offset, 4) == _DESCRIPTOR


def _check_contiguous(stream: IO[bytes], infos: list[zipfile.ZipInfo], layout: Layout) -> None:
    """Entries follow each other from byte 0 to the central directory: no hidden bytes, no overlaps."""
    ordered = sorted(infos, key=lambda i: i.header_offset)
    position = 0
    for index, info in enumerate(ordered):
        name = shown(info.filename)
        if info.header_offset > position:
            where = "trước đầu tệp ZIP" if position == 0 else f"trước tệp '{name}'"
            raise Refused(READ, f"có {format_int(info.header_offset - position)} byte lạ {where}")
        if info.header_offset < position:
            raise Refused(SIZES, f"tệp '{name}' chồng lên tệp trước nó trong tệp ZIP (nghi là bom nén)")
        header = _read_at(stream, info.header_offset, _LOCAL_SIZE)
        if len(header) < _LOCAL_SIZE or not header.startswith(_LOCAL):
            raise Refused(READ, f"phần đầu của tệp '{name}' trong ZIP bị hỏng")
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        end = info.header_offset + _LOCAL_SIZE + name_length + extra_length + info.compress_size
        following = ordered[index + 1].header_offset if index + 1 < len(ordered) else layout.directory_offset
        gap = following - end
        if gap < 0:
            raise Refused(SIZES, f"tệp '{name}' chồng lên phần sau nó trong tệp ZIP (nghi là bom nén)")
        if gap and not (info.flag_bits & 0x08 and _descriptor_fits(stream, end, gap)):
            raise Refused(READ, f"có {format_int(gap)} byte lạ sau tệp '{name}'")
        position = following


def check_entries(stream: IO[bytes], archive: zipfile.ZipFile, layout: Layout,
                  limits: Limits) -> tuple[str, list[zipfile.ZipInfo], int]:
    """Names, sizes and placement before reading a byte of content: (bag folder, file entries, total size)."""
    infos = archive.infolist()
    if len(infos) != layout.entries:
        raise Refused(READ, "thư mục trung tâm của tệp ZIP không khớp số tệp khai báo")
    root = _check_names(infos)
    files = [i for i in infos if not i.is_dir()]
    total = _check_sizes(files, limits)
    _check_contiguous(stream, infos, layout)
    return root, sorted(files, key=lambda i: i.header_offset), total


# ---------------------------------------------------------------------------------------------- reading


@dataclass
class Contents:
    """What reading the entries produced: the hash and size of every file, the small tag files in memory,
    and the signed PDFs as files in a private temporary folder."""

    digests: dict[str, str] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    small: dict[str, bytes] = field(default_factory=dict)
    pdfs: dict[str, Path] = field(default_factory=dict)


def _kept_in_memory(relative: str, limits: Limits) -> int:
    """How many bytes of this file to keep in memory (0: hash only)."""
    caps = {"bagit.txt": limits.max_small_file, "bag-info.txt": limits.max_small_file,
            bag.PAYLOAD_MANIFEST: limits.max_tag_file, bag.TAG_MANIFEST: limits.max_small_file,
            bag.MANIFEST_SIGNATURE: limits.max_small_file}
    if relative in caps:
        return caps[relative]
    if relative.startswith("data/") and relative.count("/") == 1 and relative.endswith(".json"):
        return limits.max_dataset_bytes
    return 0


def zip_reason(exc: BaseException) -> str:
    text = str(exc)
    if "CRC" in text:
        return "sai mã CRC"
    if isinstance(exc, EOFError) or "truncated" in text.lower() or "EOF" in text:
        return "dữ liệu bị thiếu"
    return printable(text, 120) or type(exc).__name__


def read_contents(archive: zipfile.ZipFile, root: str, infos: list[zipfile.ZipInfo], total: int, limits: Limits,
                  workdir: str, progress: Progress) -> Contents:
    """Hash every entry in file order (CRC checked by zipfile), keeping only what the later checks need."""
    contents = Contents()
    documents = [i for i in infos if i.filename[len(root) + 1:].startswith(DOCUMENTS)
                 and i.filename.lower().endswith(".pdf")]
    if len(documents) > limits.max_documents:
        raise Refused(SIZES, f"quá nhiều văn bản PDF trong data/documents ({format_int(len(documents))}; "
                             f"tối đa {limits.max_documents})")
    total, done = max(total, 1), 0
    buffer = bytearray(CHUNK)
    for info in infos:
        relative = nfc(info.filename[len(root) + 1:])
        keep = _kept_in_memory(relative, limits)
        is_pdf = info in documents
        if keep and info.file_size > keep:
            raise Refused(SIZES, f"tệp '{shown(relative)}' quá lớn ({format_size(info.file_size)}; "
                                 f"tối đa {format_size(keep)})")
        if is_pdf and info.file_size > limits.max_document_bytes:
            raise Refused(SIZES, f"văn bản '{shown(relative)}' quá lớn ({format_size(info.file_size)}; "
                                 f"tối đa {format_size(limits.max_document_bytes)})")
        digest, count = hashlib.sha256(), 0
        sink: IO[bytes] | None = None
        if is_pdf:
            spooled = Path(workdir) / f"{len(contents.pdfs):03d}.pdf"
            sink = open(spooled, "wb")  # noqa: SIM115 - closed below, whatever happens
        elif keep:
            sink = io.BytesIO()
        try:
            with archive.open(info) as stream:
                while read := stream.readinto(buffer):  # type: ignore[attr-defined]  # IO[bytes] omits readinto
                    count += read
                    if count > info.file_size:
                        raise Refused(READ, f"'{shown(relative)}' dài hơn kích thước khai báo (nghi là bom nén)")
                    chunk = memoryview(buffer)[:read]
                    digest.update(chunk)
                    if sink is not None:
                        sink.write(chunk)
                    done += read
                    check_cancelled(progress)
                    progress.report(0.8 * done / total, "Đang kiểm tra mã băm các tệp…")
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
            raise Refused(READ, f"tệp '{shown(relative)}' bị hỏng hoặc gói bị cắt cụt ({zip_reason(exc)})") from None
        finally:
            if is_pdf and sink is not None:
                sink.close()
        contents.digests[relative] = digest.hexdigest()
        contents.sizes[relative] = count
        if isinstance(sink, io.BytesIO):
            contents.small[relative] = sink.getvalue()
        elif is_pdf:
            contents.pdfs[relative] = spooled
    return contents


def open_archive(stream: IO[bytes], limits: Limits) -> tuple[zipfile.ZipFile, Layout]:
    """Check the layout, then let zipfile parse the (now bounded) central directory."""
    layout = read_layout(stream, limits)
    try:
        stream.seek(0)
        return zipfile.ZipFile(stream), layout
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, struct.error) as exc:
        raise Refused(READ, f"không phải tệp ZIP hợp lệ hoặc tệp bị cắt cụt ({zip_reason(exc)})") from None


__all__ = ["Limits", "Refused", "Layout", "Contents", "read_layout", "check_entries", "read_contents", "open_archive",
           "path_problem", "shown", "zip_reason", "DOCUMENTS", "READ", "SIZES", "PATHS"]
