"""Putting a package where it leaves the office: build it onto a USB drive or folder, or copy an existing one,
always under a temporary name first, then read it back from the device and verify it before saying so.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.dossier.package import build_package
from app.dossier.records import PackageRecord
from app.dossier.signing import SigningKey
from app.dossier.verify import VerifyReport, verify_package
from app.errors import CancelledError, CdhtError, InputError, describe_os_error
from app.fileio import atomic_writer, ensure_free_space, remove_stale_temporaries
from app.progress import NullProgress, Progress, check_cancelled

if TYPE_CHECKING:
    from app.storage.workspace import Workspace

SAFE_TO_REMOVE = "Có thể rút ổ USB ra."


@dataclass(frozen=True)
class Delivered:
    path: Path
    report: VerifyReport
    record: PackageRecord | None = None

    @property
    def message(self) -> str:
        return f"Đã ghi và đọc lại để kiểm tra gói hồ sơ '{self.path.name}': nguyên vẹn. {SAFE_TO_REMOVE}"


class _Scaled:
    """Maps a sub-task's progress onto a slice of the whole."""

    def __init__(self, progress: Progress, start: float, end: float) -> None:
        self.progress, self.start, self.end = progress, start, end

    def report(self, fraction: float, message: str = "") -> None:
        self.progress.report(self.start + (self.end - self.start) * fraction, message)

    def cancelled(self) -> bool:
        return self.progress.cancelled()


def _forget_cached(path: Path) -> None:
    """Ask the OS to drop its cached copy so the read-back really reads the device (Linux; harmless elsewhere)."""
    if hasattr(os, "posix_fadvise"):
        try:
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
                os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
        except OSError:
            pass


def _read_back(path: Path, progress: Progress) -> VerifyReport:
    _forget_cached(path)
    report = verify_package(path, progress=progress)
    if not report.ok:
        path.unlink(missing_ok=True)
        raise InputError(f"Gói vừa ghi ra '{path}' bị lỗi khi đọc lại nên đã được xóa (ổ đĩa có thể hỏng): "
                         f"{report.summary()}")
    return report


def export_package(ws: Workspace, year: int, target: Path, key: SigningKey | None, *, level: int | None = None,
                   progress: Progress | None = None) -> Delivered:
    """Build the year's package directly at `target` (USB or folder), then read it back and verify it."""
    progress = progress or NullProgress()
    ensure_free_space(Path(target).parent, _package_estimate(ws, year), "gói hồ sơ")
    record = build_package(ws, year, Path(target), key, level=level, progress=_Scaled(progress, 0.0, 0.7))
    report = _read_back(Path(target), _Scaled(progress, 0.7, 1.0))
    return Delivered(Path(target), report, record)


#: Room for the signed documents, the summary and the BagIt files on top of the evidence (measured: under 2 MB).
_PACKAGE_MARGIN_BYTES = 8 * 1024 * 1024


def _copy_failure(folder: Path, described: CdhtError, total: int) -> CdhtError:
    """The one line for a copy that failed: where, why, and whether the drive is simply too small."""
    try:
        free = shutil.disk_usage(folder).free if folder.exists() else 0
    except OSError:
        free = 0
    hint = " Ổ đĩa không đủ chỗ trống." if free < total else ""
    return type(described)(f"Không chép được gói hồ sơ vào '{folder}': {described.message}{hint}")


def _package_estimate(ws: Workspace, year: int) -> int:
    """What a package of the year will take: its evidence files plus the documents."""
    with ws.lock:
        row = ws.db.execute("SELECT COALESCE(SUM(size), 0) FROM evidence WHERE year = ? AND deleted_at IS NULL",
                            [year]).fetchone()
    return int(row[0]) + _PACKAGE_MARGIN_BYTES


def copy_package(source: Path, folder: Path, progress: Progress | None = None) -> Delivered:
    """Copy an already built package into `folder` (e.g. a USB drive) without rebuilding it, then verify the copy."""
    progress = progress or NullProgress()
    source, folder = Path(source), Path(folder)
    if not source.is_file():
        raise InputError(f"Không tìm thấy gói hồ sơ '{source}'.")
    target = folder / source.name
    total = max(source.stat().st_size, 1)
    ensure_free_space(folder, total + (1 << 20), "gói hồ sơ")
    try:
        remove_stale_temporaries(target)
        with atomic_writer(target) as handle, open(source, "rb") as reader:
            copied = 0
            while chunk := reader.read(1 << 20):
                handle.write(chunk)
                copied += len(chunk)
                check_cancelled(progress)
                progress.report(0.6 * copied / total, "Đang chép gói hồ sơ…")
    except OSError as exc:
        raise _copy_failure(folder, describe_os_error(exc, folder), total) from None
    except CancelledError:
        raise
    except CdhtError as described:  # atomic_writer names the cause of an OS error
        raise _copy_failure(folder, described, total) from None
    report = _read_back(target, _Scaled(progress, 0.6, 1.0))
    return Delivered(target, report)
