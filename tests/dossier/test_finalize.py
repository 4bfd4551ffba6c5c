"""Chốt hồ sơ: the pre-flight list, locking, unlocking with a reason, and package versions."""

from __future__ import annotations

import pytest

from app.dossier.finalize import finalize, preflight, unlock
from app.dossier.records import package_uuid
from app.errors import InputError, LockedError
from app.services.workspace import Profile, Workspace
from tests.dossier.conftest import YEAR


@pytest.fixture
def blank_ws(tmp_path):
    ws = Workspace.open(tmp_path / "blank" / "cdht.sqlite3", user="cán bộ")
    ws.save_profile(Profile("Đồng Tiến", "Thái Nguyên"))
    ws.add_year(YEAR)
    ws.set_value(YEAR, "1.1", "met", True)
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
        ready_ws.set_value(YEAR, "1.1", "met", False)
    with pytest.raises(InputError, match="lý do"):
        unlock(ready_ws, YEAR, "  ")
    unlock(ready_ws, YEAR, "Sửa số liệu chỉ tiêu 5.1 theo ý kiến của Phòng GDĐT")
    assert not ready_ws.year(YEAR).locked
    entry = ready_ws.audit_entries(entity="year", year=YEAR, limit=1)[0]
    assert entry.action == "unlock" and entry.new["reason"].startswith("Sửa số liệu chỉ tiêu 5.1")
    ready_ws.set_value(YEAR, "5.1", "achieved", 9000)
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
