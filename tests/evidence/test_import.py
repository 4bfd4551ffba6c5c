"""Importing files and folders: results per file, duplicates, bad input, full disk, cancel, interruption."""

from __future__ import annotations

import errno
import unicodedata

import pytest

from app.errors import CancelledError, LockedError, NotFoundError
from app.evidence import importer
from app.evidence import importer as evidence_importer
from app.evidence import integrity as evidence_integrity
from app.evidence import library as evidence_library
from app.evidence import store as evidence_store
from app.evidence.store import EvidenceStore, evidence_root
from app.progress import ProgressState
from app.services import evidence as ev
from app.services.years import add_year
from tests.evidence.conftest import YEAR, image_bytes, lock_year, pdf_bytes
from tests.evidence.test_store_and_types import FailingFile


def store_files(ws) -> list[str]:
    return list(EvidenceStore(evidence_root(ws)).stored_hashes())


def rows(ws) -> int:
    return ws.db.execute("SELECT COUNT(*) FROM evidence").fetchone()[0]


def test_import_folder_links_codes_and_keeps_catalogue_fields(ws, write, src):
    write("01 Kế hoạch.pdf", pdf_bytes("ke hoach"))
    write("anh/Ảnh khai mạc.png", image_bytes("PNG"))
    write("Thumbs.db", b"junk")
    write(".DS_Store", b"junk")
    results = evidence_importer.import_files(ws, YEAR, [src], indicator_ids=["1.3", "1.1"],
                              details={"doc_number": "52/KH-UBND", "issued_date": "20/09/2025",
                                       "issuer": "UBND xã Đồng Tiến", "summary": "Kế hoạch Tuần lễ học tập"})
    assert [(r.name, r.status, r.code) for r in results] == [
        ("01 Kế hoạch.pdf", "imported", "H1.3.01"), ("Ảnh khai mạc.png", "imported", "H1.3.02")]
    item = evidence_library.get_evidence(ws, results[0].evidence_id)
    assert item.indicator_ids == ("1.3", "1.1")
    assert (item.doc_number, item.issued_date.isoformat(), item.issuer) == ("52/KH-UBND", "2025-09-20", "UBND xã Đồng Tiến")
    assert item.mime == "application/pdf" and item.size == len(pdf_bytes("ke hoach"))
    assert evidence_store.stored_path(ws, item.sha256).read_bytes() == pdf_bytes("ke hoach")
    assert ws.evidence_states(YEAR)["1.1"].count == 2
    assert [e.action for e in ws.audit_entries(entity="evidence")].count("import") == 2


def test_same_content_is_stored_once_and_linked_not_copied(ws, write):
    a = write("a.pdf", pdf_bytes("x"))
    b = write("ban sao cua a.pdf", pdf_bytes("x"))
    first = evidence_importer.import_files(ws, YEAR, [a, b], indicator_ids=["1.2"])
    assert [r.status for r in first] == ["imported", "duplicate"]
    assert "trùng nội dung với minh chứng H1.2.01 ('a.pdf')" in first[1].message
    again = evidence_importer.import_files(ws, YEAR, [b], indicator_ids=["2.3"])
    assert again[0].status == "duplicate" and "Đã gắn thêm chỉ tiêu 2.3" in again[0].message
    assert rows(ws) == 1 and len(store_files(ws)) == 1
    assert evidence_library.get_evidence(ws, first[0].evidence_id).indicator_ids == ("1.2", "2.3")


def test_duplicate_of_trashed_item_restores_it(ws, write):
    path = write("a.pdf", pdf_bytes("y"))
    [result] = evidence_importer.import_files(ws, YEAR, [path])
    ev.remove_evidence(ws, result.evidence_id)
    [again] = evidence_importer.import_files(ws, YEAR, [path])
    assert again.status == "duplicate" and "đã được khôi phục" in again.message
    assert not evidence_library.get_evidence(ws, result.evidence_id).deleted


def test_same_content_in_another_year_gets_a_row_but_no_second_file(ws, write):
    add_year(ws, 2026)
    path = write("quy-che.pdf", pdf_bytes("quy che"))
    evidence_importer.import_files(ws, YEAR, [path], indicator_ids=["2.3"])
    [result] = evidence_importer.import_files(ws, 2026, [path], indicator_ids=["2.3"])
    assert result.status == "imported" and any("không sao chép lại" in n for n in result.notes)
    assert rows(ws) == 2 and len(store_files(ws)) == 1


def test_bad_files_are_refused_with_a_message_and_the_rest_imported(ws, write, src):
    good = write("tot.pdf", pdf_bytes("tot"))
    empty = write("rong.pdf", b"")
    exe = write("hoa-don.pdf", b"MZ" + b"\x00" * 500)
    missing = src / "khong-co.pdf"
    results = evidence_importer.import_files(ws, YEAR, [empty, exe, missing, good])
    by_name = {r.name: r for r in results}
    assert by_name["tot.pdf"].status == "imported"
    assert by_name["rong.pdf"].status == "refused" and "rỗng (0 byte)" in by_name["rong.pdf"].message
    assert by_name["hoa-don.pdf"].status == "refused" and "chương trình" in by_name["hoa-don.pdf"].message
    assert "Không tìm thấy tệp 'khong-co.pdf'" in by_name["khong-co.pdf"].message
    assert rows(ws) == 1 and len(store_files(ws)) == 1


def test_unreadable_or_locked_file_is_refused(ws, write):
    locked = write("dang-mo.xlsx", b"whatever")
    good = write("tot.pdf", pdf_bytes("tot"))

    def open_source(path):
        if path.name == "dang-mo.xlsx":
            raise PermissionError(errno.EACCES, "Permission denied")
        return open(path, "rb", buffering=0)

    results = evidence_importer.import_files(ws, YEAR, [locked, good], open_source=open_source)
    assert results[0].status == "refused"
    assert "Không mở được tệp 'dang-mo.xlsx'" in results[0].message and "chương trình khác mở" in results[0].message
    assert results[1].status == "imported"


def test_size_limit_comes_from_the_setting(ws, write):
    ws.write_setting(importer.MAX_SIZE_SETTING, 1)
    big = write("lon.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10))
    small = write("nho.pdf", pdf_bytes("nho"))
    results = evidence_importer.import_files(ws, YEAR, [big, small])
    assert results[0].status == "refused" and "lớn hơn giới hạn 1 MB" in results[0].message
    assert results[1].status == "imported"
    assert importer.max_file_bytes(ws) == 1024 * 1024


@pytest.mark.parametrize("raw, stored, note", [
    ("CON.pdf", "CON_.pdf", "tên dành riêng của Windows"),
    ("nul.png", "nul_.png", "tên dành riêng của Windows"),
    ('bao<cao>:"2025"|?*.pdf', "bao_cao___2025____.pdf", "ký tự Windows không cho phép"),
    ("a" * 246 + ".pdf", "a" * 146 + ".pdf", "quá dài (250 ký tự)"),
])
def test_awkward_names_are_made_safe_and_reported(ws, write, raw, stored, note):
    path = write(raw, pdf_bytes(raw))
    [result] = evidence_importer.import_files(ws, YEAR, [path])
    assert result.status == "imported"
    assert evidence_library.get_evidence(ws, result.evidence_id).original_name == stored
    assert any(note in n for n in result.notes)


def test_nfd_names_from_macos_are_stored_in_nfc(ws, write):
    name = unicodedata.normalize("NFD", "Báo cáo Đồng Tiến.pdf")
    [result] = evidence_importer.import_files(ws, YEAR, [write(name, pdf_bytes("nfd"))])
    item = evidence_library.get_evidence(ws, result.evidence_id)
    assert item.original_name == "Báo cáo Đồng Tiến.pdf" == unicodedata.normalize("NFC", item.original_name)
    assert any("NFC" in n for n in result.notes)
    assert [i.code for i in evidence_library.search_evidence(ws, YEAR, "dong tien")] == [item.code]


def test_full_disk_midway_keeps_earlier_files_and_stops_cleanly(ws, write):
    paths = [write(f"{i}.pdf", pdf_bytes(f"tep {i}") + b"%" + b"z" * 200_000) for i in range(4)]
    calls = {"n": 0}

    def open_temp(path):
        calls["n"] += 1
        return FailingFile(path, 10 ** 9 if calls["n"] < 3 else 50_000)

    results = evidence_importer.import_files(ws, YEAR, paths, indicator_ids=["1.1"], open_temp=open_temp)
    assert [r.status for r in results] == ["imported", "imported", "refused", "skipped"]
    assert "Ổ đĩa đã đầy" in results[2].message and "'2.pdf'" in results[2].message
    assert "Chưa nhập '3.pdf'" in results[3].message
    assert rows(ws) == 2 and len(store_files(ws)) == 2
    assert EvidenceStore(evidence_root(ws)).temp_files() == []
    assert evidence_integrity.verify_evidence_files(ws) == []


def test_cancel_keeps_finished_files_and_leaves_no_half_rows(ws, write):
    paths = [write(f"{i}.pdf", pdf_bytes(f"huy {i}")) for i in range(5)]
    progress = ProgressState()
    seen = []

    class Cancelling(ProgressState):
        def report(self, fraction, message=""):
            super().report(fraction, message)
            if message.startswith("Đang nhập tệp"):
                seen.append(message)
                if len(seen) == 3:
                    self.cancel()

    progress = Cancelling()
    with pytest.raises(CancelledError, match="2 tệp đã nhập trước khi hủy được giữ lại"):
        evidence_importer.import_files(ws, YEAR, paths, progress=progress)
    assert rows(ws) == 2 and len(store_files(ws)) == 2
    assert evidence_integrity.verify_evidence_files(ws) == []


def test_progress_reports_fraction_and_file_names(ws, write):
    paths = [write(f"Tệp {i}.pdf", pdf_bytes(f"p {i}")) for i in range(3)]
    progress = ProgressState()
    messages = []
    original = progress.report
    progress.report = lambda f, m="": (messages.append((f, m)), original(f, m))  # type: ignore[method-assign]
    evidence_importer.import_files(ws, YEAR, paths, progress=progress)
    assert any("Đang nhập tệp 2/3: Tệp 1.pdf" in m for _, m in messages)
    assert progress.fraction == 1.0


def test_interrupted_import_leaves_no_rows_and_its_files_are_cleaned_at_next_start(ws, write, monkeypatch):
    paths = [write(f"{i}.pdf", pdf_bytes(f"mat dien {i}")) for i in range(3)]

    def power_cut(*args, **kwargs):
        raise KeyboardInterrupt  # the process dies between the rename and the commit

    monkeypatch.setattr(importer, "_record", power_cut)
    with pytest.raises(KeyboardInterrupt):
        evidence_importer.import_files(ws, YEAR, paths)
    monkeypatch.undo()
    assert rows(ws) == 0 and len(store_files(ws)) == 3
    problems = evidence_integrity.verify_evidence_files(ws)
    assert {p.kind for p in problems} == {"orphan_file"}
    done = evidence_integrity.recover_interrupted_imports(ws)
    assert len([line for line in done if line.startswith("Đã xóa tệp của lần nhập bị gián đoạn")]) == 3
    assert len([line for line in done if line.startswith("Đã xóa nhật ký")]) == 1
    assert store_files(ws) == [] and evidence_integrity.verify_evidence_files(ws) == []
    assert [r.status for r in evidence_importer.import_files(ws, YEAR, paths)] == ["imported"] * 3


def test_locked_year_refuses_import(ws, write):
    lock_year(ws)
    with pytest.raises(LockedError, match="đã được chốt"):
        evidence_importer.import_files(ws, YEAR, [write("a.pdf", pdf_bytes())])
    assert rows(ws) == 0 and store_files(ws) == []


def test_unknown_indicator_and_bad_date_are_refused_before_anything_is_copied(ws, write):
    path = write("a.pdf", pdf_bytes())
    with pytest.raises(NotFoundError, match="9.9"):
        evidence_importer.import_files(ws, YEAR, [path], indicator_ids=["9.9"])
    with pytest.raises(Exception, match="Ngày ban hành '31/02/2025' không phải ngày hợp lệ"):
        evidence_importer.import_files(ws, YEAR, [path], details={"issued_date": "31/02/2025"})
    assert store_files(ws) == []


def test_date_outside_the_year_is_warned(ws, write):
    [result] = evidence_importer.import_files(ws, YEAR, [write("a.pdf", pdf_bytes())], details={"issued_date": "28/12/2024"})
    assert any("nằm ngoài năm đánh giá 2025" in n for n in result.notes)


def test_summary_sentence(ws, write):
    a = write("a.pdf", pdf_bytes("s"))
    results = evidence_importer.import_files(ws, YEAR, [a, a.with_name("b.pdf"), write("c.pdf", b"")])
    assert evidence_importer.summarize(results) == "Đã nhập 1 tệp, 2 tệp không nhận."
