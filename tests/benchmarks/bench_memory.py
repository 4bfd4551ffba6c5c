"""Memory ceilings of the long operations a commune PC (often 4 GB) must survive, each its process's peak.

Rows here: the whole journey through the window (≤ 250 MB) and print preview (≤ 300 MB). The other ceilings
are measured where their operation is timed: start and idle (bench_start, ≤ 120 MB), documents for 300 evidence
items (bench_documents, ≤ 150 MB), export of 1 GB (bench_dossier, ≤ 150 MB), verify of a real 1 GB package and
of every hostile input, each in its own process (bench_dossier, ≤ 200 MB) and evidence import of 1 GB
(bench_evidence, ≤ 100 MB).

- Journey: the demo commune in the main window (1366×768, offscreen): every page shown, a figure typed
  and undone, the evidence list scrolled to the end with items previewed, a document generated and shown in
  the Văn bản page, the year switched; peak memory of the whole process.
- Print preview: a 20-page Báo cáo generated in the Văn bản page, then "Xem trước khi in…" clicked
  PREVIEW_ROUNDS times, each timed from the click to the first page's text on screen (the note gives the first
  open and the median of the later ones); the first time the preview is paged through to the end with PageDown
  (whatever window the app opens for it). The figure is the whole process's peak.
"""

from __future__ import annotations

import json
import os
import sys
import textwrap
from pathlib import Path
from typing import Any

from tests.benchmarks import ROOT, measure_command, result, scale

#: A child going over this is stopped: the figure then reads "more than" (the machine is shared; a commune PC
#: has 4 GB and would be swapping long before).
MEMORY_CAP_MB = 1500
PREVIEW_ROUNDS = 3

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
    import json, statistics, sys, time
    from pathlib import Path
    from PySide6.QtCore import QCoreApplication, QEvent, QTimer, Qt
    from PySide6.QtGui import QColor
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

    folder, year, pages, rounds = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
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

    def has_text(widget):
        image = widget.grab().toImage()
        return any(QColor(image.pixel(x, y)).lightness() < 100
                   for y in range(0, image.height(), 4) for x in range(0, image.width(), 4))

    def opened(known):
        return [w for w in QApplication.topLevelWidgets() if w not in known and w.isVisible()]

    opens, seen = [], []
    for round_number in range(rounds):
        known = set(QApplication.topLevelWidgets())
        started = time.perf_counter()
        page.print_preview_button.click()
        deadline = started + 120
        preview = None
        while time.perf_counter() < deadline:
            app.processEvents()
            found = opened(known)
            view = getattr(found[-1], "view", found[-1]) if found else None
            if view is not None and has_text(getattr(view, "viewport", lambda: view)()):
                preview = found[-1]
                break
        if preview is None:
            raise SystemExit("the preview showed no page")
        opens.append(time.perf_counter() - started)
        seen.append(type(preview).__name__)
        if round_number == 0:  # paged through to the end, as a user checks every page
            for _ in range(count + 2):
                QTest.keyClick(QApplication.focusWidget() or preview, Qt.Key.Key_PageDown)
                app.processEvents()
                preview.grab()
        preview.close()
        for _ in range(20):
            app.processEvents()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    window.close()
    later = opens[1:] or opens
    print(json.dumps({"pages": count, "window": seen[0], "first": opens[0], "later": statistics.median(later)}))
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
    run = measure_command([sys.executable, "-c", PREVIEW_CHILD, str(folder), "2025", str(pages), str(PREVIEW_ROUNDS)],
                          env=env, cwd=ROOT, timeout=1800, memory_cap_mb=MEMORY_CAP_MB)
    if run.stopped_at_cap:
        return {"peak": run.peak_mb, "pages": pages, "window": "?", "capped": True}
    figures = json.loads(run.check().stdout.strip().splitlines()[-1])
    return {**figures, "peak": run.peak_mb, "capped": False}


def run(workdir: Path) -> list[dict[str, Any]]:
    workdir = Path(workdir)
    trip = journey(workdir)
    preview = print_preview(workdir, scale(20, 20))
    opened = (f"; mở lần đầu {preview['first']:.2f} s, các lần sau {preview['later']:.2f} s"
              if not preview["capped"] else "")
    return [
        result("Cả hành trình trong cửa sổ (mọi trang, sửa và hoàn tác, xem mọi minh chứng, tạo văn bản, đổi năm) "
               "— bộ nhớ đỉnh", round(trip["peak"], 1), "MB", target="≤ 250 MB",
               note=f"{trip['seconds']:.0f} s"),
        result(f"Xem trước khi in ({preview['pages']} trang, lật hết các trang) — bộ nhớ đỉnh"
               + (f" (bị dừng khi vượt {MEMORY_CAP_MB} MB)" if preview["capped"] else ""), round(preview["peak"], 1),
               "MB", target="≤ 300 MB", note=f"cửa sổ xem trước: {preview['window']}{opened}"),
    ]
