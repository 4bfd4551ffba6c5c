"""Robustness suites: real processes killed with SIGKILL, fuzzed input, injected disk faults."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.backup import create_backup
from app.documents.collection import write_collection_workbooks
from app.services.assignments import add_unit, set_assignment
from app.services.documents import set_document_texts
from app.services.evidence import remove_evidence
from tests.backup.helpers import pdf_bytes
from tests.dossier.conftest import DATASET, YEAR, make_ready_workspace


@pytest.fixture(autouse=True)
def private_user_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "user-data"
    monkeypatch.setenv("CDHT_DATA_DIR", str(folder))
    return folder


@pytest.fixture(scope="session")
def template(tmp_path_factory) -> Path:
    """A commune ready to finalize (`data/`), with a unit's filled workbook, a changed dataset and a PDF to import
    (`inputs/`), one evidence item in the trash, a stray file in the store and a backup outside the data folder."""
    folder = tmp_path_factory.mktemp("template")
    ws = make_ready_workspace(folder / "data")
    try:
        add_unit(ws, "Hội Khuyến học")
        set_assignment(ws, YEAR, "5.1", lead_unit="Hội Khuyến học")
        set_document_texts(ws, YEAR, {"plan.number": "46", "plan.date": "10/01/2025"})  # the plan it is attached to
        [workbook] = write_collection_workbooks(ws, YEAR, folder / "inputs").values()
        book = load_workbook(workbook)
        book["Tiêu chí 5"]["D7"] = 9100
        book.save(workbook)
        trashed = ws.db.execute("SELECT id FROM evidence WHERE code = 'H99.01'").fetchone()[0]
        remove_evidence(ws, trashed)
        create_backup(ws, folder / "outside-backups")
    finally:
        ws.close()
    (folder / "data" / "evidence" / "ghi-chu.txt").write_text("tệp chép tay vào kho", encoding="utf-8")
    inputs = folder / "inputs"
    (inputs / "bao-cao-them.pdf").write_bytes(pdf_bytes("Báo cáo bổ sung", repeat=4000))
    changed = json.loads(json.dumps(DATASET))
    changed["indicators"]["5.1"]["achieved"] = 9000
    (inputs / "phan-cong.csv").write_text("Chỉ tiêu,Đơn vị chủ trì,Đơn vị phối hợp\n1.2,Hội Khuyến học,Đoàn Thanh niên\n",
                                          encoding="utf-8")
    (inputs / "so-lieu.json").write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
    return folder
