"""A deterministic ZIP writer that streams and hashes: the same files always give the same bytes.

Entries are stored (no compression: evidence is mostly PDF/JPEG already), in sorted order, with a fixed
timestamp and fixed attributes; data is copied in 1 MiB chunks and hashed (SHA-256) on the way, so
gigabytes of evidence never sit in memory. ZIP64 is used automatically for entries over 2 GiB.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable
from typing import IO, TYPE_CHECKING

from app.errors import InputError

if TYPE_CHECKING:
    from pathlib import Path

CHUNK_SIZE = 1 << 20
FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644


def _entry(name: str, size: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, FIXED_DATE_TIME)
    info.compress_type = zipfile.ZIP_STORED
    info.create_system = 3
    info.external_attr = FILE_MODE << 16
    info.file_size = size
    return info


class DeterministicZip:
    """Write entries in strictly increasing name order into a seekable binary file."""

    def __init__(self, fileobj: IO[bytes]) -> None:
        self._zip = zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_STORED, allowZip64=True)
        self._last = ""
        self._buffer = bytearray(CHUNK_SIZE)

    def _check_order(self, name: str) -> None:
        if name <= self._last:
            raise ValueError(f"zip entries must be added in sorted order: {name!r} after {self._last!r}")
        self._last = name

    def add_stream(self, name: str, source: IO[bytes], size: int,
                   on_bytes: Callable[[int], None] | None = None) -> str:
        """Copy `size` bytes from `source` into entry `name`; returns the SHA-256 (hex) of what was written."""
        self._check_order(name)
        digest = hashlib.sha256()
        view = memoryview(self._buffer)
        written = 0
        with self._zip.open(_entry(name, size), "w") as out:
            while True:
                count = source.readinto(self._buffer)  # type: ignore[attr-defined]  # IO[bytes] omits readinto
                if not count:
                    break
                chunk = view[:count]
                digest.update(chunk)
                out.write(chunk)
                written += count
                if written > size:
                    break
                if on_bytes is not None:
                    on_bytes(count)
        if written != size:
            raise InputError(f"Tệp '{name}' thay đổi kích thước trong lúc đóng gói ({written} thay vì {size} byte).")
        return digest.hexdigest()

    def add_bytes(self, name: str, data: bytes) -> str:
        self._check_order(name)
        self._zip.writestr(_entry(name, len(data)), data)
        return hashlib.sha256(data).hexdigest()

    def close(self) -> None:
        self._zip.close()

    def abandon(self) -> None:
        """Give up an archive whose file failed (full, read-only or vanished drive): nothing more is written to it,
        not even by the garbage collector (ZipFile would try to finish it and print a traceback)."""
        self._zip.fp = None


def sha256_file(path: Path) -> str:
    """SHA-256 (hex) of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_SIZE):
            digest.update(chunk)
    return digest.hexdigest()
