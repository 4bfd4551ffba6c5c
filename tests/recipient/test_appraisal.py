"""The council, its verdicts, the verified level from the rules engine, conclusion and the decision."""

from __future__ import annotations

import datetime as dt

import pytest

from app.errors import InputError
from app.recipient import appraisal as ap
from app.recipient import register as reg
from app.recipient.decisions import decide, decision_of, outcomes
from app.recipient.intake import intake_paths, received_on
from tests.recipient.conftest import COUNCIL, LATE, ON_TIME, YEAR, appraise_round


@pytest.fixture
def received(rws, dossiers):
    intake_paths(rws, [dossiers.on_time], received_on(ON_TIME))
    intake_paths(rws, [dossiers.late], received_on(LATE))
    return {r.commune: r for r in reg.register_rows(rws, YEAR)}


def members(*texts):
    return [ap.parse_member(t) for t in texts]


@pytest.mark.parametrize("texts, reason", [
    (COUNCIL[:4], "số thành viên lẻ, tối thiểu 05 người (hiện có 4)"),
    (COUNCIL[:3], "tối thiểu 05 người (hiện có 3)"),
    ((COUNCIL[0].replace("chủ tịch", "ủy viên"), *COUNCIL[1:]), "đúng một Chủ tịch Hội đồng (hiện có 0)"),
    ((COUNCIL[0], COUNCIL[1], COUNCIL[1].replace("Lê", "Lý"), *COUNCIL[3:]), "đúng một Thư ký Hội đồng (hiện có 2)"),
])
def test_a_council_must_be_odd_five_or_more_with_one_chair_and_one_secretary(rws, texts, reason):
    with pytest.raises(InputError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        ap.set_council(rws, YEAR, "meeting", members(*texts))
    assert ap.council_of(rws, YEAR) is None


def test_council_of_seven_by_written_opinions(rws):
    seven = (*COUNCIL, "Đỗ Văn Tâm|ủy viên|Trưởng phòng", "Vũ Thị Hà|phó chủ tịch|Phó Giám đốc")
    council = ap.set_council(rws, YEAR, "written", members(*seven), sitting_date="18/03/2026")
    assert len(council.members) == 7 and council.mode_label == "lấy ý kiến bằng văn bản"
    assert ap.describe_sitting(ap.council_of(rws, YEAR)) == "lấy ý kiến bằng văn bản ngày 18/03/2026"
    with pytest.raises(InputError, match="'meeting'"):
        ap.set_council(rws, YEAR, "phone", members(*seven))


def test_verdicts_need_a_council_and_a_reason_when_they_differ(rws, received):
    package_id = received["Đồng Tiến"].package_id
    with pytest.raises(InputError, match="Chưa thành lập Hội đồng"):
        ap.record_verdict(rws, package_id, "1.1", 1, "met")
    ap.set_council(rws, YEAR, "meeting", members(*COUNCIL))
    with pytest.raises(InputError, match="phải ghi rõ lý do"):
        ap.record_verdict(rws, package_id, "3.2", 1, "not_met")
    state = ap.record_verdict(rws, package_id, "3.2", 1, "not_met", "Chưa có biên bản kiểm tra thư viện")
    assert state.indicators[7].council[1].status == "not_met"
    assert reg.register_rows(rws, YEAR)[0].status == reg.IN_APPRAISAL
    entry = rws.audit_entries(entity="verdict", limit=1)[0]
    assert entry.user == "Nguyễn Thị Văn Thư" and entry.entity_key == f"{package_id}/3.2/1"
    assert entry.new == {"status": "not_met", "note": "Chưa có biên bản kiểm tra thư viện"}
    with pytest.raises(InputError, match="không thẩm định mức độ 2"):
        ap.record_verdict(rws, package_id, "3.2", 2, "met")


def test_verified_level_comes_from_the_rules_engine_on_the_councils_verdicts(rws, received):
    ap.set_council(rws, YEAR, "meeting", members(*COUNCIL))
    package_id = received["Quyết Thắng"].package_id  # requests mức độ 2
    assert ap.agree_with_self_assessment(rws, package_id) == 15
    state = ap.appraisal(rws, package_id)
    assert state.level_requested == 2 and state.verified_level == 2
    ap.record_verdict(rws, package_id, "5.2", 2, "not_met", "Tỷ lệ đại học trở lên tính sai mẫu số")
    state = ap.appraisal(rws, package_id)
    assert state.verified_level == 0  # level 1 not judged yet: missing is never met
    ap.agree_with_self_assessment(rws, package_id, level=1)
    state = ap.conclude(rws, package_id)
    assert state.concluded_level == 1 and state.assessment.criteria["5"].verdicts[2].status == "not_met"
    assert "Chỉ tiêu chưa đạt: 5.2" in state.assessment.criteria["5"].verdicts[2].reason
    with pytest.raises(InputError, match="đã kết luận"):
        ap.record_verdict(rws, package_id, "5.2", 2, "met")
    ap.reopen(rws, package_id, "Bổ sung ý kiến thành viên")
    assert ap.appraisal(rws, package_id).concluded_level is None


def test_conclusion_needs_every_indicator(rws, received):
    ap.set_council(rws, YEAR, "meeting", members(*COUNCIL))
    package_id = received["Đồng Tiến"].package_id
    ap.record_verdict(rws, package_id, "1.1", 1, "met")
    with pytest.raises(InputError, match=r"còn 14 chỉ tiêu chưa có kết quả ở mức độ 1 \(1.2, 1.3"):
        ap.conclude(rws, package_id)


def test_only_a_valid_current_package_is_appraised(rws, received, dossiers):
    ap.set_council(rws, YEAR, "meeting", members(*COUNCIL))
    with pytest.raises(InputError, match="chỉ thẩm định gói hợp lệ"):
        ap.record_verdict(rws, received["Tân Cương"].package_id, "1.1", 1, "met")
    dong_tien = [p for p in reg.packages(rws) if p.commune == "Đồng Tiến"]
    old = next(p for p in dong_tien if p.version == 1)
    with pytest.raises(InputError, match="phiên bản mới hơn"):
        ap.record_verdict(rws, old.id, "1.1", 1, "met")


def test_decision_records_every_outcome_with_its_validity(rws, received):
    with pytest.raises(InputError, match="Chưa có Hội đồng"):
        decide(rws, YEAR, "123", "25/03/2026")
    appraise_round(rws)
    summary = decide(rws, YEAR, "123", "25/03/2026", reply_from=7)
    assert summary.recognised == 2 and summary.refused == 1 and summary.warnings == ()
    assert decision_of(rws, YEAR).number == "123/QĐ-SGDĐT"
    found = {o.commune: o for o in outcomes(rws, YEAR)}
    assert found["Đồng Tiến"].level == 1 and found["Đồng Tiến"].valid_until == dt.date(2029, 3, 25)
    assert found["Quyết Thắng"].level == 2
    assert found["Sơn Cẩm"].level == 0 and found["Sơn Cẩm"].reply_number == "07/SGDĐT-GDTX"
    assert {r.commune: r.status for r in reg.register_rows(rws, YEAR)}["Sơn Cẩm"] == reg.DECIDED
    with pytest.raises(InputError, match="đã có Quyết định số 123/QĐ-SGDĐT"):
        decide(rws, YEAR, "124", "26/03/2026")
    with pytest.raises(InputError, match="đã có kết quả công nhận"):
        ap.reopen(rws, found["Đồng Tiến"].package_id, "Thử mở lại")


def test_decision_waits_for_pending_appraisals_and_warns_after_31_march(rws, received):
    ap.set_council(rws, YEAR, "meeting", members(*COUNCIL))
    package_id = received["Đồng Tiến"].package_id
    ap.agree_with_self_assessment(rws, package_id)
    ap.conclude(rws, package_id)
    with pytest.raises(InputError, match=r"Còn 2 hồ sơ hợp lệ chưa kết luận thẩm định \(Quyết Thắng, Sơn Cẩm\)"):
        decide(rws, YEAR, "9", "02/04/2026")
    summary = decide(rws, YEAR, "9", "02/04/2026", include_pending=True)
    assert summary.recognised == 1
    assert "sau hạn hoàn thành công nhận 31/03/2026" in summary.message()
    assert "2 hồ sơ chưa thẩm định xong" in summary.message()
