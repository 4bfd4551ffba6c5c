"""A damaged database at start: a clear diagnosis, the newest good backup, and a restore that keeps the damaged file."""

from __future__ import annotations

import datetime as dt
import sqlite3

from app.backup import create_backup
from app.backup.recovery import diagnose_database, latest_good_backup, recover_from_backup
from app.storage.migrations import SCHEMA_VERSION
from app.storage.workspace import Workspace
from tests.backup.helpers import snapshot

T0 = dt.datetime(2026, 11, 22, 9, 0, 0).astimezone()


def _trash_pages(path, offset=8192, size=4096):
    with open(path, "r+b") as handle:
        handle.seek(offset)
        handle.write(b"\x13" * size)


def test_diagnosis_of_healthy_missing_garbage_damaged_and_newer_files(ws, tmp_path):
    ws.close()
    assert diagnose_database(ws.path).ok
    assert diagnose_database(tmp_path / "nowhere.sqlite3").status == "missing"
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"MZ this is a virus, not a database" * 100)
    health = diagnose_database(garbage)
    assert health.status == "damaged" and "bị hỏng" in health.message
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(ws.path.read_bytes())
    _trash_pages(damaged)
    assert diagnose_database(damaged).status == "damaged"
    newer = tmp_path / "newer.sqlite3"
    newer.write_bytes(ws.path.read_bytes())
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    assert diagnose_database(newer).status == "newer"


def test_latest_good_backup_skips_a_newer_backup_that_was_damaged(ws):
    good = create_backup(ws, now=T0)
    bad = create_backup(ws, now=T0 + dt.timedelta(hours=1))
    victim = next((bad.path / "evidence").rglob("*/*"))
    victim.unlink()  # evidence is hard-linked between backups: replace the file, do not write through the link
    victim.write_bytes(b"overwritten")
    assert latest_good_backup(ws.data_dir).path == good.path
    _trash_pages(good.path / "cdht.sqlite3")
    assert latest_good_backup(ws.data_dir) is None
    assert latest_good_backup(ws.data_dir / "empty") is None


def test_recovering_replaces_the_damaged_database_and_keeps_it_aside(ws):
    backup = create_backup(ws, now=T0)
    ws.close()
    expected = snapshot(ws.path)
    _trash_pages(ws.path, 4096, 8192)
    assert diagnose_database(ws.path).status == "damaged"
    recover_from_backup(backup.path, ws.path)
    assert diagnose_database(ws.path).ok
    assert snapshot(ws.path) == expected
    aside = [p.name for p in ws.path.parent.iterdir() if ".damaged-" in p.name]
    assert aside and all(name.startswith("cdht.sqlite3.damaged-") for name in aside)
    Workspace.open(ws.path).close()
