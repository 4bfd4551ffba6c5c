"""The recipient's register of communes: every commune of the province, its contact address and the fingerprints
(SHA-256 of the DER certificate) of the certificates its dossiers may be signed with.

The list is importable (CSV or Excel with a header row, or a JSON register) and exportable as JSON. The JSON is
the verifier's register of communes (`app.dossier.registry`, format `cdht-registry/1`), the file
`cdht verify --registry FILE` and `cdht registry import` read; the verifier receives this list in that form
(`registry_of`), so a package is bound to its commune by one rule everywhere.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from app.errors import InputError
from app.fileio import MAX_WORKBOOK_BYTES, read_bytes_capped
from app.recipient.workspace import RecipientWorkspace
from app.text import clean_text, fold, nfc, utc_now

if TYPE_CHECKING:
    from app.dossier.registry import Registry

MAX_LIST_BYTES = 5 * 1024 * 1024
_PREFIXES = ("xã ", "phường ", "thị trấn ", "đặc khu ")
_HEX = re.compile(r"[^0-9a-f]")
#: Header words (accent-free, lower case) of an imported list, by field.
HEADERS = {
    "name": ("xa", "ten xa", "xa, phuong", "ten xa, phuong", "commune"),
    "province": ("tinh", "tinh, thanh pho", "tinh/thanh pho", "province"),
    "contact": ("dia chi thu", "thu dien tu", "email", "e-mail", "lien he", "contact"),
    "fingerprints": ("ma chung thu", "ma chung thu so", "van tay chung thu", "fingerprint", "fingerprints",
                     "sha256"),
}


@dataclass(frozen=True)
class RegisteredCommune:
    id: int
    name: str
    province: str
    contact: str
    fingerprints: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportSummary:
    added: int
    updated: int
    unchanged: int

    def message(self) -> str:
        return (f"Đã nhập danh sách xã: thêm {self.added}, cập nhật {self.updated}, "
                f"không đổi {self.unchanged}.")


def commune_name(text: str) -> str:
    """A commune's name as stored: NFC, single spaces, without a leading 'xã/phường/thị trấn/đặc khu'."""
    name = " ".join(nfc(text or "").split())
    lowered = name.casefold()
    for prefix in _PREFIXES:
        if lowered.startswith(prefix):
            return name[len(prefix):].strip()
    return name


def province_name(text: str) -> str:
    name = " ".join(nfc(text or "").split())
    for prefix in ("tỉnh ", "thành phố "):
        if name.casefold().startswith(prefix):
            return name[len(prefix):].strip()
    return name


def identity(name: str, province: str) -> str:
    """The key two spellings of the same commune share: accent- and case-free name and province."""
    return f"{fold(commune_name(name))}|{fold(province_name(province))}"


def fingerprint_of(text: str) -> str:
    """A SHA-256 fingerprint typed with colons, spaces or capitals, as 64 lower-case hex digits."""
    digits = _HEX.sub("", (text or "").lower())
    if len(digits) != 64:
        raise InputError(f"Mã chứng thư '{text}' không phải dấu vân tay SHA-256 (cần đúng 64 chữ số hệ 16).")
    return digits


def certificate_fingerprint(path: Path) -> tuple[str, str]:
    """(SHA-256 fingerprint, subject) of a certificate file (PEM or DER)."""
    from asn1crypto import pem, x509

    data = read_bytes_capped(Path(path), 1024 * 1024, "tệp chứng thư")
    try:
        der = pem.unarmor(data)[2] if pem.detect(data) else data
        cert = x509.Certificate.load(der)
        subject = cert.subject.human_friendly
    except (ValueError, TypeError):
        raise InputError(f"Tệp '{Path(path).name}' không phải chứng thư số (PEM hoặc DER).") from None
    return hashlib.sha256(der).hexdigest(), subject


def communes(rws: RecipientWorkspace) -> list[RegisteredCommune]:
    """Every commune of the register, by name."""
    with rws.lock:
        rows = rws.db.execute("SELECT id, name, province, contact FROM communes ORDER BY folded, id").fetchall()
        prints: dict[int, list[str]] = {}
        for commune_id, fingerprint in rws.db.execute(
                "SELECT commune_id, fingerprint FROM commune_certificates ORDER BY added_at, fingerprint"):
            prints.setdefault(commune_id, []).append(fingerprint)
    return [RegisteredCommune(r[0], r[1], r[2], r[3], tuple(prints.get(r[0], ()))) for r in rows]


def find_commune(rws: RecipientWorkspace, name: str, province: str) -> RegisteredCommune | None:
    with rws.lock:
        row = rws.db.execute("SELECT id FROM communes WHERE identity = ?", [identity(name, province)]).fetchone()
    return commune_by_id(rws, row[0]) if row else None


def commune_by_id(rws: RecipientWorkspace, commune_id: int) -> RegisteredCommune:
    with rws.lock:
        row = rws.db.execute("SELECT id, name, province, contact FROM communes WHERE id = ?", [commune_id]).fetchone()
        prints = tuple(r[0] for r in rws.db.execute(
            "SELECT fingerprint FROM commune_certificates WHERE commune_id = ? ORDER BY added_at, fingerprint",
            [commune_id]))
    if row is None:
        raise InputError(f"Không có xã mã {commune_id} trong danh sách.")
    return RegisteredCommune(row[0], row[1], row[2], row[3], prints)


def resolve_commune(rws: RecipientWorkspace, text: str) -> RegisteredCommune:
    """The commune a user named on the command line (name without accents is enough when it is unique)."""
    wanted = fold(commune_name(text))
    matches = [c for c in communes(rws) if fold(c.name) == wanted]
    if not matches:
        raise InputError(f"Không có xã '{text}' trong danh sách xã. Xem 'recipient list'.")
    if len(matches) > 1:
        raise InputError(f"Có {len(matches)} xã tên '{text}'; hãy ghi rõ tỉnh.")
    return matches[0]


def _check_province(rws: RecipientWorkspace, province: str) -> None:
    agency = rws.agency()
    if fold(province_name(province)) != fold(agency.province):
        raise InputError(f"Xã thuộc tỉnh {province}, không thuộc {agency.province} của {agency.name}; "
                         "danh sách chỉ gồm các xã trong tỉnh.")


def _save(rws: RecipientWorkspace, name: str, province: str, contact: str | None,
          fingerprints: tuple[str, ...], subjects: dict[str, str] | None = None) -> str:
    """Insert or update one commune inside the caller's transaction; returns 'added', 'updated' or 'unchanged'."""
    name = clean_text(commune_name(name), "Tên xã", required=True)
    province = clean_text(province_name(province), "Tên tỉnh", required=True)
    _check_province(rws, province)
    key = identity(name, province)
    row = rws.db.execute("SELECT id, contact FROM communes WHERE identity = ?", [key]).fetchone()
    outcome = "unchanged"
    if row is None:
        cursor = rws.db.execute(
            "INSERT INTO communes (name, province, identity, folded, contact, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            [name, province, key, fold(name), clean_text(contact, "Địa chỉ liên hệ"), utc_now()])
        commune_id, outcome = cast(int, cursor.lastrowid), "added"  # set by the INSERT just run
        rws.audit("create", "commune", key, None, None, {"name": name, "province": province, "contact": contact or ""})
    else:
        commune_id = row[0]
        if contact is not None and clean_text(contact, "Địa chỉ liên hệ") != row[1]:
            rws.db.execute("UPDATE communes SET contact = ? WHERE id = ?", [clean_text(contact, ""), commune_id])
            rws.audit("update", "commune.contact", key, None, row[1], contact)
            outcome = "updated"
    for fingerprint in fingerprints:
        cursor = rws.db.execute(
            "INSERT OR IGNORE INTO commune_certificates (commune_id, fingerprint, subject, added_at) VALUES (?, ?, ?, ?)",
            [commune_id, fingerprint, (subjects or {}).get(fingerprint, ""), utc_now()])
        if cursor.rowcount:
            rws.audit("create", "commune_certificate", key, None, None, fingerprint)
            outcome = "updated" if outcome == "unchanged" else outcome
    return outcome


def add_commune(rws: RecipientWorkspace, name: str, province: str, contact: str | None = None,
                fingerprints: list[str] | tuple[str, ...] = (), certificates: list[Path] | tuple[Path, ...] = ()
                ) -> RegisteredCommune:
    """Add a commune (or complete an existing one) with its contact and certificate fingerprints."""
    prints = [fingerprint_of(f) for f in fingerprints]
    subjects: dict[str, str] = {}
    for path in certificates:
        fingerprint, subject = certificate_fingerprint(path)
        prints.append(fingerprint)
        subjects[fingerprint] = subject
    with rws.transaction():
        _save(rws, name, province, contact, tuple(dict.fromkeys(prints)), subjects)
    found = find_commune(rws, name, province)
    assert found is not None
    return found


def bind_signer(rws: RecipientWorkspace, commune_id: int, fingerprint: str, subject: str = "") -> None:
    """Accept a certificate as the commune's (the explicit 'trust on first use' of a signer the register lacked)."""
    commune = commune_by_id(rws, commune_id)
    with rws.transaction():
        _save(rws, commune.name, commune.province, None, (fingerprint_of(fingerprint),),
              {fingerprint_of(fingerprint): subject})


# ---------------------------------------------------------------------- import and export

def _rows_from_table(rows: Sequence[Sequence[object]], source: str) -> list[dict[str, str]]:
    if not rows:
        raise InputError(f"Tệp danh sách '{source}' không có dòng nào.")
    header = [fold(str(cell or "")).strip() for cell in rows[0]]
    columns = {}
    for field, names in HEADERS.items():
        for index, title in enumerate(header):
            if title in names:
                columns[field] = index
                break
    missing = [label for field, label in (("name", "Xã"), ("province", "Tỉnh")) if field not in columns]
    if missing:
        raise InputError(f"Dòng đầu của '{source}' phải có cột {', '.join(missing)} (ví dụ: Xã, Tỉnh, Địa chỉ thư, "
                         "Mã chứng thư).")
    result = []
    for number, row in enumerate(rows[1:], start=2):
        cells = {field: str(row[index] if index < len(row) and row[index] is not None else "").strip()
                 for field, index in columns.items()}
        if not any(cells.values()):
            continue
        cells["line"] = str(number)
        result.append(cells)
    return result


def _read_list(path: Path) -> list[dict[str, Any]]:
    """Rows of a CSV, Excel or JSON list, each a dict of name/province/contact/fingerprints (+ line)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        from app.dossier.registry import parse_registry
        from app.fileio import read_json_file

        entries = parse_registry(read_json_file(path, "tệp danh sách xã", MAX_LIST_BYTES),
                                 f"sổ đăng ký xã '{path.name}'").entries
        return [{"name": e.commune, "province": e.province, "contact": e.contact, "line": f"mục {number}",
                 "fingerprints": " ".join(e.fingerprints)} for number, e in enumerate(entries, start=1)]
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        data = read_bytes_capped(path, MAX_WORKBOOK_BYTES, "tệp danh sách xã")
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
            table = [list(row) for row in sheet.iter_rows(values_only=True)]
        except Exception:  # noqa: BLE001 - a damaged workbook fails in many ways inside openpyxl
            raise InputError(f"Không đọc được tệp Excel '{path.name}' (tệp hỏng hoặc không phải .xlsx).") from None
        return _rows_from_table(table, path.name)
    if suffix in (".csv", ".txt"):
        data = read_bytes_capped(path, MAX_LIST_BYTES, "tệp danh sách xã")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputError(f"Tệp '{path.name}' không phải văn bản UTF-8 (hãy lưu CSV dạng UTF-8).") from None
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=",;\t")
        return _rows_from_table(list(csv.reader(io.StringIO(text), dialect)), path.name)
    raise InputError(f"Không nhận kiểu tệp '{suffix or path.name}': dùng .csv, .xlsx hoặc .json.")


def import_communes(rws: RecipientWorkspace, path: Path) -> ImportSummary:
    """Import a list of communes as a whole: every line is checked first, then written in one transaction."""
    rows = _read_list(path)
    parsed = []
    for row in rows:
        try:
            prints = tuple(fingerprint_of(p) for p in re.split(r"[\s;,]+", row.get("fingerprints", "")) if p)
            if not commune_name(row["name"]) or not province_name(row["province"]):
                raise InputError("thiếu tên xã hoặc tên tỉnh")
            _check_province(rws, row["province"])
        except InputError as exc:
            raise InputError(f"'{Path(path).name}', dòng {row['line']}: {exc.message} Không nhập gì.") from None
        parsed.append((row["name"], row["province"], row.get("contact") or None, prints))
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    with rws.transaction():
        for name, province, contact, prints in parsed:
            counts[_save(rws, name, province, contact, prints)] += 1
    return ImportSummary(**counts)


def registry_of(registered: Iterable[RegisteredCommune]) -> Registry:
    """Communes (`RegisteredCommune`s) as the verifier's register of communes."""
    from app.dossier.registry import CommuneEntry, Registry

    return Registry(tuple(CommuneEntry(c.name, c.province, c.fingerprints, c.contact) for c in registered))


def export_registry(rws: RecipientWorkspace, path: Path) -> Path:
    """Write the list as a `cdht-registry/1` file (for `cdht verify --registry`, or another office)."""
    from app.dossier.registry import save_registry

    return save_registry(Path(path), registry_of(communes(rws)))


__all__ = ["RegisteredCommune", "ImportSummary", "communes", "find_commune", "commune_by_id", "resolve_commune",
           "add_commune", "bind_signer", "import_communes", "export_registry", "registry_of", "identity",
           "commune_name", "fingerprint_of", "certificate_fingerprint"]
