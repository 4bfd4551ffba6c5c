"""Memory ceilings of the long operations a commune PC (often 4 GB) must survive, each its process's peak.

Rows here: the whole journey through the window (≤ 250 MB), print preview (≤ 300 MB) and `cdht verify` of
hostile input (≤ 200 MB). The other ceilings are measured where their operation is timed: start and idle
(bench_start, ≤ 120 MB), documents for 300 evidence items (bench_documents, ≤ 150 MB), export of 1 GB
(bench_dossier, ≤ 150 MB), verify of a real 1 GB package (bench_dossier, ≤ 200 MB) and evidence import of
1 GB (bench_evidence, ≤ 100 MB).

- Journey: the demo commune in the main window (1366×768, offscreen): every page shown, a figure typed
  and undone, the evidence list scrolled to the end with items previewed, a document generated and shown in
  the Văn bản page, the year switched; peak memory of the whole process.
- Print preview: a 20-page Báo cáo generated in the Văn bản page, then "Xem trước khi in…" opened and paged
  through to the end (whatever window the app opens for it), then closed.
- Verify of any input: hostile zips built to cost memory (tag files as large as allowed at a compression
  ratio under the bomb limit, a manifest with a million lines, 100 000 entries, a deflate bomb, sizes lying
  about zip64), each verified by `cdht verify` in its own process; the figure is the worst.
"""

from __future__ import annotations

import io
import os
import random
import sys
import textwrap
import zipfile
from pathlib import Path
from typing import Any

from tests.benchmarks import ROOT, measure_command, result, scale

#: A child going over this is stopped: the figure then reads "more than" (the machine is shared; a commune PC
#: has 4 GB and would be swapping long before).
MEMORY_CAP_MB = 1500

JOURNEY_CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from ui.main import Launcher, create_application
    from ui.tasks import wait_for_idle

    app = create_application([])
    launcher = Launcher(Path(sys.argv[1]))
    assert launcher.open("demo")
    window = launcher.window
    window.resize(1366, 768)

    def settle(seconds=0.2):
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            app.processEvents()
        wait_for_idle()
        app.processEvents()

    while not window.has_opened():
        app.processEvents()
    settle()
    for index in range(window.nav.count()):  # every page, built and shown
        window.show_page(index)
        settle()
    window.open_indicator("5.1")
    settle()
    field = window.indicators.editor._bindings["achieved"].widget
    field.setFocus()
    field.selectAll()
    QTest.keyClicks(field, "9000")
    QTest.keyClick(field, Qt.Key.Key_Tab)
    settle(0.5)
    window.undo_action.trigger()
    settle()
    evidence = window.external_pages[0].page()
    window.show_page(window.stack.indexOf(window.external_pages[0]))
    settle()
    for row in range(evidence.model.rowCount()):  # every item previewed (PDF pages, photos, sheets)
        evidence.select_row(row)
        settle(0.05)
    evidence.list.scrollToBottom()
    settle(0.5)
    documents = window.external_pages[1].page()
    window.show_page(window.stack.indexOf(window.external_pages[1]))
    settle()
    documents.generate_preview()
    settle(2.0)
    years = [window.year_combo.itemData(i) for i in range(window.year_combo.count())]
    for year in years + years[-1:]:
        window.year_combo.setCurrentIndex(window.year_combo.findData(year))
        settle()
    window.close()
    print("ok")
""")

PREVIEW_CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from PySide6.QtCore import QTimer, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    from app.documents import render_document_pdf
    from app.documents import texts as doc_texts
    from app.services import documents as docs
    from app.storage.workspace import Workspace
    from ui.context import AppContext
    from ui.main import create_application
    from ui.main_window import MainWindow
    from ui.tasks import wait_for_idle

    folder, year, pages = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    app = create_application([])
    ws = Workspace.open(folder / "cdht.sqlite3")
    paragraph = "Ủy ban nhân dân xã triển khai xây dựng xã hội học tập, khuyến học, khuyến tài. " * 12
    size, count = 1, 0
    from pypdf import PdfReader
    while count < pages:  # report texts long enough for a Báo cáo of `pages` pages
        docs.set_document_texts(ws, year, {key: "\\n".join([paragraph] * size) for key in doc_texts.NARRATIVE_FIELDS})
        pdf = render_document_pdf(ws, year, "bao_cao", folder / "bao_cao.pdf")
        count = len(PdfReader(str(pdf)).pages)
        size = max(size + 1, size * pages // max(count, 1))
    window = MainWindow(AppContext(ws, year))
    window.resize(1366, 768)
    window.show()
    holder = window.external_pages[1]
    window.show_page(window.stack.indexOf(holder))
    page = holder.page()
    wait_for_idle()
    page.load_preview(pdf)
    for _ in range(20):
        app.processEvents()
    known = set(QApplication.topLevelWidgets())
    seen = []

    def page_through():
        opened = [w for w in QApplication.topLevelWidgets() if w not in known and w.isVisible()]
        if not opened:
            QTimer.singleShot(50, page_through)
            return
        preview = opened[-1]
        seen.append(type(preview).__name__)
        deadline = time.monotonic() + 60
        for _ in range(count + 2):
            target = QApplication.focusWidget() or preview
            QTest.keyClick(target, Qt.Key.Key_PageDown)
            app.processEvents()
            preview.grab()
            if time.monotonic() > deadline:
                break
        preview.close()

    QTimer.singleShot(0, page_through)
    page.print_preview_button.click()
    deadline = time.monotonic() + 120
    while not seen and time.monotonic() < deadline:
        app.processEvents()
    for _ in range(20):
        app.processEvents()
    window.close()
    print(count, seen[0] if seen else "-")
""")


def journey(workdir: Path) -> dict[str, Any]:
    folder = workdir / "journey"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CDHT_DATA_DIR=str(folder))
    run = measure_command([sys.executable, "-c", JOURNEY_CHILD, str(folder)], env=env, cwd=ROOT, timeout=900).check()
    return {"peak": run.peak_mb, "seconds": run.seconds}


def print_preview(workdir: Path, pages: int) -> dict[str, Any]:
    from tests.benchmarks.synthetic import make_workspace

    folder = workdir / "preview"
    make_workspace(folder, year=2025, level=2).close()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CDHT_DATA_DIR=str(folder))
    run = measure_command([sys.executable, "-c", PREVIEW_CHILD, str(folder), "2025", str(pages)], env=env, cwd=ROOT,
                          timeout=1800, memory_cap_mb=MEMORY_CAP_MB)
    if run.stopped_at_cap:
        return {"peak": run.peak_mb, "pages": pages, "window": "?", "capped": True}
    count, window = run.check().stdout.split()[-2:]
    return {"peak": run.peak_mb, "pages": int(count), "window": window, "capped": False}


# ---------------------------------------------------------------------------------------------- hostile zips


def _low_entropy(size: int, seed: int) -> bytes:
    """Text that deflates about 80:1, under the verifier's bomb ratio (100:1), so that it is read in full."""
    r = random.Random(seed)
    words = [bytes(r.randrange(97, 123) for _ in range(r.randint(3, 9))) for _ in range(64)]
    out = io.BytesIO()
    while out.tell() < size:
        out.write((b" ".join(r.choice(words) for _ in range(12)) + b"\n") * 50)
    return out.getvalue()[:size]


def hostile_zips(folder: Path) -> dict[str, Path]:
    """Zips built to make a verifier use memory; each is a few MB at most."""
    folder.mkdir(parents=True, exist_ok=True)
    root = "ho-so-2025"
    made: dict[str, Path] = {}

    def write(name: str, entries) -> None:
        path = folder / f"{name}.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            for entry, data in entries:
                archive.writestr(entry, data)
        made[name] = path

    tag = _low_entropy(scale(32, 4) * 1024 ** 2, 1)
    write("tep-the-lon", [(f"{root}/tag-{n:02d}.txt", tag) for n in range(scale(24, 4))]
          + [(f"{root}/data/dataset.json", b"{}")])
    lines = b"".join(b"%064x  data/evidence/%08d.pdf\n" % (n * 7919, n) for n in range(scale(1_000_000, 100_000)))
    write("manifest-mot-trieu-dong", [(f"{root}/manifest-sha256.txt", lines), (f"{root}/bagit.txt",
                                      b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")])
    write("tram-nghin-tep", [(f"{root}/data/e/{n:06d}.txt", b"x") for n in range(scale(100_000, 20_000))])
    write("bom-nen", [(f"{root}/data/evidence/bom.bin", bytes(scale(512, 64) * 1024 ** 2))])
    with zipfile.ZipFile(folder / "zip64-noi-doi.zip", "w") as archive:
        info = zipfile.ZipInfo(f"{root}/data/evidence/lon.bin")
        archive.writestr(info, b"x" * 1024)
    raw = bytearray((folder / "zip64-noi-doi.zip").read_bytes())
    central = raw.rfind(b"PK\x01\x02")
    raw[central + 24:central + 28] = (2 ** 32 - 1).to_bytes(4, "little")  # claims 4 GiB uncompressed
    (folder / "zip64-noi-doi.zip").write_bytes(bytes(raw))
    made["zip64-noi-doi"] = folder / "zip64-noi-doi.zip"
    return made


def verify_hostile(workdir: Path) -> dict[str, tuple[float, bool]]:
    """Peak memory of `cdht verify` on each hostile zip, and whether it was stopped at the cap."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    peaks = {}
    for name, path in hostile_zips(workdir / "hostile").items():
        run = measure_command([sys.executable, "-m", "app", "verify", str(path)], env=env, cwd=ROOT, timeout=900,
                              memory_cap_mb=MEMORY_CAP_MB)
        if "Traceback" in run.stderr and not run.stopped_at_cap:
            raise RuntimeError(f"verify {name}: {run.stderr[-1500:]}")
        peaks[name] = (run.peak_mb, run.stopped_at_cap)
    return peaks


def run(workdir: Path) -> list[dict[str, Any]]:
    workdir = Path(workdir)
    trip = journey(workdir)
    preview = print_preview(workdir, scale(20, 20))
    peaks = verify_hostile(workdir)
    worst = max(peaks, key=lambda name: peaks[name][0])
    return [
        result("Cả hành trình trong cửa sổ (mọi trang, sửa và hoàn tác, xem mọi minh chứng, tạo văn bản, đổi năm) "
               "— bộ nhớ đỉnh", round(trip["peak"], 1), "MB", target="≤ 250 MB",
               note=f"{trip['seconds']:.0f} s"),
        result(f"Xem trước khi in ({preview['pages']} trang, lật hết các trang) — bộ nhớ đỉnh"
               + (f" (bị dừng khi vượt {MEMORY_CAP_MB} MB)" if preview["capped"] else ""), round(preview["peak"], 1),
               "MB", target="≤ 300 MB", note=f"cửa sổ xem trước: {preview['window']}"),
        result(f"cdht verify gói ZIP độc hại (lớn nhất: {worst}) — bộ nhớ đỉnh"
               + (f" (bị dừng khi vượt {MEMORY_CAP_MB} MB)" if peaks[worst][1] else ""), round(peaks[worst][0], 1), "MB",
               target="≤ 200 MB", note=", ".join(f"{name} {peak:.0f} MB" + (" (dừng ở giới hạn)" if capped else "")
                                                 for name, (peak, capped) in sorted(peaks.items()))),
    ]
