"""The crash suite: SIGKILL at seeded random moments during real operations, then reopen and check.

After every kill: the writer lock is free again, `check` finds nothing wrong, and every change the child
confirmed (printed after its commit) is still there — and nothing half-done is visible.
Bounded for CI (CDHT_CRASH_ROUNDS kills per scenario, default 6); CDHT_CRASH_SEED changes the moments.
"""

from __future__ import annotations

import json
import re

import pytest

from app.backup import create_backup, list_backups, prune_backups, restore_backup, verify_backup
from app.documents.collection import write_collection_workbooks
from app.dossier.records import packages
from app.dossier.verify import verify_package
from app.dossier.zipstream import sha256_file
from app.services.assignments import set_assignment
from app.storage.workspace import Workspace
from tests.backup.helpers import add_evidence, make_workspace, snapshot
from tests.robustness.crash_child import COLLECT_UNIT, collection_round, dataset_round
from tests.robustness.dossier import PASSWORD_VARIABLE, YEAR, finalized_dossier
from tests.robustness.killing import ROUNDS, SEED, reopen_and_check, rng_for, run_and_kill

pytestmark = pytest.mark.slow


def _audited_values(ws: Workspace, key: str) -> set:
    with ws.lock:
        rows = ws.db.execute("SELECT new FROM audit_log WHERE entity = 'indicator_value' AND entity_key = ?",
                             [key]).fetchall()
    return {json.loads(r[0]) for r in rows if r[0] is not None}


def _allowed_rounds(confirmed: list[int], previous: int | None, start: int) -> set[int | None]:
    """Rounds whose data may be current after a kill: the newest confirmed one, or the next one when the kill
    fell between its commit and its message (before any confirmation: the previous state, or the first round)."""
    return {max(confirmed), max(confirmed) + 1} if confirmed else {previous, start + 1}


def test_killed_during_dataset_import(tmp_path):
    db = tmp_path / "data" / "cdht.sqlite3"
    make_workspace(db, evidence_files=2).close()
    rng = rng_for("dataset-import")
    previous = None
    for round_no in range(ROUNDS):
        start = round_no * 1000
        confirmed = [int(c) for c in run_and_kill("dataset-import", db.parent, start, rng.uniform(0.3, 1.2))]
        ws = reopen_and_check(db)
        try:
            values = ws.values(2025)
            notes = values["5.1"].get("notes")
            current = int(notes.split()[1]) if notes else None
            allowed = _allowed_rounds(confirmed, previous, start)
            assert current in allowed, f"seed {SEED} round {round_no}: {current} not in {allowed}"
            if current is not None:  # the whole import is atomic: every field belongs to the same round
                expected = dataset_round(current)["indicators"]
                assert values["5.1"]["achieved"] == 8000 + current
                assert values["4.2"]["level"] == expected["4.2"]["level"]
                assert values["3.3"]["description"] == expected["3.3"]["description"]
            audited = _audited_values(ws, "5.1/notes")
            assert {f"vòng {i}" for i in confirmed} <= audited, f"seed {SEED}: a confirmed import was lost"
        finally:
            ws.close()
        previous = current


def test_killed_during_backup(tmp_path):
    db = tmp_path / "data" / "cdht.sqlite3"
    ws = make_workspace(db, evidence_files=2)
    for index in range(8):
        add_evidence(ws, f"Ảnh chụp hoạt động {index}", indicator="3.2", repeat=4000)
    ws.close()
    rng = rng_for("backup")
    root = db.parent / "backups"
    confirmed_backups: list[str] = []
    for round_no in range(ROUNDS):
        confirmed = run_and_kill("backup", db.parent, round_no * 1000, rng.uniform(0.3, 1.5))
        changes = [int(c.split()[1]) for c in confirmed if c.startswith("change ")]
        confirmed_backups += [c.split()[1] for c in confirmed if c.startswith("backup ")]
        ws = reopen_and_check(db)
        try:
            audited = _audited_values(ws, "1.2/notes")
            assert {f"thay đổi {i}" for i in changes} <= audited, f"seed {SEED}: a confirmed change was lost"
        finally:
            ws.close()
        complete = {info.path.name for info in list_backups(root)}
        assert set(confirmed_backups) <= complete, f"seed {SEED}: a confirmed backup is missing"
        visible = {p.name for p in root.iterdir() if not p.name.startswith(".")} if root.exists() else set()
        assert visible == complete, f"seed {SEED}: an unfinished backup is visible: {visible - complete}"
    assert confirmed_backups, "no backup ever completed: the kill moments are too early"
    for name in confirmed_backups:
        assert verify_backup(root / name) == [], name
    prune_backups(root)
    assert not [p for p in root.iterdir() if p.name.endswith(".partial")]
    newest = list_backups(root)[0]
    restored = restore_backup(newest.path, tmp_path / "check-restore" / "cdht.sqlite3")
    reopen_and_check(restored).close()


def test_killed_during_restore(tmp_path):
    db = tmp_path / "data" / "cdht.sqlite3"
    ws = make_workspace(db, evidence_files=2)
    for index in range(12):
        add_evidence(ws, f"Quyết định khen thưởng {index}", indicator="4.1", repeat=4000)
    source = create_backup(ws)
    ws.close()
    expected = snapshot(db)
    rng = rng_for("restore")
    workdir = tmp_path / "targets"
    workdir.mkdir()
    for round_no in range(ROUNDS):
        start = round_no * 1000
        confirmed = [int(c) for c in run_and_kill("restore", workdir / "unused", start, rng.uniform(0.3, 1.2),
                                                  str(source.path))]
        for index in confirmed:
            target = workdir / f"restored-{index}" / "cdht.sqlite3"
            assert target.exists(), f"seed {SEED}: confirmed restore {index} has no database"
        if confirmed:
            assert snapshot(workdir / f"restored-{max(confirmed)}" / "cdht.sqlite3") == expected
        interrupted = workdir / f"restored-{(max(confirmed) if confirmed else start) + 1}" / "cdht.sqlite3"
        if not interrupted.exists():  # killed before the database appeared: running it again completes it
            restore_backup(source.path, interrupted)
        reopen_and_check(interrupted).close()
        assert snapshot(interrupted) == expected, f"seed {SEED} round {round_no}: restored data differs"


def test_killed_during_evidence_import(tmp_path):
    db = tmp_path / "data" / "cdht.sqlite3"
    make_workspace(db, evidence_files=1).close()
    rng = rng_for("evidence-import")
    for round_no in range(ROUNDS):
        confirmed = [int(c) for c in run_and_kill("evidence-import", db.parent, round_no * 1000,
                                                  rng.uniform(0.3, 1.2))]
        ws = reopen_and_check(db)
        try:
            with ws.lock:
                names = {r[0] for r in ws.db.execute("SELECT original_name FROM evidence WHERE deleted_at IS NULL")}
            for index in confirmed:
                assert {f"mc-{index}-{part}.pdf" for part in range(3)} <= names, f"seed {SEED}: import {index} lost"
        finally:
            ws.close()


def test_killed_during_collection_import(tmp_path):
    """An Excel collection workbook is imported whole or not at all, whatever the moment of the kill."""
    db = tmp_path / "data" / "cdht.sqlite3"
    ws = make_workspace(db, evidence_files=0)
    for indicator in collection_round(0):
        set_assignment(ws, 2025, indicator, COLLECT_UNIT, [], None, "in_progress")
    template = write_collection_workbooks(ws, 2025, tmp_path / "phieu", unit=COLLECT_UNIT)[COLLECT_UNIT]
    ws.close()
    rng = rng_for("collect-import")
    previous = None
    for round_no in range(ROUNDS):
        start = round_no * 1000
        confirmed = [int(c) for c in run_and_kill("collect-import", db.parent, start, rng.uniform(0.3, 1.5),
                                                  str(template))]
        ws = reopen_and_check(db)
        try:
            values = ws.values(2025)
            found = re.fullmatch(r"Nội dung vòng (\d+) — 5\.1", values["5.1"].get("description") or "")
            current = int(found.group(1)) if found else None
            allowed = _allowed_rounds(confirmed, previous, start)
            assert current in allowed, f"seed {SEED} round {round_no}: {current} not in {allowed}"
            if current is not None:  # every cell of the workbook comes from the same round
                expected = collection_round(current)
                assert {ind: {k: values[ind].get(k) for k in fields} for ind, fields in expected.items()} == expected
            audited = _audited_values(ws, "5.1/description")
            assert {collection_round(i)["5.1"]["description"] for i in confirmed} <= audited, (
                f"seed {SEED}: a confirmed import was lost")
        finally:
            ws.close()
        previous = current


def test_killed_during_dossier_export(tmp_path, monkeypatch):
    """A package file at its final name is always complete and verifies; every confirmed export is recorded."""
    setup = finalized_dossier(tmp_path / "xa-setup", large_evidence_mb=16)
    monkeypatch.setenv(PASSWORD_VARIABLE, setup.pki.p12_password)
    scratch = tmp_path / "tmp"  # signing scratch folders of killed children stay inside the test folder
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    usb = setup.data_dir.parent / "usb"
    rng = rng_for("dossier-export")
    confirmed_names: set[str] = set()
    interrupted_names: set[str] = set()
    checked: set[str] = set()
    for round_no in range(ROUNDS):
        start = round_no * 1000
        confirmed = [int(c) for c in run_and_kill("dossier-export", setup.data_dir, start, rng.uniform(0.5, 6.0),
                                                  str(setup.pki.p12))]
        confirmed_names |= {f"goi-{i}.zip" for i in confirmed}
        interrupted_names.add(f"goi-{(max(confirmed) if confirmed else start) + 1}.zip")
        ws = reopen_and_check(setup.db)
        try:
            recorded = {p.path: p.sha256 for p in packages(ws, YEAR)}
        finally:
            ws.close()
        present = {p.name for p in usb.iterdir()} if usb.exists() else set()
        finals = {name for name in present if not name.startswith(".")}
        assert confirmed_names <= finals <= confirmed_names | interrupted_names, f"seed {SEED} round {round_no}"
        stray = [n for n in present - finals if not re.fullmatch(r"\.goi-\d+\.zip\..+\.tmp", n)]
        assert stray == [], f"seed {SEED}: unexpected files {stray}"
        for name in sorted(confirmed_names):
            assert recorded.get(str(usb / name)) == sha256_file(usb / name), f"seed {SEED}: {name} not recorded"
        for name in sorted(finals - checked):  # a package at its final name is never half-written
            report = verify_package(usb / name, trust=[setup.pki.ca_pem])
            assert report.ok, f"seed {SEED} round {round_no}: {name}: {report.summary()}"
            checked.add(name)
    assert confirmed_names, "no export ever completed: the kill moments are too early"


def test_the_crash_child_reports_only_after_commit(tmp_path):
    """Guard for the suite itself: a child left running long enough confirms operations that are really there."""
    db = tmp_path / "data" / "cdht.sqlite3"
    make_workspace(db, evidence_files=0).close()
    confirmed = [int(c) for c in run_and_kill("dataset-import", db.parent, 0, 2.0)]
    assert len(confirmed) >= 2
    ws = Workspace.open(db)
    try:
        assert int(ws.values(2025)["5.1"]["notes"].split()[1]) >= max(confirmed)
    finally:
        ws.close()
