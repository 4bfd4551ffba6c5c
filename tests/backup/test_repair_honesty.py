"""`check --repair` is honest: for every kind of damage, what the check labels fixable is fixed by the repair,
what it labels not fixable is still reported afterwards (and was not silently changed), stray files are moved to a
quarantine folder rather than deleted, and the printed result keeps repaired and not repaired apart."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
import sys
from collections.abc import Callable

import pytest

from app.backup import create_backup
from app.backup.manifest import iter_evidence_store
from app.cli import main
from app.evidence.integrity import QUARANTINE_DIR
from app.evidence.store import EvidenceStore, ImportJournal, evidence_root
from app.scratch import SCRATCH_DIR
from app.services.integrity import IntegrityProblem, check_workspace, repair_workspace
from tests.backup.helpers import add_store_file

T0 = dt.datetime(2026, 11, 22, 9, 0, 0).astimezone()


def dead_pid() -> int:
    """The id of a process that has just ended (what an interrupted run leaves in its folder names)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _stray_in_store(ws) -> None:
    (evidence_root(ws) / "ghi-chu.txt").write_text("chép tay vào kho", encoding="utf-8")


def _stray_in_bucket(ws) -> None:
    sha, path = next(iter(iter_evidence_store(ws.data_dir)))
    (path.parent / "ban-sao.pdf").write_bytes(path.read_bytes())


def _unreferenced_store_file(ws) -> None:
    add_store_file(ws.data_dir, b"%PDF-1.4 tep khong thuoc minh chung nao")


def _temporary_file(ws) -> None:
    store = EvidenceStore(evidence_root(ws))
    store.temp_dir.mkdir(parents=True, exist_ok=True)
    (store.temp_dir / "dang-nhap.part").write_bytes(b"nua chung")


def _interrupted_import(ws) -> None:
    store = EvidenceStore(evidence_root(ws))
    sha = add_store_file(ws.data_dir, b"%PDF-1.4 nhap do dang")
    journal = store.new_journal().path  # left behind, as by an import killed before its commit
    journal.parent.mkdir(parents=True, exist_ok=True)
    journal.write_text(sha + "\n", encoding="ascii")
    assert ImportJournal.read(journal) == [sha]


def _dangling_link(ws, locked: bool = False) -> None:
    evidence_id = ws.db.execute("SELECT id FROM evidence ORDER BY id LIMIT 1").fetchone()[0]
    ws.db.execute("INSERT INTO evidence_links (evidence_id, indicator_id, position) VALUES (?, '9.9', 9)", [evidence_id])
    if locked:
        ws.db.execute("UPDATE years SET locked_at = '2026-01-20T08:00:00+00:00' WHERE year = 2025")
    ws.db.conn.commit()


def _missing_file(ws, backed_up: bool) -> None:
    if backed_up:
        create_backup(ws, now=T0)
    _, path = next(iter(iter_evidence_store(ws.data_dir)))
    path.unlink()


def _altered_file(ws, backed_up: bool) -> None:
    if backed_up:
        create_backup(ws, now=T0)
    _, path = next(iter(iter_evidence_store(ws.data_dir)))
    path.write_bytes(b"%PDF-1.4 bi sua trom")


def _broken_index(ws) -> None:
    """An index whose definition no longer matches its content (the open connection re-reads the schema)."""
    version = ws.db.execute("PRAGMA schema_version").fetchone()[0]
    ws.db.execute("PRAGMA writable_schema = ON")
    ws.db.execute("UPDATE sqlite_master SET sql = replace(sql, '(entity, entity_key)', '(entity_key, entity)') "
                  "WHERE name = 'audit_log_entity'")
    ws.db.execute(f"PRAGMA schema_version = {version + 1}")
    ws.db.conn.commit()
    ws.db.execute("PRAGMA writable_schema = OFF")


def _foreign_key(ws) -> None:
    ws.db.execute("PRAGMA foreign_keys = OFF")
    ws.db.execute("INSERT INTO indicator_values (year, indicator_id, field, value, updated_at) "
                  "VALUES (2031, '1.1', 'met', 'true', '2026-01-01')")
    ws.db.conn.commit()
    ws.db.execute("PRAGMA foreign_keys = ON")


def _unknown_indicator(ws) -> None:
    ws.db.execute("INSERT INTO indicator_values (year, indicator_id, field, value, updated_at) "
                  "VALUES (2025, '9.9', 'met', 'true', '2026-01-01')")
    ws.db.conn.commit()


def _unfinished_backup(ws) -> None:
    folder = ws.data_dir / "backups" / f".2026-11-22T09-00-00-{dead_pid()}.partial"
    folder.mkdir(parents=True)
    (folder / "cdht.sqlite3").write_bytes(b"nua chung")


def _unfinished_signing(ws) -> None:
    folder = ws.data_dir / SCRATCH_DIR / f"sign-{dead_pid()}.partial"
    folder.mkdir(parents=True)
    (folder / "to_trinh.pdf").write_bytes(b"%PDF-1.4 chua ky xong")


def _unfinished_rendering(ws) -> None:
    folder = ws.data_dir / "dossier" / "2025" / "v1-md1" / f".unsigned-{dead_pid()}.partial"
    folder.mkdir(parents=True)
    (folder / "bao_cao_2025.pdf").write_bytes(b"%PDF-1.4 ve do dang")


def _unfinished_restore(ws) -> None:
    folder = ws.data_dir / f".restore-cdht.sqlite3-{dead_pid()}.partial"
    (folder / "evidence").mkdir(parents=True)


#: damage → (how to make it, the kinds of problem the check must report with their fixable flags)
CASES: dict[str, tuple[Callable, list[tuple[str, bool]]]] = {
    "stray file in the store": (_stray_in_store, [("orphan_file", True)]),
    "stray file beside a stored file": (_stray_in_bucket, [("orphan_file", True)]),
    "stored file no evidence refers to": (_unreferenced_store_file, [("orphan_file", True)]),
    "temporary file of an import": (_temporary_file, [("orphan_file", True)]),
    "import interrupted before its commit": (_interrupted_import, [("orphan_file", True), ("orphan_file", True)]),
    "link to an unknown indicator": (_dangling_link, [("dangling_link", True)]),
    "link to an unknown indicator of a finalized year": (lambda ws: _dangling_link(ws, locked=True),
                                                         [("dangling_link", False)]),
    "missing file with a backup": (lambda ws: _missing_file(ws, True), [("missing", True)]),
    "missing file without a backup": (lambda ws: _missing_file(ws, False), [("missing", False)]),
    "altered file with a backup": (lambda ws: _altered_file(ws, True), [("altered", True)]),
    "altered file without a backup": (lambda ws: _altered_file(ws, False), [("altered", False)]),
    "broken index": (_broken_index, [("index", True)]),
    "figures of a year that does not exist": (_foreign_key, [("foreign_key", False)]),
    "figures of an unknown indicator": (_unknown_indicator, [("unknown_indicator", False)]),
    "unfinished backup": (_unfinished_backup, [("leftover", True)]),
    "unfinished signing folder": (_unfinished_signing, [("leftover", True)]),
    "unfinished restore": (_unfinished_restore, [("leftover", True)]),
    "unfinished rendering of the final documents": (_unfinished_rendering, [("leftover", True)]),
}


def _same(a: IntegrityProblem, b: IntegrityProblem) -> bool:
    return (a.kind, a.path, a.evidence_id, a.message) == (b.kind, b.path, b.evidence_id, b.message)


@pytest.mark.parametrize("case", list(CASES))
def test_what_is_labelled_fixable_is_fixed_and_nothing_else_is_claimed(ws, case):
    damage, expected = CASES[case]
    damage(ws)
    before = check_workspace(ws)
    assert {(p.kind, p.fixable) for p in before.problems} == set(expected), before.lines()
    result = repair_workspace(ws, before)
    after = result.remaining.problems
    for problem in before.problems:
        still = any(_same(problem, later) for later in after)
        assert still != problem.fixable, (case, problem.message, result.lines())
    assert bool(result.fixed) == bool(before.fixable)
    assert not any("Cần xử lý" in line or "Không tự sửa" in line for line in result.fixed), result.fixed


def test_stray_files_are_quarantined_not_deleted(ws):
    content = "chép tay vào kho"
    _stray_in_store(ws)
    result = repair_workspace(ws)
    assert result.remaining.ok
    [kept] = list((ws.data_dir / QUARANTINE_DIR).rglob("ghi-chu.txt"))
    assert kept.read_text(encoding="utf-8") == content
    assert any("thư mục cách ly" in line for line in result.fixed)


def test_the_printed_repair_keeps_repaired_and_not_repaired_apart(ws, capsys):
    _stray_in_store(ws)
    _missing_file(ws, backed_up=False)
    ws.close()
    code = main(["--db", str(ws.path), "check", "--repair"])
    out = capsys.readouterr().out
    assert code == 1
    repaired, _, not_repaired = out.partition("Chưa sửa được")
    assert "Đã sửa (1):" in repaired and "ghi-chu.txt" in repaired and "mất tệp trong kho" not in repaired
    assert "mất tệp trong kho" in not_repaired and "ghi-chu.txt" not in not_repaired
    assert "Đã sửa: Cần xử lý" not in out


def test_a_changed_evidence_file_is_repaired_by_importing_its_original_again(ws, tmp_path, capsys):
    sha, path = next(iter(iter_evidence_store(ws.data_dir)))
    original = path.read_bytes()
    path.write_bytes(b"%PDF-1.4 bi sua trom")
    source = tmp_path / "ban-goc.pdf"
    source.write_bytes(original)
    ws.close()
    code = main(["--db", str(ws.path), "evidence", "add", str(source), "--year", "2025"])
    out = capsys.readouterr().out
    assert code == 0 and "khôi phục tệp gốc" in out, out
    assert hashlib.sha256(path.read_bytes()).hexdigest() == sha
    assert main(["--db", str(ws.path), "check"]) == 0


def test_a_changed_evidence_file_can_be_accepted_with_a_recorded_reason(ws, capsys):
    code_row = ws.db.execute("SELECT code FROM evidence ORDER BY id LIMIT 1").fetchone()[0]
    sha, path = next((s, p) for s, p in iter_evidence_store(ws.data_dir)
                     if s == ws.db.execute("SELECT sha256 FROM evidence WHERE code = ?", [code_row]).fetchone()[0])
    path.write_bytes(b"%PDF-1.4 ban da chinh sua hop le")
    ws.close()
    code = main(["--db", str(ws.path), "evidence", "accept-change", code_row, "--year", "2025"])
    assert code == 2 and "--reason" in capsys.readouterr().err
    code = main(["--db", str(ws.path), "evidence", "accept-change", code_row, "--year", "2025",
                 "--reason", "Văn thư đã đóng dấu bản chính thức"])
    out = capsys.readouterr().out
    assert code == 0 and "Đã chấp nhận nội dung mới" in out, out
    assert main(["--db", str(ws.path), "check"]) == 0
    from app.storage.workspace import Workspace

    reopened = Workspace.open(ws.path)
    try:
        [entry] = reopened.audit_entries(entity="evidence", limit=1)
        assert entry.action == "accept_change" and entry.new["reason"] == "Văn thư đã đóng dấu bản chính thức"
        assert entry.old["sha256"] == sha
    finally:
        reopened.close()
    assert not path.exists()  # the content now lives under the name of its new hash
