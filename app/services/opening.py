"""Opening the commune's data in the app when its drive is full or cannot be written: read-only, with the reason.

Reading, checking, printing and backing up to another drive all work on such a drive, so the app opens the data
read-only instead of showing nothing; the window shows `banner` and every change is refused with `refusal`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.errors import CdhtError, DiskFullError, ReadOnlyError
from app.storage.workspace import Workspace
from app.text import format_size

#: The errors that make the app open read-only rather than give up.
READ_ONLY_CAUSES = (DiskFullError, ReadOnlyError)


@dataclass(frozen=True)
class ReadOnlyReason:
    banner: str
    """Several sentences for the window's banner: why, what still works, what to do."""
    refusal: str
    """One line for every refused change."""


def read_only_reason(error: CdhtError, data_dir: Path) -> ReadOnlyReason:
    """Why the data opens read-only, worded for the commune official, from the error writing met."""
    if isinstance(error, DiskFullError):
        free = _free_space(data_dir)
        return ReadOnlyReason(
            f"Ổ đĩa chứa dữ liệu ({data_dir}) đã đầy{free}, nên dữ liệu đang mở ở chế độ chỉ đọc: xem, kiểm tra, in "
            "và sao lưu ra ổ khác vẫn được, nhưng chưa nhập hay sửa được. Hãy xóa bớt tệp không cần trên ổ đĩa này "
            "(hoặc chuyển thư mục dữ liệu sang ổ khác) rồi bấm “Mở lại để ghi”.",
            f"Dữ liệu đang mở ở chế độ chỉ đọc vì ổ đĩa chứa dữ liệu đã đầy{free}; hãy giải phóng chỗ trống rồi mở "
            "lại. Không có gì được ghi.")
    return ReadOnlyReason(
        f"Thư mục dữ liệu ({data_dir}) không cho phép ghi (ổ đĩa chỉ đọc, hoặc tài khoản này không có quyền ghi), "
        "nên dữ liệu đang mở ở chế độ chỉ đọc: xem, kiểm tra, in và sao lưu ra ổ khác vẫn được, nhưng chưa nhập hay "
        "sửa được. Hãy nhờ cán bộ kỹ thuật cấp quyền ghi cho thư mục này rồi bấm “Mở lại để ghi”.",
        "Dữ liệu đang mở ở chế độ chỉ đọc vì thư mục dữ liệu không cho phép ghi. Không có gì được ghi.")


def open_read_only(path: Path, error: CdhtError) -> tuple[Workspace, ReadOnlyReason]:
    """The workspace at `path` opened read-only because writing met `error`, with the reason to show."""
    reason = read_only_reason(error, Path(path).parent)
    ws = Workspace.open(path, read_only=True)
    ws.read_only_reason = reason.refusal
    return ws, reason


def _free_space(folder: Path) -> str:
    import shutil

    try:
        return f" (còn {format_size(shutil.disk_usage(folder).free)})"
    except OSError:
        return ""


__all__ = ["READ_ONLY_CAUSES", "ReadOnlyReason", "read_only_reason", "open_read_only"]
