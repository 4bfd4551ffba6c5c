"""Signed-dossier setups for the crash and verifier suites, built once per test or module (never per round).

The PKI and the ready commune come from the dossier area's own helpers (`tests/dossier`); finalizing the year
renders the final documents into the data folder, so every later export of that year only signs and packs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from app.dossier.final_documents import final_documents
from app.dossier.finalize import finalize
from tests.dossier.conftest import YEAR, add_evidence, make_ready_workspace
from tests.dossier.pki import TestPki, make_pki

PASSWORD_VARIABLE = "CDHT_ROBUSTNESS_P12"


@dataclass(frozen=True)
class DossierSetup:
    pki: TestPki
    db: Path

    @property
    def data_dir(self) -> Path:
        return self.db.parent


def finalized_dossier(folder: Path, large_evidence_mb: int = 0) -> DossierSetup:
    """A test PKI and a finalized year whose documents are already rendered; `large_evidence_mb` adds bulky
    evidence (random bytes, so the ZIP really streams megabytes) before the year is locked."""
    pki = make_pki(folder / "pki")
    ws = make_ready_workspace(folder / "xa")
    try:
        for index in range(large_evidence_mb // 4):
            add_evidence(ws, YEAR, f"H98.{index + 1:02d}", os.urandom(4 * 1024 * 1024), f"Ảnh chụp {index}.jpg",
                         ["2.1"])
        finalize(ws, YEAR)
        final_documents(ws, YEAR)
    finally:
        ws.close()
    return DossierSetup(pki, folder / "xa" / "cdht.sqlite3")


def export_argv(db: Path, package: Path, p12: Path) -> list[str]:
    """`cdht export` signing with a PKCS#12 file whose password is in the environment variable PASSWORD_VARIABLE."""
    return ["--db", str(db), "export", "--year", str(YEAR), "--out", str(package), "--p12", str(p12),
            "--p12-password-env", PASSWORD_VARIABLE]

