"""Evidence codes (mã minh chứng): `H1.2.03` is the third item filed under indicator 1.2 (criterion 1).

Numbers come from a per-year, per-indicator counter that only grows, so removing an item never
renumbers the others and a number is never issued twice. Items not yet linked to an indicator get
`MC.07`-style codes until their first link.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.storage.connection import Database

UNLINKED_PREFIX = "MC"
_CODE = re.compile(r"^H(\d+)\.(\d+)\.(\d+)$|^MC\.(\d+)$")


def format_code(indicator_id: str, number: int) -> str:
    if not indicator_id:
        return f"{UNLINKED_PREFIX}.{number:02d}"
    return f"H{indicator_id}.{number:02d}"


def code_sort_key(code: str) -> tuple[int, int, int, int, str]:
    """Order codes as a reader expects: H1.2.03 < H1.2.10 < H2.1.01 < MC.01, unknown forms last."""
    match = _CODE.match(code)
    if match is None:
        return (2, 0, 0, 0, code)
    if match.group(4) is not None:
        return (1, 0, 0, int(match.group(4)), code)
    return (0, int(match.group(1)), int(match.group(2)), int(match.group(3)), code)


def next_code(db: Database, year: int, indicator_id: str) -> str:
    """Issue the next code of an indicator in a year (call inside the transaction that uses it)."""
    row = db.execute("SELECT last_number FROM evidence_code_counters WHERE year = ? AND indicator_id = ?",
                     [year, indicator_id]).fetchone()
    number = (row[0] if row else 0) + 1
    while db.execute("SELECT 1 FROM evidence WHERE year = ? AND code = ?",
                     [year, format_code(indicator_id, number)]).fetchone():
        number += 1
    db.execute("INSERT INTO evidence_code_counters (year, indicator_id, last_number) VALUES (?, ?, ?) "
               "ON CONFLICT(year, indicator_id) DO UPDATE SET last_number = excluded.last_number",
               [year, indicator_id, number])
    return format_code(indicator_id, number)


__all__ = ["format_code", "code_sort_key", "next_code"]
