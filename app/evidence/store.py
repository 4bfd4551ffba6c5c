"""The content-addressed evidence store: `data_dir/evidence/<sha[:2]>/<sha>`, each content stored once.

A file is copied into a temporary name while it is hashed (one read pass, 1 MiB buffer), flushed to
disk and only then renamed to its hash; the database row is committed after the rename. Every rename
made by an import is first written to an import journal, so that the files of an import interrupted
before its commit can be recognised and removed at the next start without guessing.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TextIO

from app.errors import CdhtError, InputError, StorageError, describe_os_error
from app.fileio import fsync_dir
from app.text import format_size

if TYPE_CHECKING:
    from app.storage.session import Session

CHUNK_SIZE = 1024 * 1024
#: The store's folder, beside the database.
STORE_DIR_NAME = "evidence"
TEMP_DIR_NAME = ".tmp"
TEMP_SUFFIX = ".part"
JOURNAL_SUFFIX = ".journal"
#: Beside the store: copies found altered (hash no longer matching), kept rather than deleted.
ALTERED_DIR = "evidence-altered"

#: Opens the temporary file an import writes to; tests pass one that fails midway (disk full).
TempOpener = Callable[[Path], BinaryIO]


def store_root(data_dir: Path) -> Path:
    """The folder of the evidence store beside a database in `data_dir`."""
    return Path(data_dir) / STORE_DIR_NAME


def evidence_root(ws: Session) -> Path:
    """The folder of the evidence store, beside the workspace's database."""
    return store_root(ws.data_dir)


def _layout(sha: str) -> tuple[str, str]:
    """The store's layout, stated once: the file with SHA-256 `sha` is `<sha[:2]>/<sha>` inside the store."""
    if not is_sha256(sha):
        raise ValueError(f"not a SHA-256 hex digest: {sha!r}")
    return sha[:2], sha


def stored_relpath(sha: str) -> str:
    """Where the file with SHA-256 `sha` lives relative to the database's folder, with forward slashes (as in a
    backup's manifest and zip): `evidence/<sha[:2]>/<sha>`."""
    return "/".join((STORE_DIR_NAME, *_layout(sha)))


def stored_path(ws: Session, sha: str) -> Path:
    """Where the file with SHA-256 `sha` lives in the store."""
    return EvidenceStore(evidence_root(ws)).path(sha)


def open_temp_file(path: Path) -> BinaryIO:
    return open(path, "xb", buffering=0)


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    path: Path
    created: bool
    """False when the same content was already in the store (nothing new was written)."""
    replaced_altered: bool = False
    """True when the store held an altered copy under this hash: it was moved to ALTERED_DIR, this one put back."""


def is_sha256(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)


class StoreFullError(StorageError):
    """The disk holding the store is full; later files of the same import would fail too."""


def write_failure(name: str, exc: OSError) -> CdhtError:
    """The error for a failed write into the store, in Vietnamese and naming the file being imported."""
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return StoreFullError(f"Ổ đĩa đã đầy: không đủ chỗ để lưu tệp '{name}' vào kho minh chứng. "
                              "Các tệp nhập trước đó vẫn được giữ; hãy giải phóng dung lượng rồi nhập lại.")
    described = describe_os_error(exc, action="ghi vào kho minh chứng")
    return type(described)(f"Không lưu được tệp '{name}' vào kho minh chứng: {described.message}")


class ImportJournal:
    """The hashes an unfinished import has renamed into the store; deleted once its rows are committed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: TextIO | None = None

    def record(self, sha: str) -> None:
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = open(self.path, "a", encoding="ascii")
        self._handle.write(sha + "\n")
        self._handle.flush()

    def finish(self) -> None:
        """The import's rows are committed: the journal is no longer needed."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        self.path.unlink(missing_ok=True)

    @staticmethod
    def read(path: Path) -> list[str]:
        try:
            lines = path.read_text(encoding="ascii", errors="replace").splitlines()
        except OSError:
            return []
        return [line.strip() for line in lines if is_sha256(line.strip())]


class EvidenceStore:
    """File operations on one store folder; knows nothing of the database."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @property
    def temp_dir(self) -> Path:
        return self.root / TEMP_DIR_NAME

    def path(self, sha: str) -> Path:
        return self.root.joinpath(*_layout(sha))

    def check_writable(self) -> None:
        """Create and remove a file where imports write first: a store that cannot be written (read-only folder or
        drive, no permission) is refused before any file is read, in one line naming the cause."""
        try:
            self.temp_dir.mkdir(parents=True, exist_ok=True)
            probe = self.temp_dir / f"probe-{uuid.uuid4().hex}{TEMP_SUFFIX}"
            probe.touch(exist_ok=False)
            probe.unlink()
        except OSError as exc:
            raise describe_os_error(exc, self.temp_dir, action="ghi vào kho minh chứng") from None

    def new_journal(self) -> ImportJournal:
        return ImportJournal(self.temp_dir / f"import-{uuid.uuid4().hex}{JOURNAL_SUFFIX}")

    def put(self, source: BinaryIO, name: str, max_bytes: int, *, open_temp: TempOpener = open_temp_file,
            journal: ImportJournal | None = None, on_bytes: Callable[[int], None] | None = None) -> StoredFile:
        """Copy `source` into the store while hashing it; `name` is only used in messages.

        Raises InputError (the source cannot be read or is too large) or StorageError (the store cannot
        be written, e.g. a full disk); in both cases no temporary file is left behind.
        """
        temporary = self.temp_dir / f"{uuid.uuid4().hex}{TEMP_SUFFIX}"
        digest = hashlib.sha256()
        buffer = bytearray(CHUNK_SIZE)
        view = memoryview(buffer)
        size = 0
        try:
            self.temp_dir.mkdir(parents=True, exist_ok=True)
            with open_temp(temporary) as out:
                while True:
                    try:
                        count = source.readinto(buffer)  # type: ignore[attr-defined]  # BinaryIO omits readinto
                    except OSError as exc:
                        raise InputError(f"Không đọc được tệp '{name}' giữa chừng: "
                                         f"{describe_os_error(exc, action='đọc').message}") from None
                    if not count:
                        break
                    size += count
                    if size > max_bytes:
                        raise InputError(f"Tệp '{name}' lớn hơn giới hạn {format_size(max_bytes)} cho mỗi tệp "
                                         "minh chứng (có thể đổi trong Cài đặt).")
                    chunk = view[:count]
                    digest.update(chunk)
                    _write_all(out, chunk)
                    if on_bytes is not None:
                        on_bytes(count)
                sha = digest.hexdigest()
                target = self.path(sha)
                duplicate = target.exists() and _holds(target, sha)
                if not duplicate:
                    out.flush()
                    os.fsync(out.fileno())
            if duplicate:
                temporary.unlink()
                return StoredFile(sha, size, target, created=False)
            target.parent.mkdir(parents=True, exist_ok=True)
            altered = target.exists()
            if altered:  # the original is back: the altered copy is kept aside, never deleted
                self.set_aside(target)
            if journal is not None:
                journal.record(sha)
            os.replace(temporary, target)
            fsync_dir(target.parent)
            return StoredFile(sha, size, target, created=True, replaced_altered=altered)
        except OSError as exc:
            temporary.unlink(missing_ok=True)
            raise write_failure(name, exc) from None
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise

    def set_aside(self, path: Path) -> Path:
        """Move an altered stored file to ALTERED_DIR beside the store (named after its hash and the time)."""
        aside = self.root.parent / ALTERED_DIR / f"{path.name}-{dt.datetime.now():%Y%m%d-%H%M%S-%f}"
        aside.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, aside)
        return aside

    def rehash(self, old_sha: str, new_sha: str) -> Path:
        """File the stored content of `old_sha`, which changed on disk, under its new hash `new_sha`.

        When the store already holds `new_sha`, the changed copy is set aside instead (never deleted).
        """
        path, target = self.path(old_sha), self.path(new_sha)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            self.set_aside(path)
        else:
            os.replace(path, target)
            fsync_dir(target.parent)
        return target

    def remove(self, sha: str) -> bool:
        """Delete a stored file (its content is no longer referenced); False when it was not there."""
        path = self.path(sha)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        try:
            path.parent.rmdir()
        except OSError:
            pass
        return True

    def stored_hashes(self) -> Iterator[str]:
        """Every content hash present in the store folder."""
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if folder.is_dir() and len(folder.name) == 2 and folder.name != TEMP_DIR_NAME:
                for file in sorted(folder.iterdir()):
                    if file.is_file() and is_sha256(file.name) and file.name[:2] == folder.name:
                        yield file.name

    def stray_files(self) -> Iterator[Path]:
        """Files in the store that are neither content files nor temporary files (copied in by hand)."""
        if not self.root.is_dir():
            return
        for path in sorted(self.root.rglob("*")):
            if not path.is_file():
                continue
            relative = path.relative_to(self.root).parts
            if relative[0] == TEMP_DIR_NAME:
                continue
            if len(relative) == 2 and is_sha256(relative[1]) and relative[1][:2] == relative[0]:
                continue
            yield path

    def temp_files(self) -> list[Path]:
        """Leftover temporary files of interrupted imports (not journals)."""
        if not self.temp_dir.is_dir():
            return []
        return sorted(p for p in self.temp_dir.iterdir() if p.is_file() and not p.name.endswith(JOURNAL_SUFFIX))

    def journals(self) -> list[Path]:
        if not self.temp_dir.is_dir():
            return []
        return sorted(self.temp_dir.glob(f"*{JOURNAL_SUFFIX}"))


def _write_all(out: BinaryIO, data: memoryview) -> None:
    """Write every byte (an unbuffered file may write fewer bytes than asked)."""
    while data:
        written = out.write(data)
        if written is None:
            return
        data = data[written:]


def _holds(path: Path, sha: str) -> bool:
    """Whether the stored file really has the content its name says (an altered copy does not)."""
    try:
        return hash_file(path) == sha
    except OSError:
        return False


def hash_file(path: Path, on_bytes: Callable[[int], None] | None = None) -> str:
    """SHA-256 of a file, streamed with a 1 MiB buffer."""
    digest = hashlib.sha256()
    buffer = bytearray(CHUNK_SIZE)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as handle:
        while count := handle.readinto(buffer):
            digest.update(view[:count])
            if on_bytes is not None:
                on_bytes(count)
    return digest.hexdigest()


__all__ = [
    "evidence_root", "stored_path", "EvidenceStore", "StoredFile", "ImportJournal", "hash_file", "CHUNK_SIZE",
    "TempOpener", "open_temp_file", "is_sha256", "write_failure", "StoreFullError",
]
