"""Commune and province names as documents print them: the bare name, its unit kind kept apart.

Users type "Xã Kiến Hưng" or "Thành phố  Hà Nội"; documents add the unit word themselves ("Ủy ban nhân dân xã
Kiến Hưng"), so a stored prefix would print twice ("XÃ XÃ KIẾN HƯNG", "tỉnh Thành phố Hà Nội"). These pure
functions drop a leading unit word (case- and accent-insensitive), collapse spaces and say what they kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.errors import InputError
from app.text import MAX_NAME_LENGTH, check_text, fold, nfc

#: Kinds of commune-level unit (TT 25/2023 "cấp xã": xã, phường, thị trấn; đặc khu since 07/2025), as printed.
COMMUNE_KINDS = ("xã", "phường", "thị trấn", "đặc khu")
DEFAULT_COMMUNE_KIND = "xã"
_PROVINCE_PREFIXES = ("tinh", "thanh pho", "tp.", "tp")


@dataclass(frozen=True)
class PlaceName:
    """A cleaned name, the unit kind its dropped prefix named (None when there was none), and a note for the
    user saying what was changed ('' when the name was kept as typed)."""

    name: str
    kind: str | None = None
    note: str = ""


def _words(text: str) -> list[str]:
    return nfc(text).split()


def _strip_prefix(words: list[str], prefixes: list[tuple[list[str], str]]) -> tuple[list[str], str | None, str]:
    """Remove the first matching prefix (a list of folded words); returns (rest, canonical, prefix as typed)."""
    folded = [fold(word) for word in words]
    for prefix, canonical in prefixes:
        size = len(prefix)
        if len(words) > size and folded[:size] == prefix:
            return words[size:], canonical, " ".join(words[:size])
    return words, None, ""


def _clean(text: object, label: str) -> list[str]:
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise InputError(f"{label} phải là chuỗi văn bản.")
    words = _words(text)
    if not words:
        raise InputError(f"{label} không được để trống.")
    check_text(" ".join(words), label, MAX_NAME_LENGTH, single_line=True)
    return words


def _note(typed: str, kept: str, dropped: str, what: str) -> str:
    changes = []
    if dropped:
        changes.append(f"bỏ chữ “{dropped}” ở đầu")
    if " ".join(typed.split()) != typed.strip() or typed != typed.strip():
        changes.append("bỏ khoảng trắng thừa")
    if not changes:
        return ""
    return f"{what}: đã {' và '.join(changes)}; lưu là “{kept}”."


def normalise_commune(text: object) -> PlaceName:
    """'Xã  Kiến Hưng' -> PlaceName('Kiến Hưng', 'xã', note); 'Phường Hoàn Kiếm' keeps the kind 'phường'."""
    words = _clean(text, "Tên xã")
    prefixes = sorted(((fold(kind).split(), kind) for kind in COMMUNE_KINDS), key=lambda p: -len(p[0]))
    rest, kind, dropped = _strip_prefix(words, prefixes)
    if fold(" ".join(rest)) in {fold(k) for k in COMMUNE_KINDS}:
        raise InputError(f"Tên xã “{' '.join(words)}” chưa có tên riêng; hãy ghi tên xã, ví dụ “Kiến Hưng”.")
    name = " ".join(rest)
    return PlaceName(name, kind, _note(nfc(str(text)), name, dropped, "Tên xã"))


def normalise_province(text: object) -> PlaceName:
    """'Thành phố Hà Nội' -> 'Hà Nội', 'tỉnh  Hưng Yên' -> 'Hưng Yên' (documents never print 'tỉnh Thành phố …')."""
    words = _clean(text, "Tên tỉnh, thành phố")
    prefixes = sorted(((p.split(), p) for p in _PROVINCE_PREFIXES), key=lambda p: -len(p[0]))
    rest, _kind, dropped = _strip_prefix(words, prefixes)
    name = " ".join(rest)
    return PlaceName(name, None, _note(nfc(str(text)), name, dropped, "Tên tỉnh, thành phố"))


def commune_kind(kind: object) -> str:
    """A unit kind as stored ('xã', 'phường', 'thị trấn', 'đặc khu'); InputError for anything else."""
    if isinstance(kind, str):
        for known in COMMUNE_KINDS:
            if fold(kind.strip()) == fold(known):
                return known
    raise InputError(f"Loại đơn vị hành chính {kind!r} không hợp lệ; chỉ có: {', '.join(COMMUNE_KINDS)}.")
