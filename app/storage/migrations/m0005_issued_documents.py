"""Documents fit to be issued: commune unit kind, attendee roles and absences, partner order, normalised numbers and dates.

- profile.commune_kind (xã, phường, thị trấn, đặc khu); names stored without a leading unit word and with single
  spaces ("Xã  Kiến Hưng" -> "Kiến Hưng", kind xã; "Thành phố Hà Nội" -> "Hà Nội").
- review_meeting_attendees.role / present / absence_reason. Older rows get the role their organisation names when
  that is unambiguous (else 'khac'), and a "Tên|Chức vụ|Cơ quan" name is split into its fields.
- assignment_units.position: partners keep the order they were entered in (their insertion order so far).
- document_texts: the one 'document_date' becomes the dates of the Tờ trình and the Báo cáo; numbers become
  "05" (a ký hiệu equal to the document's own is dropped).
- indicator_values: decision dates typed as dd/mm/yyyy become ISO; "Quyết định số 12/QĐ-UBND" becomes "12/QĐ-UBND".

Self-contained on purpose (a released migration must not change when app code changes).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.storage.connection import Database

KINDS = {"xa": "xã", "phuong": "phường", "thi tran": "thị trấn", "dac khu": "đặc khu"}
PROVINCE_PREFIXES = ("thanh pho", "tinh", "tp.", "tp")
ORGANISATIONS = (("hoi lien hiep phu nu", "hoi lhpn", "hoi phu nu"), ("hoi nong dan",), ("hoi cuu chien binh", "hoi ccb"),
                 ("doan tncs", "doan thanh nien", "doan tn"), ("cong doan",))
CODES = {"number.to_trinh": "ttr-ubnd", "number.bao_cao": "bc-ubnd", "number.bien_ban": "bb-ubnd",
         "plan.number": "kh-ubnd"}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _drop_prefix(name: str, prefixes: Iterable[str]) -> tuple[str, str | None]:
    words = unicodedata.normalize("NFC", name).split()
    folded = [_fold(w) for w in words]
    for prefix in sorted(prefixes, key=lambda p: -len(p.split())):
        size = len(prefix.split())
        if len(words) > size and folded[:size] == prefix.split():
            return " ".join(words[size:]), prefix
    return " ".join(words), None


def _profile(db: Database) -> None:
    db.execute("ALTER TABLE profile ADD COLUMN commune_kind TEXT NOT NULL DEFAULT 'xã'")
    row = db.execute("SELECT commune_name, province FROM profile WHERE id = 1").fetchone()
    if row is None:
        return
    commune, prefix = _drop_prefix(row[0], KINDS)
    province, _ = _drop_prefix(row[1], PROVINCE_PREFIXES)
    db.execute("UPDATE profile SET commune_name = ?, province = ?, commune_kind = ? WHERE id = 1",
               [commune or row[0], province or row[1], KINDS.get(prefix or "xa", "xã")])


def _role(organisation: str, title: str) -> str:
    text = _fold(f"{organisation} {title}")
    org = _fold(organisation)
    found = []
    if "khuyen hoc" in text:
        found.append("khuyen_hoc")
    if "mat tran" in text or "mttq" in text:
        found.append("mttq")
    if any(org.startswith(alias) for aliases in ORGANISATIONS for alias in aliases):
        found.append("to_chuc_ctxh")
    if not found and ("uy ban nhan dan" in text or "ubnd" in text):
        found.append("lanh_dao_ubnd")
    return found[0] if len(found) == 1 else "khac"


def _attendees(db: Database) -> None:
    db.execute("ALTER TABLE review_meeting_attendees ADD COLUMN role TEXT NOT NULL DEFAULT 'khac'")
    db.execute("ALTER TABLE review_meeting_attendees ADD COLUMN present INTEGER NOT NULL DEFAULT 1 "
               "CHECK (present IN (0, 1))")
    db.execute("ALTER TABLE review_meeting_attendees ADD COLUMN absence_reason TEXT NOT NULL DEFAULT ''")
    rows = db.execute("SELECT year, position, name, title, organisation FROM review_meeting_attendees").fetchall()
    for year, position, name, title, organisation in rows:
        parts = [p.strip() for p in name.split("|")]
        if 1 < len(parts) <= 3 and not title and not organisation:
            name, title, organisation = (parts + ["", ""])[:3]
        db.execute("UPDATE review_meeting_attendees SET name = ?, title = ?, organisation = ?, role = ? "
                   "WHERE year = ? AND position = ?", [name, title, organisation, _role(organisation, title), year,
                                                       position])
    db.execute("UPDATE review_meetings SET level_agreed = NULL WHERE level_agreed = 0")


def _partners(db: Database) -> None:
    db.execute("ALTER TABLE assignment_units ADD COLUMN position INTEGER NOT NULL DEFAULT 0")
    db.execute("UPDATE assignment_units SET position = (SELECT COUNT(*) FROM assignment_units other WHERE "
               "other.assignment_id = assignment_units.assignment_id AND other.rowid < assignment_units.rowid)")


def _number(value: str, code: str) -> str:
    match = re.fullmatch(r"(?:s[oố]\s*:?\s*)?(\d{1,5})(?:\s*/\s*(\S.*))?", " ".join(value.split()), re.IGNORECASE)
    if match is None or int(match.group(1)) == 0:
        return value
    suffix = (match.group(2) or "").replace(" ", "")
    number = f"{int(match.group(1)):02d}"
    return number if not suffix or _fold(suffix) == code else f"{number}/{suffix}"


def _iso(text: str) -> str | None:
    match = re.fullmatch(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*", text)
    if match is None:
        return None
    try:
        return dt.date(int(match.group(3)), int(match.group(2)), int(match.group(1))).isoformat()
    except ValueError:
        return None


def _document_texts(db: Database) -> None:
    rows = db.execute("SELECT year, key, value, updated_at FROM document_texts").fetchall()
    for year, key, value, updated in rows:
        if key == "document_date":
            for new_key in ("date.to_trinh", "date.bao_cao"):
                db.execute("INSERT OR IGNORE INTO document_texts (year, key, value, updated_at) VALUES (?, ?, ?, ?)",
                           [year, new_key, value, updated])
            db.execute("DELETE FROM document_texts WHERE year = ? AND key = ?", [year, key])
        elif key in CODES:
            db.execute("UPDATE document_texts SET value = ? WHERE year = ? AND key = ?",
                       [_number(value, CODES[key]), year, key])


def _decisions(db: Database) -> None:
    rows = db.execute("SELECT year, indicator_id, field, value FROM indicator_values "
                      "WHERE field IN ('decision_date', 'decision_number')").fetchall()
    for year, indicator, field, raw in rows:
        value = json.loads(raw)
        if not isinstance(value, str):
            continue
        if field == "decision_date":
            new = _iso(value) or value
        else:
            new = re.sub(r"^\s*(quyết định|qđ)?\s*(số)?\s*:?\s*", "", value, flags=re.IGNORECASE).strip() or value
        if new != value:
            db.execute("UPDATE indicator_values SET value = ? WHERE year = ? AND indicator_id = ? AND field = ?",
                       [json.dumps(new, ensure_ascii=False), year, indicator, field])


def upgrade(db: Database) -> None:
    _profile(db)
    _attendees(db)
    _partners(db)
    _document_texts(db)
    _decisions(db)
