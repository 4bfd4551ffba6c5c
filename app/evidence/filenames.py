"""Display names of evidence files: NFC, safe to recreate on Windows, of a sensible length.

The stored name is what the dossier package and "open with the system app" write back to disk, so it
must be a legal Windows file name even when the file came from macOS or Linux.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath

from app.text import nfc

MAX_NAME_LENGTH = 150
FALLBACK_STEM = "minh-chung"
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


@dataclass(frozen=True)
class CleanName:
    name: str
    notes: tuple[str, ...] = ()
    original_bytes: str = ""
    """The raw name in hex when it was not valid Unicode text (kept in the audit log), else ''."""


def _undecodable(raw: str) -> bytes | None:
    """The original bytes of a name that was not valid UTF-8 (Python hands such names over with lone surrogates)."""
    if not any("\ud800" <= ch <= "\udfff" for ch in raw):
        return None
    try:
        return raw.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return raw.encode("utf-8", "surrogatepass")


def clean_filename(raw: str) -> CleanName:
    """A name fit for every system, with a Vietnamese note for each change made to `raw`."""
    notes: list[str] = []
    raw_bytes = _undecodable(raw)
    if raw_bytes is not None:
        raw = raw_bytes.decode("utf-8", "replace").replace("\ufffd", "_")
        raw = "".join("_" if "\ud800" <= ch <= "\udfff" else ch for ch in raw)
        notes.append(f"Tên tệp gốc có ký tự không đọc được (không phải mã UTF-8); đã lưu với tên '{raw}', tên gốc "
                     "dạng byte được ghi vào nhật ký thay đổi.")
    name = nfc(raw)
    if name != raw:
        notes.append(f"Tên tệp '{name}' được chuẩn hóa Unicode (dạng NFC, thường gặp với tệp từ máy Mac).")
    replaced = _FORBIDDEN.sub("_", name).rstrip(" .")
    if replaced != name:
        notes.append(f"Tên tệp '{name}' chứa ký tự Windows không cho phép (< > : \" / \\ | ? *); "
                     f"đã lưu với tên '{replaced}'.")
        name = replaced
    path = PurePath(name)
    stem, suffix = (name[: -len(path.suffix)], path.suffix) if path.suffix and path.stem else (name, "")
    if not stem.strip(" ._"):
        stem = FALLBACK_STEM
        notes.append(f"Tệp không có tên dùng được; đã đặt tên '{stem}{suffix}'.")
    first, dot, rest = stem.partition(".")
    if first.strip().upper() in _RESERVED:  # Windows reserves "COM1.tar.pdf" too: mark the part before the dot
        renamed = first + "_" + dot + rest
        notes.append(f"Tên tệp '{stem}{suffix}' là tên dành riêng của Windows; đã lưu với tên '{renamed}{suffix}'.")
        stem = renamed
    if len(stem) + len(suffix) > MAX_NAME_LENGTH:
        original = stem + suffix
        stem = stem[: MAX_NAME_LENGTH - len(suffix)].rstrip(" .")
        notes.append(f"Tên tệp quá dài ({len(original)} ký tự); đã rút gọn còn '{stem}{suffix}'.")
    return CleanName(stem + suffix, tuple(notes), raw_bytes.hex() if raw_bytes is not None else "")


__all__ = ["CleanName", "clean_filename", "MAX_NAME_LENGTH"]
