"""Which evidence file types are accepted, judged by content and never by the name's extension.

PDF, JPEG, PNG, TIFF and MP4 are recognised by their signatures (`filetype`); Word/Excel 97–2003 by
the streams of their OLE2 compound file (WordDocument / Workbook); DOCX/XLSX by the parts inside the
ZIP; ODT/ODS by the ZIP's `mimetype` entry. Programs (an .exe renamed .pdf) are refused by name.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePath
from typing import BinaryIO

import filetype

from app.errors import InputError

HEAD_SIZE = 8192


@dataclass(frozen=True)
class FileKind:
    mime: str
    label: str
    extension: str

    @property
    def is_pdf(self) -> bool:
        return self.mime == "application/pdf"

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/")


_KINDS = [
    FileKind("application/pdf", "PDF", ".pdf"),
    FileKind("image/jpeg", "Ảnh JPEG", ".jpg"),
    FileKind("image/png", "Ảnh PNG", ".png"),
    FileKind("image/tiff", "Ảnh TIFF", ".tif"),
    FileKind("application/msword", "Word 97–2003 (DOC)", ".doc"),
    FileKind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word (DOCX)", ".docx"),
    FileKind("application/vnd.ms-excel", "Excel 97–2003 (XLS)", ".xls"),
    FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel (XLSX)", ".xlsx"),
    FileKind("application/vnd.oasis.opendocument.text", "Văn bản ODT", ".odt"),
    FileKind("application/vnd.oasis.opendocument.spreadsheet", "Bảng tính ODS", ".ods"),
    FileKind("video/mp4", "Video MP4", ".mp4"),
]
KINDS: dict[str, FileKind] = {kind.mime: kind for kind in _KINDS}
ACCEPTED_TEXT = "PDF, ảnh JPEG/PNG/TIFF, Word DOC/DOCX, Excel XLS/XLSX, ODT/ODS, video MP4"

_EXECUTABLES = {
    "application/x-msdownload": "chương trình Windows",
    "application/x-executable": "chương trình Linux",
    "application/x-mach-binary": "chương trình macOS",
    "application/x-elf": "chương trình Linux",
    "application/vnd.microsoft.portable-executable": "chương trình Windows",
    "application/x-shockwave-flash": "chương trình Flash",
    "application/x-msi": "gói cài đặt Windows",
}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"


def kind_for_mime(mime: str) -> FileKind | None:
    return KINDS.get(mime)


def detect_kind(handle: BinaryIO, name: str) -> FileKind:
    """The accepted kind of the open file, or InputError naming the file; leaves the handle at offset 0."""
    handle.seek(0)
    head = handle.read(HEAD_SIZE)
    try:
        if not head:
            raise InputError(f"Tệp '{name}' rỗng (0 byte); không có nội dung để làm minh chứng.")
        if head.startswith(b"MZ") or head.startswith(b"\x7fELF") or head[:2] == b"#!":
            raise InputError(_program_message(name, "chương trình hoặc tập lệnh chạy được"))
        if head.startswith(_OLE_MAGIC):
            return _ole_kind(handle, name)
        if head.startswith(_ZIP_MAGIC):
            return _zip_kind(handle, name)
        guessed = filetype.guess(head)
        if guessed is not None and guessed.mime in _EXECUTABLES:
            raise InputError(_program_message(name, _EXECUTABLES[guessed.mime]))
        if guessed is not None and guessed.mime in KINDS:
            return KINDS[guessed.mime]
        if b"%PDF-" in head[:1024]:
            return KINDS["application/pdf"]
        raise InputError(_unknown_message(name))
    finally:
        handle.seek(0)


def extension_note(name: str, kind: FileKind) -> str:
    """A note when the name's extension disagrees with the content (the content wins)."""
    suffix = PurePath(name).suffix.lower()
    aliases = {".jpeg": ".jpg", ".tiff": ".tif", ".jpe": ".jpg"}
    if suffix and aliases.get(suffix, suffix) != kind.extension:
        return f"Tệp '{name}' có đuôi '{suffix}' nhưng nội dung là {kind.label}; đã ghi nhận theo nội dung."
    return ""


def _program_message(name: str, what: str) -> str:
    suffix = PurePath(name).suffix
    disguise = f" dù có đuôi '{suffix}'" if suffix else ""
    return (f"Tệp '{name}' là {what}{disguise}, không phải tài liệu. Vì an toàn, không nhận tệp chương trình "
            "làm minh chứng.")


def _unknown_message(name: str) -> str:
    return (f"Tệp '{name}' không thuộc loại được chấp nhận ({ACCEPTED_TEXT}). Loại tệp được kiểm tra theo nội "
            "dung, không theo đuôi tên.")


# ---------------------------------------------------------------- ZIP-based office files


def _zip_kind(handle: BinaryIO, name: str) -> FileKind:
    try:
        with zipfile.ZipFile(handle) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                declared = archive.read(info).decode("ascii", errors="replace").strip() if info.file_size < 200 else ""
                if declared in KINDS:
                    return KINDS[declared]
                raise InputError(f"Tệp '{name}' là tài liệu OpenDocument loại '{declared}'; chỉ nhận văn bản ODT "
                                 "và bảng tính ODS.")
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return KINDS["application/vnd.openxmlformats-officedocument.wordprocessingml.document"]
                if "xl/workbook.xml" in names:
                    return KINDS["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]
                raise InputError(f"Tệp '{name}' là tài liệu Office nhưng không phải Word (DOCX) hay Excel (XLSX) — "
                                 "ví dụ bản trình chiếu; chỉ nhận " + ACCEPTED_TEXT + ".")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError, RuntimeError,
            zlib.error):  # a damaged compressed part, or a part protected by a password
        raise InputError(f"Tệp '{name}' có dạng nén ZIP nhưng bị hỏng hoặc không đọc được.") from None
    raise InputError(f"Tệp '{name}' là tệp nén ZIP, không phải tài liệu. Hãy giải nén rồi nhập từng tệp ({ACCEPTED_TEXT}).")


# ---------------------------------------------------------------- OLE2 compound files (DOC, XLS)

_FREE, _END_OF_CHAIN = 0xFFFFFFFF, 0xFFFFFFFE
_MAX_SECTORS = 1 << 22


def _ole_kind(handle: BinaryIO, name: str) -> FileKind:
    try:
        streams = _ole_root_names(handle)
    except (struct.error, ValueError, OSError):
        raise InputError(f"Tệp '{name}' có dạng tài liệu Office 97–2003 nhưng bị hỏng.") from None
    if "WordDocument" in streams:
        return KINDS["application/msword"]
    if "Workbook" in streams or "Book" in streams:
        return KINDS["application/vnd.ms-excel"]
    raise InputError(f"Tệp '{name}' là tệp Office 97–2003 nhưng không phải Word (DOC) hay Excel (XLS); chỉ nhận "
                     + ACCEPTED_TEXT + ".")


def _ole_root_names(handle: BinaryIO) -> set[str]:
    """Names of the entries directly under the root storage of an OLE2 compound file."""
    handle.seek(0)
    header = handle.read(512)
    if len(header) < 512:
        raise ValueError("short header")
    sector_shift = struct.unpack_from("<H", header, 0x1E)[0]
    if sector_shift not in (9, 12):
        raise ValueError("bad sector size")
    sector_size = 1 << sector_shift
    fat_count, first_dir = struct.unpack_from("<II", header, 0x2C)
    first_difat, difat_count = struct.unpack_from("<II", header, 0x44)
    if fat_count > _MAX_SECTORS:
        raise ValueError("too many FAT sectors")

    def sector(number: int) -> bytes:
        handle.seek((number + 1) * sector_size)
        data = handle.read(sector_size)
        if len(data) != sector_size:
            raise ValueError("truncated sector")
        return data

    fat_sectors = [n for n in struct.unpack_from("<109I", header, 0x4C) if n not in (_FREE, _END_OF_CHAIN)]
    next_difat, seen = first_difat, 0
    per_difat = sector_size // 4 - 1
    while next_difat not in (_FREE, _END_OF_CHAIN) and seen <= difat_count:
        difat = struct.unpack(f"<{per_difat + 1}I", sector(next_difat))
        fat_sectors.extend(n for n in difat[:-1] if n not in (_FREE, _END_OF_CHAIN))
        next_difat, seen = difat[-1], seen + 1
    fat: list[int] = []
    for number in fat_sectors[:fat_count]:
        fat.extend(struct.unpack(f"<{sector_size // 4}I", sector(number)))

    directory = bytearray()
    current, visited = first_dir, set[int]()
    while current not in (_FREE, _END_OF_CHAIN):
        if current in visited or current >= len(fat) or len(visited) > _MAX_SECTORS:
            raise ValueError("broken directory chain")
        visited.add(current)
        directory += sector(current)
        current = fat[current]
    entries: list[tuple[str, int, int, int]] = []
    for offset in range(0, len(directory), 128):
        raw = directory[offset:offset + 128]
        length = struct.unpack_from("<H", raw, 0x40)[0]
        entry_name = raw[:max(0, min(length, 64) - 2)].decode("utf-16-le", errors="replace")
        left, right, child = struct.unpack_from("<III", raw, 0x44)
        entries.append((entry_name, left, right, child))
    if not entries:
        raise ValueError("empty directory")
    names, pending, seen_ids = set(), [entries[0][3]], set()
    while pending:
        index = pending.pop()
        if index in (_FREE, _END_OF_CHAIN) or index in seen_ids or index >= len(entries):
            continue
        seen_ids.add(index)
        entry_name, left, right, _ = entries[index]
        names.add(entry_name)
        pending.extend((left, right))
    return names


__all__ = ["FileKind", "KINDS", "ACCEPTED_TEXT", "detect_kind", "extension_note", "kind_for_mime"]
