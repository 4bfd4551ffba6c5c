"""The review meeting under TT 25/2023 Điều 9 khoản 1 điểm c: attendees with named fields and roles, absences
with a reason, the commune's organisation list, older hop.json files, and the composition check."""

from __future__ import annotations

import json

import pytest

from app.cli import main
from app.documents import texts as doc_texts
from app.domain import meeting as mt
from app.errors import InputError
from app.services import documents as docs
from tests.documents.helpers import ATTENDEES, MEETING, YEAR


def meeting(**changes) -> mt.ReviewMeeting:
    return mt.meeting_from_json({**MEETING, **changes})


def test_a_complete_composition_passes():
    assert mt.composition_problems(meeting(), mt.DEFAULT_ORGANISATIONS) == []


@pytest.mark.parametrize(("chair_title", "problem"), [
    ("", "Chưa ghi chức vụ người chủ trì"), ("Chủ tịch Hội Khuyến học", "phải là lãnh đạo UBND xã"),
    ("Công chức Văn hóa - Xã hội", "phải là lãnh đạo UBND xã"),
])
def test_a_ubnd_leader_chairs(chair_title, problem):
    problems = mt.composition_problems(meeting(chair_title=chair_title), mt.DEFAULT_ORGANISATIONS)
    assert len(problems) == 1 and problem in problems[0]


@pytest.mark.parametrize("title", ["Chủ tịch UBND xã", "Phó Chủ tịch", "Phó Chủ tịch Ủy ban nhân dân xã", "chủ tịch"])
def test_chair_titles_of_a_ubnd_leader(title):
    assert mt.composition_problems(meeting(chair_title=title), mt.DEFAULT_ORGANISATIONS) == []


def test_each_organisation_is_present_or_absent_with_a_reason():
    without = [a for a in ATTENDEES if not a["organisation"].startswith(("Công đoàn", "Ủy ban MTTQ"))]
    problems = mt.composition_problems(meeting(attendees=without), mt.DEFAULT_ORGANISATIONS)
    assert problems == ["Thành phần họp xét chưa có lãnh đạo Ủy ban MTTQ Việt Nam xã (có mặt, hoặc vắng mặt có lý do).",
                        "Thành phần họp xét chưa có lãnh đạo Công đoàn xã (có mặt, hoặc vắng mặt có lý do)."]
    member = [{**a, "title": "Ủy viên"} if a["role"] == "khuyen_hoc" else a for a in ATTENDEES]
    problems = mt.composition_problems(meeting(attendees=member), mt.DEFAULT_ORGANISATIONS)
    assert len(problems) == 1 and "Lê Thị Hằng, Ủy viên" in problems[0] and "không phải lãnh đạo" in problems[0]
    with pytest.raises(InputError, match="Vũ Văn Hùng vắng mặt: hãy ghi lý do"):
        meeting(attendees=[{**ATTENDEES[3], "absence_reason": ""}])
    with pytest.raises(InputError, match="có mặt nhưng lại có lý do"):
        meeting(attendees=[{**ATTENDEES[0], "absence_reason": "ốm"}])


def test_the_organisation_list_is_a_setting(workspace, capsys):
    names = ("Hội Liên hiệp Phụ nữ", "Hội Nông dân", "Hội Cựu chiến binh", "Đoàn TNCS Hồ Chí Minh", "Công đoàn")
    assert doc_texts.organisations(workspace) == names
    docs.set_organisations(workspace, ["Hội Nông dân", "  Hội Người cao tuổi  "])
    assert doc_texts.organisations(workspace) == ("Hội Nông dân", "Hội Người cao tuổi")
    problems = mt.composition_problems(meeting(), doc_texts.organisations(workspace))
    assert problems == ["Thành phần họp xét chưa có lãnh đạo Hội Người cao tuổi xã (có mặt, hoặc vắng mặt có lý do)."]
    with pytest.raises(InputError, match="có hai lần"):
        docs.set_organisations(workspace, ["Hội Nông dân", "Hội Nông dân xã"])
    db = str(workspace.path)
    workspace.close()
    assert main(["--db", db, "documents", "organisations", "set", "--default"]) == 0
    assert main(["--db", db, "documents", "organisations", "show"]) == 0
    assert capsys.readouterr().out.splitlines()[-5:] == list(names)


def test_older_hop_json_is_read_where_it_is_unambiguous():
    legacy = mt.meeting_from_json({**MEETING, "level_agreed": 0, "attendees": [
        "Lê Thị Hằng|Chủ tịch|Hội Khuyến học xã", "Phạm Việt|Chủ tịch|Ủy ban MTTQ Việt Nam xã",
        {"name": "Đỗ Thị Ánh", "title": "Bí thư", "organisation": "Đoàn Thanh niên xã"}, "Bùi Lan"]})
    assert [(a.name, a.title, a.organisation, a.role) for a in legacy.attendees] == [
        ("Lê Thị Hằng", "Chủ tịch", "Hội Khuyến học xã", "khuyen_hoc"),
        ("Phạm Việt", "Chủ tịch", "Ủy ban MTTQ Việt Nam xã", "mttq"),
        ("Đỗ Thị Ánh", "Bí thư", "Đoàn Thanh niên xã", "to_chuc_ctxh"), ("Bùi Lan", "", "", "khac")]
    assert legacy.level_agreed is None
    with pytest.raises(InputError, match="hãy ghi vai trò"):
        mt.meeting_from_json({**MEETING, "attendees": ["A|Chủ tịch|Hội Khuyến học và MTTQ xã"]})
    with pytest.raises(InputError, match="quá 3 phần"):
        mt.meeting_from_json({**MEETING, "attendees": ["A|B|C|D"]})
    with pytest.raises(InputError, match="chứa dấu “|”"):
        mt.meeting_from_json({**MEETING, "attendees": [{"name": "A|B"}]})
    with pytest.raises(InputError, match="không có trong danh sách tổ chức chính trị - xã hội"):
        mt.meeting_from_json({**MEETING, "attendees": [{"name": "A", "organisation": "Hội Bảo trợ", "role": "to_chuc_ctxh"}]})
    with pytest.raises(InputError, match="Vai trò “chu_tich” của A không hợp lệ"):
        mt.meeting_from_json({**MEETING, "attendees": [{"name": "A", "role": "chu_tich"}]})


def test_conclusions_may_not_contradict_the_agreed_level_and_are_never_repeated(ready_workspace, tmp_path):
    with pytest.raises(InputError, match="Kết luận ghi “mức độ 2” nhưng mức độ thống nhất đề nghị là 1"):
        meeting(conclusions="Thống nhất đề nghị công nhận mức độ 2.")
    assert meeting(conclusions="Xã đạt mức độ 1, chưa đạt mức độ 2 do chỉ tiêu 5.1.").level_agreed == 1
    assert mt.conclusions_state_level(meeting(conclusions="Thống nhất đề nghị công nhận mức độ 1."))
    from app.documents import render_dossier_pdfs
    from tests.documents.test_fidelity import text_of

    typed = "Cuộc họp thống nhất đề nghị công nhận xã Kiến Hưng đạt chuẩn mức độ 1."
    docs.save_review_meeting(ready_workspace, YEAR, meeting(conclusions=typed))
    minutes = text_of(render_dossier_pdfs(ready_workspace, YEAR, tmp_path)["bien_ban"])
    assert minutes.count("thống nhất đề nghị công nhận") == 1 and typed in minutes


def test_hop_json_from_the_readme_is_accepted(workspace, tmp_path, capsys):
    readme = (__import__("pathlib").Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- hop.json -->", 2)[1]
    example = json.loads(block.split("```json", 1)[1].split("```", 1)[0])
    path = tmp_path / "hop.json"
    path.write_text(json.dumps(example, ensure_ascii=False), encoding="utf-8")
    db = str(workspace.path)
    workspace.close()
    assert main(["--db", db, "meeting", "set", "--year", str(YEAR), "--json", str(path)]) == 0, capsys.readouterr().err
    assert main(["--db", db, "meeting", "show", "--year", str(YEAR), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert shown["attendees"] == example["attendees"]
    assert main(["--db", db, "meeting", "set", "--year", str(YEAR), "--attendee", "Lý Văn Sơn|Chủ tịch|Hội Nông dân xã"]) == 0
