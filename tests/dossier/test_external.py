"""Ký ngoài: export the final PDFs, sign them elsewhere, import them back checked, and package them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.dossier.delivery import copy_package
from app.dossier.external import export_unsigned, import_signed, signed_status
from app.dossier.final_documents import final_documents
from app.dossier.package import build_package
from app.dossier.signing import Appearance, open_signer, sign_pdf
from app.dossier.verify import OK, VALID, verify_package
from app.errors import InputError
from app.storage.workspace import Workspace
from tests.dossier.conftest import YEAR, small_pdf


@pytest.fixture
def ws(built, tmp_path):
    shutil.copytree(built.folder, tmp_path / "xa")
    workspace = Workspace.open(tmp_path / "xa" / "cdht.sqlite3")
    yield workspace
    workspace.close()


def test_external_signing_round_trip(ws, tmp_path, token_key, pki):
    exported = export_unsigned(ws, YEAR, tmp_path / "de-ky")
    assert len(exported) >= 5
    with pytest.raises(InputError, match="Chưa nhập bản đã ký ngoài"):
        build_package(ws, YEAR, tmp_path / "goi.zip", None)
    signed_folder = tmp_path / "da-ky"
    signed_folder.mkdir()
    with open_signer(token_key) as signer:  # stands in for the CA's own signing tool
        for pdf in exported:
            sign_pdf(signer, pdf, signed_folder / f"{pdf.stem}_signed.pdf", Appearance("UBND XÃ ĐỒNG TIẾN"))
    (signed_folder / "la.pdf").write_bytes(small_pdf("khong lien quan"))
    results = import_signed(ws, YEAR, sorted(signed_folder.iterdir()))
    accepted = [r for r in results if r.accepted]
    assert len(accepted) == len(exported)
    assert all(r.message.startswith("Hợp lệ: ký bởi Ủy ban nhân dân xã Đồng Tiến") for r in accepted)
    stray = next(r for r in results if r.file == "la.pdf")
    assert not stray.accepted and "Không khớp" in stray.message
    final = final_documents(ws, YEAR)
    assert all(value is not None for value in signed_status(ws, YEAR, final).values())

    record = build_package(ws, YEAR, tmp_path / "goi.zip", None)
    assert record.signing_method == "external"
    report = verify_package(tmp_path / "goi.zip", trust=[pki.ca_pem])
    statuses = {c.title: c.status for c in report.checks}
    assert report.verdict == VALID, report.summary()
    assert "Chữ ký tệp kê khai (CAdES)" not in statuses and statuses["Phạm vi chữ ký"] == OK
    assert statuses["Chữ ký data/documents/to_trinh_2025.pdf"] == OK

    usb = tmp_path / "usb"
    delivered = copy_package(tmp_path / "goi.zip", usb)
    assert delivered.message.endswith("Có thể rút ổ USB ra.")
    assert [p.name for p in usb.iterdir()] == ["goi.zip"]


def test_unsigned_changed_or_broken_files_are_refused(ws, tmp_path, p12_key):
    exported = export_unsigned(ws, YEAR, tmp_path / "de-ky")
    first = exported[0]
    unsigned_copy = tmp_path / first.name
    shutil.copy(first, unsigned_copy)
    other = tmp_path / "khac" / first.name
    other.parent.mkdir()
    other.write_bytes(small_pdf("Van ban khac hoan toan"))
    with open_signer(p12_key) as signer:
        sign_pdf(signer, other, tmp_path / "khac" / f"{first.stem}-ky.pdf", Appearance("UBND"))
        sign_pdf(signer, first, tmp_path / "hong.pdf", Appearance("UBND"))
    broken = bytearray((tmp_path / "hong.pdf").read_bytes())
    broken[broken.index(b"/Producer") + 12] ^= 1
    (tmp_path / "hong" / first.name).parent.mkdir()
    (tmp_path / "hong" / first.name).write_bytes(bytes(broken))
    results = import_signed(ws, YEAR, [unsigned_copy, tmp_path / "khac" / f"{first.stem}-ky.pdf",
                                       tmp_path / "hong" / first.name])
    assert [r.accepted for r in results] == [False, False, False]
    assert results[0].message == "Tệp chưa có chữ ký số."
    assert "khác với văn bản đã xuất" in results[1].message
    assert "Chữ ký không hợp lệ" in results[2].message


def test_the_danh_muc_carries_the_package_manifest_and_exporting_again_gives_the_same_file(ws, tmp_path, p12_key):
    from app.dossier import embedded

    first = {p.name: p.read_bytes() for p in export_unsigned(ws, YEAR, tmp_path / "lan-1")}
    second = {p.name: p.read_bytes() for p in export_unsigned(ws, YEAR, tmp_path / "lan-2")}
    assert first == second
    final = final_documents(ws, YEAR)
    carrier = tmp_path / "lan-1" / "danh_muc_minh_chung_2025.pdf"
    original = next(p for p in final.pdfs if p.name == carrier.name).read_bytes()
    assert carrier.read_bytes().startswith(original) and carrier.read_bytes() != original
    manifest = embedded.parse(embedded.attachment_of(carrier))
    assert manifest.carrier == "data/documents/danh_muc_minh_chung_2025.pdf" and manifest.year == YEAR
    assert "data/du-lieu-2025.json" in manifest.files and "data/evidence/H01.01.pdf" in manifest.files
    assert set(manifest.documents) == {f"data/documents/{p.name}" for p in final.pdfs} - {manifest.carrier}
    pdftotext = subprocess.run(["pdfdetach", "-list", str(carrier)], capture_output=True, text=True).stdout
    assert embedded.ATTACHMENT in pdftotext  # any PDF reader shows the attachment

    # the official signs the document as the app rendered it, without the manifest: refused on import
    with open_signer(p12_key) as signer:
        sign_pdf(signer, next(p for p in final.pdfs if p.name == carrier.name), tmp_path / carrier.name,
                 Appearance("UBND"))
    result = import_signed(ws, YEAR, [tmp_path / carrier.name])[0]
    assert not result.accepted and "khác với văn bản đã xuất" in result.message


def test_standard_tools_accept_an_externally_signed_package(ws, tmp_path, p12_key, pki):
    exported = export_unsigned(ws, YEAR, tmp_path / "de-ky")
    (tmp_path / "da-ky").mkdir()
    with open_signer(p12_key) as signer:
        for pdf in exported:
            sign_pdf(signer, pdf, tmp_path / "da-ky" / pdf.name, Appearance("UBND XÃ ĐỒNG TIẾN"))
    assert all(r.accepted for r in import_signed(ws, YEAR, sorted((tmp_path / "da-ky").iterdir())))
    build_package(ws, YEAR, tmp_path / "goi.zip", None)
    subprocess.run(["unzip", "-q", str(tmp_path / "goi.zip"), "-d", str(tmp_path / "mo")], check=True)
    bag_dir = next((tmp_path / "mo").iterdir())
    bagit = Path(sys.executable).with_name("bagit.py")
    done = subprocess.run([sys.executable, str(bagit), "--validate", str(bag_dir)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for pdf in sorted((bag_dir / "data" / "documents").glob("*.pdf")):
        assert "Signature is Valid" in subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True).stdout
