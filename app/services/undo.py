"""Undo and redo of indicator-value edits, rebuilt from the audit log.

The audit log already holds every old and new value, so undo needs no state of its own. The edits of a
year are replayed from the log into a stack of steps: one step is the rows one edit wrote for one
indicator (consecutive rows of the same transaction). Undoing a step restores the old values of its
fields and is itself audited: one row per field with action 'undo' (entity 'indicator_value', so the
per-indicator history shows it) plus one row in entity 'undo' naming the undone audit ids, which is what
makes the replay exact. Redo writes the steps' new values back the same way (action 'redo').
A new edit after an undo clears the redo stack, as in every editor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.errors import InputError
from app.services.workspace import AuditEntry, Changes, Workspace

EDIT_ACTIONS = frozenset({"set", "update", "clear"})
UNDO_ENTITY = "undo"


def _indicator(row: AuditEntry) -> str:
    return row.entity_key.split("/", 1)[0]


def _field(row: AuditEntry) -> str:
    return row.entity_key.split("/", 1)[1]


@dataclass(frozen=True)
class UndoStep:
    """One undoable edit: the audit rows it wrote, all for one indicator."""

    rows: tuple[AuditEntry, ...]

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(r.id for r in self.rows)

    @property
    def indicator_id(self) -> str:
        return _indicator(self.rows[0])

    @property
    def at(self) -> str:
        return self.rows[-1].at

    @property
    def user(self) -> str:
        return self.rows[-1].user

    def old_values(self) -> dict[str, Any]:
        """Each field's value before the step (the earliest row's old value)."""
        result: dict[str, Any] = {}
        for row in self.rows:
            result.setdefault(_field(row), row.old)
        return result

    def new_values(self) -> dict[str, Any]:
        """Each field's value after the step (the latest row's new value)."""
        return {_field(row): row.new for row in self.rows}

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields the step touched, in order, once each."""
        return tuple(dict.fromkeys(_field(r) for r in self.rows))

    def describe(self) -> str:
        return f"chỉ tiêu {self.indicator_id} ({', '.join(self.fields)})"


@dataclass(frozen=True)
class UndoHistory:
    """The steps that can be undone (newest last) and redone (next to redo last)."""

    undo: tuple[UndoStep, ...]
    redo: tuple[UndoStep, ...]

    def can_undo(self) -> bool:
        return bool(self.undo)

    def can_redo(self) -> bool:
        return bool(self.redo)


def _same_step(previous: AuditEntry, row: AuditEntry) -> bool:
    return previous.txn == row.txn and _indicator(previous) == _indicator(row)


def history(ws: Workspace, year: int) -> UndoHistory:
    """Replay the year's audit log into undo and redo stacks."""
    rows = ws.audit_entries(entity=("indicator_value", UNDO_ENTITY), year=year, limit=None, oldest_first=True)
    by_id = {r.id: r for r in rows}
    done: list[UndoStep] = []
    undone: list[UndoStep] = []
    previous: AuditEntry | None = None
    for row in rows:
        if row.entity == UNDO_ENTITY:
            ids = tuple((row.new or {}).get("ids", ()))
            step = UndoStep(tuple(by_id[i] for i in ids if i in by_id))
            if row.action == "undo":
                done = [s for s in done if not set(s.ids) & set(ids)]
                undone.append(step)
            elif row.action == "redo":
                undone = [s for s in undone if not set(s.ids) & set(ids)]
                done.append(step)
            previous = None
            continue
        if row.action not in EDIT_ACTIONS:
            previous = None
            continue
        if previous is not None and done and _same_step(previous, row):
            done[-1] = UndoStep(done[-1].rows + (row,))
        else:
            done.append(UndoStep((row,)))
        undone.clear()
        previous = row
    return UndoHistory(tuple(done), tuple(undone))


def _restore(ws: Workspace, year: int, indicator_id: str, targets: dict[str, Any], action: str) -> bool:
    """Write `targets` into one indicator's fields and audit each change with `action`; True if any changed."""
    changed = False
    for name, value in targets.items():
        changed |= ws._write_value(year, indicator_id, name, value, action=action)
    return changed


def _apply(ws: Workspace, year: int, stack: tuple[UndoStep, ...], action: str) -> Changes:
    """Restore the newest step of `stack`. Every stored state was validated when it was written, so
    stepping back (or forward) through whole transactions always lands on consistent figures."""
    if not stack:
        raise InputError("Không còn thay đổi nào để hoàn tác." if action == "undo" else "Không còn thay đổi nào để làm lại.")
    step = stack[-1]
    targets = step.old_values() if action == "undo" else step.new_values()
    _restore(ws, year, step.indicator_id, targets, action)
    ws.audit(action, UNDO_ENTITY, step.indicator_id, year, None, {"ids": list(step.ids)})
    return Changes(indicators=True, checklist=True)


def undo(ws: Workspace, year: int) -> Changes:
    """Undo the latest indicator-value edit of `year`; InputError when there is nothing to undo."""
    with ws.transaction():
        ws.ensure_unlocked(year)
        return _apply(ws, year, history(ws, year).undo, "undo")


def redo(ws: Workspace, year: int) -> Changes:
    """Redo the latest undone edit of `year`; InputError when there is nothing to redo."""
    with ws.transaction():
        ws.ensure_unlocked(year)
        return _apply(ws, year, history(ws, year).redo, "redo")


__all__ = ["UndoHistory", "UndoStep", "history", "undo", "redo"]
