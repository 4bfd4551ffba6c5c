"""The package as a recipient sees it with standard tools: bagit.py, openssl cms, pdfsig, pyHanko, unzip."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from app.dossier.bag import parse_bag_info
from app.dossier.finalize import finalize, unlock
from app.dossier.package import build_package
from app.dossier.records import latest_package, packages
from app.dossier.sigcheck import check_pdf_signatures, load_trust_roots
from app.dossier.verify import verify_package
from app.errors import InputError
from tests.dossier.conftest import YEAR

BAGIT = Path(sys.executable).with_name("bagit.py")


@pytest.fixture(scope="module")
def unzipped(built, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("unzipped")
    subprocess.run(["unzip", "-q", str(built.package), "-d", str(folder)], check=True)
    (root,) = folder.iterdir()
    return root


def test_bagit_validator_accepts_the_unzipped_bag(unzipped):
    result = subprocess.run([sys.executable, str(BAGIT), "--validate", str(unzipped)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "is valid" in result.stderr


def test_openssl_accepts_the_manifest_signature(unzipped, pki):
    result = subprocess.run(
        ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", "signatures/tagmanifest-sha256.txt.p7s",
         "-content", "tagmanifest-sha256.txt", "-CAfile", str(pki.ca_pem), "-purpose", "any", "-out", "/dev/null"],
        cwd=unzipped, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Verification successful" in result.stderr


def test_every_document_is_signed_valid_for_pdfsig_and_pyhanko(unzipped, pki):
    documents = sorted((unzipped / "data" / "documents").glob("*.pdf"))
    assert len(documents) >= 5
    roots = load_trust_roots([pki.ca_pem])
    for pdf in documents:
        report = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True).stdout
        assert "Signature is Valid" in report and "Total document signed" in report, pdf.name
        checks = check_pdf_signatures(io.BytesIO(pdf.read_bytes()), roots)
        assert len(checks) == 1 and checks[0].intact and checks[0].trusted, pdf.name
    text = subprocess.run(["pdftotext", str(unzipped / "data/documents/to_trinh_2025.pdf"), "-"],
                          capture_output=True, text=True).stdout
    assert "Ký bởi: ỦY BAN NHÂN DÂN XÃ ĐỒNG TIẾN" in text


def test_bag_contents_and_identity(unzipped, built):
    info = parse_bag_info((unzipped / "bag-info.txt").read_bytes())
    assert info["CDHT-Commune"] == "Đồng Tiến" and info["CDHT-Province"] == "Thái Nguyên"
    assert info["CDHT-Year"] == "2025" and info["CDHT-Level-Requested"] == "1"
    assert info["CDHT-Package-UUID"] == built.uuid and info["CDHT-Package-Version"] == "1"
    assert info["CDHT-Created"].endswith("+07:00") and info["CDHT-App-Version"]
    assert info["Bagging-Date"] == info["CDHT-Created"][:10]
    payload = [p for p in (unzipped / "data").rglob("*") if p.is_file()]
    assert info["Payload-Oxum"] == f"{sum(p.stat().st_size for p in payload)}.{len(payload)}"
    evidence = sorted(p.name for p in (unzipped / "data" / "evidence").iterdir())
    assert "H01.01.pdf" in evidence and "H99.01.png" in evidence and "H09.01.pdf" not in evidence
    assert (unzipped / "data" / "tong_hop_2025.xlsx").stat().st_size > 0
    dataset = json.loads((unzipped / "data" / "du-lieu-2025.json").read_text(encoding="utf-8"))
    assert dataset["format"] == "cdht-dataset/1" and dataset["assessment"]["level"] == 1


def test_zip_is_deterministic_sorted_stored_with_fixed_times(built):
    with zipfile.ZipFile(built.package) as archive:
        infos = archive.infolist()
    names = [i.filename for i in infos]
    assert names == sorted(names)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {i.compress_type for i in infos} == {zipfile.ZIP_STORED}
    assert {i.external_attr >> 16 for i in infos} == {0o100644}
    assert names[0].startswith("HoSo-CDHT-dong-tien-2025-v1/")


def test_export_records_the_package_and_a_new_version_after_unlock(built, ready_template, pki, tmp_path, p12_key):
    import shutil

    from app.storage.workspace import Workspace

    shutil.copytree(built.folder, tmp_path / "xa")
    ws = Workspace.open(tmp_path / "xa" / "cdht.sqlite3")
    try:
        first = latest_package(ws, YEAR)
        assert first.package_uuid == built.uuid and first.version == 1 and first.signing_method == "pkcs12"
        assert first.signer == "Ủy ban nhân dân xã Đồng Tiến"
        assert any(name.startswith("data/evidence/") for name in first.files)
        unlock(ws, YEAR, "Bổ sung minh chứng theo yêu cầu")
        with pytest.raises(InputError, match="chưa được chốt"):
            build_package(ws, YEAR, tmp_path / "khong.zip", p12_key)
        finalize(ws, YEAR)
        second = build_package(ws, YEAR, tmp_path / "v2.zip", p12_key)
        assert second.version == 2 and second.package_uuid == built.uuid
        assert [p.version for p in packages(ws, YEAR)] == [2, 1]
        report = verify_package(tmp_path / "v2.zip")
        assert report.ok and report.info["CDHT-Package-Version"] == "2"
        assert not list(tmp_path.glob(".*.tmp"))
    finally:
        ws.close()


def test_missing_evidence_file_stops_the_export_with_its_code(built, tmp_path, p12_key):
    import shutil

    from app.storage.workspace import Workspace

    shutil.copytree(built.folder, tmp_path / "xa")
    ws = Workspace.open(tmp_path / "xa" / "cdht.sqlite3")
    try:
        digest = ws.db.execute("SELECT sha256 FROM evidence WHERE code = 'H02.01'").fetchone()[0]
        (tmp_path / "xa" / "evidence" / digest[:2] / digest).unlink()
        with pytest.raises(InputError, match="minh chứng H02.01"):
            build_package(ws, YEAR, tmp_path / "goi.zip", p12_key)
        assert not (tmp_path / "goi.zip").exists()
    finally:
        ws.close()
