"""Each commune's signed result package imports into that commune's own app and shows the recognition with its
validity; forged, foreign or untrusted result packages are refused."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from app.errors import InputError
from app.recipient.results import UntrustedSignerError, build_result_packages, read_result_package
from app.services.recognitions import import_result
from app.storage.workspace import Workspace
from tests.recipient.conftest import YEAR

COMMUNE_DATABASES = {"Đồng Tiến": "dong-tien/cdht.sqlite3", "Quyết Thắng": "quyet-thang/xa/cdht.sqlite3",
                     "Sơn Cẩm": "son-cam/xa/cdht.sqlite3"}


@pytest.fixture(scope="module")
def results(decided, tmp_path_factory):
    folder = tmp_path_factory.mktemp("results")
    rws = decided.open(folder / "so")
    written = build_result_packages(rws, YEAR, folder / "ket-qua", decided.dossiers.pki.keys["sở"])
    rws.close()
    return {path.name: path for path in written}


def commune(decided, name: str, tmp_path: Path) -> Workspace:
    source = decided.dossiers.folder / "built" / COMMUNE_DATABASES[name]
    shutil.copytree(source.parent, tmp_path / "xa")
    return Workspace.open(tmp_path / "xa" / source.name)


def test_one_result_package_per_decided_commune(results):
    assert sorted(results) == ["KetQua-CDHT-dong-tien-2025.zip", "KetQua-CDHT-quyet-thang-2025.zip",
                               "KetQua-CDHT-son-cam-2025.zip"]


@pytest.mark.parametrize("name, level", [("Đồng Tiến", 1), ("Quyết Thắng", 2)])
def test_recognised_commune_imports_its_result_and_sees_the_validity(decided, results, tmp_path, name, level):
    ws = commune(decided, name, tmp_path)
    package = results[f"KetQua-CDHT-{'dong-tien' if level == 1 else 'quyet-thang'}-2025.zip"]
    imported, changes = import_result(ws, package, trust=[decided.dossiers.pki.ca_pem])
    assert imported.added and imported.level == level and changes.recognitions
    record = ws.recognitions()[-1]
    assert (record.level, record.decision_number, record.decision_date) == (level, "123/QĐ-SGDĐT", dt.date(2026, 3, 25))
    assert record.expires_on(ws.catalogue(YEAR).validity_months) == dt.date(2029, 3, 25) == imported.valid_until
    assert record.issuer == "Sở Giáo dục và Đào tạo" and record.assessment_year == YEAR
    assert "hiệu lực đến 25/03/2029" in imported.message()
    again, _ = import_result(ws, package, trust=[decided.dossiers.pki.ca_pem])
    assert not again.added and len(ws.recognitions()) == 1
    assert (ws.data_dir / "ket-qua" / package.name).read_bytes() == package.read_bytes()
    assert ws.get_setting(f"result.{YEAR}")["council_verdicts"]["5.1"]["level1" if level == 1 else "level2"][
        "status"] == "met"
    ws.close()


def test_refused_commune_gets_the_reasons_and_no_recognition(decided, results, tmp_path):
    ws = commune(decided, "Sơn Cẩm", tmp_path)
    imported, _ = import_result(ws, results["KetQua-CDHT-son-cam-2025.zip"], trust=[decided.dossiers.pki.ca_pem])
    assert not imported.recognised and ws.recognitions() == []
    assert imported.reasons == ("5.1: Danh sách công dân học tập chưa có xác nhận của các thôn",)
    assert "chưa đủ điều kiện công nhận (1 chỉ tiêu không đạt)" in imported.message()
    ws.close()


def test_a_result_for_another_commune_is_refused(decided, results, tmp_path):
    ws = commune(decided, "Đồng Tiến", tmp_path)
    with pytest.raises(InputError, match="là của xã Quyết Thắng .* không phải của xã Đồng Tiến"):
        import_result(ws, results["KetQua-CDHT-quyet-thang-2025.zip"], trust=[decided.dossiers.pki.ca_pem])
    assert ws.recognitions() == []
    ws.close()


def test_an_untrusted_signer_is_accepted_only_by_its_exact_fingerprint(decided, results, tmp_path):
    ws = commune(decided, "Đồng Tiến", tmp_path)
    package = results["KetQua-CDHT-dong-tien-2025.zip"]
    with pytest.raises(UntrustedSignerError) as refused:
        import_result(ws, package)
    assert refused.value.fingerprint == decided.dossiers.pki.fingerprints["sở"]
    with pytest.raises(UntrustedSignerError):
        import_result(ws, package, accept_fingerprint="ab" * 32)
    assert ws.recognitions() == []
    spaced = ":".join(refused.value.fingerprint[i:i + 2].upper() for i in range(0, 64, 2))
    imported, _ = import_result(ws, package, accept_fingerprint=spaced)
    assert imported.added
    ws.close()


def _rewrite(source: Path, target: Path, change) -> Path:
    with zipfile.ZipFile(source) as archive:
        files = {info.filename: archive.read(info) for info in archive.infolist()}
    change(files)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name, data in files.items():
            out.writestr(name, data)
    target.write_bytes(buffer.getvalue())
    return target


def test_forged_result_packages_are_refused(decided, results, tmp_path):
    source = results["KetQua-CDHT-son-cam-2025.zip"]
    roots = _roots(decided)

    def claim_level_two(files):
        name = next(n for n in files if n.endswith(".json"))
        files[name] = files[name].replace(b'"level": 0', b'"level": 2')

    with pytest.raises(InputError, match="đã bị thay đổi"):
        read_result_package(_rewrite(source, tmp_path / "a.zip", claim_level_two), roots)

    def escape(files):
        files["../ra-ngoai.txt"] = b"x"

    with pytest.raises(InputError, match="không an toàn"):
        read_result_package(_rewrite(source, tmp_path / "b.zip", escape), roots)
    (tmp_path / "c.zip").write_bytes(source.read_bytes()[:3000])
    with pytest.raises(InputError, match="không phải tệp ZIP hợp lệ"):
        read_result_package(tmp_path / "c.zip", roots)


def test_independent_tools_accept_the_result_package(decided, results, tmp_path):
    package = results["KetQua-CDHT-dong-tien-2025.zip"]
    with zipfile.ZipFile(package) as archive:
        archive.extractall(tmp_path)
    bag = tmp_path / "KetQua-CDHT-dong-tien-2025"
    openssl = subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in",
                              str(bag / "signatures/tagmanifest-sha256.txt.p7s"), "-content",
                              str(bag / "tagmanifest-sha256.txt"), "-CAfile", str(decided.dossiers.pki.ca_pem),
                              "-purpose", "any", "-out", "/dev/null"], capture_output=True, text=True)
    assert openssl.returncode == 0, openssl.stderr
    pdfsig = subprocess.run(["pdfsig", str(bag / "data/quyet-dinh-2025.pdf")], capture_output=True, text=True)
    assert "Signature is Valid" in pdfsig.stdout
    import bagit

    assert bagit.Bag(str(bag)).is_valid()


def _roots(decided):
    from app.dossier.sigcheck import load_trust_roots

    return load_trust_roots([decided.dossiers.pki.ca_pem])
