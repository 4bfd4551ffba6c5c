"""Narrative texts, the review meeting and readiness: stored, audited, validated, refused when locked."""

from __future__ import annotations

import pytest

from app.documents import document_readiness
from app.documents import texts as doc_texts
from app.domain import meeting as mt
from app.domain.records import EXPLANATION_FIELD
from app.errors import InputError, LockedError
from app.services import documents as docs
from app.services.indicators import set_values
from tests.documents.helpers import YEAR, fill_documents


def test_texts_are_saved_once_and_audited(workspace):
    changes = docs.set_document_texts(workspace, YEAR, {"situation": "  Xã có 12 thôn.  ", "date.to_trinh": "5/2/2026"})
    assert changes.documents
    texts = doc_texts.document_texts(workspace, YEAR)
    assert texts["situation"] == "Xã có 12 thôn." and texts["date.to_trinh"] == "2026-02-05"
    assert not docs.set_document_texts(workspace, YEAR, {"situation": "Xã có 12 thôn."}).any()
    entry = workspace.audit_entries(entity="document_text", limit=5)
    assert {(e.entity_key, e.new) for e in entry} == {("situation", "Xã có 12 thôn."), ("date.to_trinh", "2026-02-05")}
    docs.set_document_texts(workspace, YEAR, {"situation": ""})
    assert doc_texts.document_texts(workspace, YEAR)["situation"] == ""
    assert workspace.audit_entries(entity="document_text", limit=1)[0].action == "clear"
    with pytest.raises(InputError, match="Không có mục văn bản"):
        docs.set_document_texts(workspace, YEAR, {"lời chào": "x"})
    with pytest.raises(InputError, match="tháng 2/2026 không có ngày 31"):
        docs.set_document_texts(workspace, YEAR, {"date.bao_cao": "31/02/2026"})
    with pytest.raises(InputError, match="năm phải ghi đủ 4 chữ số"):
        docs.set_document_texts(workspace, YEAR, {"situation": "x", "plan.date": "20/1/26"})
    assert doc_texts.document_texts(workspace, YEAR)["situation"] == ""  # nothing half-applied
    docs.set_document_texts(workspace, YEAR, {"document_date": "2026-02-06"})  # older scripts: both dates
    texts = doc_texts.document_texts(workspace, YEAR)
    assert texts["date.to_trinh"] == texts["date.bao_cao"] == "2026-02-06"


@pytest.mark.parametrize(("typed", "stored", "printed"), [
    ("5", "05", "05/TTr-UBND"), ("05", "05", "05/TTr-UBND"), ("15/TTr-UBND", "15", "15/TTr-UBND"),
    ("Số: 15 / ttr-ubnd", "15", "15/TTr-UBND"), ("7/TTr-VHXH", "07/TTr-VHXH", "07/TTr-VHXH"), ("123", "123", "123/TTr-UBND"),
])
def test_document_numbers_take_a_leading_zero_and_never_a_doubled_code(workspace, typed, stored, printed):
    docs.set_document_texts(workspace, YEAR, {"number.to_trinh": typed})
    assert doc_texts.document_texts(workspace, YEAR)["number.to_trinh"] == stored
    assert doc_texts.number_reference(stored, "TTr-UBND") == printed


@pytest.mark.parametrize("typed", ["abc", "0", "15/", "-3", "15 16"])
def test_bad_document_numbers_are_refused_in_one_line(workspace, typed):
    with pytest.raises(InputError) as error:
        docs.set_document_texts(workspace, YEAR, {"number.bao_cao": typed})
    assert "Số Báo cáo" in error.value.message and "\n" not in error.value.message


def test_meeting_round_trip_and_validation(workspace):
    fill_documents(workspace)
    meeting = doc_texts.review_meeting(workspace, YEAR)
    assert meeting.chair_name == "Trịnh Thị Thu Huyền" and len(meeting.attendees) == 8
    assert meeting.attendees[1].organisation == "Ủy ban MTTQ Việt Nam xã" and meeting.level_agreed == 1
    absent = meeting.attendees[3]
    assert (absent.name, absent.present, absent.absence_reason, absent.role) == (
        "Vũ Văn Hùng", False, "đi công tác", "to_chuc_ctxh")
    assert not docs.save_review_meeting(workspace, YEAR, meeting).any()
    audit = workspace.audit_entries(entity="review_meeting", limit=5)
    assert len(audit) == 1 and audit[0].new["attendees"][0]["name"] == "Lê Thị Hằng"
    with pytest.raises(InputError, match="Người chủ trì không được để trống"):
        mt.meeting_from_json({"meeting_date": "20/01/2026"})
    with pytest.raises(InputError, match="Ngày họp xét"):
        mt.meeting_from_json({"meeting_date": "hôm qua", "chair_name": "A"})
    with pytest.raises(InputError, match="năm phải ghi đủ 4 chữ số"):
        mt.meeting_from_json({"meeting_date": "20/1/26", "chair_name": "A"})
    with pytest.raises(InputError, match="Họ tên người dự họp thứ 1"):
        mt.meeting_from_json({"meeting_date": "20/01/2026", "chair_name": "A", "attendees": [{"title": "x"}]})


def test_locked_year_refuses_changes(workspace):
    workspace.db.execute("UPDATE years SET locked_at = '2026-02-01T00:00:00+00:00' WHERE year = ?", [YEAR])
    with pytest.raises(LockedError):
        docs.set_document_texts(workspace, YEAR, {"situation": "x"})
    with pytest.raises(LockedError):
        docs.save_review_meeting(workspace, YEAR, mt.meeting_from_json({"meeting_date": "20/01/2026",
                                                                           "chair_name": "A"}))


def test_readiness_lists_what_blocks_the_dossier(workspace):
    problems = document_readiness(workspace, YEAR)
    assert any("Chưa ghi biên bản họp xét" in p for p in problems)
    assert any("Đặc điểm tình hình" in p for p in problems)
    assert "Tờ trình: chưa có số (…/TTr-UBND)." in problems and "Báo cáo: chưa có ngày ký." in problems
    fill_documents(workspace)
    problems = document_readiness(workspace, YEAR)
    assert len(problems) == 1 and "11 chỉ tiêu thiếu minh chứng" in problems[0]
    for indicator in workspace.checklist(YEAR).lacking_evidence():
        set_values(workspace, YEAR, indicator, {EXPLANATION_FIELD: "Minh chứng lưu tại bộ phận một cửa."})
    assert document_readiness(workspace, YEAR) == []
    docs.set_document_texts(workspace, YEAR, {"date.to_trinh": "19/01/2026"})
    assert document_readiness(workspace, YEAR) == [
        "Tờ trình: ngày ký 19/01/2026 trước ngày họp xét 20/01/2026, trong khi văn bản dẫn kết quả cuộc họp."]
    docs.set_document_texts(workspace, YEAR, {"date.to_trinh": "05/02/2026", "plan.number": ""})
    assert document_readiness(workspace, YEAR) == ["Phân công (kèm theo Kế hoạch của xã): chưa có số Kế hoạch."]
    docs.set_document_texts(workspace, YEAR, {"plan.number": "46"})
    meeting = doc_texts.review_meeting(workspace, YEAR)
    docs.save_review_meeting(workspace, YEAR, mt.meeting_from_json(
        {**meeting.to_json(), "attendees": [{"name": "Đỗ Thị Ánh", "title": "Bí thư",
                                             "organisation": "Đoàn Thanh niên xã"}]}))
    problems = document_readiness(workspace, YEAR)
    assert any("Hội Khuyến học" in p for p in problems) and any("MTTQ" in p for p in problems)
    assert any("Hội Nông dân xã" in p for p in problems) and not any("Đoàn TNCS" in p for p in problems)


def test_recipients_are_stored_per_year_cleaned_audited_and_limited(workspace):
    assert doc_texts.recipients(workspace, YEAR) == []
    changes = docs.set_recipients(workspace, YEAR, ["  - Sở Giáo dục và Đào tạo; ", "", "Lưu: VT, VHXH."])
    assert changes.documents
    assert doc_texts.recipients(workspace, YEAR) == ["Sở Giáo dục và Đào tạo", "Lưu: VT, VHXH"]
    assert doc_texts.document_texts(workspace, YEAR)["recipients"] == "Sở Giáo dục và Đào tạo\nLưu: VT, VHXH"
    assert workspace.audit_entries(entity="document_text", limit=1)[0].entity_key == "recipients"
    assert not docs.set_recipients(workspace, YEAR, ["Sở Giáo dục và Đào tạo", "Lưu: VT, VHXH"]).any()
    with pytest.raises(InputError, match="tối đa 30 dòng"):
        docs.set_recipients(workspace, YEAR, [f"Đơn vị {n}" for n in range(31)])
    with pytest.raises(InputError, match="dài quá 200 ký tự"):
        docs.set_recipients(workspace, YEAR, ["Đ" * 201])
    assert doc_texts.recipients(workspace, YEAR) == ["Sở Giáo dục và Đào tạo", "Lưu: VT, VHXH"]  # nothing half-applied
    docs.set_recipients(workspace, YEAR, [])
    assert doc_texts.recipients(workspace, YEAR) == []
    workspace.db.execute("UPDATE years SET locked_at = '2026-02-01T00:00:00+00:00' WHERE year = ?", [YEAR])
    with pytest.raises(LockedError):
        docs.set_recipients(workspace, YEAR, ["Sở Giáo dục và Đào tạo"])
