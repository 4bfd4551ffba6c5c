"""The recipient register's own migration chain (`mNNNN_what.py`), run by the app's migration runner."""

from __future__ import annotations

from collections.abc import Callable

from app.storage.migrations import discover

MIGRATIONS: list[Callable] = discover(__name__, __path__)
SCHEMA_VERSION = len(MIGRATIONS)
