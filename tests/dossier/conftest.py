"""Fixtures for the dossier area: the test PKI (CA, PKCS#12, SoftHSM2 token) and a year ready to finalize."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.domain.dataset import parse_dataset
from app.domain.meeting import Attendee, ReviewMeeting
from app.domain.records import Profile
from app.dossier.signing import Pkcs12Key, TokenKey
from app.services.datasets import import_dataset
from app.services.documents import save_review_meeting, set_document_texts
from app.services.indicators import set_values
from app.services.profile import save_profile
from app.storage.workspace import Workspace
from tests.dossier.pki import TestPki, make_pki

YEAR = 2025
DATASET = {
    "format": "cdht-dataset/1",
    "commune": {"name": "Đồng Tiến", "province": "Thái Nguyên", "disadvantaged_area": False},
    "year": YEAR,
    "indicators": {
        "1.1": {"met": True}, "1.2": {"met": True}, "1.3": {"met": True},
        "2.1": {"met": True}, "2.2": {"met": True}, "2.3": {"met": True},
        "3.1": {"met": True}, "3.2": {"met": True}, "3.3": {"met": True},
        "4.1": {"met": True}, "4.2": {"level": 3}, "4.3": {"level": 2}, "4.4": {"level": 2},
        "5.1": {"achieved": 8922, "total": 14870},
        "5.2": {"trained": 7435, "university": 1785, "total": 14870},
    },
}


@pytest.fixture(scope="session")
def pki(tmp_path_factory) -> TestPki:
    made = make_pki(tmp_path_factory.mktemp("pki"))
    os.environ["SOFTHSM2_CONF"] = str(made.softhsm_conf)
    return made


@pytest.fixture(autouse=True)
def _private_user_data(tmp_path, monkeypatch):
    """The CLI's default data folder (and the recipient's register in it) is the test's own."""
    monkeypatch.setenv("CDHT_DATA_DIR", str(tmp_path / "user-data"))


@pytest.fixture
def p12_key(pki) -> Pkcs12Key:
    return Pkcs12Key(pki.p12, pki.p12_password)


@pytest.fixture
def other_commune_key(pki) -> Pkcs12Key:
    """UBND xã Kiến Hưng (Hà Nội): a real commune certificate from the same CA."""
    return Pkcs12Key(pki.other_commune_p12, pki.p12_password)


@pytest.fixture
def impostor_key(pki) -> Pkcs12Key:
    """A self-signed certificate bearing exactly the name of UBND xã Đồng Tiến."""
    return Pkcs12Key(pki.impostor_p12, pki.p12_password)


@pytest.fixture
def token_key(pki) -> TokenKey:
    return TokenKey(pki.module, pki.token_pin, key_id=pki.key_id)


def add_evidence(ws: Workspace, year: int, code: str, data: bytes, original_name: str, indicators: list[str],
                 issuer: str = "UBND xã Đồng Tiến") -> Path:
    """Put a file in the content-addressed store and catalogue it (with its register fields), as the evidence
    library does."""
    digest = hashlib.sha256(data).hexdigest()
    path = ws.data_dir / "evidence" / digest[:2] / digest
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    with ws.transaction():
        cursor = ws.db.execute(
            "INSERT INTO evidence (year, code, sha256, size, original_name, doc_number, issued_date, issuer, summary, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [year, code, digest, len(data), original_name, "Không số", f"{year}-06-01", issuer,
             f"Minh chứng {code}", "2026-01-05T00:00:00+00:00"])
        for position, indicator in enumerate(indicators):
            ws.db.execute("INSERT INTO evidence_links (evidence_id, indicator_id, position) VALUES (?, ?, ?)",
                          [cursor.lastrowid, indicator, position])
    return path


def small_pdf(text: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    page.drawString(72, 760, text)
    page.showPage()
    page.save()
    return buffer.getvalue()


def make_ready_workspace(folder: Path, dataset: dict = DATASET, level: int = 1) -> Workspace:
    """A commune whose dossier of the dataset's year passes every pre-flight check at `level` (evidence for each
    indicator, document numbers and dates, the review meeting); by default Đồng Tiến's 2025 at level 1."""
    commune, province, year = dataset["commune"]["name"], dataset["commune"]["province"], dataset["year"]
    ws = Workspace.open(folder / "cdht.sqlite3", user="Văn thư xã")
    save_profile(ws, Profile(commune, province, signer_name="Nguyễn Văn An", signer_title="Chủ tịch"))
    import_dataset(ws, parse_dataset(dataset))
    catalogue = ws.catalogue(year)
    for index, indicator in enumerate(catalogue.indicator_ids, start=1):
        if indicator == "3.3":
            set_values(ws, year, indicator, {"no_evidence_explanation": "Số liệu do Phòng Văn hóa - Xã hội cung cấp."})
            continue
        add_evidence(ws, year, f"H{index:02d}.01", small_pdf(f"Minh chung {indicator}"), f"Quyết định {indicator}.PDF",
                     [indicator], issuer=f"UBND xã {commune}")
    add_evidence(ws, year, "H99.01", b"\x89PNG fake image bytes for the store", "ảnh hoạt động.png", ["1.1"],
                 issuer=f"UBND xã {commune}")
    write_documents(ws, year, commune, level)
    return ws


def write_documents(ws: Workspace, year: int, commune: str, level: int) -> None:
    """The report texts, the numbers and dates of the documents, and a review meeting whose composition meets
    Điều 9.1.c (chair, secretary, the Hội Khuyến học, the Mặt trận and the other mass organisations)."""
    set_document_texts(ws, year, {
        "situation": f"Xã {commune} có 14.870 công dân.", "process": "UBND xã ban hành kế hoạch tự đánh giá.",
        "strengths": "Phong trào học tập phát triển.", "limitations": "Cơ sở vật chất còn thiếu.",
        "recommendations": "Đề nghị Sở Giáo dục và Đào tạo xem xét công nhận.",
        "number.to_trinh": "12", "date.to_trinh": f"20/01/{year + 1}", "number.bao_cao": "11",
        "date.bao_cao": f"20/01/{year + 1}", "number.bien_ban": "03",
    })
    save_review_meeting(ws, year, ReviewMeeting(
        meeting_date=dt.date(year + 1, 1, 15), chair_name="Nguyễn Văn An", chair_title="Chủ tịch UBND xã",
        secretary_name="Lê Thị Dung", secretary_title="Công chức Văn hóa - Xã hội",
        attendees=(Attendee("Trần Thị Bình", "Chủ tịch", "Hội Khuyến học xã"),
                   Attendee("Lê Văn Cường", "Chủ tịch", "Ủy ban Mặt trận Tổ quốc Việt Nam xã"),
                   *(Attendee(f"Đại biểu {n}", "Chủ tịch", f"{org} xã") for n, org in enumerate(
                       ("Hội Liên hiệp Phụ nữ", "Hội Nông dân", "Hội Cựu chiến binh", "Công đoàn"), start=1)),
                   Attendee("Vũ Minh Đức", "Bí thư", "Đoàn TNCS Hồ Chí Minh xã")),
        conclusions=f"Thống nhất đề nghị công nhận mức độ {level}.", level_agreed=level,
    ))


@pytest.fixture(scope="session")
def ready_template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("ready-template")
    make_ready_workspace(folder).close()
    return folder


@pytest.fixture
def ready_ws(ready_template: Path, tmp_path: Path):
    """A fresh copy of the ready workspace (database and evidence store) for each test."""
    folder = tmp_path / "xa"
    shutil.copytree(ready_template, folder)
    ws = Workspace.open(folder / "cdht.sqlite3", user="Văn thư xã")
    yield ws
    ws.close()


@dataclass(frozen=True)
class Built:
    folder: Path
    package: Path
    uuid: str
    version: int


def build_signed(template: Path, folder: Path, key) -> Built:
    """Finalize a copy of the ready workspace in `folder` and build its package signed with `key`."""
    from app.dossier.finalize import finalize
    from app.dossier.package import build_package

    shutil.copytree(template, folder / "xa")
    ws = Workspace.open(folder / "xa" / "cdht.sqlite3", user="Văn thư xã")
    try:
        finalize(ws, YEAR)
        record = build_package(ws, YEAR, folder / "out" / "goi.zip", key)
    finally:
        ws.close()
    return Built(folder / "xa", Path(record.path), record.package_uuid, record.version)


@pytest.fixture(scope="session")
def built(ready_template: Path, pki, tmp_path_factory) -> Built:
    """One finalized year and its package signed with the PKCS#12 key, shared read-only by many tests."""
    return build_signed(ready_template, tmp_path_factory.mktemp("built"), Pkcs12Key(pki.p12, pki.p12_password))
