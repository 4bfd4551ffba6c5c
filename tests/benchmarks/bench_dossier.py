"""Benchmark: exporting a dossier package with 1 GB of evidence, against `zip -r -0` + `sha256sum` on the same files.

Synthetic evidence (100 × 10 MiB, deterministic, incompressible) is put in a ready workspace; the year is
finalized and its documents rendered once (as the app does on first use); then the package export runs in a
child process so its peak memory can be measured. Run directly: `python tests/benchmarks/bench_dossier.py DIR`.
"""

from __future__ import annotations

import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EVIDENCE_FILES = 100
FILE_SIZE = 10 * 1024 * 1024

EXPORT_SCRIPT = """
import sys, time
from pathlib import Path
from app.dossier.package import build_package
from app.dossier.signing import Pkcs12Key
from app.dossier.verify import verify_package
from app.services.workspace import Workspace
ws = Workspace.open(Path(sys.argv[1]))
start = time.perf_counter()
build_package(ws, 2025, Path(sys.argv[2]), Pkcs12Key(Path(sys.argv[3]), sys.argv[4]))
built = time.perf_counter()
report = verify_package(Path(sys.argv[2]))
done = time.perf_counter()
assert report.ok, report.summary()
print(built - start, done - built)
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
    for index in range(EVIDENCE_FILES):
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
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", EXPORT_SCRIPT, str(database), str(workdir / "goi.zip"), str(p12),
                             password], capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(result.stderr)
    build_seconds, verify_seconds = (float(x) for x in result.stdout.split())
    peak_mb = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
    size_gb = (workdir / "goi.zip").stat().st_size / 1e9
    return [
        {"name": "Mốc: zip -r -0 + sha256sum trên cùng các tệp (1 GB)", "value": round(baseline, 2), "unit": "s",
         "baseline": None, "ratio": None, "target": "—"},
        {"name": "Xuất + ký gói hồ sơ 1 GB (so với zip -r -0 + sha256sum)", "value": round(build_seconds, 2), "unit": "s", "baseline": round(baseline, 2),
         "ratio": round(build_seconds / baseline, 2), "target": "≤ 1.5×"},
        {"name": "Đọc lại và kiểm tra gói 1 GB", "value": round(verify_seconds, 2), "unit": "s", "baseline": None,
         "ratio": None, "target": "—"},
        {"name": "Cả tiến trình cdht export (gồm khởi động Python)", "value": round(wall, 2), "unit": "s", "baseline": None, "ratio": None,
         "target": "—"},
        {"name": "Xuất gói — bộ nhớ đỉnh", "value": round(peak_mb, 1), "unit": "MB", "baseline": None,
         "ratio": None, "target": "≤ 300 MB"},
        {"name": "Dung lượng gói hồ sơ", "value": round(size_gb, 3), "unit": "GB", "baseline": None, "ratio": None,
         "target": "—"},
    ]


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="bench-dossier-"))
    for row in run(folder):
        print(row)
