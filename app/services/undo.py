"""Undo and redo of indicator-value edits, kept from the audit log.

The audit log already holds every old and new value, so undo needs no state of its own on disk. One
step is the rows one edit wrote for one indicator (consecutive rows of the same transaction; a burst of
typing that the editor marks as continuing shares its first save's transaction, see
`app.services.indicators.set_values`). Undoing a step restores the old values of its fields and is itself audited: one
row per field with action 'undo' (entity 'indicator_value', so the per-indicator history shows it) plus
one row in entity 'undo' naming the undone audit ids. Redo writes the steps' new values back the same
way (action 'redo'). A new edit after an undo clears the redo stack, as in every editor.

The stacks of a year are folded from the log once, then kept up to date from each transaction's new
rows (`UndoStacks.catch_up` reads only the rows after the last one it saw, by rowid), so an edit never
re-reads the year's history. Only the newest `MAX_STEPS` steps are kept; a step holds audit ids, and
its values are read back from the log when it is undone.
"""

from __future__ import annotations

import json
import threading
import weakref
from dataclasses import dataclass
from typing import Any

from app.changes import Changes
from app.errors import InputError
from app.services.indicators import write_value
from app.storage.workspace import Workspace

EDIT_ACTIONS = frozenset({"set", "update", "clear"})
UNDO_ENTITY = "undo"
#: How many edits back undo can go (far beyond what anyone presses Ctrl+Z for).
MAX_STEPS = 1000


@dataclass(frozen=True)
class UndoStep:
    """One undoable edit: the audit rows it wrote (ids, oldest first), all for one indicator."""

    ids: tuple[int, ...]
    indicator_id: str
    fields: tuple[str, ...]
    """The fields the step touched, in order, once each."""

    def describe(self) -> str:
        return f"chỉ tiêu {self.indicator_id} ({', '.join(self.fields)})"

    def values(self, ws: Workspace) -> tuple[dict[str, Any], dict[str, Any]]:
        """Each field's value before the step (its earliest row's old value) and after it (the latest new)."""
        marks = ", ".join("?" * len(self.ids))
        with ws.lock:
            rows = ws.db.execute(f"SELECT entity_key, old, new FROM audit_log WHERE id IN ({marks}) ORDER BY id",
                                 list(self.ids)).fetchall()
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        for key, old, new in rows:
            field = key.split("/", 1)[1]
            before.setdefault(field, None if old is None else json.loads(old))
            after[field] = None if new is None else json.loads(new)
        return before, after


@dataclass(frozen=True)
class UndoHistory:
    """The steps that can be undone (newest last) and redone (next to redo last)."""

    undo: tuple[UndoStep, ...]
    redo: tuple[UndoStep, ...]

    def can_undo(self) -> bool:
        return bool(self.undo)

    def can_redo(self) -> bool:
        return bool(self.redo)


class UndoStacks:
    """The undo and redo stacks of one year, folded from the audit log one row at a time."""

    def __init__(self, year: int) -> None:
        self.year = year
        self.last_id = 0
        self.folded = False  # whether the year's history has been read once
        self._done: list[UndoStep] = []
        self._undone: list[UndoStep] = []
        self._previous: tuple[int, str] | None = None  # (txn, indicator) of the last edit row folded
        self._lock = threading.Lock()

    def catch_up(self, ws: Workspace) -> UndoHistory:
        """Fold the audit rows written since the last call (all of the year's on the first) and return the stacks.

        Inside an open transaction the new rows may still be rolled back: they are folded into a copy only."""
        with ws.lock, self._lock:
            newest = ws.db.execute("SELECT COALESCE(MAX(id), 0) FROM audit_log").fetchone()[0]
            if newest < self.last_id:  # the database was replaced under us (a restore): start again
                self._reset()
            state = self._copy() if ws.db.conn.in_transaction else self
            if newest > state.last_id:
                # NOT INDEXED: walk the rowid range after `last_id`, never an index over the whole log
                rows = ws.db.execute(
                    "SELECT id, txn, action, entity, entity_key, CASE WHEN entity = ? THEN new END "
                    "FROM audit_log NOT INDEXED WHERE id > ? AND id <= ? AND year = ? "
                    "AND entity IN ('indicator_value', ?) ORDER BY id",
                    [UNDO_ENTITY, state.last_id, newest, self.year, UNDO_ENTITY])
                for row in rows:
                    state._fold(*row)
                state.last_id = newest
            state.folded = True
            return UndoHistory(tuple(state._done), tuple(state._undone))

    def _reset(self) -> None:
        self.last_id, self.folded = 0, False
        self._done, self._undone, self._previous = [], [], None

    def _copy(self) -> UndoStacks:
        copy = UndoStacks(self.year)
        copy.last_id, copy._previous, copy.folded = self.last_id, self._previous, self.folded
        copy._done, copy._undone = list(self._done), list(self._undone)
        return copy

    def _fold(self, row_id: int, txn: int, action: str, entity: str, key: str, undo_json: str | None) -> None:
        if entity == UNDO_ENTITY:
            ids = tuple((json.loads(undo_json) if undo_json else {}).get("ids", ()))
            source, target = (self._done, self._undone) if action == "undo" else (self._undone, self._done)
            for index in range(len(source) - 1, -1, -1):
                if set(source[index].ids) & set(ids):
                    target.append(source.pop(index))
                    break
            self._previous = None
            return
        if action not in EDIT_ACTIONS:
            self._previous = None
            return
        indicator, field = key.split("/", 1)
        if self._previous == (txn, indicator) and self._done:
            top = self._done[-1]
            fields = top.fields if field in top.fields else top.fields + (field,)
            self._done[-1] = UndoStep(top.ids + (row_id,), indicator, fields)
        else:
            self._done.append(UndoStep((row_id,), indicator, (field,)))
            if len(self._done) > MAX_STEPS:
                del self._done[0]
        self._undone.clear()
        self._previous = (txn, indicator)


_STACKS: weakref.WeakKeyDictionary[Workspace, dict[int, UndoStacks]] = weakref.WeakKeyDictionary()
_STACKS_LOCK = threading.Lock()


def stacks(ws: Workspace, year: int) -> UndoStacks:
    """The (cached) undo stacks of `year` in this workspace; not yet caught up."""
    with _STACKS_LOCK:
        return _STACKS.setdefault(ws, {}).setdefault(year, UndoStacks(year))


def history(ws: Workspace, year: int) -> UndoHistory:
    """The undo and redo stacks of `year`, brought up to date with the audit log (only new rows are read)."""
    return stacks(ws, year).catch_up(ws)


def _restore(ws: Workspace, year: int, indicator_id: str, targets: dict[str, Any], action: str) -> bool:
    """Write `targets` into one indicator's fields and audit each change with `action`; True if any changed."""
    changed = False
    for name, value in targets.items():
        changed |= write_value(ws, year, indicator_id, name, value, action=action)
    return changed


def _apply(ws: Workspace, year: int, action: str) -> Changes:
    """Restore the newest step of the undo (or redo) stack. Every stored state was validated when it was
    written, so stepping back (or forward) through whole transactions always lands on consistent figures."""
    current = history(ws, year)
    stack = current.undo if action == "undo" else current.redo
    if not stack:
        raise InputError("Không còn thay đổi nào để hoàn tác." if action == "undo" else "Không còn thay đổi nào để làm lại.")
    step = stack[-1]
    before, after = step.values(ws)
    _restore(ws, year, step.indicator_id, before if action == "undo" else after, action)
    ws.audit(action, UNDO_ENTITY, step.indicator_id, year, None, {"ids": list(step.ids)})
    return Changes(indicators=True, checklist=True)


def undo(ws: Workspace, year: int) -> Changes:
    """Undo the latest indicator-value edit of `year`; InputError when there is nothing to undo."""
    with ws.transaction():
        ws.ensure_unlocked(year)
        return _apply(ws, year, "undo")


def redo(ws: Workspace, year: int) -> Changes:
    """Redo the latest undone edit of `year`; InputError when there is nothing to redo."""
    with ws.transaction():
        ws.ensure_unlocked(year)
        return _apply(ws, year, "redo")


__all__ = ["UndoHistory", "UndoStep", "UndoStacks", "MAX_STEPS", "history", "stacks", "undo", "redo"]
