"""Registering packages from a folder: genuine, superseding, tampered, late, foreign signer, impostor, unknown
commune, duplicates and things that are not packages — each with the right status, nothing stored twice.

The status is the signature policy's verdict (`cdht verify`), judged against the bundled national anchors plus the
recipient's CAs, with the register of communes as the verifier's register."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from app.errors import StorageError
from app.recipient import register as reg
from app.recipient.intake import DUPLICATE, NEW, SKIPPED, intake_paths, received_on
from app.recipient.store import stored_path
from app.recipient.verification import INVALID, UNBOUND, VALID, report_lines
from app.recipient.workspace import RecipientWorkspace
from app.storage.workspace import Workspace
from tests.recipient.conftest import LATE, ON_TIME, YEAR


def _by_commune(rows):
    return {row.commune: row for row in rows}


def _receive_both(rws, dossiers):
    first = intake_paths(rws, [dossiers.on_time], received_on(ON_TIME))
    second = intake_paths(rws, [dossiers.late], received_on(LATE))
    return first, second


def test_a_folder_of_many_communes_gets_the_right_status_each(rws, dossiers):
    first, second = _receive_both(rws, dossiers)
    outcomes = sorted((item.outcome, item.verdict, item.commune) for item in first.items + second.items)
    assert outcomes.count((NEW, VALID, "Đồng Tiến")) == 2  # version 1 and version 2
    assert (DUPLICATE, VALID, "Đồng Tiến") in outcomes  # the same v2 bytes in a deeper folder
    assert (NEW, UNBOUND, "Tân Cương") in outcomes  # signed with Đồng Tiến's certificate
    assert (NEW, INVALID, "Phúc Xuân") in outcomes  # an evidence file changed after signing
    assert (NEW, UNBOUND, "Linh Sơn") in outcomes  # self-signed certificate bearing the commune's name
    assert (NEW, VALID, "La Bằng") in outcomes  # genuine, but not a commune of the register: filed apart
    assert sum(1 for o in outcomes if o[0] == SKIPPED) == 2  # a text file and a photo archive
    rows = _by_commune(reg.register_rows(rws, YEAR))
    assert rows["Đồng Tiến"].status == reg.RECEIVED and rows["Đồng Tiến"].version == 2
    assert rows["Đồng Tiến"].versions == 2 and not rows["Đồng Tiến"].late
    assert rows["Quyết Thắng"].status == reg.RECEIVED and rows["Quyết Thắng"].level_requested == 2
    assert rows["Tân Cương"].status == reg.SIGNER_UNCONFIRMED
    assert rows["Linh Sơn"].status == reg.SIGNER_UNCONFIRMED
    assert rows["Phúc Xuân"].status == reg.INVALID_PACKAGE
    assert rows["Sơn Cẩm"].status == reg.RECEIVED and rows["Sơn Cẩm"].late
    assert set(rows) == {"Đồng Tiến", "Quyết Thắng", "Tân Cương", "Phúc Xuân", "Sơn Cẩm", "Linh Sơn"}
    unknown = reg.packages(rws, unknown_only=True)
    assert [p.commune for p in unknown] == ["La Bằng"]
    assert "không có trong danh sách xã" in unknown[0].summary


def test_reasons_name_what_is_wrong(rws, dossiers):
    _receive_both(rws, dossiers)
    summaries = {p.commune: p.summary for p in reg.packages(rws)}
    assert "chứng thư không ghi tên xã Tân Cương, Thái Nguyên" in summaries["Tân Cương"]
    assert "KHÔNG được xác nhận là UBND xã Tân Cương" in summaries["Tân Cương"]
    assert "chứng thư tự ký, không do tổ chức chứng thực tin cậy nào cấp" in summaries["Linh Sơn"]
    assert summaries["Phúc Xuân"].startswith("GÓI HỒ SƠ KHÔNG HỢP LỆ: ")
    assert "Chữ ký tệp kê khai" in summaries["Phúc Xuân"] or "thay đổi" in summaries["Phúc Xuân"]


def test_superseded_version_stays_on_record_and_content_is_stored_once(rws, dossiers):
    _receive_both(rws, dossiers)
    dong_tien = [p for p in reg.packages(rws) if p.commune == "Đồng Tiến"]
    assert sorted(p.version for p in dong_tien) == [1, 2]
    for package in dong_tien:
        assert stored_path(rws, package.sha256).is_file()
    stored = list(rws.store_dir.rglob("*.zip"))
    assert len(stored) == len(reg.packages(rws))  # the duplicate copy was not stored again
    v2 = next(p for p in dong_tien if p.version == 2)
    receipts = reg.receipts(rws, v2.id)
    assert [r["duplicate"] for r in receipts] == [False, True]


def test_receiving_the_same_folder_again_adds_nothing(rws, dossiers):
    _receive_both(rws, dossiers)
    count = len(reg.packages(rws))
    again = intake_paths(rws, [dossiers.on_time])
    assert again.count(NEW) == 0 and again.count(DUPLICATE) == 8
    assert len(reg.packages(rws)) == count
    assert "8 gói trùng" in again.summary()


def test_an_older_version_arriving_later_does_not_supersede(rws, dossiers, tmp_path):
    folder_v2, folder_v1 = tmp_path / "a", tmp_path / "b"
    folder_v2.mkdir()
    folder_v1.mkdir()
    shutil.copy(dossiers.packages["dong_tien_v2"], folder_v2)
    shutil.copy(dossiers.packages["dong_tien_v1"], folder_v1)
    intake_paths(rws, [folder_v2], received_on(ON_TIME))
    intake_paths(rws, [folder_v1], received_on(ON_TIME))
    row = _by_commune(reg.register_rows(rws, YEAR))["Đồng Tiến"]
    assert row.version == 2 and row.versions == 2


def test_a_foreign_signer_never_supersedes_the_communes_own_package(rws, dossiers, tmp_path):
    """Another commune re-signs a 'newer' dossier in Đồng Tiến's name: it is kept, not made current."""
    folder = tmp_path / "usb"
    folder.mkdir()
    shutil.copy(dossiers.packages["dong_tien_v1"], folder / "goc.zip")
    intake_paths(rws, [folder], received_on(ON_TIME))
    from tests.recipient.factory import make_package

    forged = make_package(tmp_path / "forger", "Đồng Tiến", dossiers.pki.commune_key("Quyết Thắng"), seed=9)
    shutil.copy(forged, folder / "HoSo-CDHT-moi.zip")
    intake_paths(rws, [folder], received_on(ON_TIME))
    row = _by_commune(reg.register_rows(rws, YEAR))["Đồng Tiến"]
    current = reg.package(rws, row.package_id)
    assert row.status == reg.RECEIVED and current.verdict == VALID
    assert current.signer_fingerprint == dossiers.pki.fingerprints["Đồng Tiến"]
    assert row.versions == 2


@pytest.fixture(scope="module")
def personal(dossiers, tmp_path_factory) -> tuple[Path, str]:
    """Sơn Cẩm's dossier signed with its chairman's personal certificate (CA-issued, naming no commune), on a
    'USB drive' of its own; and that certificate's fingerprint."""
    from tests.recipient.factory import make_package

    folder = tmp_path_factory.mktemp("ca-nhan")
    key = dossiers.pki.issue("chủ tịch Sơn Cẩm", "Nguyễn Văn An", province=None)
    package = make_package(folder / "xa", "Sơn Cẩm", key, seed=11)
    (folder / "usb").mkdir()
    shutil.copy(package, folder / "usb" / "HoSo-CDHT-son-cam-2025-v1.zip")
    return folder / "usb", dossiers.pki.fingerprints["chủ tịch Sơn Cẩm"]


def test_the_register_binds_a_listed_certificate_that_names_no_commune(rws, personal):
    """The register of communes is the verifier's register: a fingerprint listed for the commune binds."""
    from app.recipient.communes import add_commune
    from app.recipient.intake import recheck

    usb, fingerprint = personal
    first = intake_paths(rws, [usb], received_on(ON_TIME))
    assert [(i.outcome, i.verdict) for i in first.items] == [(NEW, UNBOUND)]
    assert "chứng thư không ghi tên xã Sơn Cẩm, Thái Nguyên" in first.items[0].message
    add_commune(rws, "Sơn Cẩm", "Thái Nguyên", fingerprints=[fingerprint])
    assert recheck(rws, first.items[0].package_id).status == VALID
    package = reg.package(rws, first.items[0].package_id)
    assert package.signer_fingerprint == fingerprint and package.signer == "Nguyễn Văn An"
    assert "✔ Người ký là xã: UBND xã Sơn Cẩm (Thái Nguyên): dấu vân tay chứng thư có trong sổ đăng ký xã" in \
        "\n".join(report_lines(reg.package_record(rws, package.id)["report"]))


def test_confirming_a_signer_needs_its_exact_fingerprint(rws, personal):
    from app.errors import InputError
    from app.recipient.intake import confirm_signer

    usb, fingerprint = personal
    intake_paths(rws, [usb], received_on(LATE))
    row = _by_commune(reg.register_rows(rws, YEAR))["Sơn Cẩm"]
    assert row.status == reg.SIGNER_UNCONFIRMED
    with pytest.raises(InputError, match="không khớp"):
        confirm_signer(rws, row.package_id, "11" * 32)
    verdict = confirm_signer(rws, row.package_id, fingerprint)
    assert verdict.status == VALID
    row = _by_commune(reg.register_rows(rws, YEAR))["Sơn Cẩm"]
    assert row.status == reg.RECEIVED and row.late
    actions = [e.action for e in rws.audit_entries(limit=10)]
    assert "recheck" in actions


def test_without_trust_anchors_nothing_is_valid(tmp_path, dossiers):
    """Only the bundled national anchors: a package under the test CA is intact but its signer is not trusted."""
    rws = RecipientWorkspace.open(tmp_path / "so.sqlite3")
    from app.recipient.communes import add_commune
    from app.recipient.workspace import Agency

    rws.save_agency(Agency("Sở Giáo dục và Đào tạo", "Thái Nguyên"))
    add_commune(rws, "Sơn Cẩm", "Thái Nguyên")
    report = intake_paths(rws, [dossiers.late], received_on(LATE))
    assert [(i.outcome, i.verdict) for i in report.items] == [(NEW, UNBOUND)]
    assert "không chuỗi về tổ chức chứng thực tin cậy" in report.items[0].message
    rws.close()


def test_a_half_written_copy_is_never_registered(rws, dossiers, monkeypatch, tmp_path):
    """A failure while copying leaves no row and no stored file (and no temporary file either)."""
    from app.recipient import store

    folder = tmp_path / "usb"
    folder.mkdir()
    shutil.copy(dossiers.packages["quyet_thang"], folder / "HoSo-CDHT-quyet-thang-2025-v1.zip")
    real_stage = store.stage

    def failing(rws_, source, size, on_bytes=None):
        def broken(count):
            raise OSError(28, "No space left on device")
        return real_stage(rws_, source, size, broken)

    monkeypatch.setattr(store, "stage", failing)
    report = intake_paths(rws, [folder], received_on(ON_TIME))
    assert report.items[0].outcome == "failed"
    assert "đầy" in report.items[0].message
    assert reg.packages(rws) == []
    assert [p for p in rws.store_dir.rglob("*") if p.is_file()] == []


def test_a_truncated_package_is_registered_as_invalid(rws, dossiers, tmp_path):
    folder = tmp_path / "usb"
    folder.mkdir()
    data = dossiers.packages["quyet_thang"].read_bytes()
    (folder / "HoSo-CDHT-quyet-thang-2025-v1.zip").write_bytes(data[: len(data) // 2])
    report = intake_paths(rws, [folder], received_on(ON_TIME))
    assert [(i.outcome, i.verdict) for i in report.items] == [(NEW, INVALID)]
    assert _by_commune(reg.register_rows(rws, YEAR))["Quyết Thắng"].status == reg.NOT_RECEIVED
    assert reg.packages(rws)[0].commune == ""


def test_registers_and_commune_databases_are_never_mixed_up(tmp_path, rws):
    commune = Workspace.open(tmp_path / "xa.sqlite3")
    commune.close()
    with pytest.raises(StorageError, match="cơ sở dữ liệu của xã, không phải cơ sở dữ liệu của cơ quan tiếp nhận"):
        RecipientWorkspace.open(tmp_path / "xa.sqlite3")
    with pytest.raises(StorageError, match="cơ quan tiếp nhận hồ sơ, không phải cơ sở dữ liệu của xã"):
        Workspace.open(rws.path)
    assert sqlite3.connect(rws.path).execute("PRAGMA application_id").fetchone()[0] == 0x43445452


def test_intake_never_walks_into_its_own_store(rws, dossiers):
    intake_paths(rws, [dossiers.late], received_on(LATE))
    again = intake_paths(rws, [rws.data_dir.parent], received_on(LATE))
    assert all(rws.data_dir not in Path(i.source).parents for i in again.items)


def test_figures_named_for_another_commune_are_refused(rws, dossiers, tmp_path):
    """Đồng Tiến signs, with its own certificate, a package whose figures speak of Quyết Thắng: the register would
    file another commune's figures under Đồng Tiến, so the verifier refuses it."""
    import json

    from tests.dossier.forge import entries as package_entries
    from tests.dossier.forge import resign_manifest, restamp, write_zip

    root, files = package_entries(dossiers.packages["dong_tien_v1"])
    name = f"{root}/data/du-lieu-{YEAR}.json"
    document = json.loads(files[name])
    document["commune"]["name"] = "Quyết Thắng"
    files[name] = json.dumps(document, ensure_ascii=False).encode()
    restamp(root, files)
    resign_manifest(root, files, dossiers.pki.commune_key("Đồng Tiến"))
    usb = tmp_path / "usb"
    usb.mkdir()
    write_zip(files, usb / "HoSo-CDHT-dong-tien-2025-v1.zip")
    report = intake_paths(rws, [usb], received_on(ON_TIME))
    assert [(i.outcome, i.verdict, i.commune) for i in report.items] == [(NEW, INVALID, "Đồng Tiến")]
    assert "tệp dữ liệu ghi xã Quyết Thắng (Thái Nguyên), còn bag-info.txt ghi xã Đồng Tiến" in report.items[0].message


def test_a_failure_after_the_row_is_written_registers_nothing(rws, dossiers, monkeypatch, tmp_path):
    """The package row and its receipt (written through sqlite-utils) and the audit entry are one transaction."""
    folder = tmp_path / "usb"
    folder.mkdir()
    shutil.copy(dossiers.packages["quyet_thang"], folder / "HoSo-CDHT-quyet-thang-2025-v1.zip")

    def failing_audit(*_args, **_kwargs):
        raise StorageError("Ổ đĩa đầy khi ghi nhật ký thay đổi.")

    monkeypatch.setattr(RecipientWorkspace, "audit", failing_audit)
    report = intake_paths(rws, [folder], received_on(ON_TIME))
    assert [(i.outcome, i.message) for i in report.items] == [("failed", "Ổ đĩa đầy khi ghi nhật ký thay đổi.")]
    assert reg.packages(rws) == []
    assert rws.db.execute("SELECT count(*) FROM receipts").fetchone()[0] == 0
