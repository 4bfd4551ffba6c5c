"""Chốt hồ sơ: the pre-flight list, locking, unlocking with a reason, and package versions."""

from __future__ import annotations

import pytest

from app.domain.records import Profile
from app.dossier.finalize import finalize, preflight, unlock
from app.dossier.records import package_uuid
from app.errors import InputError, LockedError
from app.services.indicators import set_values
from app.services.profile import save_profile
from app.services.years import add_year
from app.storage.workspace import Workspace
from tests.dossier.conftest import YEAR


@pytest.fixture
def blank_ws(tmp_path):
    ws = Workspace.open(tmp_path / "blank" / "cdht.sqlite3", user="cán bộ")
    save_profile(ws, Profile("Đồng Tiến", "Thái Nguyên"))
    add_year(ws, YEAR)
    set_values(ws, YEAR, "1.1", {"met": True})
    yield ws
    ws.close()


def test_preflight_names_what_is_missing(blank_ws):
    items = {item.label: item for item in preflight(blank_ws, YEAR)}
    assessed = items["Đã đánh giá đủ các chỉ tiêu"]
    assert not assessed.ok
    assert len(assessed.problems) == 14  # 1.1 is entered, the other 14 indicators are not
    assert assessed.problems[0].startswith("Chỉ tiêu 1.2:")
    evidence = items["Mỗi chỉ tiêu có minh chứng hoặc giải trình"]
    assert "Chỉ tiêu 1.1 chưa có minh chứng hoặc giải trình" in evidence.problems
    documents = items["Nội dung báo cáo, biên bản họp xét, người ký"]
    assert any("biên bản họp xét" in p for p in documents.problems)
    assert any("họ tên người ký" in p for p in documents.problems)


def test_finalize_is_refused_with_reasons_and_changes_nothing(blank_ws):
    with pytest.raises(InputError, match="Chưa thể chốt hồ sơ năm 2025.*Chỉ tiêu 1.2"):
        finalize(blank_ws, YEAR)
    assert blank_ws.year(YEAR).locked_at is None
    assert blank_ws.year(YEAR).package_version == 0


def test_finalize_locks_unlock_needs_reason_and_next_lock_is_a_new_version(ready_ws):
    assert all(item.ok for item in preflight(ready_ws, YEAR))
    finalize(ready_ws, YEAR)
    info = ready_ws.year(YEAR)
    assert info.locked and info.package_version == 1
    uuid = package_uuid(ready_ws, YEAR)
    with pytest.raises(LockedError):
        set_values(ready_ws, YEAR, "1.1", {"met": False})
    with pytest.raises(InputError, match="lý do"):
        unlock(ready_ws, YEAR, "  ")
    unlock(ready_ws, YEAR, "Sửa số liệu chỉ tiêu 5.1 theo ý kiến của Phòng GDĐT")
    assert not ready_ws.year(YEAR).locked
    entry = ready_ws.audit_entries(entity="year", year=YEAR, limit=1)[0]
    assert entry.action == "unlock" and entry.new["reason"].startswith("Sửa số liệu chỉ tiêu 5.1")
    set_values(ready_ws, YEAR, "5.1", {"achieved": 9000})
    finalize(ready_ws, YEAR)
    assert ready_ws.year(YEAR).package_version == 2
    assert package_uuid(ready_ws, YEAR) == uuid
    actions = [e.action for e in ready_ws.audit_entries(entity="year", year=YEAR)]
    assert actions[:3] == ["finalize", "unlock", "finalize"]


def test_finalizing_twice_or_unlocking_an_open_year_is_refused(ready_ws):
    finalize(ready_ws, YEAR)
    with pytest.raises(InputError, match="đã được chốt"):
        finalize(ready_ws, YEAR)
    unlock(ready_ws, YEAR, "lý do đầy đủ")
    with pytest.raises(InputError, match="chưa được chốt"):
        unlock(ready_ws, YEAR, "lý do đầy đủ")


def test_finalize_requires_the_number_and_date_of_every_issued_document(ready_ws):
    from app.services.documents import set_document_texts

    set_document_texts(ready_ws, YEAR, {"number.to_trinh": "", "date.bao_cao": "", "number.bien_ban": ""})
    item = next(i for i in preflight(ready_ws, YEAR) if i.label == "Số và ngày của văn bản ban hành")
    assert item.problems == ("Tờ trình: chưa có số (…/TTr-UBND).", "Báo cáo: chưa có ngày ký.",
                             "Biên bản: chưa có số (…/BB-UBND).")
    with pytest.raises(InputError, match=r"còn 3 việc chưa xong — Số và ngày của văn bản ban hành \(3\)"):
        finalize(ready_ws, YEAR)
    assert not ready_ws.year(YEAR).locked


def test_no_signed_document_in_the_package_has_a_blank_number_or_date(built, tmp_path):
    import re
    import subprocess
    import zipfile

    with zipfile.ZipFile(built.package) as package:
        names = [n for n in package.namelist() if n.endswith(".pdf") and "/documents/" in n]
        package.extractall(tmp_path, names)
    texts = {}
    for name in names:
        raw = subprocess.run(["pdftotext", "-raw", str(tmp_path / name), "-"], capture_output=True, text=True,
                             check=True).stdout
        texts[name.rsplit("/", 1)[-1].split("_")[0]] = re.sub(r"\s+", " ", raw.replace("\u00a0", " "))
    assert {"to", "bao", "bien", "tong", "danh"} <= set(texts)
    assert "Số: 12/TTr-UBND" in texts["to"] and "ngày 20 tháng 01 năm 2026" in texts["to"]
    assert "Số: 11/BC-UBND" in texts["bao"] and "ngày 20 tháng 01 năm 2026" in texts["bao"]
    assert "Số: 03/BB-UBND" in texts["bien"] and "ngày 15 tháng 01 năm 2026" in texts["bien"]
    for key in ("tong", "danh"):
        assert "Kèm theo Tờ trình số 12/TTr-UBND ngày 20/01/2026" in texts[key]
    for key, text in texts.items():
        assert not re.search(r"Số: ?/", text) and not re.search(r"ngày +tháng", text), key
