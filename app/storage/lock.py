"""One writer per data folder: a lock file holding who has the data open, locked by the operating system.

The lock is an OS-level lock (`fcntl.flock` on POSIX, `msvcrt.locking` on Windows), so a holder that
crashes or is switched off releases it automatically. The file also records pid, computer name, user and
start time, so a refused second copy can say who holds the data. Content found while the OS lock is free
was left by a holder that died: it is recognised as stale (`WriterLock.stale`) and replaced.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from app.errors import CdhtError, describe_os_error

LOCK_NAME = "cdht.lock"
#: Windows locks byte ranges and a locked range cannot be read; lock a byte past the holder's details.
_LOCK_OFFSET = 1 << 16


class DataInUseError(CdhtError):
    """The data folder is already open for writing in another copy of the app."""

    def __init__(self, message: str, holder: LockHolder | None) -> None:
        super().__init__(message)
        self.holder = holder


def _host_name() -> str:
    """This computer's name (without importing `socket`, which costs the start a few milliseconds)."""
    try:
        return os.uname().nodename
    except AttributeError:  # Windows
        import socket

        return socket.gethostname()


@dataclass(frozen=True)
class LockHolder:
    """Who holds (or held) the writer lock."""

    pid: int
    hostname: str
    user: str
    started_at: str

    def describe(self) -> str:
        try:
            started = dt.datetime.fromisoformat(self.started_at).astimezone()
            since = f", từ {started:%H:%M} ngày {started:%d/%m/%Y}"
        except (TypeError, ValueError):
            since = ""
        who = f"người dùng {self.user} " if self.user else ""
        return f"{who}trên máy {self.hostname or 'không rõ'} (tiến trình {self.pid}{since})"

    @classmethod
    def parse(cls, text: str) -> LockHolder | None:
        try:
            raw = json.loads(text)
            return cls(int(raw["pid"]), str(raw.get("hostname", "")), str(raw.get("user", "")),
                       str(raw.get("started_at", "")))
        except (ValueError, KeyError, TypeError):
            return None


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this computer."""
    if pid <= 0:
        return False
    if sys.platform == "win32":
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        ctypes.windll.kernel32.CloseHandle(handle)
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _os_lock(handle: IO[bytes]) -> bool:
    """Take the OS lock without waiting; False when another process holds it."""
    if sys.platform == "win32":
        import msvcrt

        handle.seek(_LOCK_OFFSET)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _os_unlock(handle: IO[bytes]) -> None:
    if sys.platform == "win32":
        import msvcrt

        handle.seek(_LOCK_OFFSET)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        except OSError:
            pass
        return
    import fcntl

    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _read_holder(path: Path) -> LockHolder | None:
    try:
        with path.open("rb") as handle:
            return LockHolder.parse(handle.read(4096).decode("utf-8", "replace").rstrip("\0 \n"))
    except OSError:
        return None


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name on some Windows setups
        return ""


class WriterLock:
    """The held lock; `release()` (or leaving a `with` block) gives it up. `stale` is a crashed holder's record."""

    def __init__(self, path: Path, handle: IO[bytes], holder: LockHolder, stale: LockHolder | None) -> None:
        self.path = path
        self.holder = holder
        self.stale = stale
        self._handle: IO[bytes] | None = handle

    @property
    def held(self) -> bool:
        return self._handle is not None

    def release(self) -> None:
        handle, self._handle = self._handle, None
        if handle is None:
            return
        try:
            handle.seek(0)
            handle.truncate()
            handle.flush()
        except OSError:
            pass
        try:
            _os_unlock(handle)
        finally:
            with suppress(OSError):
                handle.close()

    def __enter__(self) -> WriterLock:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()

    def __del__(self) -> None:  # a forgotten lock is released with its object, like the OS would
        try:
            self.release()
        except Exception:  # noqa: BLE001 - nothing sensible to do during interpreter shutdown
            pass


def acquire_single_writer(data_dir: Path) -> WriterLock:
    """Lock `data_dir` for this process, or raise DataInUseError naming the holder."""
    data_dir = Path(data_dir)
    path = data_dir / LOCK_NAME
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+b")  # noqa: SIM115 - kept open while the lock is held
    except OSError as exc:
        raise describe_os_error(exc, path, action="tạo tệp khóa") from None
    if not _os_lock(handle):
        handle.close()
        holder = _read_holder(path)
        who = holder.describe() if holder else "một cửa sổ khác"
        raise DataInUseError(
            f"Dữ liệu trong thư mục '{data_dir}' đang được mở bởi {who}. "
            "Hãy dùng cửa sổ đang mở đó, hoặc đóng nó rồi thử lại.",
            holder,
        )
    previous = _read_holder(path)  # content left while nobody holds the OS lock: a holder that crashed
    holder = LockHolder(os.getpid(), _host_name(), _user(),
                        dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(holder.__dict__, ensure_ascii=False).encode("utf-8"))
        handle.flush()  # other processes read it from the OS cache; after a power cut the OS lock is gone anyway
    except OSError as exc:
        _os_unlock(handle)
        with suppress(OSError):  # closing flushes the unwritten details again, onto the same full drive
            handle.close()
        raise describe_os_error(exc, path, action="ghi tệp khóa") from None
    return WriterLock(path, handle, holder, previous)


@contextmanager
def single_writer(data_dir: Path) -> Iterator[WriterLock]:
    """Hold the writer lock of `data_dir` for the duration of a `with` block."""
    lock = acquire_single_writer(data_dir)
    try:
        yield lock
    finally:
        lock.release()


__all__ = ["acquire_single_writer", "single_writer", "WriterLock", "LockHolder", "DataInUseError",
           "pid_alive", "LOCK_NAME"]
