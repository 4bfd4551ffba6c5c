"""Safe file reading and writing: clear Vietnamese errors, and write-then-rename so no half files remain."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from app.errors import InputError, StorageError


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
        raise InputError(f"Không đọc được {what} '{path}': {exc.strerror}.") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{what.capitalize()} '{path.name}' không phải văn bản UTF-8.") from None


def write_bytes_atomic(path: Path, data: bytes) -> Path:
    """Write to a temporary name beside `path`, flush to disk, then rename over `path`."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise StorageError(f"Không ghi được tệp '{path}': {exc.strerror or exc}.") from None
    return path


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
