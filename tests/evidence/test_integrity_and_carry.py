"""verify_evidence_files / repair_evidence (used by `cdht check`) and carrying evidence into the next year."""

from __future__ import annotations

import datetime as dt

import pytest

from app.errors import InputError, LockedError
from app.evidence import importer as evidence_importer
from app.evidence import integrity as evidence_integrity
from app.evidence import library as evidence_library
from app.evidence import store as evidence_store
from app.evidence.store import EvidenceStore, evidence_root
from app.progress import ProgressState
from app.services import evidence as ev
from app.services.years import add_year
from tests.evidence.conftest import YEAR, lock_year, pdf_bytes


@pytest.fixture
def two_items(ws, write):
    results = evidence_importer.import_files(ws, YEAR, [write("a.pdf", pdf_bytes("a")), write("b.pdf", pdf_bytes("b"))],
                              indicator_ids=["1.2"])
    return [evidence_library.get_evidence(ws, r.evidence_id) for r in results]


def test_clean_store_has_no_problems_and_reports_progress(ws, two_items):
    progress = ProgressState()
    assert evidence_integrity.verify_evidence_files(ws, progress) == []
    assert progress.fraction == 1.0


def test_missing_altered_orphan_and_dangling_are_found(ws, two_items):
    a, b = two_items
    evidence_store.stored_path(ws, a.sha256).unlink()
    evidence_store.stored_path(ws, b.sha256).write_bytes(pdf_bytes("sửa trộm"))
    store = EvidenceStore(evidence_root(ws))
    orphan = store.path("ab" * 32)
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"khong thuoc ai")
    (store.temp_dir / "x.part").write_bytes(b"nua chung")
    ws.db.execute("INSERT INTO evidence_links (evidence_id, indicator_id, position) VALUES (?, '9.9', 5)", [a.id])
    problems = evidence_integrity.verify_evidence_files(ws)
    kinds = sorted(p.kind for p in problems)
    assert kinds == ["altered", "dangling_link", "missing", "orphan_file", "orphan_file"]
    missing = next(p for p in problems if p.kind == "missing")
    assert missing.evidence_id == a.id and "H1.2.01 ('a.pdf', năm 2025) mất tệp" in missing.message
    assert missing.path == evidence_store.stored_path(ws, a.sha256)
    altered = next(p for p in problems if p.kind == "altered")
    assert altered.evidence_id == b.id and "bị thay đổi nội dung" in altered.message

    repair = evidence_integrity.repair_evidence(ws, problems)
    assert any(line.startswith("Đã xóa tệp tạm") for line in repair.fixed)
    assert any(line.startswith("Đã gỡ liên kết không hợp lệ H1.2.01/9.9") for line in repair.fixed)
    [moved] = [line for line in repair.fixed if line.startswith("Đã chuyển tệp lạ") and str(orphan) in line]
    assert "thư mục cách ly" in moved and "không bị xóa" in moved
    assert sorted(repair.not_fixed) == sorted(p.message for p in problems if p.kind in ("missing", "altered"))
    after = sorted(p.kind for p in evidence_integrity.verify_evidence_files(ws))
    assert after == ["altered", "missing"]  # only what needs a person (or a backup) remains
    assert not orphan.exists()
    [kept] = list((ws.data_dir / "evidence-quarantine").rglob("ab" * 32))
    assert kept.read_bytes() == b"khong thuoc ai"


def test_repair_leaves_a_locked_years_links_alone(ws, two_items):
    ws.db.execute("INSERT INTO evidence_links (evidence_id, indicator_id, position) VALUES (?, '9.9', 5)",
                  [two_items[0].id])
    lock_year(ws)
    [problem] = evidence_integrity.verify_evidence_files(ws)
    assert not evidence_integrity.can_repair(ws, problem)
    repair = evidence_integrity.repair_evidence(ws, [problem])
    assert repair.fixed == () and repair.not_fixed[0].startswith("Không tự sửa (năm 2025 đã chốt hồ sơ)")


def test_carry_over_candidates_and_carry(ws, write):
    evidence_importer.import_files(ws, YEAR, [write("quy-che.pdf", pdf_bytes("quy che"))], indicator_ids=["2.3", "1.2"],
                    details={"summary": "Quy chế phối hợp", "issued_date": "15/03/2025", "valid_until": "31/12/2027"})
    evidence_importer.import_files(ws, YEAR, [write("ke-hoach.pdf", pdf_bytes("ke hoach"))], indicator_ids=["1.2"])
    evidence_importer.import_files(ws, YEAR, [write("cu.pdf", pdf_bytes("cu"))], indicator_ids=["1.1"],
                    details={"valid_until": "30/06/2025"})
    candidates = {c.item.original_name: c for c in ev.carry_over_candidates(ws, YEAR)}
    assert candidates["quy-che.pdf"].recommended and "Còn hiệu lực đến 31/12/2027" in candidates["quy-che.pdf"].reason
    assert not candidates["ke-hoach.pdf"].recommended and "Không ghi thời hạn" in candidates["ke-hoach.pdf"].reason
    assert not candidates["cu.pdf"].recommended and "Hết hiệu lực từ 30/06/2025" in candidates["cu.pdf"].reason

    add_year(ws, 2026, copy_from=YEAR)
    chosen = [c.item.id for c in candidates.values() if c.recommended]
    changes = ev.carry_over_evidence(ws, YEAR, 2026, chosen)
    assert changes.evidence and changes.checklist
    [carried] = evidence_library.list_evidence(ws, 2026)
    source = candidates["quy-che.pdf"].item
    assert (carried.code, carried.indicator_ids, carried.sha256) == ("H2.3.01", ("2.3", "1.2"), source.sha256)
    assert carried.carried_from == source.id and carried.valid_until == dt.date(2027, 12, 31)
    assert "nằm ngoài năm đánh giá 2026" in carried.date_warning() and "còn hiệu lực" in carried.date_warning()
    assert len(list(EvidenceStore(evidence_root(ws)).stored_hashes())) == 3  # nothing copied
    assert not ev.carry_over_evidence(ws, YEAR, 2026, chosen).any()  # already there
    assert ws.evidence_states(2026)["2.3"].count == 1


def test_carry_over_refuses_wrong_items_and_locked_target(ws, write):
    [r] = evidence_importer.import_files(ws, YEAR, [write("a.pdf", pdf_bytes("a"))])
    add_year(ws, 2026)
    with pytest.raises(InputError, match="không phải minh chứng đang dùng của năm 2026"):
        ev.carry_over_evidence(ws, 2026, YEAR, [r.evidence_id])
    lock_year(ws, 2026)
    with pytest.raises(LockedError):
        ev.carry_over_evidence(ws, YEAR, 2026, [r.evidence_id])
