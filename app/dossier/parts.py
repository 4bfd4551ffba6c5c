"""Splitting a package into e-mail-sized parts and reading the parts back as one file, without joining them on disk.

Parts are plain byte slices `NAME.zip.001`, `.002`, …; the parts manifest `NAME.zip.parts.json` names the package
(UUID and version), the number of parts, and each part's number, size and SHA-256, plus the whole package's, so
the recipient (or `cdht verify`) can check and reassemble. Joining by hand also works:
`cat NAME.zip.0* > NAME.zip` (Windows: `copy /b NAME.zip.001+NAME.zip.002 NAME.zip`).

E-mail is delivered at least once, so a part may arrive twice. When reassembling, copies a mail program saved
under another name ("NAME.zip (1).002", "NAME.zip - Copy.002") are recognised: identical copies are ignored,
while a part file the manifest does not list (an extra number, or different bytes under a listed number) is
reported as a problem, never silently used.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from app.dossier.zipstream import sha256_file
from app.errors import CdhtError, InputError
from app.fileio import atomic_writer, parse_json, read_bytes_capped, write_text_atomic
from app.text import format_int, printable

if TYPE_CHECKING:
    from io import BufferedReader

    from _typeshed import WriteableBuffer

PARTS_FORMAT = "cdht-parts/1"
MANIFEST_SUFFIX = ".parts.json"
MAX_PARTS = 999
MAX_MANIFEST_BYTES = 1024 * 1024
#: Files looked at in a folder of received parts (a folder of a million files is not read to the end).
MAX_CANDIDATES = 10_000
_PART = re.compile(r"^(?P<base>.+)\.(?P<number>\d{3})$")
#: A part under the name a mail program or file manager gives a second copy.
_COPY = re.compile(r"^(?P<base>.+?)(?: ?\(\d{1,4}\)| - (?:Copy|Bản sao)(?: \(\d{1,4}\))?)?\.(?P<number>\d{3})$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 1 << 20


@dataclass(frozen=True)
class Part:
    name: str
    size: int
    sha256: str
    number: int = 0


@dataclass(frozen=True)
class PartsManifest:
    package: str
    size: int
    sha256: str
    parts: tuple[Part, ...]
    package_uuid: str = ""
    version: int = 0

    @property
    def count(self) -> int:
        return len(self.parts)

    def to_json(self) -> dict[str, Any]:
        return {"format": PARTS_FORMAT, "package": self.package, "package_uuid": self.package_uuid,
                "version": self.version, "size": self.size, "sha256": self.sha256, "count": self.count,
                "parts": [{"number": p.number, "name": p.name, "size": p.size, "sha256": p.sha256}
                          for p in self.parts]}


def part_name(package: str, number: int) -> str:
    return f"{package}.{number:03d}"


def split_package(package: Path, folder: Path, part_size: int, package_uuid: str = "",
                  version: int = 0) -> tuple[Path, PartsManifest]:
    """Cut `package` into parts of at most `part_size` bytes in `folder`; returns the manifest path and content."""
    if part_size < 1024:
        raise InputError("Kích thước mỗi phần tệp đính kèm quá nhỏ.")
    package, folder = Path(package), Path(folder)
    if package.stat().st_size > MAX_PARTS * part_size:
        raise InputError(f"Gói hồ sơ quá lớn so với kích thước mỗi phần (quá {MAX_PARTS} phần).")
    whole = hashlib.sha256()
    parts: list[Part] = []
    count = max(1, -(-package.stat().st_size // part_size))  # an empty package still makes one (empty) part
    with open(package, "rb") as source:
        for number in range(1, count + 1):
            name = part_name(package.name, number)
            digest, size = hashlib.sha256(), 0
            with atomic_writer(folder / name) as out:
                while size < part_size:
                    chunk = source.read(min(CHUNK, part_size - size))
                    if not chunk:
                        break
                    digest.update(chunk)
                    whole.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
            parts.append(Part(name, size, digest.hexdigest(), number))
    manifest = PartsManifest(package.name, sum(p.size for p in parts), whole.hexdigest(), tuple(parts),
                             package_uuid, version)
    path = folder / f"{package.name}{MANIFEST_SUFFIX}"
    write_text_atomic(path, json.dumps(manifest.to_json(), ensure_ascii=False, indent=2) + "\n")
    return path, manifest


def _manifest_error(path: Path, reason: str = "") -> InputError:
    detail = f" ({reason})" if reason else ""
    return InputError(f"Bảng kê các phần '{printable(Path(path).name, 120)}' không đúng định dạng {PARTS_FORMAT}"
                      f"{detail}.")


def load_manifest(path: Path) -> PartsManifest:
    """A parts manifest, checked: parts numbered 1..count in order, named after the package, sizes adding up."""
    path = Path(path)
    try:
        raw = parse_json(read_bytes_capped(path, MAX_MANIFEST_BYTES, "bảng kê các phần").decode("utf-8"),
                         "bảng kê các phần")
    except UnicodeDecodeError:
        raise _manifest_error(path, "không phải văn bản UTF-8") from None
    except CdhtError as exc:
        if "không phải JSON" in exc.message or "lồng nhau" in exc.message:
            raise _manifest_error(path, exc.message.rstrip(".")) from None
        raise
    try:
        if raw.get("format") != PARTS_FORMAT:
            raise ValueError("sai định dạng")
        package = str(raw["package"])
        parts = tuple(Part(str(p["name"]), int(p["size"]), str(p["sha256"]).lower(), int(p.get("number", n)))
                      for n, p in enumerate(raw["parts"], start=1))
        manifest = PartsManifest(package, int(raw["size"]), str(raw["sha256"]).lower(), parts,
                                 str(raw.get("package_uuid", "")), int(raw.get("version", 0)))
        count = int(raw.get("count", len(parts)))
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError):
        raise _manifest_error(path) from None
    if Path(package).name != package or not package or not 0 < count <= MAX_PARTS or count != len(parts):
        raise _manifest_error(path, "tên gói hoặc số phần không hợp lệ")
    for number, part in enumerate(parts, start=1):
        if part.number != number or part.name != part_name(package, number):
            raise InputError(f"Bảng kê các phần có tên phần không hợp lệ: '{printable(part.name, 120)}'.")
        if part.size < 0 or not _HEX64.match(part.sha256):
            raise _manifest_error(path, f"phần {number} ghi sai kích thước hoặc mã băm")
    if sum(p.size for p in parts) != manifest.size or not _HEX64.match(manifest.sha256):
        raise _manifest_error(path, "tổng kích thước các phần không khớp kích thước gói")
    return manifest


def is_parts_input(path: Path) -> bool:
    name = Path(path).name
    return name.endswith(MANIFEST_SUFFIX) or bool(_PART.match(name))


class ConcatReader(io.RawIOBase):
    """Several files read as one seekable stream (zipfile reads the package straight from its parts)."""

    def __init__(self, paths: list[Path]) -> None:
        super().__init__()
        self._paths = list(paths)
        self._sizes = [p.stat().st_size for p in self._paths]
        self._starts = [sum(self._sizes[:i]) for i in range(len(self._sizes))]
        self._size = sum(self._sizes)
        self._pos = 0
        self._handles: dict[int, BufferedReader] = {}

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def _handle(self, index: int) -> BufferedReader:
        if index not in self._handles:
            self._handles[index] = open(self._paths[index], "rb")  # noqa: SIM115 - closed in close()
        return self._handles[index]

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        done = 0
        while done < len(view) and self._pos < self._size:
            index = max(i for i, start in enumerate(self._starts) if start <= self._pos)
            handle = self._handle(index)
            handle.seek(self._pos - self._starts[index])
            want = min(len(view) - done, self._starts[index] + self._sizes[index] - self._pos)
            count = handle.readinto(view[done:done + want])
            if not count:
                break
            done += count
            self._pos += count
        return done

    def close(self) -> None:
        for handle in self._handles.values():
            handle.close()
        self._handles.clear()
        super().close()


@dataclass(frozen=True)
class PartsSet:
    """The received parts of one package: which file to read for each part, and what was wrong or ignored.

    `problems` make the package invalid (damaged part, extra part file); `notes` are warnings (no manifest).
    """

    manifest: PartsManifest | None
    files: tuple[Path, ...]
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    duplicates: int = 0

    def stream(self) -> ConcatReader:
        return ConcatReader(list(self.files))

    def summary(self) -> str:
        text = f"{len(self.files)} phần đủ và khớp mã băm"
        if self.duplicates:
            text += f" (bỏ qua {format_int(self.duplicates)} bản trùng giống hệt)"
        return text


def _matches(file: Path, part: Part) -> bool:
    return file.stat().st_size == part.size and sha256_file(file) == part.sha256


def _candidates(folder: Path, package: str) -> dict[int, list[Path]]:
    """Part files of `package` in `folder`, by part number, including copies saved under another name."""
    found: dict[int, list[Path]] = {}
    seen = 0
    with os.scandir(folder) as entries:
        for entry in entries:
            match = _COPY.match(entry.name)
            if not match or match["base"] != package or not entry.is_file():
                continue
            seen += 1
            if seen > MAX_CANDIDATES:
                raise InputError(f"Thư mục '{folder}' có quá nhiều tệp mang tên các phần của gói.")
            found.setdefault(int(match["number"]), []).append(Path(entry.path))
    for number, files in found.items():
        files.sort(key=lambda p: (p.name != part_name(package, number), p.name))
    return found


def _from_manifest(manifest_path: Path, manifest: PartsManifest) -> PartsSet:
    candidates = _candidates(manifest_path.parent, manifest.package)
    listed = {p.number: p for p in manifest.parts}
    files, problems, duplicates = [], [], 0
    for number, part in listed.items():
        copies = candidates.get(number, [])
        if not copies:
            raise InputError(f"Thiếu phần '{part.name}' của gói hồ sơ (cần đủ {manifest.count} phần).")
        good = next((f for f in copies if _matches(f, part)), None)
        if good is None:
            problems.append(f"phần '{part.name}' bị hỏng hoặc bị sửa (mã băm không khớp bảng kê)")
            files.append(copies[0])
            continue
        files.append(good)
        for other in copies:
            if other == good:
                continue
            if _matches(other, part):
                duplicates += 1
            else:
                problems.append(f"tệp '{printable(other.name, 80)}' mang số phần {number} nhưng khác phần đã liệt kê")
    for number in sorted(set(candidates) - set(listed)):
        problems += [f"phần thừa '{printable(f.name, 80)}' không có trong bảng kê các phần" for f in candidates[number]]
    return PartsSet(manifest, tuple(files), tuple(problems), (), duplicates)


def collect_parts(path: Path) -> PartsSet:
    """The parts named by a parts manifest or by the first part (`.001`), checked against the manifest."""
    path = Path(path)
    match = _PART.match(path.name)
    manifest_path = path if path.name.endswith(MANIFEST_SUFFIX) \
        else path.with_name(cast("re.Match[str]", match)["base"] + MANIFEST_SUFFIX)  # a parts input (`.001`) matches
    if manifest_path.is_file():
        return _from_manifest(manifest_path, load_manifest(manifest_path))
    if match is None:
        raise InputError(f"Không tìm thấy bảng kê các phần '{manifest_path.name}'.")
    files, number = [], 1
    while number <= MAX_PARTS and (candidate := path.with_name(part_name(match["base"], number))).is_file():
        files.append(candidate)
        number += 1
    if not files:
        raise InputError(f"Không tìm thấy phần đầu '{part_name(match['base'], 1)}' của gói hồ sơ.")
    return PartsSet(None, tuple(files), (),
                    ("không có bảng kê các phần (.parts.json) nên chỉ ghép các phần liên tiếp tìm thấy",))


def open_parts(path: Path) -> tuple[ConcatReader, PartsManifest | None, list[str]]:
    """The package stream from a parts manifest or its first part, plus problems found with the parts."""
    parts = collect_parts(path)
    return parts.stream(), parts.manifest, list(parts.problems + parts.notes)


__all__ = ["PARTS_FORMAT", "MANIFEST_SUFFIX", "Part", "PartsManifest", "PartsSet", "split_package", "load_manifest",
           "collect_parts", "open_parts", "is_parts_input", "part_name", "ConcatReader"]
