"""Benchmark: exporting a dossier package with 1 GB of evidence, against `zip -r -0` + `sha256sum` on the same files.

Synthetic evidence (100 × 10 MiB, deterministic, incompressible) is put in a ready workspace; the year is
finalized and its documents rendered once (as the app does on first use); then the package export and its
verification run each in its own child process, so that each has its own peak memory (export ≤ 150 MB,
verify ≤ 200 MB). Run directly: `python tests/benchmarks/bench_dossier.py DIR`.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.benchmarks import ROOT, measure_command, result, scale

EVIDENCE_FILES = 100
FILE_SIZE = 10 * 1024 * 1024

EXPORT_SCRIPT = """
import sys, time
from pathlib import Path
from app.dossier.package import build_package
from app.dossier.signing import Pkcs12Key
from app.storage.workspace import Workspace
ws = Workspace.open(Path(sys.argv[1]))
start = time.perf_counter()
build_package(ws, 2025, Path(sys.argv[2]), Pkcs12Key(Path(sys.argv[3]), sys.argv[4]))
print(time.perf_counter() - start)
"""

VERIFY_SCRIPT = """
import sys, time
from pathlib import Path
from app.dossier.verify import verify_package
start = time.perf_counter()
report = verify_package(Path(sys.argv[1]))
assert report.ok, report.summary()
print(time.perf_counter() - start)
"""


def _prepare(workdir: Path) -> tuple[Path, Path, str]:
    sys.path.insert(0, str(ROOT))
    from app.dossier.final_documents import final_documents
    from app.dossier.finalize import finalize
    from tests.dossier.conftest import YEAR, add_evidence, make_ready_workspace
    from tests.dossier.pki import make_pki

    pki = make_pki(workdir / "pki")
    ws = make_ready_workspace(workdir / "xa")
    generator = random.Random(20260210)
    indicators = ws.catalogue(YEAR).indicator_ids
    for index in range(scale(EVIDENCE_FILES, EVIDENCE_FILES // 10)):
        add_evidence(ws, YEAR, f"B{index:03d}", generator.randbytes(FILE_SIZE), f"ảnh {index}.jpg",
                     [indicators[index % len(indicators)]])
    finalize(ws, YEAR)
    final_documents(ws, YEAR)
    ws.close()
    return workdir / "xa" / "cdht.sqlite3", pki.p12, pki.p12_password


def _baseline(workdir: Path) -> float:
    """`zip -r -0` then `sha256sum` over the evidence store and the final documents."""
    sources = ["evidence", "dossier"]
    start = time.perf_counter()
    subprocess.run(["zip", "-r", "-0", "-q", str(workdir / "baseline.zip"), *sources], cwd=workdir / "xa", check=True)
    files = [str(p) for s in sources for p in (workdir / "xa" / s).rglob("*") if p.is_file()]
    subprocess.run(["sha256sum", *files], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _warm(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as handle:
                while handle.read(1 << 20):
                    pass


def run(workdir: Path) -> list[dict]:
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    database, p12, password = _prepare(workdir)
    _warm(workdir / "xa")
    baseline = _baseline(workdir)
    (workdir / "baseline.zip").unlink()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    package = workdir / "goi.zip"
    export = measure_command([sys.executable, "-c", EXPORT_SCRIPT, str(database), str(package), str(p12), password],
                             env=env, cwd=ROOT).check()
    build_seconds = float(export.stdout.split()[-1])
    verify = measure_command([sys.executable, "-c", VERIFY_SCRIPT, str(package)], env=env, cwd=ROOT).check()
    verify_seconds = float(verify.stdout.split()[-1])
    size_gb = package.stat().st_size / 1e9
    label = "1 GB" if size_gb > 0.5 else f"{size_gb * 1000:.0f} MB"
    return [
        result(f"Mốc: zip -r -0 + sha256sum trên cùng các tệp ({label})", round(baseline, 2), "s"),
        result(f"Xuất + ký gói hồ sơ {label} (so với zip -r -0 + sha256sum)", round(build_seconds, 2), "s", round(baseline, 2),
               "≤ 1.5×"),
        result("Cả tiến trình xuất gói (gồm khởi động Python)", round(export.seconds, 2), "s"),
        result(f"Xuất gói {label} — bộ nhớ đỉnh", round(export.peak_mb, 1), "MB", target="≤ 150 MB"),
        result(f"Đọc lại và kiểm tra gói {label} (cdht verify)", round(verify_seconds, 2), "s"),
        result(f"Kiểm tra gói {label} — bộ nhớ đỉnh", round(verify.peak_mb, 1), "MB", target="≤ 200 MB"),
        result("Dung lượng gói hồ sơ", round(size_gb, 3), "GB"),
    ]


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="bench-dossier-"))
    for row in run(folder):
        print(row)
