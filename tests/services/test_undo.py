"""Undo and redo of indicator values, rebuilt from the audit log (no Qt)."""

from __future__ import annotations

import itertools

import pytest

import app.storage.session as workspace_module
from app.domain.records import Profile
from app.errors import InputError, LockedError
from app.services import undo
from app.services.indicators import set_values
from app.services.profile import save_profile
from app.services.years import add_year
from app.storage.workspace import Workspace


class Clock:
    """A controllable audit clock: rows written between two ticks share one timestamp."""

    def __init__(self) -> None:
        self.seconds = itertools.count()
        self.now = ""
        self.tick()

    def tick(self) -> None:
        self.now = f"2026-01-01T00:{next(self.seconds):04d}"

    def __call__(self) -> str:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(workspace_module, "utc_now", clock)
    return clock


@pytest.fixture
def ws(tmp_path, clock: Clock) -> Workspace:
    ws = Workspace.open(tmp_path / "cdht.sqlite3", user="Nguyễn Văn An")
    save_profile(ws, Profile("Kiến Hưng", "Hà Nội"))
    add_year(ws, 2025)
    clock.tick()
    return ws


def test_undo_restores_previous_values_step_by_step(ws: Workspace, clock: Clock) -> None:
    set_values(ws, 2025, "5.1", {"achieved": 500, "total": 1000})
    clock.tick()
    set_values(ws, 2025, "5.1", {"achieved": 650})
    clock.tick()
    assert ws.checklist(2025).assessment.indicators["5.1"].verdicts[1].status == "met"

    changes = undo.undo(ws, 2025)
    assert changes.checklist and changes.indicators
    assert ws.values(2025)["5.1"] == {"achieved": 500, "total": 1000}
    assert ws.checklist(2025).assessment.indicators["5.1"].verdicts[1].status == "not_met"

    undo.undo(ws, 2025)
    assert "5.1" not in ws.values(2025)
    with pytest.raises(InputError):
        undo.undo(ws, 2025)


def test_undo_is_audited_per_field_and_redo_reapplies(ws: Workspace, clock: Clock) -> None:
    set_values(ws, 2025, "1.2", {"met": True, "description": "Ban hành Kế hoạch số 12/KH-UBND"})
    clock.tick()
    undo.undo(ws, 2025)
    entries = ws.audit_entries(entity="indicator_value", key_prefix="1.2/", year=2025)
    undo_rows = [e for e in entries if e.action == "undo"]
    assert {e.entity_key for e in undo_rows} == {"1.2/met", "1.2/description"}
    assert all(e.user == "Nguyễn Văn An" for e in undo_rows)
    assert {e.entity_key: e.old for e in undo_rows}["1.2/met"] is True

    assert undo.history(ws, 2025).can_redo()
    undo.redo(ws, 2025)
    assert ws.values(2025)["1.2"] == {"met": True, "description": "Ban hành Kế hoạch số 12/KH-UBND"}
    assert any(e.action == "redo" for e in ws.audit_entries(entity="indicator_value", year=2025))
    assert not undo.history(ws, 2025).can_redo()
    undo.undo(ws, 2025)
    assert "1.2" not in ws.values(2025)


def test_new_edit_after_undo_clears_redo(ws: Workspace, clock: Clock) -> None:
    set_values(ws, 2025, "1.1", {"met": True})
    clock.tick()
    set_values(ws, 2025, "1.1", {"met": False})
    clock.tick()
    undo.undo(ws, 2025)
    assert undo.history(ws, 2025).can_redo()
    clock.tick()
    set_values(ws, 2025, "2.1", {"met": True})
    assert not undo.history(ws, 2025).can_redo()
    with pytest.raises(InputError):
        undo.redo(ws, 2025)
    undo.undo(ws, 2025)
    undo.undo(ws, 2025)
    assert ws.values(2025) == {}


def test_edits_of_different_indicators_in_one_second_are_separate_steps(ws: Workspace) -> None:
    set_values(ws, 2025, "3.1", {"met": True})
    set_values(ws, 2025, "3.2", {"met": True})
    history = undo.history(ws, 2025)
    assert [s.indicator_id for s in history.undo] == ["3.1", "3.2"]
    undo.undo(ws, 2025)
    assert ws.values(2025) == {"3.1": {"met": True}}


def test_one_edit_is_one_step_even_when_its_rows_straddle_a_second(ws: Workspace, clock: Clock, monkeypatch) -> None:
    set_values(ws, 2025, "5.1", {"achieved": 50, "total": 100})
    clock.tick()
    # the next edit's two rows get different timestamps, as when a write crosses a second boundary
    ticking = itertools.count(100)
    monkeypatch.setattr(workspace_module, "utc_now", lambda: f"2026-01-01T01:{next(ticking):04d}")
    set_values(ws, 2025, "5.1", {"achieved": 900, "total": 1000})
    assert len(undo.history(ws, 2025).undo) == 2
    undo.undo(ws, 2025)  # restoring the total alone would leave 900 of 100
    assert ws.values(2025)["5.1"] == {"achieved": 50, "total": 100}


def test_locked_year_cannot_be_undone(ws: Workspace, clock: Clock) -> None:
    set_values(ws, 2025, "1.1", {"met": True})
    with ws.transaction():
        ws.db.execute("UPDATE years SET locked_at = '2026-02-01T00:00:00' WHERE year = 2025")
    with pytest.raises(LockedError):
        undo.undo(ws, 2025)
    assert ws.values(2025) == {"1.1": {"met": True}}


def test_continued_typing_is_one_step_and_a_new_edit_is_not(ws: Workspace, clock: Clock) -> None:
    set_values(ws, 2025, "1.2", {"description": "Kế"})
    clock.tick()
    set_values(ws, 2025, "1.2", {"description": "Kế hoạch"}, continue_edit=True)
    clock.tick()
    set_values(ws, 2025, "1.2", {"description": "Kế hoạch số 12"}, continue_edit=True)
    clock.tick()
    set_values(ws, 2025, "2.1", {"met": True})
    clock.tick()
    # continuing after another indicator's edit starts a new step
    set_values(ws, 2025, "1.2", {"description": "Kế hoạch số 12/KH"}, continue_edit=True)
    assert [s.indicator_id for s in undo.history(ws, 2025).undo] == ["1.2", "2.1", "1.2"]
    undo.undo(ws, 2025)
    undo.undo(ws, 2025)
    assert ws.values(2025)["1.2"] == {"description": "Kế hoạch số 12"}
    undo.undo(ws, 2025)  # the whole burst of typing at once
    assert "1.2" not in ws.values(2025)


def test_stacks_follow_each_transaction_without_rereading_the_log(ws: Workspace, clock: Clock) -> None:
    set_values(ws, 2025, "1.1", {"met": True})
    stacks = undo.stacks(ws, 2025)
    assert len(stacks.catch_up(ws).undo) == 1
    seen = stacks.last_id
    statements: list[str] = []
    ws.db.conn.set_trace_callback(statements.append)
    try:
        clock.tick()
        set_values(ws, 2025, "1.1", {"met": False})
        statements.clear()
        assert len(undo.history(ws, 2025).undo) == 2
    finally:
        ws.db.conn.set_trace_callback(None)
    reads = [s for s in statements if "FROM audit_log NOT INDEXED" in s]
    assert len(reads) == 1 and f"id > {seen}" in reads[0]
    assert stacks.last_id > seen


def test_rows_of_a_rolled_back_transaction_never_reach_the_stacks(ws: Workspace, clock: Clock) -> None:
    set_values(ws, 2025, "1.1", {"met": True})
    clock.tick()
    with pytest.raises(RuntimeError), ws.transaction():
        set_values(ws, 2025, "1.1", {"met": False})
        assert len(undo.history(ws, 2025).undo) == 2  # seen inside the transaction…
        raise RuntimeError("abandon")
    assert len(undo.history(ws, 2025).undo) == 1  # …but not kept


def test_only_the_newest_steps_are_kept(ws: Workspace, clock: Clock, monkeypatch) -> None:
    monkeypatch.setattr(undo, "MAX_STEPS", 3)
    for value in range(1, 6):
        set_values(ws, 2025, "5.1", {"total": value * 10})
        clock.tick()
    assert len(undo.history(ws, 2025).undo) == 3
    for _ in range(3):
        undo.undo(ws, 2025)
    assert ws.values(2025)["5.1"] == {"total": 20}
    with pytest.raises(InputError):
        undo.undo(ws, 2025)
