"""Ten years of a busy commune (`synthetic.make_ten_years`): 10 years carried forward, 20 000 evidence items
(about 2 GB of files), 100 000 audit rows in the last year. Quick: 3 years, 1 500 items, 150 MB, 10 000 rows.

- Open the app: whole process, from spawn to the overview and checklist painted (bench_start's child), median
  of a few starts; its peak memory after a second idle.
- Switch year: picking the year before in the toolbar until the overview and the checklist have repainted.
- Evidence page: a fresh "Minh chứng" page on the last year until its list has painted; search (accents
  left out) until the list shows the matches; and the search service over every year's items (the CLI's
  `evidence search` without --year).
- Edit → checklist: a figure of indicator 5.1 committed in the editor until the checklist cell has repainted
  with the new verdict, in a year whose audit log holds 100 000 rows (undo keeps its stacks incrementally).
  Undo → checklist is shown beside it.
- Backup: an incremental folder backup against `cp -al` of the previous backup folder, both after `sync`:
  with nothing changed since the previous backups (the database copy and every evidence file hard-linked; the
  untimed backup before them keeps the unchanged database in a second, separate file, as every state gets), and
  right after one setting was written (the database copied afresh through SQLite's backup API, checked and
  hashed; evidence hard-linked).
- Check: `cdht check` (database integrity and every evidence file re-hashed) against `sha256sum` of the same
  evidence files.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.benchmarks import ROOT, command_seconds, measure_command, repeats, result, scale
from tests.benchmarks.synthetic import make_ten_years

SEARCH_WORDS = ("bien ban cong nhan", "ke hoach hoc tap", "quyet dinh")


def _gui(folder: Path, year: int) -> dict[str, Any]:
    """Switch year, evidence page, search, edit → checklist and undo in one window, in this process."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEvent
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from app.evidence import library as evidence_library
    from tests.benchmarks.gui import Painted, checklist_cell, open_window
    from ui.evidence.page import EvidencePage
    from ui.tasks import wait_for_idle

    app, ws, ctx, window = open_window(folder, year)
    painted = Painted()
    results: dict[str, Any] = {}

    # switch year: overview and checklist repainted
    overview, panel = window.overview, window.checklist
    painted.watch(overview, panel)
    switches = []
    for number in range(repeats(8, 4)):
        target = year - 1 if number % 2 == 0 else year
        started = time.perf_counter()
        window.year_combo.setCurrentIndex(window.year_combo.findData(target))
        switches.append(painted.until((overview, panel), started, lambda t=target: ctx.year == t))
        wait_for_idle()
    results["switch"] = switches

    # a fresh evidence page on the last year, and searches in it
    pages, searches = [], []
    for number in range(repeats(5, 3)):
        started = time.perf_counter()
        page = EvidencePage(ctx)
        page.resize(1366, 700)
        painted.watch(page.list.viewport())
        page.show()
        pages.append(painted.until((page.list.viewport(),), started))
        words = SEARCH_WORDS[number % len(SEARCH_WORDS)]
        started = time.perf_counter()
        page.search.setText(words)
        searches.append(painted.until((page.list.viewport(),), started))
        results["listed"], results["found"] = len(evidence_library.list_evidence(ws, year)), page.model.rowCount()
        page.thumbnails.clear()
        page.close()
        page.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # gone, not listening to edits below
    results["page"], results["search"] = pages, searches
    service = []
    for words in SEARCH_WORDS * repeats(3, 2):
        started = time.perf_counter()
        found = evidence_library.list_evidence(ws, None, query=words)
        service.append(time.perf_counter() - started)
    results["service"], results["service_found"] = service, len(found)
    results["all_items"] = len(evidence_library.list_evidence(ws, None))

    # edit → checklist, then undo → checklist, in the year with the long audit log
    cell = checklist_cell(window, "5.1")
    editor = window.indicators.editor
    painted.watch(cell)
    total = int(ws.values(year)["5.1"]["total"])
    field = editor._bindings["achieved"].widget
    edits, undos = [], []
    for number in range(repeats(20, 6)):
        value = total * (65 if number % 2 == 0 else 55) // 100 + number
        if value == ws.values(year)["5.1"].get("achieved"):  # an edit must change something (undo brings one back)
            value += 1
        expected = "Đạt" if number % 2 == 0 else "Không đạt"
        field.setFocus()
        field.selectAll()
        QTest.keyClicks(field, str(value))
        app.processEvents()
        started = time.perf_counter()
        editor.commit()
        edits.append(painted.until((cell,), started, lambda e=expected: panel.verdict_text("5.1", 1) == e))
        wait_for_idle()
        if number % 2 == 1 and len(undos) < repeats(8, 3):
            started = time.perf_counter()
            window.undo_action.trigger()
            undos.append(painted.until((cell,), started, lambda: panel.verdict_text("5.1", 1) == "Đạt"))
            wait_for_idle()
    results["edit"], results["undo"] = edits, undos
    results["audit_rows_in_year"] = int(ws.db.execute("SELECT COUNT(*) FROM audit_log WHERE year = ?",
                                                      [year]).fetchone()[0])
    window.close()
    ws.close()
    return results


def _backup(folder: Path, out: Path) -> dict[str, list[float]]:
    """A first (full) backup and a second one, then timed incremental ones, each against `cp -al` of the newest
    backup folder: unchanged database, then a database changed just before."""
    cli = [sys.executable, "-m", "app", "--db", str(folder / "cdht.sqlite3"), "backup", str(out)]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    subprocess.run(cli, check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, "-c", BACKUP_CHILD, str(folder / "cdht.sqlite3"), str(out), "unchanged"],
                   check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)  # the state's second, separate copy
    times: dict[str, list[float]] = {"ours": [], "whole": [], "cp": [], "changed": [], "cp_changed": []}
    for changed in (False, True):
        for _ in range(repeats(5 if not changed else 3, 2)):
            newest = max(p for p in out.iterdir() if not p.name.startswith("."))
            copy = out.parent / "cp-al"
            shutil.rmtree(copy, ignore_errors=True)
            subprocess.run(["sync"], check=True)
            times["cp_changed" if changed else "cp"].append(command_seconds([["cp", "-al", str(newest), str(copy)]]))
            shutil.rmtree(copy, ignore_errors=True)
            subprocess.run(["sync"], check=True)
            run = measure_command([sys.executable, "-c", BACKUP_CHILD, str(folder / "cdht.sqlite3"), str(out),
                                   "changed" if changed else "unchanged"], env=env, cwd=ROOT).check()
            times["changed" if changed else "ours"].append(float(run.stdout.split()[-1]))
            if not changed:
                times["whole"].append(run.seconds)
    return times


BACKUP_CHILD = """
import sys, time
from pathlib import Path
from app.backup import create_backup
from app.storage.workspace import Workspace
ws = Workspace.open(Path(sys.argv[1]))
if sys.argv[3] == "changed":
    ws.write_setting("benchmark.touched", time.time())
started = time.perf_counter()
info = create_backup(ws, Path(sys.argv[2]))
assert info.evidence_count > 0
print(time.perf_counter() - started)
"""


def _check(folder: Path) -> dict[str, list[float]]:
    cli = [sys.executable, "-m", "app", "--db", str(folder / "cdht.sqlite3"), "check"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    ours, sums = [], []
    for _ in range(repeats(3, 2)):
        sums.append(command_seconds([f"find '{folder / 'evidence'}' -type f -print0 | xargs -0 sha256sum > /dev/null"]))
        run = measure_command(cli, env=env, cwd=ROOT).check()
        ours.append(run.seconds)
    return {"ours": ours, "sha": sums}


def run(workdir: Path) -> list[dict[str, Any]]:
    from tests.benchmarks.bench_start import start_app

    workdir = Path(workdir)
    folder = workdir / "xa"
    shutil.rmtree(folder, ignore_errors=True)
    size = scale({}, {"years": 3, "items": 1_500, "total_bytes": 150 * 1024 ** 2, "audit_rows": 10_000})
    started = time.perf_counter()
    built = make_ten_years(folder, **size)
    build_seconds = time.perf_counter() - started
    year = built.years[-1]
    label = (f"{len(built.years)} năm, {built.evidence_items} minh chứng ({built.stored_bytes / 1024 ** 3:.2f} GB), "
             f"{built.last_year_audit_rows} dòng nhật ký năm {year}").replace(".", ",")
    rows = [result(f"Dữ liệu mười năm: {label} — thời gian dựng", round(build_seconds, 1), "s")]

    start_app(folder)  # warm the bytecode and file caches
    opens = [start_app(folder, idle=1.0 if n == 0 else 0.0) for n in range(repeats(5, 3))]
    rows += [
        result("Mười năm: mở ứng dụng đến lần vẽ đầu", round(statistics.median(o[0] for o in opens), 3), "s"),
        result("Mười năm: mở ứng dụng đến khi Tổng quan và bảng kiểm tra vẽ xong",
               round(statistics.median(o[1] for o in opens), 3), "s", target="≤ 1 s"),
        result("Mười năm: mở ứng dụng rồi để yên 1 s — bộ nhớ đỉnh", round(opens[0][2], 1), "MB", target="≤ 120 MB"),
    ]

    gui = _gui(folder, year)
    ms = {key: statistics.median(gui[key]) * 1000 for key in ("switch", "page", "search", "service", "edit", "undo")}
    rows += [
        result(f"Mười năm: đổi năm đánh giá ({year} ↔ {year - 1}) đến khi Tổng quan và bảng kiểm tra vẽ lại",
               round(ms["switch"], 1), "ms", target="≤ 200 ms"),
        result(f"Mười năm: mở trang Minh chứng ({gui['listed']} minh chứng năm {year}) đến khi danh sách vẽ xong",
               round(ms["page"], 1), "ms", target="≤ 100 ms"),
        result("Mười năm: tìm không dấu trong trang Minh chứng đến khi danh sách vẽ lại", round(ms["search"], 1), "ms",
               target="≤ 100 ms"),
        result(f"Mười năm: tìm không dấu trên cả {gui['all_items']} minh chứng mọi năm (dịch vụ, như cdht evidence search)",
               round(ms["service"], 1), "ms", target="≤ 100 ms"),
        result(f"Mười năm: sửa số liệu → bảng kiểm tra vẽ lại ({gui['audit_rows_in_year']} dòng nhật ký trong năm)",
               round(ms["edit"], 2), "ms", target="≤ 16 ms", note=f"chậm nhất {max(gui['edit']) * 1000:.1f} ms"),
        result("Mười năm: hoàn tác → bảng kiểm tra vẽ lại", round(ms["undo"], 2), "ms"),
    ]

    backup = _backup(folder, workdir / "sao-luu")
    ours, cp = statistics.median(backup["ours"]), statistics.median(backup["cp"])
    rows += [
        result("Mười năm: sao lưu tăng dần (liên kết cứng; so với cp -al cùng cây thư mục)", round(ours, 3), "s",
               round(cp, 3), "≤ 1.2×", note="cơ sở dữ liệu không đổi: bản chép của nó được liên kết cứng"),
        result("Mười năm: cả lệnh cdht backup tăng dần (gồm khởi động Python)", round(statistics.median(backup["whole"]), 3),
               "s", round(cp, 3)),
        result("Mười năm: sao lưu tăng dần ngay sau một thay đổi (cơ sở dữ liệu sao lại; so với cp -al)",
               round(statistics.median(backup["changed"]), 3), "s", round(statistics.median(backup["cp_changed"]), 3),
               note="gồm sao chép, kiểm tra và băm cơ sở dữ liệu; cp -al chỉ liên kết"),
    ]
    check = _check(folder)
    rows.append(result(f"Mười năm: cdht check ({built.stored_bytes / 1024 ** 3:.2f} GB minh chứng; so với "
                       "sha256sum cùng các tệp)".replace(".", ",", 1), round(statistics.median(check["ours"]), 2), "s",
                       round(statistics.median(check["sha"]), 2), "≤ 1.2×"))
    return rows
