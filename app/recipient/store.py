"""Content-addressed storage of received packages: `goi/AB/ABCD….zip`, named by the SHA-256 of the bytes.

A package is first copied into `goi/.tmp/` while its SHA-256 is computed in the same pass, flushed to disk,
and only then renamed to its final name; the same bytes arriving twice are stored once. A file in the store
that no register row points to (a crash between rename and commit) is harmless: the next arrival of the same
bytes reuses it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from app.errors import describe_os_error
from app.fileio import ensure_free_space, fsync_dir
from app.recipient.workspace import RecipientWorkspace

CHUNK = 1 << 20
#: Room kept free beyond the package itself, so that the database can still be written.
SPARE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Staged:
    """A package copied into the store's temporary folder, not yet named by its content."""

    path: Path
    sha256: str
    size: int


def stored_path(rws: RecipientWorkspace, sha256: str) -> Path:
    return rws.store_dir / sha256[:2] / f"{sha256}.zip"


def _temporary_dir(rws: RecipientWorkspace) -> Path:
    return rws.store_dir / ".tmp"


def stage(rws: RecipientWorkspace, source: IO[bytes], size: int, on_bytes: Callable[[int], None] | None = None) -> Staged:
    """Copy `source` into the store's temporary folder, hashing on the way; fsync before returning."""
    folder = _temporary_dir(rws)
    folder.mkdir(parents=True, exist_ok=True)
    ensure_free_space(folder, size + SPARE_BYTES, "gói hồ sơ nhận được")
    descriptor, name = tempfile.mkstemp(dir=folder, suffix=".zip.tmp")
    digest, total = hashlib.sha256(), 0
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    try:
        with os.fdopen(descriptor, "wb") as out:
            while count := source.readinto(buffer):
                digest.update(view[:count])
                out.write(view[:count])
                total += count
                if on_bytes is not None:
                    on_bytes(count)
            out.flush()
            os.fsync(out.fileno())
    except OSError as exc:
        Path(name).unlink(missing_ok=True)
        raise describe_os_error(exc, rws.store_dir) from None
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Staged(Path(name), digest.hexdigest(), total)


def keep(rws: RecipientWorkspace, staged: Staged) -> Path:
    """Give a staged package its content name (once; the same bytes already stored are reused)."""
    final = stored_path(rws, staged.sha256)
    try:
        if final.exists():
            staged.path.unlink(missing_ok=True)
            return final
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged.path, final)
        fsync_dir(final.parent)
    except OSError as exc:
        raise describe_os_error(exc, final) from None
    return final


def discard(staged: Staged) -> None:
    staged.path.unlink(missing_ok=True)


def remove_leftovers(rws: RecipientWorkspace) -> int:
    """Delete temporary copies an interrupted intake left behind (only one intake runs at a time)."""
    removed = 0
    folder = _temporary_dir(rws)
    if folder.is_dir():
        for leftover in folder.glob("*.tmp"):
            leftover.unlink(missing_ok=True)
            removed += 1
    return removed


__all__ = ["Staged", "stage", "keep", "discard", "stored_path", "remove_leftovers"]
