"""Errors the core raises with a message fit to show a commune official (Vietnamese, no traceback)."""

from __future__ import annotations


class CdhtError(Exception):
    """Base of every error whose message is meant for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(CdhtError):
    """Bad input from a file, a form or the command line; nothing was written."""


class CatalogueError(CdhtError):
    """The criteria catalogue file is malformed."""


class StorageError(CdhtError):
    """The database cannot be opened, upgraded or written."""


class NotFoundError(CdhtError):
    """Something the user named does not exist (a year, an indicator, a unit)."""


class LockedError(CdhtError):
    """The assessment year is finalized (chốt hồ sơ) and cannot be changed."""


class CancelledError(CdhtError):
    """The user cancelled a long operation."""

    def __init__(self, message: str = "Đã hủy theo yêu cầu của người dùng.") -> None:
        super().__init__(message)


class DiskFullError(StorageError):
    """The drive being written has no room left; nothing was written."""


class DamagedDatabaseError(StorageError):
    """SQLite says the database file is malformed or not a database at all."""


class ReadOnlyError(StorageError):
    """The file or drive being written is read-only or not writable by this user; nothing was written."""


_READ_ONLY_ERRNOS = {"EROFS", "EACCES", "EPERM"}
_VANISHED_ERRNOS = {"ENODEV", "ENXIO", "ESTALE", "ENOMEDIUM", "ENOTCONN", "EHOSTDOWN"}


def _errno_name(exc: OSError) -> str:
    import errno

    return errno.errorcode.get(exc.errno or 0, "")


def describe_os_error(exc: OSError, path: object = None, action: str = "ghi") -> CdhtError:
    """One Vietnamese line naming the cause of an OS error (disk full, read-only, missing, vanished, I/O).

    `action` is the verb shown to the user ("ghi", "đọc", "tạo"); `path` the file or folder concerned.
    Returns the matching CdhtError subclass so callers can `raise describe_os_error(exc, path) from None`.
    """
    name = _errno_name(exc)
    shown = path if path is not None else exc.filename
    where = f" '{_shortened(str(shown))}'" if shown not in (None, "") else ""
    if name in ("ENOSPC", "EDQUOT"):
        drive = f"Ổ đĩa chứa{where}" if where else "Ổ đĩa"
        return DiskFullError(f"{drive} đã đầy{_free_space_suffix(path or exc.filename)}. Không có gì được ghi.")
    if name in _READ_ONLY_ERRNOS or isinstance(exc, PermissionError):
        if name == "EROFS":
            return ReadOnlyError(f"Ổ đĩa chứa{where} chỉ cho phép đọc; không {action} được. Không có gì được ghi.")
        return ReadOnlyError(f"Không có quyền {action}{where} (tệp hoặc thư mục chỉ đọc). Không có gì được ghi.")
    if isinstance(exc, FileNotFoundError) or name == "ENOENT":
        return NotFoundError(f"Không tìm thấy{where or ' tệp hoặc thư mục'}.")
    if isinstance(exc, IsADirectoryError):
        return InputError(f"{where.strip() or 'Đường dẫn'} là thư mục, không phải tệp.")
    if isinstance(exc, NotADirectoryError):
        return InputError(f"Một phần của đường dẫn{where} là tệp, không phải thư mục.")
    if isinstance(exc, FileExistsError):
        return InputError(f"Đã có{where}; không ghi đè.")
    if name in _VANISHED_ERRNOS:
        return StorageError(f"Ổ đĩa chứa{where} không còn kết nối (đã rút ra?). Hãy cắm lại rồi làm lại.")
    if name == "ENAMETOOLONG":
        return InputError(f"Tên tệp hoặc đường dẫn{where} quá dài.")
    if name == "EIO":
        return StorageError(f"Lỗi đọc/ghi của ổ đĩa chứa{where} (ổ đĩa có thể bị hỏng hoặc vừa bị rút ra).")
    if name in ("EMFILE", "ENFILE"):
        return StorageError("Máy đang mở quá nhiều tệp; hãy đóng bớt chương trình rồi làm lại.")
    return StorageError(f"Không {action} được{where}: lỗi hệ điều hành {name or exc.errno}.")


def _shortened(text: str, limit: int = 160) -> str:
    """A path as shown in a message: at most `limit` characters, the middle left out (a hostile 1 MB name must not
    become a 1 MB message)."""
    return text if len(text) <= limit else f"{text[: limit // 2]}…{text[-limit // 2:]}"


def _free_space_suffix(path: object) -> str:
    """' (còn 1,2 MB)' for the drive holding `path`, or '' when it cannot be read."""
    import shutil
    from pathlib import Path

    if path is None:
        return ""
    probe = Path(str(path))
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        free = shutil.disk_usage(probe).free
    except OSError:
        return ""
    from app.text import format_size

    return f" (còn {format_size(free)})"


#: Below this much free space, an I/O error of SQLite is taken for what it almost always is: a full drive.
NEARLY_FULL_BYTES = 1 << 20


def _nearly_full(path: object) -> bool:
    import shutil
    from pathlib import Path

    if path is None:
        return False
    probe = Path(str(path))
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        return shutil.disk_usage(probe).free < NEARLY_FULL_BYTES
    except OSError:
        return False


def describe_sqlite_error(exc: Exception, path: object = None) -> CdhtError:
    """One Vietnamese line for a sqlite3 error: full disk, read-only, locked, damaged, I/O."""
    code = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    where = f" '{path}'" if path is not None else ""
    if code.startswith("SQLITE_FULL") or "database or disk is full" in text:
        return DiskFullError(f"Ổ đĩa chứa cơ sở dữ liệu{where} đã đầy{_free_space_suffix(path)}. Không có gì được ghi.")
    if code.startswith("SQLITE_READONLY") or "readonly database" in text or "read-only" in text:
        return ReadOnlyError(f"Cơ sở dữ liệu{where} chỉ cho phép đọc (ổ đĩa hoặc tệp không ghi được). "
                             "Không có gì được ghi.")
    if code.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in text:
        return StorageError(f"Cơ sở dữ liệu{where} đang bận vì chương trình khác đang ghi; hãy thử lại sau ít phút.")
    if code.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return StorageError(f"Không mở được cơ sở dữ liệu{where} (thiếu tệp hoặc không có quyền truy cập thư mục).")
    if code.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text or "not a database" in text:
        return DamagedDatabaseError(f"Cơ sở dữ liệu{where} bị hỏng; hãy dùng 'cdht check' hoặc khôi phục từ bản sao lưu.")
    if (code.startswith("SQLITE_IOERR") or "disk i/o error" in text) and _nearly_full(path):
        return DiskFullError(f"Ổ đĩa chứa cơ sở dữ liệu{where} đã đầy{_free_space_suffix(path)}. Không có gì được ghi.")
    if code.startswith("SQLITE_IOERR") or "disk i/o error" in text:
        return StorageError(f"Lỗi đọc/ghi ổ đĩa khi dùng cơ sở dữ liệu{where} (ổ đầy, bị rút ra hoặc hỏng).")
    return StorageError(f"Cơ sở dữ liệu{where} báo lỗi: {code or 'không rõ mã lỗi'}.")


def user_message(exc: BaseException) -> str | None:
    """The one-line Vietnamese message for an error the user can act on, or None for a genuine bug.

    Front-ends call this in their last line of defence, so that a cause the OS or SQLite named (disk full,
    read-only, missing file) is never reported as "lỗi không mong muốn".
    """
    import sqlite3

    if isinstance(exc, CdhtError):
        return exc.message
    if isinstance(exc, UnicodeError):
        return "Dữ liệu nhập có ký tự không hợp lệ (không phải văn bản UTF-8); hãy gõ lại. Không có gì được ghi."
    if isinstance(exc, MemoryError):
        return "Máy không đủ bộ nhớ để làm việc này; hãy đóng bớt chương trình rồi làm lại."
    if isinstance(exc, sqlite3.Error) and not isinstance(exc, sqlite3.ProgrammingError | sqlite3.InterfaceError):
        return describe_sqlite_error(exc).message
    if isinstance(exc, OSError):
        return describe_os_error(exc).message
    return None
