"""The recipient's register of communes: which signing certificates the Phòng/Sở has confirmed for each commune.

A package is bound to its commune when the signer's certificate names the commune and province, or when its
fingerprint is listed here for that commune (for example a chairman's personal certificate). Entries are added
only on purpose — by hand, by importing another office's register, or by confirming the signer of a package
that was checked (trust on first use, never silent).

The register is one UTF-8 JSON file, written whole (write-then-rename):

    {
      "format": "cdht-registry/1",
      "communes": [
        {"commune": "Đồng Tiến", "province": "Thái Nguyên",
         "fingerprints": ["<sha-256 of the certificate, 64 hex>", …],
         "contact": "ubnd.dongtien@thainguyen.gov.vn", "note": "", "updated_at": "2026-11-27T15:05:42+00:00"}
      ]
    }

Communes are told apart by name and province with accents, case and the "xã"/"tỉnh" prefixes ignored.
Readers accept any `cdht-registry/1` file and ignore fields they do not know; a new incompatible layout will
get a new format name.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from app.dossier.binding import commune_key, province_key, same_place
from app.dossier.trust import fingerprint as certificate_fingerprint
from app.dossier.trust import load_certificates, normalise_fingerprint
from app.errors import InputError
from app.fileio import read_json_file, write_text_atomic
from app.text import clean_text, printable, utc_now

if TYPE_CHECKING:
    from app.dossier.verify import VerifyReport

REGISTRY_FORMAT = "cdht-registry/1"
REGISTRY_FILE = "so-dang-ky-xa.json"
MAX_REGISTRY_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class CommuneEntry:
    """One commune: its name and province, confirmed certificate fingerprints, and how to reach it."""

    commune: str
    province: str
    fingerprints: tuple[str, ...] = ()
    contact: str = ""
    note: str = ""
    updated_at: str = ""

    def is_for(self, commune: str, province: str) -> bool:
        return same_place(self.commune, self.province, commune, province)

    def to_json(self) -> dict[str, Any]:
        return {"commune": self.commune, "province": self.province, "fingerprints": list(self.fingerprints),
                "contact": self.contact, "note": self.note, "updated_at": self.updated_at}


@dataclass(frozen=True)
class Registry:
    """The whole register (immutable: changes return a new Registry)."""

    entries: tuple[CommuneEntry, ...] = field(default_factory=tuple)

    def find(self, commune: str, province: str) -> CommuneEntry | None:
        return next((e for e in self.entries if e.is_for(commune, province)), None)

    def binds(self, fingerprint: str, commune: str, province: str) -> bool:
        """Is this certificate fingerprint confirmed for this commune?"""
        entry = self.find(commune, province)
        return entry is not None and fingerprint.lower() in entry.fingerprints

    def merged(self, entry: CommuneEntry) -> Registry:
        """The register with `entry` added, or merged into the commune's entry (fingerprints are united;
        a non-empty contact or note replaces the old one)."""
        old = self.find(entry.commune, entry.province)
        if old is None:
            return Registry(self.entries + (entry,))
        fingerprints = tuple(dict.fromkeys(old.fingerprints + entry.fingerprints))
        new = replace(old, fingerprints=fingerprints, contact=entry.contact or old.contact,
                      note=entry.note or old.note, updated_at=entry.updated_at or old.updated_at)
        return Registry(tuple(new if e is old else e for e in self.entries))

    def without(self, commune: str, province: str) -> Registry:
        return Registry(tuple(e for e in self.entries if not e.is_for(commune, province)))

    def to_json(self) -> dict[str, Any]:
        entries = sorted(self.entries, key=lambda e: (province_key(e.province), commune_key(e.commune)))
        return {"format": REGISTRY_FORMAT, "communes": [e.to_json() for e in entries]}


def default_registry_path(data_dir: Path) -> Path:
    """Where the app and `cdht registry` keep the register: beside the database."""
    return Path(data_dir) / REGISTRY_FILE


def make_entry(commune: str | None, province: str | None, fingerprints: Iterable[str] = (), contact: str = "",
               note: str = "") -> CommuneEntry:
    """A checked entry: names required, fingerprints normalised, text cleaned of control characters."""
    commune = printable(clean_text(commune, "Tên xã", required=True), 120)
    province = printable(clean_text(province, "Tên tỉnh/thành phố", required=True), 120)
    if not commune_key(commune) or not province_key(province):
        raise InputError("Tên xã và tên tỉnh/thành phố không được chỉ gồm chữ 'xã', 'tỉnh'.")
    prints = tuple(dict.fromkeys(normalise_fingerprint(f) for f in fingerprints))
    return CommuneEntry(commune, province, prints, printable(clean_text(contact, "Địa chỉ liên hệ"), 200),
                        printable(clean_text(note, "Ghi chú"), 500), utc_now())


def parse_registry(document: Any, what: str = "sổ đăng ký xã") -> Registry:
    """A register from its JSON document; InputError names the first problem."""
    if not isinstance(document, dict) or document.get("format") != REGISTRY_FORMAT:
        raise InputError(f"Tệp không phải {what} (cần định dạng {REGISTRY_FORMAT}).")
    communes = document.get("communes")
    if not isinstance(communes, list):
        raise InputError(f"{what[:1].upper()}{what[1:]} thiếu danh sách 'communes'.")
    registry = Registry()
    for number, raw in enumerate(communes, start=1):
        if not isinstance(raw, dict):
            raise InputError(f"Dòng thứ {number} của {what} không đúng dạng.")
        fingerprints = raw.get("fingerprints") or []
        if not isinstance(fingerprints, list) or not all(isinstance(f, str) for f in fingerprints):
            raise InputError(f"Dòng thứ {number} của {what}: 'fingerprints' phải là danh sách dấu vân tay.")
        try:
            entry = make_entry(raw.get("commune"), raw.get("province"), fingerprints, raw.get("contact") or "",
                               raw.get("note") or "")
        except InputError as exc:
            raise InputError(f"Dòng thứ {number} của {what}: {exc.message}") from None
        updated = raw.get("updated_at")
        registry = registry.merged(replace(entry, updated_at=updated if isinstance(updated, str) else ""))
    return registry


def load_registry(path: Path) -> Registry:
    """The register at `path`; an empty register when the file does not exist yet."""
    path = Path(path)
    if not path.exists():
        return Registry()
    return parse_registry(read_json_file(path, "sổ đăng ký xã", max_bytes=MAX_REGISTRY_BYTES))


def save_registry(path: Path, registry: Registry) -> Path:
    return write_text_atomic(Path(path), json.dumps(registry.to_json(), ensure_ascii=False, indent=2) + "\n")


def add_commune(path: Path, commune: str, province: str, fingerprints: Iterable[str] = (), contact: str = "",
                note: str = "") -> CommuneEntry:
    """Add a commune (or merge into its entry) and save; returns the commune's entry as saved."""
    entry = make_entry(commune, province, fingerprints, contact, note)
    registry = load_registry(path).merged(entry)
    save_registry(path, registry)
    return cast(CommuneEntry, registry.find(entry.commune, entry.province))  # merged just above


def remove_commune(path: Path, commune: str, province: str) -> bool:
    """Remove a commune's entry; False when it was not listed."""
    registry = load_registry(path)
    if registry.find(commune, province) is None:
        return False
    save_registry(path, registry.without(commune, province))
    return True


def fingerprints_of(certificate_file: Path) -> list[str]:
    """The fingerprints of the certificates in a PEM/DER file (a commune's certificate sent by post or e-mail)."""
    return [certificate_fingerprint(c) for c in load_certificates(Path(certificate_file), "chứng thư của xã")]


@dataclass(frozen=True)
class ImportSummary:
    added: int
    updated: int
    unchanged: int


def import_registry(path: Path, source: Path) -> ImportSummary:
    """Merge another register into ours (nothing is removed); the whole file is checked before anything is saved."""
    incoming = parse_registry(read_json_file(Path(source), "sổ đăng ký xã", max_bytes=MAX_REGISTRY_BYTES))
    registry = load_registry(path)
    added = updated = unchanged = 0
    for entry in incoming.entries:
        old = registry.find(entry.commune, entry.province)
        new_registry = registry.merged(entry)
        new = cast(CommuneEntry, new_registry.find(entry.commune, entry.province))  # merged just above
        if old is None:
            added += 1
        elif (old.fingerprints, old.contact, old.note) != (new.fingerprints, new.contact, new.note):
            updated += 1
        else:
            unchanged += 1
            continue
        registry = new_registry
    if added or updated:
        save_registry(path, registry)
    return ImportSummary(added, updated, unchanged)


def export_registry(path: Path, target: Path) -> int:
    """Write our register to `target` (to hand to another office); returns the number of communes."""
    registry = load_registry(path)
    save_registry(target, registry)
    return len(registry.entries)


def register_signer(path: Path, report: VerifyReport, contact: str = "") -> CommuneEntry:
    """Trust on first use, on purpose: list the signer of a checked package for the package's commune.

    Refused for a package that is not intact (verdict 'invalid') or has no signer; the caller shows the subject
    and fingerprint and asks before calling this.
    """
    from app.dossier.verify import INVALID

    signer = getattr(report, "signer", None)
    if report.verdict == INVALID or signer is None or not signer.fingerprint:
        raise InputError("Chỉ ghi nhận được người ký của một gói nguyên vẹn, có chữ ký số.")
    if not report.commune or not report.province:
        raise InputError("Gói không ghi tên xã hoặc tỉnh nên không ghi nhận được người ký.")
    note = f"Ghi nhận từ gói {report.package_uuid or '?'}: {signer.subject}"
    return add_commune(path, report.commune, report.province, [signer.fingerprint], contact, note)


__all__ = ["REGISTRY_FORMAT", "REGISTRY_FILE", "CommuneEntry", "Registry", "ImportSummary", "default_registry_path",
           "make_entry", "parse_registry", "load_registry", "save_registry", "add_commune", "remove_commune",
           "fingerprints_of", "import_registry", "export_registry", "register_signer"]
