"""Pages a long-used commune opens every day, and the memory a whole new user's journey leaves behind.

- Minh chứng with 5 000 items: switching to the page (from the overview after an edit there, so the list is read
  again, until it shows its 5 000 rows and has painted) and a search typed into it (until the list shows the matches), medians; baseline = the same
  listing in the core alone (`list_evidence`, all items / the query). Target ≤ 300 ms each.
- The journey of tests/ui/journey.py (keyboard alone, from an empty data folder to a signed package written to a
  folder, the window closed): the process's peak memory and what it still holds after closing (≤ 300 MB: the
  journey signs and writes a package, which the window journey of bench_memory does not; the PKCS#12 test key
  is made in the same process).

Run: `python -m tests.benchmarks --only pages`
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import statistics
import time
from pathlib import Path
from typing import Any

from tests.benchmarks import MEMORY_TARGET, memory_result, repeats, result, run_child, scale

YEAR = 2025
EVIDENCE_ITEMS = 5000
DISTINCT_FILES = 40  # items share a few dozen stored files: thumbnails are made per file, as in a real library
SEARCH = "ke hoach 12"


def add_many_evidence(ws: Any, year: int, count: int) -> None:
    """`count` catalogued items (complete register fields, one indicator each) in one transaction, through the
    library's own insert; their files are a few dozen small PDFs in the store."""
    from app.evidence.library import insert_evidence
    from app.evidence.store import stored_path
    from tests.dossier.conftest import small_pdf

    indicators = ws.catalogue(year).indicator_ids
    files = []
    for number in range(DISTINCT_FILES):
        data = small_pdf(f"Minh chung so {number}")
        sha = hashlib.sha256(data).hexdigest()
        path = stored_path(ws, sha)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        files.append((sha, len(data)))
    with ws.transaction():
        for number in range(count):
            sha, size = files[number % DISTINCT_FILES]
            indicator = indicators[number % len(indicators)]
            fields = {"doc_number": f"{number + 1}/KH-UBND", "issued_date": dt.date(year, 1 + number % 12, 1 + number % 28),
                      "issuer": "UBND xã Đồng Tiến", "summary": f"Kế hoạch {number + 1} thực hiện chỉ tiêu {indicator}"}
            insert_evidence(ws, year, sha256=sha, size=size, name=f"Kế hoạch {number + 1}.pdf",
                            mime="application/pdf", fields=fields, indicators=[indicator])


def evidence_page_times(folder: str, count: int, rounds: int) -> dict[str, float]:
    """Medians (ms) of switching to the evidence page and of a search in it, and of the core's listings."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from app.changes import Changes
    from app.services import evidence as ev
    from tests.benchmarks.gui import open_window
    from ui.tasks import wait_for_idle

    _app, ws, ctx, window = open_window(Path(folder), YEAR)
    page_index = window.stack.indexOf(window.external_pages[0])
    window.show_page(page_index)  # built once, as the first visit of a session does
    page = window.external_pages[0].page()
    wait_for_idle()

    def shown(rows: int) -> None:
        while page.model.rowCount() != rows:
            QApplication.processEvents()
        page.list.repaint()  # painted: the visible rows drawn (their thumbnails come later, lazily)

    switch, search = [], []
    for _ in range(rounds):
        window.show_page(0)
        ctx.apply(Changes(indicators=True, checklist=True))  # a figure edited elsewhere: the list is out of date
        QApplication.processEvents()
        started = time.perf_counter()
        window.show_page(page_index)
        shown(count)
        switch.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        page.search.setText(SEARCH)  # what the search box does on each keystroke
        matches = len(ev.list_evidence(ws, YEAR, query=SEARCH))
        shown(matches)
        search.append((time.perf_counter() - started) * 1000)
        page.search.clear()
        shown(count)
        wait_for_idle()
    window.close()
    core_all, core_search = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        ev.list_evidence(ws, YEAR)
        core_all.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        ev.list_evidence(ws, YEAR, query=SEARCH)
        core_search.append((time.perf_counter() - started) * 1000)
    ws.close()
    return {"switch": statistics.median(switch), "search": statistics.median(search),
            "core_all": statistics.median(core_all), "core_search": statistics.median(core_search)}


class _Bot:
    """What tests/ui/journey.py needs of pytest-qt's qtbot, outside pytest."""

    @staticmethod
    def waitUntil(condition, timeout: int = 5000) -> None:  # noqa: N802, ANN001 - qtbot's name
        from PySide6.QtWidgets import QApplication

        deadline = time.monotonic() + timeout / 1000
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("the journey waited too long")
            QApplication.processEvents()
            time.sleep(0.002)

    @staticmethod
    def wait(ms: int) -> None:
        from PySide6.QtTest import QTest

        QTest.qWait(ms)

    @staticmethod
    def mouseClick(widget, button, modifier=None, pos=None) -> None:  # noqa: N802, ANN001
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        QTest.mouseClick(widget, button, modifier or Qt.KeyboardModifier.NoModifier, pos or widget.rect().center())

    @staticmethod
    def addWidget(_widget) -> None:  # noqa: N802, ANN001
        return None


def journey_memory(workdir: str) -> dict[str, float]:
    """The keyboard journey in this process; the resident memory once the window is closed (MB)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.fileio import write_bytes_atomic
    from tests.dossier.conftest import small_pdf
    from tests.dossier.pki import make_pki
    from tests.ui.journey import EVIDENCE, Journey, run_journey
    from ui.main import create_application

    root = Path(workdir)
    os.environ["CDHT_DATA_DIR"] = str(root / "data")
    create_application([])
    pki = make_pki(root / "pki")
    sources, out = root / "minh-chung", root / "usb"
    sources.mkdir(parents=True)
    out.mkdir()
    for name in EVIDENCE:
        write_bytes_atomic(sources / name, small_pdf(name))
    launcher, _user, _messages = run_journey(_Bot(), Journey(root / "data", sources, out, pki.p12, pki.p12_password),
                                             keyboard_only=True)
    launcher.ctx.ws.close()
    launcher.lock.release()
    import gc

    gc.collect()
    with open("/proc/self/status", encoding="ascii") as status:
        rss = next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS:"))
    return {"after_mb": rss}


def run(workdir: Path) -> list[dict]:
    from tests.benchmarks.bench_ui import make_commune

    count = scale(EVIDENCE_ITEMS, 500)
    folder = Path(workdir) / "nhieu-minh-chung"
    make_commune(folder)
    from app.storage.workspace import Workspace
    from ui.locations import real_database

    ws = Workspace.open(real_database(folder))
    add_many_evidence(ws, YEAR, count)
    ws.close()
    times = run_child("tests.benchmarks.bench_pages:evidence_page_times", str(folder), count, repeats(7, 3)).value
    journey = run_child("tests.benchmarks.bench_pages:journey_memory", str(Path(workdir) / "hanh-trinh"))
    label = f"Trang Minh chứng, {f'{count:,}'.replace(',', '.')} minh chứng"
    return [
        result(f"{label}: chuyển sang trang (so với lõi liệt kê)", round(times["switch"], 1), "ms",
               baseline=round(times["core_all"], 1), target="≤ 300 ms"),
        result(f"{label}: tìm “{SEARCH}” (so với lõi tìm kiếm)", round(times["search"], 1), "ms",
               baseline=round(times["core_search"], 1), target="≤ 300 ms"),
        memory_result("Hành trình người dùng mới bằng bàn phím (trống → gói đã ký)", round(journey.peak_mb, 1)),
        result("Hành trình người dùng mới bằng bàn phím — bộ nhớ còn giữ sau khi đóng cửa sổ",
               round(journey.value["after_mb"], 1), "MB", target=MEMORY_TARGET),
    ]


if __name__ == "__main__":
    import json
    import tempfile

    print(json.dumps(run(Path(tempfile.mkdtemp(prefix="cdht-bench-pages-"))), ensure_ascii=False, indent=2))
