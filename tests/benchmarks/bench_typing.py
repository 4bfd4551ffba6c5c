"""Typing in the indicator editor: the verdict follows each keystroke, the value is stored soon after.

On indicator 5.1 (a ratio; total 10 000) in the real main window (1366×768, offscreen):

- keystroke → preview: from one key press in "số đạt" to the editor's verdict cell for mức độ 1 having
  repainted with the verdict the rules engine gives for what the field now holds (nothing is stored yet).
  Baseline: the rules engine alone judging the indicator (`judge_indicator`). Target ≤ 5 ms.
- last keystroke → saved: from the last key press of a number to the window hearing that the value is stored
  (the editor waits for a pause, then writes on the database thread); the slowest round. Target ≤ 300 ms.
- focus leaves → saved: the same, but the user moves to the next field at once (Tab); saving does not wait
  for the pause. Target ≤ 50 ms.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from typing import Any

from tests.benchmarks import repeats, result

YEAR = 2025
TOTAL = 10_000


def _digits(value: int) -> list[str]:
    return list(str(value))


def measure(folder: Path) -> dict[str, float]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from app.domain.rules import judge_indicator
    from tests.benchmarks.bench_ui import make_commune
    from tests.benchmarks.gui import Painted, checklist_cell, open_window
    from ui.tasks import wait_for_idle

    make_commune(folder)
    app, ws, ctx, window = open_window(folder, YEAR)
    checklist_cell(window, "5.1")
    editor = window.indicators.editor
    achieved = editor._bindings["achieved"].widget
    cell = editor.level_cells[1]
    painted = Painted(cell)
    saved_at: list[float] = []
    ctx.saved.connect(lambda changes: saved_at.append(time.perf_counter()) if changes.any() else None)

    def settle(seconds: float = 0.0) -> None:
        until = time.perf_counter() + seconds
        while True:
            app.processEvents()
            if time.perf_counter() >= until:
                break
            time.sleep(0.001)
        wait_for_idle()
        app.processEvents()

    def type_number(value: int) -> tuple[list[float], float]:
        """Type `value` into "số đạt" key by key; returns each key's press → repaint time and the last press."""
        achieved.setFocus()
        achieved.selectAll()
        QTest.keyClick(achieved, Qt.Key.Key_Delete)
        settle(0.4)
        previews, last = [], 0.0
        for digit in _digits(value):
            last = time.perf_counter()
            QTest.keyClick(achieved, getattr(Qt.Key, f"Key_{digit}"))
            previews.append(painted.until((cell,), last, limit=1))
        return previews, last

    rounds = repeats(12, 4)
    previews, after_pause, after_tab = [], [], []
    for number in range(rounds):
        value = 6_500 + number if number % 2 == 0 else 5_500 + number  # crosses 60 %: the verdict flips
        keys, last = type_number(value)
        assert cell._status == ("met" if value * 100 >= TOTAL * 60 else "not_met"), cell._status
        previews.extend(keys)
        saved_at.clear()
        while not saved_at and time.perf_counter() - last < 5:
            app.processEvents()
        after_pause.append(saved_at[0] - last)
        settle(0.1)
        assert ws.values(YEAR)["5.1"]["achieved"] == value
        keys, last = type_number(value + 3)
        saved_at.clear()
        QTest.keyClick(achieved, Qt.Key.Key_Tab)
        while not saved_at and time.perf_counter() - last < 5:
            app.processEvents()
        after_tab.append(saved_at[0] - last)
        assert QApplication.focusWidget() is not achieved
        settle(0.1)
    indicator = ws.catalogue(YEAR).indicator("5.1")
    engine = []
    for number in range(200):
        started = time.perf_counter()
        judge_indicator(indicator, {"achieved": 5_900 + number, "total": TOTAL}, False)
        engine.append(time.perf_counter() - started)
    window.close()
    ws.close()
    return {"preview": statistics.median(previews), "preview_max": max(previews),
            "engine": statistics.median(engine), "pause": statistics.median(after_pause),
            "pause_max": max(after_pause), "tab": statistics.median(after_tab)}


def run(workdir: Path) -> list[dict[str, Any]]:
    figures = measure(Path(workdir) / "data")
    ms = {key: value * 1000 for key, value in figures.items()}
    return [
        result("Gõ một phím vào số liệu → ô kết quả đánh giá vẽ lại (so với riêng bộ quy tắc)", round(ms["preview"], 2),
               "ms", round(ms["engine"], 3), "≤ 5 ms", note=f"chậm nhất {ms['preview_max']:.1f} ms"),
        result("Phím cuối cùng → đã lưu (chờ ngừng gõ rồi ghi), lần chậm nhất", round(ms["pause_max"], 1), "ms",
               target="≤ 300 ms", note=f"trung vị {ms['pause']:.0f} ms"),
        result("Gõ xong rồi chuyển ô (Tab) → đã lưu", round(ms["tab"], 1), "ms", target="≤ 50 ms"),
    ]
