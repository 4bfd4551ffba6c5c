"""Benchmarks of CĐHT xã (not tests): `python -m tests.benchmarks [--quick] [--only NAME] [--json OUT]`.

Each `bench_<area>.py` module exposes `run(workdir: Path) -> list[dict]`; every dict is one figure:
`{"name", "value", "unit", "baseline", "ratio", "target"}` (build it with `result(...)`). Figures are medians
over repeated runs; a baseline (e.g. `cp -r` + `sha256sum`) is measured in the same run on the same data.
Targets are short strings the runner checks: "≤ 2×" or "ratio <= 2" (against the ratio), "≤ 50 ms", "≤ 3 s",
"≤ 300 MB"; a unitless number compares with the value as is. Anything else is shown but not checked.

Helpers here: `quick()` / `scale()` / `repeats()` for the `--quick` sizes, `median_seconds()` and
`command_seconds()` for timing, `run_child()` / `measure_command()` for a subprocess's time and peak memory.
Synthetic inputs come from `tests.benchmarks.synthetic`.
"""

from __future__ import annotations

import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
QUICK_ENV = "CDHT_BENCH_QUICK"
MEMORY_TARGET = "≤ 300 MB"


def quick() -> bool:
    """True when the suite runs with --quick (small sizes for a sanity run)."""
    return os.environ.get(QUICK_ENV) == "1"


def scale(full: Any, quick_value: Any) -> Any:
    """`full` normally, `quick_value` under --quick (e.g. `scale(1000, 100)` evidence files)."""
    return quick_value if quick() else full


def repeats(full: int = 5, quick_value: int = 3) -> int:
    return scale(full, quick_value)


def result(name: str, value: float, unit: str, baseline: float | None = None, target: str = "",
           ok: bool | None = None, note: str = "") -> dict[str, Any]:
    """One benchmark figure; `ratio` is value / baseline when a baseline was measured."""
    row: dict[str, Any] = {"name": name, "value": value, "unit": unit, "baseline": baseline,
                           "ratio": (value / baseline) if baseline else None, "target": target}
    if ok is not None:
        row["ok"] = ok
    if note:
        row["note"] = note
    return row


def memory_result(name: str, peak_mb: float, target: str = MEMORY_TARGET) -> dict[str, Any]:
    return result(f"{name} — bộ nhớ đỉnh", peak_mb, "MB", target=target)


# ---------------------------------------------------------------------------------------------- timing


def median_seconds(fn: Callable[[], Any], repeat: int, setup: Callable[[], Any] | None = None) -> float:
    """Median wall time of `fn()` over `repeat` runs; `setup()` (untimed) runs before each."""
    times = []
    for _ in range(repeat):
        if setup:
            setup()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def command_seconds(commands: Sequence[Sequence[str] | str], cwd: Path | None = None) -> float:
    """Wall time of running shell-free commands one after another (a baseline such as cp -r then sha256sum).
    A string command runs through the shell (for pipes/globs)."""
    start = time.perf_counter()
    for command in commands:
        subprocess.run(command, cwd=cwd, check=True, shell=isinstance(command, str),
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - start


# ---------------------------------------------------------------------------------------------- memory


@dataclass(frozen=True)
class ChildRun:
    """A finished subprocess: exit code, wall time, its own peak resident memory (MB), and its output."""

    returncode: int
    seconds: float
    peak_mb: float
    stdout: str
    stderr: str
    value: Any = None
    started_at: float = 0.0  # wall clock (time.time()) when the process was spawned
    stopped_at_cap: bool = False  # killed for going over the memory cap: the real peak is higher

    def check(self) -> ChildRun:
        if self.returncode != 0:
            raise RuntimeError(f"subprocess failed ({self.returncode}): {self.stderr.strip()[-2000:]}")
        return self


def _high_water_mb(pid: int) -> float | None:
    """The process's own peak resident memory so far (VmHWM), or None where /proc has no such line."""
    try:
        with open(f"/proc/{pid}/status", "rb") as handle:
            for line in handle:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def measure_command(command: Sequence[str], env: dict[str, str] | None = None, cwd: Path | None = None,
                    timeout: float | None = None, memory_cap_mb: float | None = None) -> ChildRun:
    """Run a command and report its wall time and its own peak resident memory.

    On Linux the peak is the child's VmHWM, read while it runs: `ru_maxrss` is no good there, because a child
    started with vfork/exec inherits the parent's high-water mark (a benchmark that built a large input in
    memory would see every child as large as itself). Elsewhere, `ru_maxrss` from wait4.

    With `memory_cap_mb`, a child that goes over it is killed (the shared machine must not run out of memory)
    and the run says so (`stopped_at_cap`)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started_at = time.time()
        start = time.perf_counter()
        process = subprocess.Popen(list(command), stdout=out, stderr=err, env=env, cwd=cwd)
        deadline = None if timeout is None else start + timeout
        high_water, capped = None, False
        while True:
            reading = _high_water_mb(process.pid)
            if reading is not None:
                high_water = max(high_water or 0.0, reading)
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            over = memory_cap_mb is not None and high_water is not None and high_water > memory_cap_mb
            if over or (deadline is not None and time.perf_counter() > deadline):
                capped = over
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.002)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        # Linux reports ru_maxrss in KiB, macOS in bytes.
        peak = high_water if high_water is not None else usage.ru_maxrss / (1 << 20 if sys.platform == "darwin" else 1 << 10)
        return ChildRun(process.returncode, seconds, peak, out.read().decode("utf-8", "replace"),
                        err.read().decode("utf-8", "replace"), started_at=started_at, stopped_at_cap=capped)


def run_child(target: str, *args: Any, env: dict[str, str] | None = None, timeout: float | None = None) -> ChildRun:
    """Call `module:function(*args)` in a fresh Python process; `.value` is its JSON-able return value and
    `.peak_mb` the process's peak memory (imports included, as a user would pay them)."""
    command = [sys.executable, "-m", "tests.benchmarks", "--call", target, json.dumps(args, default=str)]
    run = measure_command(command, env={**os.environ, **(env or {})}, cwd=ROOT, timeout=timeout).check()
    marker = run.stdout.rfind(CALL_MARKER)
    if marker < 0:
        raise RuntimeError(f"{target} printed no result: {run.stdout[-500:]} {run.stderr[-1500:]}")
    value = json.loads(run.stdout[marker + len(CALL_MARKER):])
    return ChildRun(run.returncode, run.seconds, run.peak_mb, run.stdout[:marker], run.stderr, value)


CALL_MARKER = "\n@@cdht-bench-result@@"


# ---------------------------------------------------------------------------------------------- targets

_TARGET = re.compile(r"^\s*(ratio\s*)?(≤|<=|<|≥|>=|>)\s*([0-9]+(?:[.,][0-9]+)?)\s*(×|x|ms|µs|s|KB|MB|GB|KiB|MiB|GiB|%)?",
                     re.IGNORECASE)
_FACTORS = {"µs": 1e-6, "ms": 1e-3, "s": 1.0, "kb": 1 / 1024, "kib": 1 / 1024, "mb": 1.0, "mib": 1.0,
            "gb": 1024.0, "gib": 1024.0, "%": 1.0}


def meets_target(row: dict[str, Any]) -> bool | None:
    """Whether a figure meets its target string; None when there is no (checkable) target."""
    if "ok" in row:
        return bool(row["ok"])
    match = _TARGET.match(row.get("target") or "")
    if not match or row.get("value") is None:
        return None
    sign, number, unit = match.group(2), float(match.group(3).replace(",", ".")), (match.group(4) or "")
    if match.group(1) or unit.lower() in ("×", "x"):
        actual = row.get("ratio")
        if actual is None:
            return None
    else:
        have, want = _FACTORS.get((row.get("unit") or "").lower()), _FACTORS.get(unit.lower())
        if unit and (have is None or want is None):
            return None
        actual = float(row["value"]) * (have / want if unit else 1.0)
    if math.isnan(actual):
        return False
    return {"≤": actual <= number, "<=": actual <= number, "<": actual < number,
            "≥": actual >= number, ">=": actual >= number, ">": actual > number}[sign]
