"""Benchmark: importing 1 000 evidence files (1 GiB in all) against `cp -r` + `sha256sum` on the same files.

The import runs as the real command (`cdht evidence add FOLDER`) in a child process, so its wall time
and peak memory are its own; the baseline copies the same folder with `cp -r` and hashes the copy with
`sha256sum`, in the same run. Each figure is the median of several runs; `sync` runs before each so
that one run's write-back does not slow the next. Files come from `tests.benchmarks.synthetic`.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from tests.benchmarks import ROOT, command_seconds, measure_command, memory_result, repeats, result, scale
from tests.benchmarks.synthetic import total_size, write_evidence_files

YEAR = 2025


def _baseline(source: Path, copy: Path) -> float:
    shutil.rmtree(copy, ignore_errors=True)
    subprocess.run(["sync"], check=True)
    seconds = command_seconds([["cp", "-r", str(source), str(copy)],
                               f"find '{copy}' -type f -print0 | xargs -0 sha256sum > /dev/null"])
    shutil.rmtree(copy, ignore_errors=True)
    return seconds


def _fresh_workspace(folder: Path, env: dict[str, str]) -> list[str]:
    """A new commune database with one year; returns the command prefix that uses it."""
    shutil.rmtree(folder, ignore_errors=True)
    cli = [sys.executable, "-m", "app", "--db", str(folder / "cdht.sqlite3")]
    for args in (["init", "--commune", "Đồng Tiến", "--province", "Thái Nguyên"], ["year", "add", str(YEAR)]):
        subprocess.run(cli + args, check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    return cli


def run(workdir: Path) -> list[dict]:
    workdir = Path(workdir)
    count = scale(1000, 100)
    total = scale(1024 ** 3, 100 * 1024 ** 2)
    source = workdir / "nguon"
    shutil.rmtree(source, ignore_errors=True)
    items = write_evidence_files(source, count, total, seed=7, year=YEAR)
    megabytes = total_size(items) / 1024 ** 2
    env = dict(os.environ, PYTHONPATH=str(ROOT), CDHT_DATA_DIR=str(workdir / "du-lieu"))

    baselines, imports, peaks, reimports = [], [], [], []
    for _ in range(repeats(3, 2)):
        baselines.append(_baseline(source, workdir / "ban-sao"))
        cli = _fresh_workspace(workdir / "xa", env)
        subprocess.run(["sync"], check=True)
        first = measure_command(cli + ["evidence", "add", str(source), "--indicator", "1.2", "--year", str(YEAR)],
                                env=env, cwd=ROOT).check()
        imports.append(first.seconds)
        peaks.append(first.peak_mb)
        stored = sum(1 for p in (workdir / "xa" / "evidence").rglob("*") if p.is_file() and len(p.name) == 64)
        if stored != count:
            raise RuntimeError(f"expected {count} stored files, found {stored}")
        again = measure_command(cli + ["evidence", "add", str(source), "--year", str(YEAR)], env=env, cwd=ROOT).check()
        reimports.append(again.seconds)
    baseline, ours = statistics.median(baselines), statistics.median(imports)
    label = f"{count} tệp / {megabytes:.0f} MiB"
    return [
        result(f"Nhập minh chứng {label} (cdht evidence add)", round(ours, 2), "s", round(baseline, 2),
               "≤ 1.5×", note="baseline: cp -r rồi sha256sum trên cùng các tệp"),
        result(f"Tốc độ nhập minh chứng {label}", round(megabytes / ours, 1), "MiB/s", round(megabytes / baseline, 1)),
        memory_result(f"Nhập minh chứng {label}", round(max(peaks), 1), "≤ 100 MB"),
        result(f"Nhập lại cùng {count} tệp (đều trùng nội dung)", round(statistics.median(reimports), 2), "s",
               round(baseline, 2)),
    ]
