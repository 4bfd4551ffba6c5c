"""Ký ngoài: export the final PDFs, sign them elsewhere, import them back checked, and package them."""

from __future__ import annotations

import shutil

import pytest

from app.dossier.delivery import copy_package
from app.dossier.external import export_unsigned, import_signed, signed_status
from app.dossier.final_documents import final_documents
from app.dossier.package import build_package
from app.dossier.signing import Appearance, open_signer, sign_pdf
from app.dossier.verify import OK, VALID, verify_package
from app.errors import InputError
from app.services.workspace import Workspace
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
