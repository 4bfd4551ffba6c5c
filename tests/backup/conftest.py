"""Backup tests run on real SQLite files and real folders under tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.backup.helpers import make_workspace


@pytest.fixture(autouse=True)
def private_user_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep crash logs and defaults out of the real user profile."""
    folder = tmp_path / "user-data"
    monkeypatch.setenv("CDHT_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def ws(tmp_path: Path):
    workspace = make_workspace(tmp_path / "data" / "cdht.sqlite3")
    yield workspace
    workspace.close()
