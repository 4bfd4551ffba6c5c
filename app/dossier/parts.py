"""Splitting a package into e-mail-sized parts and reading the parts back as one file, without joining them on disk.

Parts are plain byte slices `NAME.zip.001`, `.002`, …; the parts manifest `NAME.zip.parts.json` lists each
part's size and SHA-256 and the whole package's, so the recipient (or `cdht verify`) can check and reassemble.
Joining by hand also works: `cat NAME.zip.0* > NAME.zip` (Windows: `copy /b NAME.zip.001+NAME.zip.002 NAME.zip`).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from app.dossier.zipstream import sha256_file
from app.errors import InputError
from app.fileio import write_text_atomic

PARTS_FORMAT = "cdht-parts/1"
MANIFEST_SUFFIX = ".parts.json"
_PART = re.compile(r"^(?P<base>.+)\.(?P<number>\d{3})$")
CHUNK = 1 << 20


@dataclass(frozen=True)
class Part:
    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class PartsManifest:
    package: str
    size: int
    sha256: str
    parts: tuple[Part, ...]
    package_uuid: str = ""
    version: int = 0

    def to_json(self) -> dict:
        return {"format": PARTS_FORMAT, "package": self.package, "package_uuid": self.package_uuid,
                "version": self.version, "size": self.size, "sha256": self.sha256,
                "parts": [{"name": p.name, "size": p.size, "sha256": p.sha256} for p in self.parts]}


def split_package(package: Path, folder: Path, part_size: int, package_uuid: str = "",
                  version: int = 0) -> tuple[Path, PartsManifest]:
    """Cut `package` into parts of at most `part_size` bytes in `folder`; returns the manifest path and content."""
    if part_size < 1024:
        raise InputError("Kích thước mỗi phần tệp đính kèm quá nhỏ.")
    package, folder = Path(package), Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    whole = hashlib.sha256()
    parts: list[Part] = []
    with open(package, "rb") as source:
        number = 1
        while True:
            name = f"{package.name}.{number:03d}"
            digest, size = hashlib.sha256(), 0
            temporary = folder / f".{name}.tmp"
            with open(temporary, "wb") as out:
                while size < part_size:
                    chunk = source.read(min(CHUNK, part_size - size))
                    if not chunk:
                        break
                    digest.update(chunk)
                    whole.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
            if size == 0 and parts:
                temporary.unlink()
                break
            temporary.replace(folder / name)
            parts.append(Part(name, size, digest.hexdigest()))
            number += 1
            if size < part_size:
                break
    if len(parts) > 999:
        raise InputError("Gói hồ sơ quá lớn so với kích thước mỗi phần (quá 999 phần).")
    manifest = PartsManifest(package.name, sum(p.size for p in parts), whole.hexdigest(), tuple(parts),
                             package_uuid, version)
    path = folder / f"{package.name}{MANIFEST_SUFFIX}"
    write_text_atomic(path, json.dumps(manifest.to_json(), ensure_ascii=False, indent=2) + "\n")
    return path, manifest


def load_manifest(path: Path) -> PartsManifest:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        if raw.get("format") != PARTS_FORMAT:
            raise ValueError("sai định dạng")
        parts = tuple(Part(str(p["name"]), int(p["size"]), str(p["sha256"])) for p in raw["parts"])
        manifest = PartsManifest(str(raw["package"]), int(raw["size"]), str(raw["sha256"]), parts,
                                 str(raw.get("package_uuid", "")), int(raw.get("version", 0)))
    except OSError as exc:
        raise InputError(f"Không đọc được bảng kê các phần '{Path(path).name}': {exc.strerror or exc}.") from None
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError):
        raise InputError(f"Bảng kê các phần '{Path(path).name}' không đúng định dạng {PARTS_FORMAT}.") from None
    for part in parts:
        if Path(part.name).name != part.name or not _PART.match(part.name):
            raise InputError(f"Bảng kê các phần có tên phần không hợp lệ: '{part.name}'.")
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
        self._handles: dict[int, object] = {}

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

    def _handle(self, index: int):
        if index not in self._handles:
            self._handles[index] = open(self._paths[index], "rb")
        return self._handles[index]

    def readinto(self, buffer) -> int:
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


def open_parts(path: Path) -> tuple[ConcatReader, PartsManifest | None, list[str]]:
    """The package stream from a parts manifest or its first part, plus problems found with the parts."""
    path = Path(path)
    problems: list[str] = []
    match = _PART.match(path.name)
    manifest_path = path if path.name.endswith(MANIFEST_SUFFIX) else path.with_name(match["base"] + MANIFEST_SUFFIX)
    manifest = load_manifest(manifest_path) if manifest_path.is_file() else None
    if manifest is not None:
        files = [manifest_path.with_name(p.name) for p in manifest.parts]
        for part, file in zip(manifest.parts, files, strict=True):
            if not file.is_file():
                raise InputError(f"Thiếu phần '{part.name}' của gói hồ sơ (cần đủ {len(files)} phần).")
            if file.stat().st_size != part.size or sha256_file(file) != part.sha256:
                problems.append(f"phần '{part.name}' bị hỏng hoặc bị sửa (mã băm không khớp bảng kê)")
    else:
        if match is None:
            raise InputError(f"Không tìm thấy bảng kê các phần '{manifest_path.name}'.")
        files, number = [], 1
        while (candidate := path.with_name(f"{match['base']}.{number:03d}")).is_file():
            files.append(candidate)
            number += 1
        if not files:
            raise InputError(f"Không tìm thấy phần đầu '{match['base']}.001' của gói hồ sơ.")
        problems.append("không có bảng kê các phần (.parts.json) nên chỉ ghép các phần liên tiếp tìm thấy")
    return ConcatReader(files), manifest, problems
