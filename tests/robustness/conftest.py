"""Robustness suites: real processes killed with SIGKILL, fuzzed input, injected disk faults."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def private_user_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "user-data"
    monkeypatch.setenv("CDHT_DATA_DIR", str(folder))
    return folder
