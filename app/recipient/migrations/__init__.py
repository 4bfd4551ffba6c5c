"""The recipient register's own migration chain (`mNNNN_what.py`), run by the app's migration runner."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from app.storage.migrations import discover

if TYPE_CHECKING:
    from app.storage.connection import Database

MIGRATIONS: list[Callable[[Database], None]] = discover(__name__, __path__)
SCHEMA_VERSION = len(MIGRATIONS)
