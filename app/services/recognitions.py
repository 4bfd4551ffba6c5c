"""The commune's recognition history: decisions recorded by hand, and Nhập kết quả công nhận — taking in the signed
result package its recipient sent back.

The package is verified (the recipient's signature over every file, by a certificate under a trusted CA or one
the commune accepted explicitly by its fingerprint), must be addressed to this commune, and then fills the
recognition history (hence the dashboard's validity countdown) without anyone retyping the decision. A copy
of the package is kept in the data folder; importing the same result twice changes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, cast

from app.changes import Changes
from app.errors import InputError
from app.fileio import write_bytes_atomic
from app.recipient.results import RECOGNISED, ResultPackage, read_result_package
from app.storage.workspace import Workspace
from app.text import clean_text, fold, format_date_short, parse_date

if TYPE_CHECKING:
    from asn1crypto import x509

ACCEPTED_SIGNERS = "results.accepted_signers"
RESULTS_FOLDER = "ket-qua"


@dataclasses.dataclass(frozen=True)
class ImportedResult:
    year: int
    recognised: bool
    level: int
    decision_number: str
    decision_date: dt.date
    valid_until: dt.date | None
    issuer: str
    signer: str
    added: bool
    reasons: tuple[str, ...] = ()

    def message(self) -> str:
        if not self.recognised:
            text = (f"Gói kết quả năm {self.year}: {self.issuer} trả lời xã chưa đủ điều kiện công nhận "
                    f"({len(self.reasons)} chỉ tiêu không đạt).")
        elif self.added:
            text = (f"Đã ghi quyết định công nhận mức độ {self.level} số {self.decision_number} ngày "
                    f"{format_date_short(self.decision_date)}, hiệu lực đến "
                    f"{format_date_short(cast(dt.date, self.valid_until))}.")  # a recognition has one (checked on reading)
        else:
            text = f"Quyết định số {self.decision_number} đã có trong lịch sử công nhận; không ghi lại."
        return f"{text} Người ký: {self.signer}."


def add_recognition(ws: Workspace, level: int, decision_number: str, decision_date: dt.date | str, issuer: str = "",
                    assessment_year: int | None = None, note: str = "") -> Changes:
    """Record a recognition decision (Quyết định công nhận): its level, number, date and issuing body."""
    if level not in (1, 2):
        raise InputError("Mức độ công nhận chỉ có thể là 1 hoặc 2.")
    if isinstance(decision_date, str):
        try:
            decision_date = parse_date(decision_date)
        except ValueError:
            raise InputError(f"Ngày quyết định {decision_date!r} không hợp lệ (dd/mm/yyyy).") from None
    if assessment_year is not None:
        from app.domain.records import check_year

        check_year(assessment_year)
    number = clean_text(decision_number, "Số quyết định", required=True, single_line=True)
    record = {"level": level, "decision_number": number, "decision_date": decision_date.isoformat(),
              "issuer": clean_text(issuer, "Cơ quan công nhận", single_line=True), "assessment_year": assessment_year,
              "note": clean_text(note, "Ghi chú")}
    with ws.transaction():
        ws.db.execute(
            "INSERT INTO recognitions (level, decision_number, decision_date, issuer, assessment_year, note) "
            "VALUES (:level, :decision_number, :decision_date, :issuer, :assessment_year, :note)", record)
        ws.audit("create", "recognition", number, assessment_year, None, record)
    return Changes(recognitions=True)


def accepted_signers(ws: Workspace) -> tuple[str, ...]:
    return tuple(entry["fingerprint"] for entry in ws.get_setting(ACCEPTED_SIGNERS) or [])


def _trust_roots(trust: list[Path] | None) -> list[x509.Certificate] | None:
    from app.dossier.sigcheck import load_trust_roots

    return load_trust_roots(trust) if trust else None


def inspect_result(ws: Workspace, path: Path, trust: list[Path] | None = None) -> ResultPackage:
    """Verify a result package for this commune without recording anything."""
    package = read_result_package(Path(path), _trust_roots(trust), accepted_signers(ws))
    profile = ws.profile()
    commune = package.result["commune"]
    if fold(str(commune.get("name", ""))) != fold(profile.commune_name) or fold(
            str(commune.get("province", ""))) != fold(profile.province):
        raise InputError(f"Gói kết quả là của xã {commune.get('name')} ({commune.get('province')}), không phải của xã "
                         f"{profile.commune_name} ({profile.province}). Không nhập gì.")
    return package


def accept_signer(ws: Workspace, fingerprint: str, name: str) -> Changes:
    """Trust a recipient's certificate from now on (after comparing its fingerprint with the recipient)."""
    entries = list(ws.get_setting(ACCEPTED_SIGNERS) or [])
    if any(entry["fingerprint"] == fingerprint for entry in entries):
        return Changes()
    return ws.write_setting(ACCEPTED_SIGNERS, [*entries, {"fingerprint": fingerprint, "name": name}])


def import_result(ws: Workspace, path: Path, trust: list[Path] | None = None,
                  accept_fingerprint: str | None = None) -> tuple[ImportedResult, Changes]:
    """Verify and record a result package; `accept_fingerprint` accepts its signer explicitly (the fingerprint the
    commune read out to the recipient), never silently."""
    from app.dossier.trust import normalise_fingerprint
    from app.recipient.results import UntrustedSignerError

    path = Path(path)
    wanted = normalise_fingerprint(accept_fingerprint) if accept_fingerprint is not None else ""
    changes = Changes()
    try:
        package = inspect_result(ws, path, trust)
    except UntrustedSignerError as untrusted:
        if wanted != untrusted.fingerprint:
            raise
        changes |= accept_signer(ws, untrusted.fingerprint, untrusted.signer)
        package = inspect_result(ws, path, trust)
    result = package.result
    year, level = int(result["year"]), int(result["level"])
    number, day = str(result["decision"]["number"]), package.decision_date
    issuer = str(result.get("issuer", ""))
    recognised = result["outcome"] == RECOGNISED
    added = False
    with ws.transaction():
        write_bytes_atomic(ws.data_dir / RESULTS_FOLDER / path.name, path.read_bytes())
        changes |= ws.write_setting(f"result.{year}", result)
        if recognised and not any(r.decision_number == number and r.decision_date == day and r.level == level
                                  for r in ws.recognitions()):
            changes |= add_recognition(ws, level, number, day, issuer, year,
                                          f"Nhập từ gói kết quả {path.name}, ký bởi {package.signer}")
            added = True
    reasons = tuple(f"{iid}: {v.get('note', '')}" for iid, levels in result.get("council_verdicts", {}).items()
                    for v in levels.values() if v.get("status") == "not_met")
    until = dt.date.fromisoformat(result["valid_until"]) if result.get("valid_until") else None
    return ImportedResult(year, recognised, level, number, day, until, issuer, package.signer, added, reasons), changes
