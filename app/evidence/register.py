"""The evidence list as a real register: every item identified by số/ký hiệu (or "Không số"), date of issue,
issuing body and trích yếu before the dossier is finalized.

`suggest_fields` reads what it can from the file name and, for a PDF, from the first page's text layer (no OCR)
— the header block of an administrative document (issuing body, "Số: 18/KH-UBND", "…, ngày 12 tháng 02 năm
2025", the type and summary lines). Suggestions only fill empty fields unless the user asks otherwise;
`update_fields` edits several items at once, in one audited transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.evidence.library import EvidenceItem, get_evidence, list_evidence, stored_file
from app.storage.workspace import Workspace
from app.text import fold, nfc

NO_NUMBER = "Không số"
REGISTER_FIELDS = {"doc_number": "số, ký hiệu", "issued_date": "ngày ban hành", "issuer": "cơ quan ban hành",
                   "summary": "trích yếu"}
#: Document types whose upper-case title line introduces the trích yếu on the next lines.
DOCUMENT_TYPES = ("QUYẾT ĐỊNH", "KẾ HOẠCH", "BÁO CÁO", "TỜ TRÌNH", "THÔNG BÁO", "BIÊN BẢN", "NGHỊ QUYẾT",
                  "HƯỚNG DẪN", "CHƯƠNG TRÌNH", "QUY CHẾ", "CÔNG VĂN", "CHỈ THỊ", "KẾT LUẬN", "GIẤY CHỨNG NHẬN",
                  "DANH SÁCH", "PHƯƠNG ÁN", "ĐỀ ÁN")
MAX_SUMMARY = 300
_TYPE_CODES = "QĐ|KH|BC|TTr|TB|BB|NQ|HD|CTr|QC|CT|KL|GCN|DS|PA|ĐA|CV|UBND"
_NUMBER_IN_TEXT = re.compile(r"Số\s*[:.]?\s*(\d{1,5}\s*/\s*[0-9A-Za-zĐđ][\w\-Đđ./]*)")
_NUMBER_IN_NAME = re.compile(rf"(?<!\d)(\d{{1,5}})\s*[-_/ ]\s*((?:{_TYPE_CODES})(?:[-_][A-Za-zĐđ]+)+)", re.IGNORECASE)
_LONG_DATE = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)
_SHORT_DATE = re.compile(r"(?<!\d)(\d{1,2})[./_-](\d{1,2})[./_-](\d{4})(?!\d)")
_NATIONAL = re.compile(r"CỘNG\s+HÒA\s+XÃ\s+HỘI\s+CHỦ\s+NGHĨA\s+VIỆT\s+NAM|Độc\s+lập\s*-\s*Tự\s+do\s*-\s*Hạnh\s+phúc",
                       re.IGNORECASE)
#: How common issuing bodies are written in running text; a place name follows a unit word in capitals.
_BODIES = ("Ủy ban nhân dân", "Hội đồng nhân dân", "Hội Khuyến học", "Sở Giáo dục và Đào tạo",
           "Phòng Giáo dục và Đào tạo", "Phòng Văn hóa - Xã hội", "Ủy ban Mặt trận Tổ quốc Việt Nam", "Đảng ủy",
           "Trung tâm học tập cộng đồng", "Hội Liên hiệp Phụ nữ", "Hội Nông dân", "Hội Cựu chiến binh",
           "Đoàn TNCS Hồ Chí Minh", "Công đoàn", "Ban Chỉ đạo")
_UNITS = ("thị trấn", "thành phố", "đặc khu", "xã", "phường", "huyện", "tỉnh", "quận", "thị xã")


def is_no_number(text: str) -> bool:
    return fold(text.strip()) == fold(NO_NUMBER)


def missing_fields(item: EvidenceItem) -> list[str]:
    """The register fields an item still lacks, as their Vietnamese names."""
    missing = []
    if not item.doc_number.strip():
        missing.append(f"{REGISTER_FIELDS['doc_number']} (hoặc “{NO_NUMBER}”)")
    if item.issued_date is None:
        missing.append(REGISTER_FIELDS["issued_date"])
    if not item.issuer.strip():
        missing.append(REGISTER_FIELDS["issuer"])
    if not item.summary.strip():
        missing.append(REGISTER_FIELDS["summary"])
    return missing


def incomplete_items(ws: Workspace, year: int) -> list[EvidenceItem]:
    return [item for item in list_evidence(ws, year) if missing_fields(item)]


def register_problems(ws: Workspace, year: int) -> list[str]:
    """One line per live item of the year's package that is not fully identified."""
    return [f"Minh chứng {item.code} (“{item.original_name}”): chưa có {', '.join(missing_fields(item))}."
            for item in incomplete_items(ws, year)]


# ---------------------------------------------------------------------- suggestions

@dataclass(frozen=True)
class Suggestion:
    """Values read from an item's file name and first page; `sources` says where each came from."""

    evidence_id: int
    code: str
    doc_number: str = ""
    issued_date: dt.date | None = None
    issuer: str = ""
    summary: str = ""
    sources: dict[str, str] = field(default_factory=dict)

    def fields(self) -> dict[str, Any]:
        values = {"doc_number": self.doc_number, "issued_date": self.issued_date, "issuer": self.issuer,
                  "summary": self.summary}
        return {k: v for k, v in values.items() if v}

    def to_json(self) -> dict[str, Any]:
        values = self.fields()
        if "issued_date" in values:
            values["issued_date"] = values["issued_date"].isoformat()
        return {"code": self.code, **values, "sources": dict(self.sources)}


def first_page_text(path: Path, max_chars: int = 6000) -> str:
    """The text layer of a PDF's first page ('' for a scan, a damaged file or anything pypdf cannot read)."""
    try:
        from pypdf import PdfReader

        reader = PdfReader(str(path))
        if not reader.pages:
            return ""
        return nfc(reader.pages[0].extract_text() or "")[:max_chars]
    except Exception:  # noqa: BLE001 - a suggestion never fails on a file it cannot read; the user types instead
        return ""


def _date(day: str, month: str, year: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _proper_name(upper: str) -> str:
    """'ỦY BAN NHÂN DÂN XÃ KIẾN HƯNG' -> 'Ủy ban nhân dân xã Kiến Hưng': known bodies as they are written, unit
    words in lower case, the place name after them capitalised."""
    text = " ".join(nfc(upper).split())
    for body in _BODIES:
        if fold(text).startswith(fold(body)):
            head, rest = body, text[len(body):].strip()
            break
    else:
        head, rest = "", text
    words = rest.lower().split()
    result, index = [], 0
    while index < len(words):
        unit = next((u for u in _UNITS if words[index:index + len(u.split())] == u.split()), None)
        if unit:
            result.append(unit)
            result += [w[:1].upper() + w[1:] for w in words[index + len(unit.split()):]]
            break
        result.append(words[index])
        index += 1
    else:  # no unit word: a proper name throughout
        result = [w[:1].upper() + w[1:] for w in words]
    name = " ".join(part for part in (head, " ".join(result)) if part)
    return name[:1].upper() + name[1:]


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def read_header(text: str) -> dict[str, Any]:
    """Number, date, issuing body and trích yếu from the first page of an administrative document."""
    found: dict[str, Any] = {}
    number = _NUMBER_IN_TEXT.search(text)
    if number:
        found["doc_number"] = re.sub(r"\s+", "", number.group(1)).rstrip(".,;")
    when = _LONG_DATE.search(text)
    if when and _date(*when.groups()):
        found["issued_date"] = _date(*when.groups())
    lines = _lines(text)
    issuer_parts = []
    for line in lines:
        if line.startswith("Số") or _LONG_DATE.search(line):
            break
        left = _NATIONAL.sub("", line).strip(" -")
        if left and left == left.upper() and any(ch.isalpha() for ch in left):
            issuer_parts.append(left)
    if issuer_parts:
        found["issuer"] = _proper_name(" ".join(issuer_parts[-2:]))
    for index, line in enumerate(lines):
        kind = next((t for t in DOCUMENT_TYPES if line.strip().upper() == t), None)
        if kind is None:
            continue
        summary_lines = []
        for following in lines[index + 1:index + 4]:
            if following.startswith(("Căn cứ", "Kính gửi", "Thực hiện", "Hôm nay", "Vào hồi")) or following == following.upper():
                break
            summary_lines.append(following)
        about = " ".join(summary_lines).strip().rstrip(".;:")
        if about:
            about = re.sub(r"^(V/v|Về việc)\s*", "về việc ", about, flags=re.IGNORECASE)
            found["summary"] = f"{kind[:1]}{kind[1:].lower()} {about[:1].lower()}{about[1:]}"[:MAX_SUMMARY]
        break
    return found


def read_file_name(name: str) -> dict[str, Any]:
    """Number and date written in a file name ('QĐ 112-QĐ-UBND ngày 05.12.2025.pdf')."""
    stem = nfc(Path(name).stem)
    found: dict[str, Any] = {}
    number = _NUMBER_IN_NAME.search(stem)
    if number:
        found["doc_number"] = f"{int(number.group(1)):02d}/{number.group(2).replace('_', '-')}"
    when = _SHORT_DATE.search(stem)
    if when and _date(*when.groups()):
        found["issued_date"] = _date(*when.groups())
    return found


def suggest_fields(ws: Workspace, evidence_id: int) -> Suggestion:
    """What the file name and the first page say about an item (the first page wins where both say something)."""
    item = get_evidence(ws, evidence_id)
    from_name = read_file_name(item.original_name)
    from_text: dict[str, Any] = {}
    if item.mime == "application/pdf":
        from_text = read_header(first_page_text(stored_file(ws, item)))
    values = {**from_name, **from_text}
    sources = {key: ("trang đầu của tệp" if key in from_text else "tên tệp") for key in values}
    return Suggestion(item.id, item.code, values.get("doc_number", ""), values.get("issued_date"),
                      values.get("issuer", ""), values.get("summary", ""), sources)


# ---------------------------------------------------------------------- editing several items at once
