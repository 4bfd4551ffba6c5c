"""Start-up of the desktop app, measured whole-process from outside, against a bare Qt window in the same run.

- First paint: from spawning `python -c …` to the main window's first paint on a commune that already exists
  (`Launcher.start()` then one `processEvents()`, the way `cdht-gui --self-test-window` starts): the frame
  (navigation, toolbar, menus, year, status bar) is on screen; the page on screen and the checklist are built
  right after. Baseline: a bare `QApplication` + empty `QMainWindow` shown, in a fresh process. The two
  children alternate (paired runs, so both see the same load on the shared machine) and the figure is the
  median of the ratios of each pair. Target ≤ 2× (the tracker's goal; 1.5× is the compass).
- Filled: the same start until the overview and the checklist are built and painted. Target ≤ 2 s.
- Memory: the app child's peak resident memory after it opened and stayed idle for a second (≤ 120 MB).
- `-X importtime`: one more start with Python's import timer; the ten modules that cost the most themselves
  (figures, not targets: where the next millisecond would come from).

Both children run with compiled bytecode (a bytecode cache in the work folder, written by a warm-up start), as
an installed copy has. The ten-year commune's start is in bench_ten_years.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import textwrap
from pathlib import Path
from typing import Any

from tests.benchmarks import ROOT, measure_command, result, scale
from tests.benchmarks.bench_ui import make_commune

YEAR = 2025
IDLE_SECONDS = 1.0

APP_CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from ui.main import Launcher, create_application
    app = create_application([])
    launcher = Launcher(Path(sys.argv[1]))
    launcher.start()
    app.processEvents()
    painted = time.time()
    window = launcher.window
    assert window.isVisible()
    deadline = time.monotonic() + 30
    while not window.has_opened() and time.monotonic() < deadline:
        app.processEvents()
    app.processEvents()  # the filled page's paint
    filled = time.time()
    assert window.overview.headline.text() and window.checklist.verdict_text("5.1", 1) in ("Đạt", "Không đạt")
    from ui.tasks import wait_for_idle
    wait_for_idle()
    idle_until = time.monotonic() + float(sys.argv[2])
    while time.monotonic() < idle_until:
        app.processEvents()
        time.sleep(0.01)
    print(painted, filled)
""")

BARE_CHILD = textwrap.dedent("""
    import time
    from PySide6.QtWidgets import QApplication, QMainWindow
    app = QApplication([])
    window = QMainWindow()
    window.show()
    app.processEvents()
    print(time.time())
""")


def child_env(folder: Path) -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CDHT_DATA_DIR=str(folder),
               PYTHONPYCACHEPREFIX=str(folder.parent / "pycache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def start_app(folder: Path, idle: float = 0.0, extra: tuple[str, ...] = ()) -> tuple[float, float, float, str]:
    """(first paint s, filled s, peak MB, stderr) of one whole-process start on the commune in `folder`."""
    env = child_env(folder)
    run = measure_command([sys.executable, *extra, "-c", APP_CHILD, str(folder), str(idle)], env=env, cwd=ROOT,
                          timeout=300).check()
    painted, filled = (float(x) for x in run.stdout.strip().splitlines()[-1].split())
    return painted - run.started_at, filled - run.started_at, run.peak_mb, run.stderr


def start_bare(folder: Path) -> float:
    run = measure_command([sys.executable, "-c", BARE_CHILD], env=child_env(folder), cwd=ROOT, timeout=120).check()
    return float(run.stdout.strip().splitlines()[-1]) - run.started_at


_IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")


def import_costs(stderr: str, top: int = 10) -> list[tuple[str, float, float]]:
    """The `top` modules by their own import time: (name, self ms, with children ms)."""
    costs = []
    for line in stderr.splitlines():
        match = _IMPORT_LINE.match(line)
        if match:
            costs.append((match.group(4), int(match.group(1)) / 1000, int(match.group(2)) / 1000))
    return sorted(costs, key=lambda cost: cost[1], reverse=True)[:top]


def run(workdir: Path) -> list[dict[str, Any]]:
    folder = Path(workdir) / "data"
    make_commune(folder)
    start_app(folder)  # warm the OS file cache and write the bytecode cache, as a second start on a PC is
    start_bare(folder)
    rounds = scale(15, 5)
    ratios, paints, fills, bares, peaks = [], [], [], [], []
    for number in range(rounds):  # alternated, so that both see the same load on the machine
        painted, filled, peak, _ = start_app(folder, idle=IDLE_SECONDS if number == 0 else 0.0)
        bare = start_bare(folder)
        ratios.append(painted / bare)
        paints.append(painted)
        fills.append(filled)
        bares.append(bare)
        if number == 0:
            peaks.append(peak)
    painted, filled, bare = statistics.median(paints), statistics.median(fills), statistics.median(bares)
    ratio = statistics.median(ratios)
    rows = [
        result("Khởi động đến lần vẽ đầu của cửa sổ chính (so với QApplication + QMainWindow trống, cặp chạy xen kẽ)",
               round(painted, 3), "s", round(bare, 3), "≤ 2×",
               note=f"trung vị của {rounds} cặp; tỷ lệ là trung vị tỷ lệ từng cặp"),
        result("Khởi động đến khi trang Tổng quan và bảng kiểm tra đã dựng và vẽ xong", round(filled, 3), "s",
               round(bare, 3), "≤ 2 s"),
        result("Khởi động rồi để yên 1 s — bộ nhớ đỉnh", round(peaks[0], 1), "MB", target="≤ 120 MB"),
    ]
    rows[0]["ratio"] = round(ratio, 2)
    _, _, _, stderr = start_app(folder, extra=("-X", "importtime"))
    for rank, (module, own, total) in enumerate(import_costs(stderr), start=1):
        rows.append(result(f"  -X importtime #{rank}: {module} (cả mô-đun con: {total:.1f} ms)".replace(f"{total:.1f}", f"{total:.1f}".replace(".", ",")),
                           round(own, 1), "ms"))
    return rows
