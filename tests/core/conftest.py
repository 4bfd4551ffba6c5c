"""Fixtures for the Qt-free core: a valid dataset document and workspaces in temporary folders."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from app.domain.records import Profile
from app.services.profile import save_profile
from app.services.years import add_year
from app.storage.workspace import Workspace

VALID_DATASET = {
    "format": "cdht-dataset/1",
    "commune": {"name": "Đồng Tiến", "province": "Thái Nguyên", "disadvantaged_area": False},
    "year": 2025,
    "indicators": {
        "1.1": {"met": True}, "1.2": {"met": True}, "1.3": {"met": True},
        "2.1": {"met": True}, "2.2": {"met": True}, "2.3": {"met": True},
        "3.1": {"met": True}, "3.2": {"met": True}, "3.3": {"met": True},
        "4.1": {"met": True}, "4.2": {"level": 3}, "4.3": {"level": 2}, "4.4": {"level": 2},
        "5.1": {"achieved": 8922, "total": 14870},
        "5.2": {"trained": 7435, "university": 1785, "total": 14870, "notes": "dân số từ 15 tuổi trở lên"},
    },
}


@pytest.fixture
def dataset_doc() -> dict:
    return copy.deepcopy(VALID_DATASET)


@pytest.fixture
def write_json(tmp_path: Path):
    def write(doc, name: str = "dataset.json") -> Path:
        path = tmp_path / name
        path.write_text(doc if isinstance(doc, str) else json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        return path

    return write


@pytest.fixture
def workspace(tmp_path: Path):
    ws = Workspace.open(tmp_path / "ws" / "cdht.sqlite3", user="cán bộ VHXH")
    save_profile(ws, Profile("Đồng Tiến", "Thái Nguyên"))
    add_year(ws, 2025)
    yield ws
    ws.close()
