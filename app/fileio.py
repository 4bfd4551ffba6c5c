"""Safe file reading and writing: clear Vietnamese errors, and write-then-rename so no half files remain."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from pathlib import Path
from typing import Any, BinaryIO

from app.errors import DiskFullError, InputError, describe_os_error
from app.text import format_size

#: Size caps for files the user hands in, by kind (hostile or mistaken input is refused before it is read).
MAX_JSON_BYTES = 10 * 1024 * 1024
MAX_TRUST_BYTES = 1024 * 1024
MAX_WORKBOOK_BYTES = 50 * 1024 * 1024
#: Deepest nesting of brackets accepted in a JSON input (real files nest 4–5 deep).
MAX_JSON_DEPTH = 32


def read_text_file(path: Path, what: str = "tệp") -> str:
    """Read a UTF-8 text file, or raise InputError naming the file and the reason."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"Không tìm thấy {what} '{path}'.") from None
    except IsADirectoryError:
        raise InputError(f"'{path}' là thư mục, không phải {what}.") from None
    except PermissionError:
        raise InputError(f"Không có quyền đọc {what} '{path}'.") from None
    except OSError as exc:
        raise InputError(describe_os_error(exc, path, action="đọc").message) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{_first_upper(what)} '{path.name}' không phải văn bản UTF-8.") from None


@contextmanager
def atomic_writer(path: Path) -> Iterator[BinaryIO]:
    """Write `path` durably or not at all: a temporary file beside it, fsync, rename over it, fsync the folder.

    The one write-then-rename helper of the app. Any exception (including cancel) removes the temporary file
    and leaves the previous `path`, if any, untouched. OS errors become one Vietnamese line naming the cause.
    A target that is a device, a pipe or a folder is refused (renaming over /dev/null would replace it).
    """
    with _temporary_beside(path, sync=False) as temporary:
        with open(temporary, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())


def atomic_path(path: Path) -> AbstractContextManager[Path]:
    """Like `atomic_writer`, for writers that need a file name rather than a handle (SQLite's backup API).

    Yields the path of an empty temporary file beside `path`; once the block ends the file is fsynced, renamed
    over `path` and the folder fsynced. An exception removes the temporary file and leaves `path` untouched.
    """
    return _temporary_beside(path, sync=True)


@contextmanager
def _temporary_beside(path: Path, sync: bool) -> Iterator[Path]:
    """A temporary file beside `path`, renamed over it when the block ends (fsynced first when `sync`)."""
    path = check_output_path(path)
    temporary: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        yield Path(temporary)
        if sync:
            fd = os.open(temporary, os.O_RDWR)  # Windows commits only a handle open for writing
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        os.replace(temporary, path)
        temporary = None
        fsync_dir(path.parent)
    except OSError as exc:
        raise describe_os_error(exc, path) from None
    finally:
        if temporary is not None:
            with suppress(OSError):
                os.unlink(temporary)


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (a rename) to disk; a no-op where the OS cannot (Windows)."""
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_bytes_atomic(path: Path, data: bytes) -> Path:
    """Write `data` to `path` with `atomic_writer`."""
    with atomic_writer(path) as handle:
        handle.write(data)
    return Path(path)


def write_text_atomic(path: Path, text: str) -> Path:
    return write_bytes_atomic(path, text.encode("utf-8"))


def remove_stale_temporaries(target: Path) -> int:
    """Delete temporary files an interrupted write of `target` left beside it (`.NAME.*.tmp`); returns how many.

    Such leftovers of a killed export can be as large as the package itself, on a small USB drive.
    """
    target = Path(target)
    removed = 0
    try:
        for leftover in target.parent.glob(f".{target.name}.*.tmp"):
            leftover.unlink(missing_ok=True)
            removed += 1
    except OSError:
        pass
    return removed


def check_input_file(path: Path | str, max_bytes: int, what: str = "tệp") -> Path:
    """The path of a regular file of at most `max_bytes`, or InputError naming the file and what is wrong.

    Empty paths, folders, devices and FIFOs are refused before anything is opened; so is a file over the cap.
    """
    if path is None or str(path).strip() in ("", "."):
        raise InputError(f"Chưa chỉ đường dẫn {what}.")
    path = Path(path)
    try:
        info = path.stat()
    except OSError as exc:
        raise _read_error(exc, path, what) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"'{path}' là thư mục, không phải {what}.")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"'{path}' không phải tệp thông thường (thiết bị, đường ống…); không đọc.")
    if info.st_size > max_bytes:
        raise InputError(f"{_first_upper(what)} '{path.name}' quá lớn ({format_size(info.st_size)}; "
                         f"tối đa {format_size(max_bytes)}).")
    return path


def read_bytes_capped(path: Path, max_bytes: int, what: str = "tệp") -> bytes:
    """Read a regular file of at most `max_bytes`, or raise InputError naming the file and what is wrong.

    Devices, FIFOs and folders are refused before anything is read; so is a file over the cap.
    """
    path = check_input_file(path, max_bytes, what)
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise _read_error(exc, path, what) from None
    if len(data) > max_bytes:
        raise InputError(f"{_first_upper(what)} '{path.name}' quá lớn (tối đa {format_size(max_bytes)}).")
    return data


def _read_error(exc: OSError, path: Path, what: str) -> InputError:
    if isinstance(exc, FileNotFoundError):
        return InputError(f"Không tìm thấy {what} '{path}'.")
    if isinstance(exc, PermissionError):
        return InputError(f"Không có quyền đọc {what} '{path}'.")
    return InputError(describe_os_error(exc, path, action="đọc").message)


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]")


def json_depth(text: str) -> int:
    """The deepest bracket nesting of a JSON text, computed without recursion (strings are skipped)."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    depth = deepest = 0
    for char in brackets:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def parse_json(text: str, what: str = "tệp JSON", max_depth: int = MAX_JSON_DEPTH) -> Any:
    """json.loads with a nesting limit and a Vietnamese error naming the line and column."""
    if json_depth(text) > max_depth:
        raise InputError(f"{_first_upper(what)} lồng nhau quá sâu (quá {max_depth} cấp); không đọc.")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{_first_upper(what)} không phải JSON hợp lệ (dòng {exc.lineno}, cột {exc.colno}).") from None
    except RecursionError:
        raise InputError(f"{_first_upper(what)} lồng nhau quá sâu; không đọc.") from None


def read_json_file(path: Path, what: str = "tệp JSON", max_bytes: int = MAX_JSON_BYTES,
                   max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Read a UTF-8 JSON file with a size cap and a nesting limit; InputError in Vietnamese otherwise."""
    data = read_bytes_capped(path, max_bytes, what)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{_first_upper(what)} '{Path(path).name}' không phải văn bản UTF-8.") from None
    return parse_json(text, what, max_depth)


def check_output_path(path: Path | str, what: str = "tệp", folder: bool = False) -> Path:
    """Refuse, before anything is written, an output path that cannot be right: empty, a device or pipe, a place
    inside a regular file, a folder where a file is meant (or a file where a folder is meant)."""
    if path is None or str(path).strip() in ("", "."):
        raise InputError(f"Chưa chỉ nơi ghi {what}.")
    path = Path(path)
    if any(ord(ch) < 32 for ch in str(path)):
        raise InputError(f"Đường dẫn nơi ghi {what} có ký tự điều khiển; hãy gõ lại.")
    try:
        info = path.stat()
    except FileNotFoundError:
        info = None
    except NotADirectoryError:
        raise InputError(f"Không ghi được {what} vào '{path}': một phần của đường dẫn là tệp, không phải thư "
                         "mục.") from None
    except OSError as exc:
        raise describe_os_error(exc, path) from None
    if info is not None:
        if not (stat.S_ISDIR(info.st_mode) or stat.S_ISREG(info.st_mode)):
            raise InputError(f"'{path}' là thiết bị hoặc đường ống, không phải tệp; không ghi {what} vào đó.")
        if stat.S_ISDIR(info.st_mode) and not folder:
            raise InputError(f"'{path}' là thư mục; hãy chỉ tên tệp {what}.")
        if not stat.S_ISDIR(info.st_mode) and folder:
            raise InputError(f"'{path}' là một tệp, không phải thư mục để ghi {what}.")
        return path
    probe = path.parent
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise InputError(f"Không ghi được {what} vào '{path}': '{probe}' là tệp, không phải thư mục.")
    return path


def ensure_free_space(folder: Path, needed_bytes: int, what: str = "dữ liệu") -> None:
    """Refuse up front, with the figures, when the drive holding `folder` has less room than `needed_bytes`."""
    probe = Path(folder)
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        free = shutil.disk_usage(probe).free
    except OSError:
        return
    if free < needed_bytes:
        raise DiskFullError(f"Ổ đĩa chứa '{folder}' không đủ chỗ để ghi {what}: còn {format_size(free)}, "
                            f"cần ít nhất {format_size(needed_bytes)}. Không có gì được ghi.")


def _first_upper(text: str) -> str:
    """'tệp JSON' -> 'Tệp JSON' (str.capitalize would lower the rest)."""
    return text[:1].upper() + text[1:]
