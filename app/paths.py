"""Where the app finds its bundled files and where it keeps the user's data."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from platformdirs import user_data_dir

#: Root of the bundled read-only files (the source tree, or PyInstaller's unpack folder).
BUNDLE_ROOT = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent.parent))

DATA_DIR = BUNDLE_ROOT / "data"
RESOURCES_DIR = BUNDLE_ROOT / "resources"
FONTS_DIR = RESOURCES_DIR / "fonts"
CATALOGUE_DIR = DATA_DIR / "catalogue"

DATABASE_NAME = "cdht.sqlite3"


def default_data_dir() -> Path:
    """The per-user data folder (never inside the install folder); CDHT_DATA_DIR overrides it."""
    override = os.environ.get("CDHT_DATA_DIR")
    if override:
        return Path(override)
    return Path(user_data_dir("CDHT-xa", appauthor=False, roaming=False))


def default_database_path() -> Path:
    """The database file in the per-user data folder."""
    return default_data_dir() / DATABASE_NAME
