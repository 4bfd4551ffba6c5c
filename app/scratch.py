"""Work in progress on disk (unfinished backups, restores, signing folders), named so that leftovers are found.

Every such file or folder is called `….<pid>.partial` after the process that writes it. When a process dies
halfway (power cut, killed), the next run of the same kind, and `cdht check --repair`, remove the leftovers of
processes that no longer run; a live process's work is never touched. Scratch folders live under the data
folder (`<data>/.scratch`), not in the shared temporary folder, so that nothing is left where nobody looks.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from app.errors import describe_os_error
from app.storage.lock import pid_alive

SCRATCH_DIR = ".scratch"
_UNFINISHED = re.compile(r"^.+-(\d+)\.partial$")


def partial_name(stem: str) -> str:
    """The name of this process's unfinished `stem`: 'stem-<pid>.partial'."""
    return f"{stem}-{os.getpid()}.partial"


def unfinished_entries(folder: Path) -> list[Path]:
    """Unfinished files and folders in `folder` whose writer no longer runs."""
    found = []
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return []
    for entry in entries:
        match = _UNFINISHED.match(entry.name)
        if match and not pid_alive(int(match.group(1))):
            found.append(entry)
    return found


def remove_entry(entry: Path) -> bool:
    """Delete a file or folder tree; False when (part of) it could not be removed."""
    if entry.is_dir() and not entry.is_symlink():
        shutil.rmtree(entry, ignore_errors=True)
    else:
        with suppress(OSError):
            entry.unlink()
    return not entry.exists()


def remove_unfinished(folder: Path) -> list[Path]:
    """Remove the leftovers of interrupted runs in `folder`; returns what was removed."""
    return [entry for entry in unfinished_entries(folder) if remove_entry(entry)]


def scratch_root(data_dir: Path) -> Path:
    return Path(data_dir) / SCRATCH_DIR


@contextmanager
def scratch_folder(data_dir: Path, kind: str) -> Iterator[Path]:
    """A private folder `<data>/.scratch/<kind>-<pid>.partial` for the duration of a `with` block.

    Leftovers of earlier interrupted runs are removed first; the folder is removed afterwards in every case.
    """
    root = scratch_root(data_dir)
    folder = root / partial_name(kind)
    try:
        root.mkdir(parents=True, exist_ok=True)
        remove_unfinished(root)
        remove_entry(folder)
        folder.mkdir()
    except OSError as exc:
        raise describe_os_error(exc, root, action="tạo thư mục tạm") from None
    try:
        yield folder
    finally:
        remove_entry(folder)


__all__ = ["SCRATCH_DIR", "partial_name", "unfinished_entries", "remove_unfinished", "remove_entry", "scratch_root",
           "scratch_folder"]
