"""Shared helpers for backup and robustness tests: a small real workspace, store files, and data snapshots."""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path
from typing import Any

from app.backup.manifest import iter_evidence_store
from app.domain.dataset import parse_dataset
from app.services.datasets import export_dataset, import_dataset
from app.storage.workspace import Workspace

DATASET = {
    "format": "cdht-dataset/1",
    "commune": {"name": "Đồng Tiến", "province": "Thái Nguyên", "disadvantaged_area": False},
    "year": 2025,
    "indicators": {
        "1.1": {"met": True, "description": "Đài truyền thanh xã phát 48 tin, bài"}, "1.2": {"met": True},
        "1.3": {"met": True}, "2.1": {"met": True}, "2.2": {"met": False}, "2.3": {"met": True},
        "3.1": {"met": True}, "3.2": {"met": True}, "3.3": {"met": True},
        "4.1": {"met": True}, "4.2": {"level": 3}, "4.3": {"level": 2}, "4.4": {"level": 2},
        "5.1": {"achieved": 8922, "total": 14870},
        "5.2": {"trained": 7435, "university": 1785, "total": 14870, "notes": "dân số từ 15 tuổi trở lên"},
    },
}


def dataset_doc(**changes: Any) -> dict:
    doc = copy.deepcopy(DATASET)
    doc.update(changes)
    return doc


def pdf_bytes(text: str, repeat: int = 1) -> bytes:
    """A small file the evidence importer accepts as a PDF, with `text` making its content unique."""
    body = "".join(f"% {text}\n" for _ in range(repeat))
    return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n" + body.encode("utf-8") + b"%%EOF\n"


def add_evidence(ws: Workspace, text: str, year: int = 2025, indicator: str = "1.1", repeat: int = 40) -> str:
    """Import one evidence file through the evidence service; returns its SHA-256."""
    from app.evidence.importer import import_files

    incoming = ws.data_dir.parent / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    content = pdf_bytes(text, repeat)
    source = incoming / f"{hashlib.sha1(content).hexdigest()[:10]}.pdf"
    source.write_bytes(content)
    result = import_files(ws, year, [source], indicator_ids=[indicator])[0]
    assert result.ok, result.message
    return hashlib.sha256(content).hexdigest()


def add_store_file(data_dir: Path, content: bytes) -> str:
    """Put a file straight into the evidence store with no database row (a leftover, for tests of stray files)."""
    sha = hashlib.sha256(content).hexdigest()
    path = Path(data_dir) / "evidence" / sha[:2] / sha
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return sha


def make_workspace(db_path: Path, evidence_files: int = 3) -> Workspace:
    """A commune with one year of figures and a few evidence files imported through the evidence service."""
    ws = Workspace.open(db_path, user="Nguyễn Thị Lan")
    import_dataset(ws, parse_dataset(dataset_doc()))
    for index in range(evidence_files):
        add_evidence(ws, f"Quyết định số {index}/QĐ-UBND — minh chứng", indicator=["1.1", "2.1", "5.1"][index % 3],
                     repeat=40 + index)
    return ws


def snapshot(db_path: Path) -> dict[str, Any]:
    """Everything a restore must bring back: every year's dataset export, settings, and the evidence hashes."""
    ws = Workspace.open(db_path)
    try:
        years = {info.year: export_dataset(ws, info.year) for info in ws.years()}
        with ws.lock:
            settings = ws.db.execute("SELECT key, value FROM settings ORDER BY key").fetchall()
            audit = ws.db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
        evidence = {sha: hashlib.sha256(path.read_bytes()).hexdigest() for sha, path in iter_evidence_store(ws.data_dir)}
        return {"years": years, "settings": settings, "audit_rows": audit, "evidence": evidence}
    finally:
        ws.close()
