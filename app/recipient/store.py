"""Content-addressed storage of received packages: `goi/AB/ABCD….zip`, named by the SHA-256 of the bytes.

A package is first copied into `goi/.tmp/` (by the operating system, without passing through Python) and flushed
to disk. Its SHA-256 is computed while the verifier reads it (`HashingReader`), so the bytes are read once more,
not twice; only then is it renamed to its final name. The same bytes arriving twice are stored once: a cheap key
(size and the hashes of the first and last mebibyte) finds a possible twin, and the full hash confirms it before
anything is verified. A file in the store that no register row points to (a crash between rename and commit) is
harmless: the next arrival of the same bytes reuses it.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from app.errors import describe_os_error
from app.fileio import ensure_free_space, fsync_dir
from app.recipient.workspace import RecipientWorkspace

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

CHUNK = 8 << 20
COPY_STEP = 64 << 20
EDGE = 1 << 20
#: Room kept free beyond the package itself, so that the database can still be written.
SPARE_BYTES = 64 * 1024 * 1024


def stored_path(rws: RecipientWorkspace, sha256: str) -> Path:
    return rws.store_dir / sha256[:2] / f"{sha256}.zip"


def _temporary_dir(rws: RecipientWorkspace) -> Path:
    return rws.store_dir / ".tmp"


def _append(source: Path, out: BinaryIO, on_bytes: Callable[[int], None] | None) -> None:
    """Copy a whole file to the end of `out`: in the kernel where it can (sendfile), else through a buffer."""
    with open(source, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if hasattr(os, "sendfile"):
            offset = 0
            while offset < size:
                sent = os.sendfile(out.fileno(), handle.fileno(), offset, min(size - offset, COPY_STEP))
                if not sent:
                    break
                offset += sent
                if on_bytes is not None:
                    on_bytes(sent)
            return
        while chunk := handle.read(CHUNK):
            out.write(chunk)
            if on_bytes is not None:
                on_bytes(len(chunk))


def stage(rws: RecipientWorkspace, sources: Sequence[Path], size: int,
          on_bytes: Callable[[int], None] | None = None) -> Path:
    """Copy `sources` (one package, or its parts in order) into one temporary file in the store; fsync it."""
    folder = _temporary_dir(rws)
    folder.mkdir(parents=True, exist_ok=True)
    ensure_free_space(folder, size + SPARE_BYTES, "gói hồ sơ nhận được")
    descriptor, name = tempfile.mkstemp(dir=folder, suffix=".zip.tmp")
    try:
        with os.fdopen(descriptor, "wb") as out:
            for source in sources:
                _append(Path(source), out, on_bytes)
            out.flush()
            os.fsync(out.fileno())
    except OSError as exc:
        Path(name).unlink(missing_ok=True)
        raise describe_os_error(exc, rws.store_dir) from None
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def quick_key(path: Path) -> str:
    """Size and SHA-256 of the first and last mebibyte: equal for equal files, and rarely for others."""
    size = path.stat().st_size
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        digest.update(handle.read(EDGE))
        if size > EDGE:
            handle.seek(max(EDGE, size - EDGE))
            digest.update(handle.read(EDGE))
    return f"{size}:{digest.hexdigest()}"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb", buffering=0) as handle:
        buffer = bytearray(CHUNK)
        view = memoryview(buffer)
        while count := handle.readinto(buffer):
            digest.update(view[:count])
    return digest.hexdigest()


class HashingReader(io.RawIOBase):
    """A file read as a seekable stream whose bytes are hashed whenever they are read in file order; `finish()`
    hashes whatever was skipped and returns the SHA-256 of the whole file."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._handle = open(path, "rb", buffering=0)  # noqa: SIM115 - closed with this reader
        self._digest = hashlib.sha256()
        self._hashed = 0
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._position = self._handle.seek(offset, whence)
        return self._position

    def readinto(self, buffer: WriteableBuffer) -> int:
        count = self._handle.readinto(buffer)
        if count and self._position <= self._hashed < self._position + count:
            self._digest.update(memoryview(buffer)[self._hashed - self._position:count])
            self._hashed = self._position + count
        self._position += count or 0
        return count or 0

    def finish(self) -> str:
        self._handle.seek(self._hashed)
        buffer = bytearray(CHUNK)
        view = memoryview(buffer)
        while count := self._handle.readinto(buffer):
            self._digest.update(view[:count])
        return self._digest.hexdigest()

    def close(self) -> None:
        self._handle.close()
        super().close()


def keep(rws: RecipientWorkspace, temporary: Path, sha256: str) -> Path:
    """Give a staged package its content name (once; the same bytes already stored are reused)."""
    final = stored_path(rws, sha256)
    try:
        if final.exists():
            temporary.unlink(missing_ok=True)
            return final
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temporary, final)
        fsync_dir(final.parent)
    except OSError as exc:
        raise describe_os_error(exc, final) from None
    return final


def forget_cached(path: Path) -> None:
    """Tell the OS that a stored package will not be read again soon, so that taking in hundreds of them does not
    push everything else out of the file cache (Linux; elsewhere nothing happens)."""
    if not hasattr(os, "posix_fadvise"):
        return
    try:
        with open(path, "rb") as handle:
            os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
    except OSError:
        pass


def discard(temporary: Path) -> None:
    Path(temporary).unlink(missing_ok=True)


def remove_leftovers(rws: RecipientWorkspace) -> int:
    """Delete temporary copies an interrupted intake left behind (only one intake runs at a time)."""
    folder = _temporary_dir(rws)
    if not folder.is_dir():
        return 0
    leftovers = [p for p in folder.glob("*.tmp") if p.is_file()]
    for leftover in leftovers:
        leftover.unlink(missing_ok=True)
    return len(leftovers)


__all__ = ["stage", "keep", "discard", "forget_cached", "stored_path", "remove_leftovers", "quick_key", "sha256_of", "HashingReader"]
