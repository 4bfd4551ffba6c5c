"""Codes, catalogue fields, links, explanations, search and the trash."""

from __future__ import annotations

import datetime as dt

import pytest

from app.domain.records import EXPLANATION_FIELD
from app.errors import InputError, LockedError
from app.evidence import importer as evidence_importer
from app.evidence import library as evidence_library
from app.evidence import store as evidence_store
from app.evidence.codes import code_sort_key, format_code
from app.services import evidence as ev
from app.services.indicators import set_values
from app.services.years import add_year
from tests.evidence.conftest import YEAR, lock_year, pdf_bytes


@pytest.fixture
def add(ws, write):
    """add(name, *indicators, **details) -> EvidenceItem."""
    def make(name, *indicators, **details):
        [result] = evidence_importer.import_files(ws, YEAR, [write(name, pdf_bytes(name))], indicator_ids=indicators, details=details)
        assert result.status == "imported", result.message
        return evidence_library.get_evidence(ws, result.evidence_id)
    return make


def test_code_format_and_order():
    assert format_code("1.2", 3) == "H1.2.03" and format_code("", 7) == "MC.07"
    codes = ["MC.01", "H2.1.01", "H1.2.10", "H1.2.03"]
    assert sorted(codes, key=code_sort_key) == ["H1.2.03", "H1.2.10", "H2.1.01", "MC.01"]


def test_codes_are_stable_and_never_reused(ws, add):
    a, b, c = add("a.pdf", "1.2"), add("b.pdf", "1.2"), add("c.pdf", "1.2")
    assert [a.code, b.code, c.code] == ["H1.2.01", "H1.2.02", "H1.2.03"]
    ev.remove_evidence(ws, b.id)
    ev.empty_trash(ws)
    d = add("d.pdf", "1.2")
    assert d.code == "H1.2.04"
    assert [i.code for i in evidence_library.list_evidence(ws, YEAR)] == ["H1.2.01", "H1.2.03", "H1.2.04"]


def test_code_follows_the_first_indicator(ws, add):
    item = add("quy-che.pdf")
    assert item.code == "MC.01" and item.indicator_ids == ()
    ev.link_evidence(ws, item.id, ["2.3", "1.2"])
    item = evidence_library.get_evidence(ws, item.id)
    assert item.code == "H2.3.01" and item.indicator_ids == ("2.3", "1.2")
    ev.unlink_evidence(ws, item.id, "1.2")
    assert evidence_library.get_evidence(ws, item.id).code == "H2.3.01"
    ev.link_evidence(ws, item.id, "1.2")
    ev.unlink_evidence(ws, item.id, "2.3")
    assert evidence_library.get_evidence(ws, item.id).code == "H1.2.01"
    assert [e.action for e in ws.audit_entries(entity="evidence") if e.action == "recode"] == ["recode", "recode"]


def test_catalogue_fields_update_and_date_warning(ws, add):
    item = add("kh.pdf", "1.2")
    ev.update_evidence(ws, item.id, doc_number=" 15/KH-UBND ", issued_date="10/01/2025", issuer="UBND xã",
                       summary="Kế hoạch năm 2025")
    item = evidence_library.get_evidence(ws, item.id)
    assert (item.doc_number, item.issued_date, item.summary) == ("15/KH-UBND", dt.date(2025, 1, 10), "Kế hoạch năm 2025")
    assert item.date_warning() == ""
    ev.update_evidence(ws, item.id, issued_date="2024-12-31")
    warning = evidence_library.get_evidence(ws, item.id).date_warning()
    assert "31/12/2024 nằm ngoài năm đánh giá 2025 (01/01/2025–31/12/2025)" in warning
    ev.update_evidence(ws, item.id, valid_until="31/12/2027")
    assert "còn hiệu lực đến 31/12/2027" in evidence_library.get_evidence(ws, item.id).date_warning()
    assert ev.update_evidence(ws, item.id, issuer="UBND xã").any() is False
    with pytest.raises(InputError, match="không phải ngày hợp lệ"):
        ev.update_evidence(ws, item.id, issued_date="32/01/2025")
    with pytest.raises(InputError):
        ev.update_evidence(ws, item.id, sha256="0" * 64)


def test_search_ignores_accents_and_d_stroke(ws, add):
    add("Quyết định.pdf", "1.1", summary="Quyết định thành lập Ban chỉ đạo xã Đồng Tiến", issuer="UBND xã")
    add("Báo cáo.pdf", "5.1", summary="Báo cáo kết quả học tập suốt đời", doc_number="07/BC-HKH")
    assert [i.original_name for i in evidence_library.search_evidence(ws, YEAR, "dong")] == ["Quyết định.pdf"]
    assert [i.original_name for i in evidence_library.search_evidence(ws, YEAR, "hoc")] == ["Báo cáo.pdf"]
    assert [i.original_name for i in evidence_library.search_evidence(ws, YEAR, "ĐỒNG tiến")] == ["Quyết định.pdf"]
    assert [i.original_name for i in evidence_library.search_evidence(ws, YEAR, "07/bc")] == ["Báo cáo.pdf"]
    assert [i.original_name for i in evidence_library.search_evidence(ws, YEAR, "H5.1")] == ["Báo cáo.pdf"]
    assert evidence_library.search_evidence(ws, YEAR, "bao dong") == []
    assert evidence_library.search_evidence(ws, YEAR, "100%_") == []


def test_filter_by_indicator_and_unlinked(ws, add):
    add("a.pdf", "1.2")
    add("b.pdf", "1.2", "2.3")
    add("c.pdf")
    assert [i.original_name for i in evidence_library.indicator_evidence(ws, YEAR, "2.3")] == ["b.pdf"]
    assert [i.original_name for i in evidence_library.list_evidence(ws, YEAR, indicator_id="1.2")] == ["a.pdf", "b.pdf"]
    assert [i.original_name for i in evidence_library.list_evidence(ws, YEAR, indicator_id=evidence_library.UNLINKED)] == ["c.pdf"]


def test_explanation_when_an_indicator_has_no_evidence(ws):
    for iid in ws.catalogue(YEAR).indicator_ids:
        if ws.catalogue(YEAR).indicator(iid).input == "boolean":
            set_values(ws, YEAR, iid, {"met": True})
    assert "3.2" in ws.checklist(YEAR).lacking_evidence()
    ev.set_no_evidence_explanation(ws, YEAR, "3.2", "Thư viện xã đang nâng cấp phần mềm; biên bản sẽ bổ sung.")
    assert ws.values(YEAR)["3.2"][EXPLANATION_FIELD].startswith("Thư viện xã")
    assert ws.evidence_states(YEAR)["3.2"].status == "explained"
    assert "3.2" not in ws.checklist(YEAR).lacking_evidence()
    assert ev.no_evidence_explanation(ws, YEAR, "3.2").startswith("Thư viện xã")
    ev.set_no_evidence_explanation(ws, YEAR, "3.2", "")
    assert "3.2" in ws.checklist(YEAR).lacking_evidence()


def test_trash_restore_and_empty(ws, add, write):
    add_year(ws, 2026)
    a, b = add("a.pdf", "1.2"), add("b.pdf", "1.2")
    evidence_importer.import_files(ws, 2026, [write("a.pdf", pdf_bytes("a.pdf"))])  # same content as `a`, other year
    ev.remove_evidence(ws, a.id)
    ev.remove_evidence(ws, b.id)
    assert ws.evidence_states(YEAR)["1.2"].count == 0
    assert {i.code for i in evidence_library.list_evidence(ws, YEAR, trash=True)} == {a.code, b.code}
    ev.restore_evidence(ws, b.id)
    assert ws.evidence_states(YEAR)["1.2"].count == 1
    assert evidence_library.get_evidence(ws, b.id).indicator_ids == ("1.2",)
    changes, report = ev.empty_trash(ws)
    assert changes.evidence and report.items_removed == 1
    assert report.files_removed == 0  # a's content is still used in 2026
    assert evidence_store.stored_path(ws, a.sha256).exists()
    ev.remove_evidence(ws, b.id)
    _, report = ev.empty_trash(ws)
    assert report.files_removed == 1 and not evidence_store.stored_path(ws, b.sha256).exists()
    assert "Đã xóa hẳn 1 minh chứng" in report.message()


def test_restore_refuses_when_same_content_came_back_meanwhile(ws, add, write):
    add_year(ws, 2024)
    a = add("a.pdf", "1.2")
    ev.remove_evidence(ws, a.id)
    [old] = evidence_importer.import_files(ws, 2024, [write("a.pdf", pdf_bytes("a.pdf"))], indicator_ids=["1.2"])
    ev.carry_over_evidence(ws, 2024, YEAR, [old.evidence_id])
    [live] = evidence_library.list_evidence(ws, YEAR)
    with pytest.raises(InputError, match=f"cùng nội dung đã có trong thư viện năm {YEAR} với mã {live.code}"):
        ev.restore_evidence(ws, a.id)
    assert evidence_library.get_evidence(ws, a.id).deleted


def test_locked_year_refuses_every_change(ws, add):
    a = add("a.pdf", "1.2")
    ev.remove_evidence(ws, add("b.pdf", "1.2").id)
    lock_year(ws)
    for change in (lambda: ev.update_evidence(ws, a.id, summary="x"), lambda: ev.link_evidence(ws, a.id, "1.1"),
                   lambda: ev.unlink_evidence(ws, a.id, "1.2"), lambda: ev.remove_evidence(ws, a.id),
                   lambda: ev.set_no_evidence_explanation(ws, YEAR, "3.2", "x")):
        with pytest.raises(LockedError):
            change()
    _, report = ev.empty_trash(ws)
    assert report.items_removed == 0 and report.kept_locked == 1


def test_copy_for_opening_has_readable_name(ws, add, tmp_path):
    item = add("Kế hoạch.pdf", "1.2")
    path = evidence_library.copy_for_opening(ws, item, tmp_path / "mo")
    assert path.name == "H1.2.01 Kế hoạch.pdf" and path.read_bytes() == pdf_bytes("Kế hoạch.pdf")
    evidence_store.stored_path(ws, item.sha256).unlink()
    with pytest.raises(Exception, match="không còn trong kho"):
        evidence_library.copy_for_opening(ws, item, tmp_path / "mo2")


def test_find_by_code(ws, add):
    item = add("a.pdf", "1.2")
    assert evidence_library.find_by_code(ws, "h1.2.01").id == item.id
    with pytest.raises(Exception, match="Không có minh chứng mã H9.9.01"):
        evidence_library.find_by_code(ws, "H9.9.01", YEAR)
