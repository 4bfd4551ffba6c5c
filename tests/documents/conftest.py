"""Fixtures for the document tests: a realistic Kiến Hưng 2025 workspace (see helpers.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.storage.workspace import Workspace  # noqa: E402
from tests.documents.helpers import build_workspace, fill_documents  # noqa: E402


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    ws = build_workspace(tmp_path / "cdht.sqlite3")
    yield ws
    ws.close()


@pytest.fixture
def ready_workspace(workspace: Workspace) -> Workspace:
    fill_documents(workspace)
    return workspace
