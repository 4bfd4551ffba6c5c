"""Workspace services: NFC at the boundary, the audit log, years and copy-forward, assignments, recognitions."""

from __future__ import annotations

import datetime as dt
import sqlite3
import unicodedata

import pytest

from app.domain.records import Profile, add_months
from app.errors import InputError, LockedError, NotFoundError
from app.services.assignments import set_assignment
from app.services.indicators import set_values
from app.services.profile import save_profile
from app.services.recognitions import add_recognition
from app.services.years import add_year


def test_text_is_stored_in_nfc(workspace):
    nfd = unicodedata.normalize("NFD", "Hội Khuyến học xã")
    set_values(workspace, 2025, "1.1", {"met": True, "description": nfd})
    stored = workspace.values(2025)["1.1"]["description"]
    assert stored == unicodedata.normalize("NFC", "Hội Khuyến học xã")
    set_assignment(workspace, 2025, "1.1", lead_unit=unicodedata.normalize("NFD", "Phòng Văn hóa – Xã hội"))
    assert unicodedata.is_normalized("NFC", workspace.assignments(2025)[0].lead_unit)


def test_every_change_is_audited_with_old_and_new(workspace):
    set_values(workspace, 2025, "5.1", {"achieved": 100, "total": 200})
    set_values(workspace, 2025, "5.1", {"achieved": 150})
    entries = workspace.audit_entries(entity="indicator_value", key_prefix="5.1/", year=2025)
    assert [(e.entity_key, e.old, e.new) for e in entries][:3] == [
        ("5.1/achieved", 100, 150), ("5.1/total", None, 200), ("5.1/achieved", None, 100)]
    assert all(e.user == "cán bộ VHXH" for e in entries)
    unchanged = set_values(workspace, 2025, "5.1", {"achieved": 150})
    assert not unchanged.any()
    assert len(workspace.audit_entries(entity="indicator_value", key_prefix="5.1/")) == 3


def test_audit_log_is_append_only(workspace):
    set_values(workspace, 2025, "1.1", {"met": True})
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        workspace.db.execute("DELETE FROM audit_log")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        workspace.db.execute("UPDATE audit_log SET user = 'x'")


def test_invalid_values_are_refused_and_nothing_is_written(workspace):
    set_values(workspace, 2025, "5.1", {"achieved": 100, "total": 200})
    with pytest.raises(InputError, match="lớn hơn tổng số"):
        set_values(workspace, 2025, "5.1", {"achieved": 250})
    with pytest.raises(InputError, match="không được âm"):
        set_values(workspace, 2025, "5.2", {"trained": 10, "total": -1})
    assert workspace.values(2025)["5.1"] == {"achieved": 100, "total": 200}
    assert "5.2" not in workspace.values(2025)
    with pytest.raises(NotFoundError):
        set_values(workspace, 2025, "9.9", {"met": True})


def test_copy_forward_carries_values_and_assignments(workspace):
    set_values(workspace, 2025, "2.3", {"met": True, "description": "Quy chế phối hợp 2024–2026"})
    set_assignment(workspace, 2025, "2.3", "Phòng Văn hóa – Xã hội", ["Hội Khuyến học", "Trường học"],
                             due_date="30/11/2025", status="done")
    add_year(workspace, 2026, copy_from=2025)
    assert workspace.values(2026)["2.3"] == workspace.values(2025)["2.3"]
    copied = workspace.assignments(2026)[0]
    assert copied.lead_unit == "Phòng Văn hóa – Xã hội"
    assert copied.coordinating_units == ("Hội Khuyến học", "Trường học")
    assert copied.due_date == dt.date(2026, 11, 30)
    assert copied.status == "todo"
    assert workspace.year(2026).copied_from == 2025
    with pytest.raises(InputError, match="đã có"):
        add_year(workspace, 2026)


def test_assignments_overdue(workspace):
    set_assignment(workspace, 2025, "5.1", "Hội Khuyến học", [], due_date=dt.date(2025, 10, 1))
    set_assignment(workspace, 2025, "1.1", "Trung tâm Dịch vụ sự nghiệp công", [], due_date=dt.date(2025, 10, 1),
                             status="done")
    today = dt.date(2025, 10, 2)
    overdue = [a.indicator_id for a in workspace.assignments(2025) if a.overdue(today)]
    assert overdue == ["5.1"]
    with pytest.raises(InputError):
        set_assignment(workspace, 2025, "5.1", status="xong")


def test_recognition_expiry_and_upgrade_dates(workspace):
    add_recognition(workspace, 1, "125/QĐ-PGDĐT", "15/03/2024", "Phòng GDĐT huyện", 2023)
    record = workspace.recognitions()[0]
    assert record.expires_on() == dt.date(2027, 3, 15)
    assert record.upgrade_possible_from() == dt.date(2025, 3, 15)
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    with pytest.raises(InputError):
        add_recognition(workspace, 3, "1/QĐ", "01/01/2024")


def test_locked_year_refuses_changes(workspace):
    workspace.db.execute("UPDATE years SET locked_at = '2026-02-01T00:00:00+00:00' WHERE year = 2025")
    with pytest.raises(LockedError, match="đã được chốt"):
        set_values(workspace, 2025, "1.1", {"met": True})


def test_profile_requires_names_and_defaults_recipient(workspace):
    assert workspace.profile().recipient_authority == "Sở Giáo dục và Đào tạo"
    assert workspace.profile().issuing_body == "ỦY BAN NHÂN DÂN XÃ ĐỒNG TIẾN"
    with pytest.raises(InputError, match="Tên xã"):
        save_profile(workspace, Profile("  ", "Thái Nguyên"))
    assert workspace.profile().commune_name == "Đồng Tiến"


def test_deadline_defaults_to_28_february_and_is_configurable(workspace):
    assert workspace.submission_deadline(2025) == dt.date(2026, 2, 28)
    workspace.write_setting("deadline.2025", "2026-02-10")
    assert workspace.submission_deadline(2025) == dt.date(2026, 2, 10)

