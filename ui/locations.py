"""Where the window keeps the commune's database, the demo commune and its own layout state.

The data folder is the per-user folder (`app.paths.default_data_dir`, which CDHT_DATA_DIR overrides);
the user may move it in Cài đặt, which writes a one-line pointer file into the default folder. The demo
commune lives in its own sub-folder so it never mixes with real data.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings

from app.fileio import write_text_atomic
from app.paths import DATABASE_NAME, default_data_dir

POINTER_NAME = "data-location.txt"
STATE_NAME = "ui-state.ini"


def data_dir() -> Path:
    """The folder holding the commune's data (env override, then the user's choice, then the default)."""
    default = default_data_dir()
    if os.environ.get("CDHT_DATA_DIR"):
        return default
    pointer = default / POINTER_NAME
    try:
        chosen = pointer.read_text(encoding="utf-8").strip()
    except OSError:
        return default
    return Path(chosen) if chosen else default


def data_dir_overridden() -> bool:
    return bool(os.environ.get("CDHT_DATA_DIR"))


def choose_data_dir(folder: Path) -> None:
    """Use `folder` from the next start on."""
    default = default_data_dir()
    default.mkdir(parents=True, exist_ok=True)
    write_text_atomic(default / POINTER_NAME, str(folder))


def real_database(folder: Path) -> Path:
    return folder / DATABASE_NAME


def demo_database(folder: Path) -> Path:
    return folder / "demo" / DATABASE_NAME


def ui_state(folder: Path) -> QSettings:
    """Window layout and last choices, kept in the data folder (no registry writes)."""
    folder.mkdir(parents=True, exist_ok=True)
    return QSettings(str(folder / STATE_NAME), QSettings.Format.IniFormat)
