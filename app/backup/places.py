"""Where a data folder's backups are: `<data>/backups`, and every other folder it was backed up to.

The list of other folders is kept in a small file beside the database (`backup-places.json`), not only in the
database, so that a lost database can still be found again from its backups on a USB drive or another folder.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from app.errors import CdhtError
from app.fileio import read_json_file, write_text_atomic

PLACES_NAME = "backup-places.json"
_KEEP = 20


def default_backup_root(data_dir: Path) -> Path:
    """Where automatic backups go unless the commune chose another folder: `<data>/backups`."""
    return Path(data_dir) / "backups"


def backup_places(data_dir: Path) -> list[Path]:
    """`<data>/backups` first, then the other folders this data folder was backed up to, oldest first."""
    places = [default_backup_root(data_dir)]
    try:
        remembered = read_json_file(Path(data_dir) / PLACES_NAME, "danh sách nơi sao lưu", max_bytes=64 * 1024)
    except CdhtError:
        remembered = []
    if isinstance(remembered, list):
        places += [Path(item) for item in remembered if isinstance(item, str) and item]
    return list(dict.fromkeys(places))


def remember_backup_place(data_dir: Path, root: Path) -> None:
    """Add `root` to the list; best effort, since a full data drive must not stop a backup to another drive."""
    root = Path(root).absolute()
    places = backup_places(data_dir)
    if root in places:
        return
    known = [str(place) for place in places[1:]] + [str(root)]
    with contextlib.suppress(CdhtError):
        write_text_atomic(Path(data_dir) / PLACES_NAME, json.dumps(known[-_KEEP:], ensure_ascii=False, indent=1) + "\n")


__all__ = ["PLACES_NAME", "default_backup_root", "backup_places", "remember_backup_place"]
