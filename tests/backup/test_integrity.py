"""`cdht check` and `check --repair`: real damage, Vietnamese reports, repair without guessing, honest exit codes."""

from __future__ import annotations

import datetime as dt
import sqlite3

from app.backup import create_backup, list_backups
from app.backup.manifest import iter_evidence_store
from app.cli import main
from app.services.integrity import check_workspace, repair_workspace
from app.storage.workspace import Workspace

T0 = dt.datetime(2026, 11, 22, 9, 0, 0).astimezone()


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_healthy_workspace_checks_clean(ws, capsys):
    report = check_workspace(ws)
    assert report.ok and report.summary() == "Dữ liệu toàn vẹn: không phát hiện lỗi nào."
    ws.close()
    code, out, err = _run(capsys, "--db", ws.path, "check")
    assert code == 0 and "toàn vẹn" in out and err == ""


def test_an_altered_evidence_file_is_brought_back_from_a_backup_and_the_altered_copy_kept(ws, capsys):
    create_backup(ws, now=T0)
    sha, path = next(iter(iter_evidence_store(ws.data_dir)))
    original = path.read_bytes()
    path.write_bytes(b"%PDF-1.4 replaced by malware")
    report = check_workspace(ws)
    assert [(p.kind, p.fixable) for p in report.problems] == [("altered", True)]
    ws.close()
    code, out, _ = _run(capsys, "--db", ws.path, "check")
    assert code == 1 and "bị thay đổi nội dung" in out and "check --repair" in out
    code, out, _ = _run(capsys, "--db", ws.path, "check", "--repair")
    assert code == 0, out
    assert "lấy lại tệp minh chứng bị thay đổi" in out and "Sau khi sửa: dữ liệu toàn vẹn." in out
    assert path.read_bytes() == original
    kept = list((ws.data_dir / "evidence-altered").iterdir())
    assert len(kept) == 1 and kept[0].read_bytes() == b"%PDF-1.4 replaced by malware"
    assert any(b.kind == "safety" for b in list_backups(ws.data_dir / "backups"))
    reopened = Workspace.open(ws.path)
    assert reopened.audit_entries(entity="integrity")[0].action == "repair"
    reopened.close()


def test_a_missing_file_without_any_backup_is_reported_as_not_repairable(ws, capsys):
    sha, path = next(iter(iter_evidence_store(ws.data_dir)))
    path.unlink()
    ws.close()
    code, out, err = _run(capsys, "--db", ws.path, "check", "--repair")
    assert code == 1 and "Chưa sửa được" in out and "mất tệp trong kho" in out
    assert "Traceback" not in out + err


def test_foreign_key_violations_and_figures_of_unknown_indicators_are_reported_not_guessed(ws):
    ws.db.execute("PRAGMA foreign_keys = OFF")
    ws.db.execute("INSERT INTO indicator_values (year, indicator_id, field, value, updated_at) "
                  "VALUES (2031, '1.1', 'met', 'true', '2026-01-01')")
    ws.db.execute("INSERT INTO indicator_values (year, indicator_id, field, value, updated_at) "
                  "VALUES (2025, '9.9', 'met', 'true', '2026-01-01')")
    ws.db.conn.commit()
    ws.db.execute("PRAGMA foreign_keys = ON")
    report = check_workspace(ws)
    kinds = sorted(p.kind for p in report.problems)
    assert kinds == ["foreign_key", "unknown_indicator"]
    assert any("số liệu chỉ tiêu" in p.message and "năm đánh giá" in p.message for p in report.problems)
    result = repair_workspace(ws, report)
    assert not result.remaining.ok and len(result.remaining.problems) == 2
    assert ws.db.execute("SELECT COUNT(*) FROM indicator_values WHERE year = 2031").fetchone()[0] == 1


def test_a_broken_index_is_rebuilt(ws, tmp_path, capsys):
    ws.close()
    conn = sqlite3.connect(ws.path)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET sql = replace(sql, '(entity, entity_key)', '(entity_key, entity)') "
                 "WHERE name = 'audit_log_entity'")
    conn.commit()
    conn.close()
    code, out, _ = _run(capsys, "--db", ws.path, "check")
    assert code == 1 and "Chỉ mục cơ sở dữ liệu bị lệch" in out and "check --repair" in out
    code, out, _ = _run(capsys, "--db", ws.path, "check", "--repair")
    assert code == 0, out
    assert "dựng lại chỉ mục" in out and "toàn vẹn" in out
    assert list(ws.data_dir.glob("cdht.sqlite3.before-repair-*.bak"))
    Workspace.open(ws.path).close()


def test_a_database_damaged_beyond_indexes_is_not_touched_and_restore_is_advised(ws, capsys):
    ws.close()
    with open(ws.path, "r+b") as handle:
        handle.seek(8192)
        handle.write(b"\x13" * 8192)
    before = ws.path.read_bytes()
    code, out, err = _run(capsys, "--db", ws.path, "check", "--repair")
    assert code == 1 and "khôi phục từ bản sao lưu" in out and "Traceback" not in out + err
    assert ws.path.read_bytes() == before
