"""The evidence library of a workspace: listing, search, catalogue fields, links to indicators, trash.

Every mutation checks that its year is not finalized, runs in one transaction with its audit rows and
returns `Changes(evidence=True, ...)`. Removing an item only moves it to the trash (its links are kept
so that a restore brings them back); emptying the trash deletes the rows and then the stored files no
other row references.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from app.errors import InputError, NotFoundError, describe_os_error
from app.evidence.codes import code_sort_key, next_code
from app.evidence.sniff import FileKind, kind_for_mime
from app.evidence.store import CHUNK_SIZE, EvidenceStore, evidence_root
from app.fileio import atomic_writer
from app.text import (
    MAX_NAME_LENGTH,
    MAX_ORGANISATION_LENGTH,
    DateError,
    check_text,
    clean_text,
    fold,
    format_date_short,
    nfc,
    parse_date,
    utc_now,
)

if TYPE_CHECKING:
    from app.storage.workspace import Workspace

#: Filter value meaning "items linked to no indicator".
UNLINKED = ""
EDITABLE_FIELDS = {
    "doc_number": "Số, ký hiệu văn bản",
    "issued_date": "Ngày ban hành",
    "issuer": "Cơ quan ban hành",
    "summary": "Trích yếu",
    "valid_until": "Hiệu lực đến",
}
DATE_FIELDS = ("issued_date", "valid_until")
#: Longest text of each catalogue field, and longest search text (a search box, not a document).
_FIELD_LIMITS = {"doc_number": MAX_NAME_LENGTH, "issuer": MAX_ORGANISATION_LENGTH, "summary": 2_000}
MAX_SEARCH_LENGTH = 200
_COLUMNS = ("id, year, code, code_indicator, sha256, size, original_name, mime, doc_number, issued_date, issuer, "
            "summary, valid_until, carried_from, created_at, deleted_at")


@dataclass(frozen=True)
class EvidenceItem:
    id: int
    year: int
    code: str
    code_indicator: str
    sha256: str
    size: int
    original_name: str
    mime: str
    doc_number: str
    issued_date: dt.date | None
    issuer: str
    summary: str
    valid_until: dt.date | None
    carried_from: int | None
    created_at: str
    deleted_at: str | None
    indicator_ids: tuple[str, ...] = ()

    @property
    def kind(self) -> FileKind | None:
        return kind_for_mime(self.mime)

    @property
    def kind_label(self) -> str:
        kind = self.kind
        return kind.label if kind else "Tệp"

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def title(self) -> str:
        """What lists show: the summary (trích yếu) when given, else the file name."""
        return self.summary or self.original_name

    def date_warning(self) -> str:
        return date_warning(self.issued_date, self.year, self.valid_until)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code, "year": self.year, "file": self.original_name, "type": self.kind_label,
            "size": self.size, "sha256": self.sha256, "doc_number": self.doc_number,
            "issued_date": self.issued_date.isoformat() if self.issued_date else None,
            "issuer": self.issuer, "summary": self.summary,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "indicators": list(self.indicator_ids), "deleted": self.deleted,
        }


def date_warning(issued: dt.date | None, year: int, valid_until: dt.date | None = None) -> str:
    """A warning when the issue date falls outside the assessment year window (01/01–31/12)."""
    if issued is None or dt.date(year, 1, 1) <= issued <= dt.date(year, 12, 31):
        return ""
    text = (f"Ngày ban hành {format_date_short(issued)} nằm ngoài năm đánh giá {year} "
            f"(01/01/{year}–31/12/{year}).")
    if issued < dt.date(year, 1, 1) and valid_until is not None and valid_until >= dt.date(year, 1, 1):
        return text + f" Văn bản còn hiệu lực đến {format_date_short(valid_until)} nên vẫn có thể dùng."
    return text + " Hãy kiểm tra lại ngày hoặc năm của minh chứng."


def search_text(code: str, name: str, doc_number: str, issuer: str, summary: str, issued: dt.date | None,
                kind_label: str) -> str:
    """The folded text the search matches against (accents, đ and case removed)."""
    parts = [code, name, doc_number, issuer, summary, kind_label, format_date_short(issued) if issued else ""]
    return fold(" ".join(p for p in parts if p))


def parse_optional_date(value: Any, label: str) -> dt.date | None:
    """A date from a form or the command line: None/'' mean no date; bad text raises InputError."""
    if value is None or isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise InputError(f"{label} phải là ngày dạng dd/mm/yyyy.")
    if not value.strip():
        return None
    try:
        return parse_date(value)
    except DateError as error:  # two-digit years and impossible dates are refused, saying which
        raise InputError(f"{label} '{value.strip()}' không phải ngày hợp lệ: {error}.") from None


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _item(row: tuple[Any, ...], links: dict[int, list[str]]) -> EvidenceItem:
    return EvidenceItem(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], _date(row[9]),
                        row[10], row[11], _date(row[12]), row[13], row[14], row[15], tuple(links.get(row[0], ())))


def _links_for(ws: Workspace, ids: list[int]) -> dict[int, list[str]]:
    links: dict[int, list[str]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for evidence_id, indicator_id in ws.db.execute(
                f"SELECT evidence_id, indicator_id FROM evidence_links WHERE evidence_id IN ({marks}) "
                "ORDER BY position, rowid", chunk).fetchall():
            links.setdefault(evidence_id, []).append(indicator_id)
    return links


def _select(ws: Workspace, where: str, params: list[Any]) -> list[EvidenceItem]:
    with ws.lock:
        rows = ws.db.execute(f"SELECT {_COLUMNS} FROM evidence WHERE {where}", params).fetchall()
        links = _links_for(ws, [r[0] for r in rows])
    items = [_item(r, links) for r in rows]
    return sorted(items, key=lambda i: (i.year, code_sort_key(i.code)))


def list_evidence(ws: Workspace, year: int | None, *, indicator_id: str | None = None, query: str = "",
                  trash: bool = False) -> list[EvidenceItem]:
    """Items of a year (None: every year), optionally of one indicator (UNLINKED: of none), matching `query`.

    The query ignores accents, đ and case; every word must appear in the code, file name or a catalogue field.
    """
    where = ["deleted_at IS NOT NULL" if trash else "deleted_at IS NULL"]
    params: list[Any] = []
    if year is not None:
        where.append("year = ?")
        params.append(year)
    if indicator_id == UNLINKED:
        where.append("NOT EXISTS (SELECT 1 FROM evidence_links l WHERE l.evidence_id = evidence.id)")
    elif indicator_id is not None:
        where.append("EXISTS (SELECT 1 FROM evidence_links l WHERE l.evidence_id = evidence.id AND l.indicator_id = ?)")
        params.append(indicator_id)
    for word in fold(nfc(query)).split():
        where.append("search_text LIKE ? ESCAPE '\\'")
        params.append("%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    return _select(ws, " AND ".join(where), params)


def search_evidence(ws: Workspace, year: int | None, text: str) -> list[EvidenceItem]:
    """Items whose name or catalogue fields contain `text` (accents optional); an over-long search is refused."""
    check_text(text, "Từ khóa tìm kiếm", MAX_SEARCH_LENGTH, single_line=True)
    return list_evidence(ws, year, query=text)


def get_evidence(ws: Workspace, evidence_id: int) -> EvidenceItem:
    items = _select(ws, "id = ?", [evidence_id])
    if not items:
        raise NotFoundError(f"Không có minh chứng số {evidence_id}.")
    return items[0]


def find_by_code(ws: Workspace, code: str, year: int | None = None, trash: bool | None = None) -> EvidenceItem:
    """The item with a code (case-insensitive), in one year or, when unambiguous, in any year."""
    check_text(code, "Mã minh chứng", 64, single_line=True)
    if not code.strip():
        raise InputError("Chưa chỉ mã minh chứng (ví dụ H1.2.01).")
    where: list[str] = ["upper(code) = ?"]
    params: list[Any] = [code.strip().upper()]
    if year is not None:
        where.append("year = ?")
        params.append(year)
    if trash is not None:
        where.append("deleted_at IS NOT NULL" if trash else "deleted_at IS NULL")
    items = _select(ws, " AND ".join(where), params)
    place = f" trong năm {year}" if year is not None else ""
    where_text = " trong thùng rác" if trash else ""
    if not items:
        raise NotFoundError(f"Không có minh chứng mã {code}{place}{where_text}.")
    if len(items) > 1:
        years = ", ".join(str(i.year) for i in items)
        raise InputError(f"Mã {code} có ở nhiều năm ({years}); hãy chỉ rõ năm (--year).")
    return items[0]


def indicator_evidence(ws: Workspace, year: int, indicator_id: str) -> list[EvidenceItem]:
    """The live evidence linked to one indicator."""
    return list_evidence(ws, year, indicator_id=indicator_id)


def evidence_counts(ws: Workspace, year: int) -> dict[str, int]:
    return {iid: state.count for iid, state in ws.evidence_states(year).items()}


def stored_file(ws: Workspace, item: EvidenceItem) -> Path:
    return EvidenceStore(evidence_root(ws)).path(item.sha256)


def copy_for_opening(ws: Workspace, item: EvidenceItem, folder: Path | None = None) -> Path:
    """A copy under its readable name in a temporary folder, for "open with the system app".

    The store's files have no extension, and the stored original must never be edited in place.
    """
    folder = Path(folder or Path(tempfile.gettempdir()) / "cdht-minh-chung") / item.sha256[:16]
    target = folder / f"{item.code} {item.original_name}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not (target.exists() and target.stat().st_size == item.size):
            with open(stored_file(ws, item), "rb") as source, atomic_writer(target) as out:
                shutil.copyfileobj(source, out, CHUNK_SIZE)
    except FileNotFoundError:
        raise NotFoundError(f"Tệp của minh chứng {item.code} ('{item.original_name}') không còn trong kho; "
                            "hãy chạy kiểm tra dữ liệu (cdht check).") from None
    except OSError as exc:
        raise InputError(f"Không mở được minh chứng {item.code}: {describe_os_error(exc).message}") from None
    return target


# ---------------------------------------------------------------- mutations


def refresh_search_text(ws: Workspace, evidence_id: int) -> None:
    item = get_evidence(ws, evidence_id)
    ws.db.execute("UPDATE evidence SET search_text = ? WHERE id = ?", [
        search_text(item.code, item.original_name, item.doc_number, item.issuer, item.summary, item.issued_date,
                    item.kind_label), evidence_id])


def clean_field(name: str, value: Any) -> str:
    """A text field of the catalogue (số/ký hiệu, cơ quan ban hành, trích yếu) as stored: one line, checked."""
    return clean_text(value, EDITABLE_FIELDS[name], max_length=_FIELD_LIMITS[name], single_line=name != "summary")


def insert_evidence(ws: Workspace, year: int, *, sha256: str, size: int, name: str, mime: str, fields: dict[str, Any],
                    indicators: list[str], carried_from: int | None = None) -> tuple[int, str]:
    """Insert one item with its links and a fresh code (inside the caller's transaction); returns (id, code)."""
    first = indicators[0] if indicators else ""
    code = next_code(ws.db, year, first)
    issued, valid_until = fields.get("issued_date"), fields.get("valid_until")
    kind = kind_for_mime(mime)
    row = {
        "year": year, "code": code, "code_indicator": first, "sha256": sha256, "size": size, "original_name": name,
        "mime": mime, "doc_number": fields.get("doc_number", ""), "issued_date": issued.isoformat() if issued else None,
        "issuer": fields.get("issuer", ""), "summary": fields.get("summary", ""),
        "valid_until": valid_until.isoformat() if valid_until else None,
        "search_text": search_text(code, name, fields.get("doc_number", ""), fields.get("issuer", ""),
                                   fields.get("summary", ""), issued, kind.label if kind else ""),
        "carried_from": carried_from, "created_at": utc_now(),
    }
    cursor = ws.db.execute(f"INSERT INTO evidence ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                           list(row.values()))
    evidence_id = cast(int, cursor.lastrowid)  # set by the INSERT just run
    for position, indicator_id in enumerate(indicators):
        ws.db.execute("INSERT INTO evidence_links (evidence_id, indicator_id, position) VALUES (?, ?, ?)",
                      [evidence_id, indicator_id, position])
    return evidence_id, code


def recode(ws: Workspace, item: EvidenceItem) -> None:
    """Give the item the code of its first indicator when that indicator changed (or it had none)."""
    row = ws.db.execute("SELECT indicator_id FROM evidence_links WHERE evidence_id = ? ORDER BY position, rowid LIMIT 1",
                        [item.id]).fetchone()
    first = row[0] if row else ""
    if first == item.code_indicator:
        return
    code = next_code(ws.db, item.year, first)
    ws.db.execute("UPDATE evidence SET code = ?, code_indicator = ? WHERE id = ?", [code, first, item.id])
    refresh_search_text(ws, item.id)
    ws.audit("recode", "evidence", code, item.year, item.code, code)


def check_indicators(ws: Workspace, year: int, indicator_ids: Iterable[str]) -> list[str]:
    catalogue = ws.catalogue(year)
    wanted = list(dict.fromkeys(i.strip() for i in indicator_ids if i and i.strip()))
    for indicator_id in wanted:
        if indicator_id not in catalogue.indicator_ids:
            raise NotFoundError(f"Không có chỉ tiêu mã \"{indicator_id}\" trong {catalogue.short_title} "
                                f"(có: {', '.join(catalogue.indicator_ids)}).")
    return wanted


def add_links(ws: Workspace, item: EvidenceItem, indicator_ids: Iterable[str]) -> list[str]:
    """Link an item to indicators it is not linked to yet (inside the caller's transaction); returns those added."""
    added = []
    for indicator_id in check_indicators(ws, item.year, indicator_ids):
        if indicator_id in item.indicator_ids or indicator_id in added:
            continue
        position = ws.db.execute("SELECT COALESCE(MAX(position), -1) + 1 FROM evidence_links WHERE evidence_id = ?",
                                 [item.id]).fetchone()[0]
        ws.db.execute("INSERT INTO evidence_links (evidence_id, indicator_id, position) VALUES (?, ?, ?)",
                      [item.id, indicator_id, position])
        ws.audit("link", "evidence_link", f"{item.code}/{indicator_id}", item.year, None, indicator_id)
        added.append(indicator_id)
    if added:
        recode(ws, get_evidence(ws, item.id))
    return added
