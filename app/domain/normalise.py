"""Free-text indicator fields that are really typed values, normalised wherever they come in (editor, dataset
file, unit workbook): decision dates stored as ISO, decision numbers without a repeated "Quyết định số"."""

from __future__ import annotations

import re
from typing import Any

from app.text import iso_date_text

#: Indicator fields holding a date, with the label messages use.
DATE_FIELDS = {"decision_date": "Ngày quyết định công nhận"}
_DECISION_PREFIX = re.compile(r"^\s*(quyết\s+định|qđ)?\s*(số)?\s*:?\s*", re.IGNORECASE)


def decision_number(text: str) -> str:
    """'Quyết định số 112/QĐ-UBND' -> '112/QĐ-UBND': documents print "Quyết định số …" themselves."""
    stripped = _DECISION_PREFIX.sub("", text).strip()
    return " ".join((stripped or text).split())


def normalise_indicator_fields(updates: dict[str, Any], where: str) -> dict[str, Any]:
    """`updates` with date fields as ISO text (InputError naming `where` for a bad date) and decision numbers
    without their prefix; other fields unchanged."""
    result = dict(updates)
    for name, label in DATE_FIELDS.items():
        if isinstance(result.get(name), str):
            result[name] = iso_date_text(result[name], f"{label} ({where})") or None
    if isinstance(result.get("decision_number"), str):
        result["decision_number"] = decision_number(result["decision_number"]) or None
    return result
