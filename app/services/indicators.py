"""Indicator figures of a year: setting them (validated as a whole, audited) and the write every other use case
that changes a figure goes through (year copies, dataset imports, collection workbooks, undo)."""

from __future__ import annotations

import json
from typing import Any

from app.changes import Changes
from app.domain.records import EXPLANATION_FIELD
from app.errors import NotFoundError
from app.storage.workspace import Workspace
from app.text import nfc, utc_now


def write_value(ws: Workspace, year: int, indicator_id: str, name: str, value: Any, action: str | None = None) -> bool:
    """Store (or with None, clear) one field and audit it (as `action`, default set/update/clear); returns whether
    anything changed. Call inside a transaction, after validating: this only writes."""
    row = ws.db.execute(
        "SELECT value FROM indicator_values WHERE year = ? AND indicator_id = ? AND field = ?",
        [year, indicator_id, name],
    ).fetchone()
    old = None if row is None else json.loads(row[0])
    if old == value and (value is None or type(old) is type(value)):
        return False
    if value is None:
        ws.db.execute(
            "DELETE FROM indicator_values WHERE year = ? AND indicator_id = ? AND field = ?", [year, indicator_id, name]
        )
    else:
        ws.db.execute(
            "INSERT INTO indicator_values (year, indicator_id, field, value, updated_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(year, indicator_id, field) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            [year, indicator_id, name, json.dumps(value, ensure_ascii=False), utc_now()],
        )
    if action is None:
        action = "update" if old is not None and value is not None else ("clear" if value is None else "set")
    ws.audit(action, "indicator_value", f"{indicator_id}/{name}", year, old, value)
    return True


def set_values(ws: Workspace, year: int, indicator_id: str, updates: dict[str, Any],
               continue_edit: bool = False) -> Changes:
    """Set several fields of one indicator at once (None or '' clears a field); validated as a whole.

    `continue_edit`: this write goes on with the previous edit of the same indicator (more of the same
    typing), so that undo takes both back in one step."""
    from app.domain.dataset import VALUE_FIELDS, validate_indicator_values
    from app.domain.normalise import normalise_indicator_fields

    catalogue = ws.catalogue(year)
    try:
        indicator = catalogue.indicator(indicator_id)
    except KeyError:
        raise NotFoundError(f"Không có chỉ tiêu mã \"{indicator_id}\" trong {catalogue.short_title}.") from None
    updates = {nfc(k): (nfc(v).strip() if isinstance(v, str) else v) for k, v in updates.items()}
    updates = normalise_indicator_fields({k: (None if v == "" else v) for k, v in updates.items()},
                                         f"chỉ tiêu {indicator_id}")
    with ws.transaction(continues=f"{indicator_id}/" if continue_edit else None):
        ws.ensure_unlocked(year)
        merged = dict(ws.values(year).get(indicator_id, {}))
        merged.update(updates)
        validate_indicator_values(indicator, merged, f"chỉ tiêu {indicator_id}")
        changed = False
        for name, value in updates.items():
            changed |= write_value(ws, year, indicator_id, name, value)
    if not changed:
        return Changes()
    value_touched = any(k in VALUE_FIELDS[indicator.input] or k == EXPLANATION_FIELD for k in updates)
    return Changes(indicators=True, checklist=value_touched)


