"""`cdht report`: a year's dossier documents (PDF, Word drafts, Excel summary) written into one folder as a whole
set, or not at all.

What would stop a document from being built (no review meeting, a level the figures do not reach) is named up
front, before anything is written. The set is built in a hidden folder beside the target and moved into place
only once every file is complete, so an interruption or a full drive never leaves part of a set behind.
"""

from __future__ import annotations

import os
from pathlib import Path

from app.documents import write_all_documents
from app.documents.data import requested_level
from app.documents.texts import review_meeting
from app.errors import InputError, describe_os_error
from app.fileio import check_output_path, ensure_free_space, fsync_dir
from app.progress import Progress
from app.scratch import partial_name, remove_entry, remove_unfinished
from app.storage.workspace import Workspace

#: Room a set needs on the target drive, measured on the demo commune (about 0,6 MB) with a margin.
REPORT_SET_BYTES = 2 * 1024 * 1024


def report_blockers(ws: Workspace, year: int, level: int | None = None) -> list[str]:
    """What keeps the year's documents from being built, in Vietnamese; empty when the set can be written."""
    ws.year(year)
    problems = []
    meeting = review_meeting(ws, year)
    if meeting is None:
        problems.append(f"chưa ghi thông tin cuộc họp xét năm {year} cho biên bản (cdht meeting set --year {year} …)")
    try:
        requested_level(ws.assessment(year), meeting, level)
    except InputError as exc:
        problems.append(exc.message[:1].lower() + exc.message[1:].rstrip("."))
    return problems


def write_report(ws: Workspace, year: int, out_dir: Path, level: int | None = None,
                 progress: Progress | None = None) -> dict[str, Path]:
    """Write the whole set into `out_dir` (created when absent; files of the same names are replaced)."""
    out_dir = check_output_path(out_dir, "bộ hồ sơ", folder=True)
    blockers = report_blockers(ws, year, level)
    if blockers:
        raise InputError(f"Chưa in được bộ hồ sơ năm {year}: {'; '.join(blockers)}. Không có tệp nào được ghi.")
    parent = out_dir.absolute().parent
    ensure_free_space(parent, REPORT_SET_BYTES, "bộ hồ sơ")
    staging = parent / partial_name(f".{out_dir.name}")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        remove_unfinished(parent)
        written = write_all_documents(ws, year, staging, level, progress)
        placed = _move_into_place(staging, out_dir, written)
    except OSError as exc:
        raise describe_os_error(exc, out_dir) from None
    finally:
        remove_entry(staging)
    return placed


def _move_into_place(staging: Path, out_dir: Path, written: dict[str, Path]) -> dict[str, Path]:
    """Durable writes by folder: each file was written into `staging` with atomic_writer; the whole set is
    renamed into place at once (or file by file over an existing folder), so no half set is ever visible."""
    fsync_dir(staging)
    if not out_dir.exists():
        os.rename(staging, out_dir)
    else:
        for path in written.values():
            os.replace(path, out_dir / path.name)
    fsync_dir(out_dir)
    return {key: out_dir / path.name for key, path in written.items()}


__all__ = ["write_report", "report_blockers", "REPORT_SET_BYTES"]
