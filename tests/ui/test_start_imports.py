"""The start path stays light: up to the main window's first paint, nothing heavy is imported or built.

Documents (reportlab, python-docx, openpyxl), signing (pyHanko, cryptography), backup, evidence import,
PDF and image libraries and the pages not on screen load when first used. Checked in a fresh process, as
a user's start is, on a commune that already exists.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from app.domain.records import Profile
from ui.locations import real_database
from ui.wizard import SetupData, create_commune_workspace

ROOT = Path(__file__).resolve().parents[2]

#: Packages (and parts of the app) that the first paint must not wait for.
HEAVY = (
    "reportlab", "pyhanko", "pyhanko_certvalidator", "openpyxl", "docx", "cryptography", "asn1crypto", "lxml",
    "PIL", "pypdf", "bagit", "keyring", "pkcs11", "filetype", "sqlite_utils", "click", "dateutil",
    "PySide6.QtPdf", "PySide6.QtPdfWidgets", "PySide6.QtPrintSupport", "PySide6.QtSvg", "concurrent.futures",
    "app.backup", "app.documents", "app.dossier", "app.evidence", "app.services.evidence", "app.services.undo",
    "app.domain.catalogue", "app.domain.rules", "app.domain.checklist", "app.domain.dataset",
    "app.services.documents", "app.collection", "ui.evidence", "ui.documents", "ui.dossier", "ui.backup",
    "ui.pages.indicators", "ui.pages.indicator_editor", "ui.pages.assignments", "ui.pages.dashboard",
    "ui.widgets.checklist_panel", "ui.wizard",
)
#: Still not loaded once the window is filled and idle: only documents, signing and backups need them. (The
#: cleanup of interrupted work after the first paint reads the backup and dossier folder layouts, so the light
#: modules of app.backup and app.dossier may load then; none of the libraries they use for real work may.)
NEVER_AT_START = ("reportlab", "pyhanko", "openpyxl", "docx", "cryptography", "lxml", "PIL", "pypdf", "bagit",
                  "app.documents", "app.dossier.signing", "app.dossier.package", "app.dossier.verify",
                  "sqlite_utils")

CHILD = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from ui.main import Launcher, create_application
    app = create_application([])
    launcher = Launcher(Path(sys.argv[1]))
    assert launcher.start()
    app.processEvents()
    window = launcher.window
    first = sorted(sys.modules)
    painted = window._first_painted
    import PySide6.QtCore
    qt_namespace = "Qt" in PySide6.QtCore.__dict__  # PySide builds it on first use
    from ui.tasks import wait_for_idle
    deadline = time.monotonic() + 20
    while not window.checklist.verdict_text("5.1", 1) and time.monotonic() < deadline:
        app.processEvents()
    wait_for_idle()
    app.processEvents()
    filled = window.overview.headline.text() and window.checklist.verdict_text("5.1", 1)
    print(json.dumps({"painted": painted, "first": first, "later": sorted(sys.modules), "filled": bool(filled),
                      "qt_namespace": qt_namespace}))
    window.close()
""")


def loaded(modules: list[str], names: tuple[str, ...]) -> list[str]:
    return sorted(name for name in names if any(m == name or m.startswith(name + ".") for m in modules))


def test_first_paint_imports_nothing_heavy_and_the_filled_window_no_documents_or_signing(tmp_path) -> None:
    folder = tmp_path / "data"
    create_commune_workspace(real_database(folder), SetupData(Profile("Kiến Hưng", "Hà Nội"), 2025, "Lê Thị Hoa")).close()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CDHT_DATA_DIR=str(folder))
    result = subprocess.run([sys.executable, "-c", CHILD, str(folder)], capture_output=True, text=True, cwd=ROOT,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["painted"], "the window had not painted after the first round of events"
    assert "PySide6.QtWidgets" in seen["first"] and "app.storage.workspace" in seen["first"]
    assert loaded(seen["first"], HEAVY) == []
    # PySide builds the whole `Qt` namespace (hundreds of enums, some 12 ms) the first time anything names it, or
    # calls an overloaded method such as QAction.setShortcut: the first paint does without it
    assert not seen["qt_namespace"], "the Qt namespace was loaded before the first paint"
    assert seen["filled"], "the overview and checklist were not filled after the first paint"
    assert loaded(seen["later"], NEVER_AT_START) == []
    # the pages on screen were built after the paint, from the modules the first paint did without
    assert loaded(seen["later"], ("ui.pages.dashboard", "ui.widgets.checklist_panel")) == [
        "ui.pages.dashboard", "ui.widgets.checklist_panel"]
