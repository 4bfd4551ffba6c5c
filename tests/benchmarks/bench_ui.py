"""UI speed: edit-to-checklist latency (figures, not pass/fail tests). The start-up is in bench_start.

- edit_to_checklist_ms: from an edit of indicator 5.1 being committed (focus leaves the field) to the
  checklist panel having repainted the new verdict; baseline = the same write + checklist in the core
  alone. Target ≤ 16 ms (one frame); bench_ten_years measures it again with 100 000 audit rows in the year.

Run: `python -c "import pathlib, tempfile, tests.benchmarks.bench_ui as b; print(b.run(pathlib.Path(tempfile.mkdtemp())))"`
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

from app.services.indicators import set_values

ROOT = Path(__file__).resolve().parents[2]
YEAR = 2025
EDIT_ROUNDS = 30


def make_commune(folder: Path) -> Path:
    """A commune with every indicator filled in (deterministic figures), as the window opens it."""
    from app.domain.records import Profile
    from ui.locations import real_database
    from ui.wizard import SetupData, create_commune_workspace

    ws = create_commune_workspace(real_database(folder), SetupData(Profile("Đồng Tiến", "Hưng Yên"), YEAR, "Đo tốc độ"))
    catalogue = ws.catalogue(YEAR)
    for number, indicator in enumerate(catalogue.indicators):
        if indicator.input == "boolean":
            values = {"met": number % 5 != 0, "description": f"Nội dung đã thực hiện của chỉ tiêu {indicator.id}."}
        elif indicator.input == "level":
            values = {"level": indicator.levels[-1]}
        elif indicator.input == "ratio":
            values = {"achieved": 5000, "total": 10000}
        else:
            values = {"trained": 5500, "university": 1300, "total": 10000}
        set_values(ws, YEAR, indicator.id, values)
    path = ws.path
    ws.close()
    return path


def edit_to_checklist(folder: Path) -> tuple[float, float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtTest import QTest

    from tests.benchmarks.gui import Painted, checklist_cell, open_window
    from ui.tasks import wait_for_idle

    _app, ws, _ctx, window = open_window(folder, YEAR)
    cell = checklist_cell(window, "5.1")
    editor, panel = window.indicators.editor, window.checklist
    painted = Painted(cell)
    field = editor._bindings["achieved"].widget
    samples = []
    for round_number in range(EDIT_ROUNDS):
        value = "6500" if round_number % 2 == 0 else "5500"
        expected = "Đạt" if round_number % 2 == 0 else "Không đạt"
        field.setFocus()
        field.selectAll()
        QTest.keyClicks(field, value)
        started = time.perf_counter()
        editor.commit()
        samples.append(1000 * painted.until((cell,), started, lambda e=expected: panel.verdict_text("5.1", 1) == e))
        wait_for_idle()
    window.close()

    core_samples = []
    for round_number in range(EDIT_ROUNDS):
        started = time.perf_counter()
        set_values(ws, YEAR, "5.1", {"achieved": 6400 if round_number % 2 == 0 else 5400})
        ws.checklist(YEAR)
        core_samples.append((time.perf_counter() - started) * 1000)
    ws.close()
    return statistics.median(samples), statistics.median(core_samples)


def run(workdir: Path) -> list[dict]:
    folder = Path(workdir) / "data"
    make_commune(folder)
    edit, core = edit_to_checklist(folder)
    return [
        {"name": "Sửa số liệu → bảng kiểm tra vẽ lại (so với lõi lưu + đánh giá)", "value": round(edit, 2), "unit": "ms", "baseline": round(core, 2),
         "ratio": round(edit / core, 2) if core else None, "target": "≤ 16 ms"},
    ]


if __name__ == "__main__":
    import json
    import tempfile

    print(json.dumps(run(Path(tempfile.mkdtemp(prefix="cdht-bench-ui-"))), ensure_ascii=False, indent=2))
