"""Runs every `bench_*.py` module, each in its own process, and prints one table of figures against targets.

    python -m tests.benchmarks                  # full sizes (1 000 files / 1 GB evidence, …)
    python -m tests.benchmarks --quick          # small sizes, a sanity run
    python -m tests.benchmarks --only core --only bundle --json out.json --markdown
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import shutil
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

import tests.benchmarks as bench
from tests.benchmarks import CALL_MARKER, QUICK_ENV, measure_command, meets_target, memory_result

MARKS = {True: "✔", False: "✘", None: "·"}


def discover() -> list[str]:
    folder = Path(bench.__file__).parent
    return sorted(path.stem for path in folder.glob("bench_*.py"))


def machine() -> dict[str, Any]:
    """CPU model, cores, RAM, OS and Python of this machine (for the README table)."""
    cpu, memory_kb = platform.processor() or platform.machine(), 0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    except OSError:
        pass
    system = platform.platform()
    try:
        release = dict(line.split("=", 1) for line in Path("/etc/os-release").read_text().splitlines() if "=" in line)
        system = f"{release.get('PRETTY_NAME', '').strip(chr(34))} (Linux {platform.release()})"
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": round(memory_kb / 1024 / 1024, 1), "os": system,
            "python": platform.python_version()}


def run_module(name: str, workdir: Path, quick: bool) -> list[dict[str, Any]]:
    """Run one bench module in a child process; add its whole-process peak memory if it reported none."""
    workdir.mkdir(parents=True, exist_ok=True)
    out = workdir / "results.json"
    env = {**os.environ, QUICK_ENV: "1" if quick else "0"}
    child = measure_command([sys.executable, "-m", "tests.benchmarks", "--run-module", name, str(workdir), str(out)],
                            env=env, cwd=bench.ROOT)
    if child.returncode != 0 or not out.exists():
        last = (child.stderr.strip().splitlines() or ["?"])[-1]
        return [{"name": f"{name}: lỗi — {last}", "value": None, "unit": "", "baseline": None, "ratio": None,
                 "target": "", "ok": False, "error": child.stderr[-4000:]}]
    rows = json.loads(out.read_text(encoding="utf-8"))
    if not any(row.get("unit") == "MB" and ("bộ nhớ" in row.get("name", "") or "memory" in row.get("name", "").lower())
               for row in rows):
        rows.append(memory_result(f"{name} (cả tiến trình đo)", child.peak_mb))
    return rows


def fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        digits = 0 if abs(value) >= 100 else (1 if abs(value) >= 10 else (2 if abs(value) >= 1 else 3))
        text = f"{value:,.{digits}f}".replace(",", " ").replace(".", ",")
    else:
        text = str(value)
    return f"{text} {unit}".strip()


def table(rows: list[dict[str, Any]]) -> list[list[str]]:
    lines = [["Mô-đun", "Phép đo", "Kết quả", "Mốc so sánh", "Tỷ lệ", "Mục tiêu", ""]]
    for row in rows:
        ratio = f"{fmt(row['ratio'])}×" if row.get("ratio") is not None else "—"
        lines.append([row.get("module", ""), row["name"], fmt(row.get("value"), row.get("unit", "")),
                      fmt(row.get("baseline"), row.get("unit", "")), ratio, row.get("target") or "—",
                      MARKS[meets_target(row)]])
    return lines


def print_table(lines: list[list[str]], markdown: bool) -> None:
    if markdown:
        print("| " + " | ".join(lines[0]) + " |")
        print("|" + "---|" * len(lines[0]))
        for line in lines[1:]:
            print("| " + " | ".join(cell.replace("|", "\\|") for cell in line) + " |")
        return
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    for number, line in enumerate(lines):
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
        if number == 0:
            print("  ".join("-" * width for width in widths))


def _call(target: str, args_json: str) -> int:
    module_name, function = target.split(":")
    value = getattr(importlib.import_module(module_name), function)(*json.loads(args_json))
    sys.stdout.write(CALL_MARKER + json.dumps(value, default=str))
    return 0


def _run_module(name: str, workdir: str, out: str) -> int:
    module = importlib.import_module(f"tests.benchmarks.{name}")
    rows = module.run(Path(workdir))
    Path(out).write_text(json.dumps(rows, ensure_ascii=False, default=str), encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes for a fast sanity run")
    parser.add_argument("--only", action="append", metavar="NAME", help="run only bench_NAME (repeatable)")
    parser.add_argument("--json", metavar="OUT", help="also write the results and the machine as JSON")
    parser.add_argument("--markdown", action="store_true", help="print the machine and the table as Markdown")
    parser.add_argument("--workdir", metavar="DIR", help="where to build inputs (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--call", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--run-module", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.call:
        return _call(*args.call)
    if args.run_module:
        return _run_module(*args.run_module)

    names = discover()
    if args.only:
        wanted = {n if n.startswith("bench_") else f"bench_{n}" for n in args.only}
        unknown = wanted - set(names)
        if unknown:
            parser.error(f"unknown benchmark(s) {', '.join(sorted(unknown))}; have {', '.join(names)}")
        names = [n for n in names if n in wanted]
    root = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="cdht-bench-"))
    started = dt.datetime.now()
    rows: list[dict[str, Any]] = []
    try:
        for name in names:
            print(f"… {name}", file=sys.stderr, flush=True)
            try:
                module_rows = run_module(name, root / name, args.quick)
            except Exception:  # noqa: BLE001 - one broken module must not hide the others' figures
                module_rows = [{"name": f"{name}: lỗi", "value": None, "unit": "", "baseline": None, "ratio": None,
                                "target": "", "ok": False, "error": traceback.format_exc()}]
            for row in module_rows:
                row["module"] = name.removeprefix("bench_")
                row["met"] = meets_target(row)
            rows.extend(module_rows)
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(root, ignore_errors=True)
    info = machine()
    if args.markdown:
        print(f"Máy đo: {info['cpu']}, {info['cores']} nhân, {info['ram_gb']} GB RAM, {info['os']}, "
              f"Python {info['python']}; {'--quick' if args.quick else 'kích thước đầy đủ'}, "
              f"{started:%d/%m/%Y}.\n")
    else:
        print(f"{info['cpu']} · {info['cores']} cores · {info['ram_gb']} GB · {info['os']} · Python {info['python']}"
              f"{' · --quick' if args.quick else ''}")
    print_table(table(rows), args.markdown)
    for row in rows:
        if row.get("error"):
            print(f"\n[{row['module']}]\n{row['error']}", file=sys.stderr)
    if args.json:
        document = {"started": started.isoformat(timespec="seconds"), "quick": args.quick, "machine": info,
                    "results": rows}
        Path(args.json).write_text(json.dumps(document, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return 1 if any(row.get("error") for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
