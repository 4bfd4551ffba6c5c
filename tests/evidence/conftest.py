"""Fixtures for the evidence library: a real workspace in tmp_path and real files of every accepted type."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from app.domain.records import Profile  # noqa: E402
from app.services.profile import save_profile
from app.services.years import add_year
from app.storage.workspace import Workspace  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
YEAR = 2025


def pdf_bytes(text: str = "minh chung") -> bytes:
    """A small valid one-page PDF (distinct content per text)."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, invariant=1)
    page.drawString(72, 720, text)
    page.showPage()
    page.save()
    return buffer.getvalue()


def image_bytes(fmt: str, color: tuple[int, int, int] = (200, 30, 40)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, fmt)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Báo cáo kết quả xây dựng xã hội học tập")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.active["A1"] = "Danh sách công dân học tập"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def mp4_bytes() -> bytes:
    """The start of an ISO base media file: an `ftyp` box with brand isom, then an empty `mdat`."""
    ftyp = b"ftyp" + b"isom" + b"\x00\x00\x02\x00" + b"isomiso2avc1mp41"
    return len(ftyp).to_bytes(4, "big") + ftyp + (8).to_bytes(4, "big") + b"mdat"


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def ws(tmp_path: Path):
    workspace = Workspace.open(tmp_path / "xa" / "cdht.sqlite3", user="Cán bộ văn hóa")
    save_profile(workspace, Profile("Đồng Tiến", "Thái Nguyên"))
    add_year(workspace, YEAR)
    yield workspace
    workspace.close()


@pytest.fixture
def src(tmp_path: Path) -> Path:
    folder = tmp_path / "nguon"
    folder.mkdir()
    return folder


@pytest.fixture
def write(src: Path):
    """write(name, data) -> path of a new source file."""

    def make(name: str, data: bytes) -> Path:
        path = src / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    return make


def lock_year(ws, year: int = YEAR) -> None:
    """Finalize a year the way the dossier area does (locked_at set)."""
    with ws.transaction():
        ws.db.execute("UPDATE years SET locked_at = '2026-01-20T08:00:00+00:00' WHERE year = ?", [year])
