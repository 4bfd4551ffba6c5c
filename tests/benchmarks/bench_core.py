"""Core benchmark: re-judging the checklist after one edit (`ws.set_values` then `ws.checklist`).

This is the core's share of "checklist update ≤ 50 ms to the screen"; bench_ui adds the panel repaint.
Measured in a child process on a synthetic commune with two years of figures and assignments.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

from app.services.indicators import set_values
from tests.benchmarks import memory_result, repeats, result, run_child

YEAR = 2025


def measure(workdir: str, edits: int) -> dict[str, Any]:
    """Edit indicator 5.1 back and forth `edits` times; time each save and the re-judged checklist."""
    from tests.benchmarks.synthetic import make_workspace

    ws = make_workspace(Path(workdir) / "ws", year=YEAR, years=2)
    total = ws.values(YEAR)["5.1"]["total"]
    ws.checklist(YEAR)  # warm: catalogue loaded, statements prepared
    saves, judges, both = [], [], []
    for edit in range(edits):
        achieved = total * (55 + 30 * (edit % 2)) // 100  # crosses the 60 % and 80 % thresholds
        start = time.perf_counter()
        set_values(ws, YEAR, "5.1", {"achieved": achieved})
        saved = time.perf_counter()
        checklist = ws.checklist(YEAR)
        done = time.perf_counter()
        saves.append(saved - start)
        judges.append(done - saved)
        both.append(done - start)
        assert checklist.assessment.level == (2 if edit % 2 else 0 if achieved * 100 < total * 60 else 1)
    ws.close()
    return {"save": statistics.median(saves), "judge": statistics.median(judges), "both": statistics.median(both)}


def run(workdir: Path) -> list[dict[str, Any]]:
    child = run_child("tests.benchmarks.bench_core:measure", str(workdir), repeats(200, 40))
    ms = {key: value * 1000 for key, value in child.value.items()}
    return [
        result("Bảng kiểm tra sau một lần sửa số liệu (lõi: lưu + đánh giá lại)", ms["both"], "ms", target="≤ 50 ms"),
        result("  trong đó: lưu một chỉ tiêu (giao dịch + nhật ký)", ms["save"], "ms"),
        result("  trong đó: đánh giá lại 15 chỉ tiêu + minh chứng", ms["judge"], "ms"),
        memory_result("Lõi: sửa và đánh giá lại", child.peak_mb),
    ]
