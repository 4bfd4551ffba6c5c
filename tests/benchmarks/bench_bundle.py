"""Bundle benchmark: size of the PyInstaller folder on disk (≤ 200 MB), by component, and as .tar.gz; its self-test.

Reuses `CDHT_BUNDLE_DIR` or `dist/cdht` when present (build it with `pyinstaller build_installer.spec`),
otherwise builds one into the work folder and also reports the build time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

from tests.benchmarks import ROOT, measure_command, memory_result, result

MB = 1 << 20


def bundle_dir(workdir: Path) -> tuple[Path, float | None]:
    """An existing bundle folder, or a fresh build in `workdir` (with its build time in seconds)."""
    for candidate in (os.environ.get("CDHT_BUNDLE_DIR"), ROOT / "dist" / "cdht"):
        if candidate and (Path(candidate) / executable("cdht")).exists():
            return Path(candidate), None
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
                    "--distpath", str(workdir / "dist"), "--workpath", str(workdir / "build"),
                    str(ROOT / "build_installer.spec")], check=True, cwd=ROOT)
    return workdir / "dist" / "cdht", time.perf_counter() - start


def executable(name: str) -> str:
    return f"{name}.exe" if sys.platform == "win32" else name


def size_on_disk(folder: Path) -> int:
    """Bytes of every file in the folder (what an installer copies)."""
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file() and not path.is_symlink())


COMPONENTS = (
    ("Qt (thư viện, plugin, PySide6)", lambda p: p[0] in ("PySide6", "shiboken6") or p[0].startswith("libQt6")),
    ("Python (libpython, thư viện chuẩn)", lambda p: p[0].startswith(("libpython", "python3")) or p[0] in (
        "base_library.zip", "lib-dynload")),
    ("Phông chữ", lambda p: p[:2] == ("resources", "fonts")),
    ("Ứng dụng (danh mục tiêu chí, biểu tượng, bản dịch)", lambda p: p[0] in ("data", "resources", "app", "ui")),
    ("Thư viện hệ thống (.so/.dll đi kèm)", lambda p: len(p) == 1 and p[0].startswith("lib") and ".cpython-" not in p[0]),
    ("Thư viện Python khác (reportlab, pyHanko, openpyxl, Pillow…)", lambda p: True),
)


def components(folder: Path) -> dict[str, int]:
    """Bytes by top-level component; the executables (which carry the compressed Python code of the app and its
    libraries) apart."""
    sizes = {name: 0 for name, _ in COMPONENTS}
    sizes["Tệp chạy cdht, cdht-gui (gồm mã Python nén của ứng dụng và thư viện)"] = 0
    inner = folder / "_internal"
    for path in folder.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        size = path.stat().st_size
        if path.parent == folder:
            sizes["Tệp chạy cdht, cdht-gui (gồm mã Python nén của ứng dụng và thư viện)"] += size
            continue
        parts = path.relative_to(inner).parts if inner in path.parents else path.relative_to(folder).parts
        name = next(name for name, matches in COMPONENTS if matches(parts))
        sizes[name] += size
    return sizes


def run(workdir: Path) -> list[dict[str, Any]]:
    folder, build_seconds = bundle_dir(workdir)
    archive = workdir / "cdht.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(folder, arcname="cdht")
    rows = [
        result("Gói cài đặt (thư mục cdht/) trên đĩa", size_on_disk(folder) / MB, "MB", target="≤ 200 MB"),
        *[result(f"  trong đó: {name}", size / MB, "MB") for name, size in components(folder).items()],
        result("Gói cài đặt nén .tar.gz", archive.stat().st_size / MB, "MB"),
    ]
    if build_seconds is not None:
        rows.append(result("Thời gian đóng gói (PyInstaller)", build_seconds, "s"))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    self_test = measure_command([str(folder / executable("cdht")), "self-test"], env=env, timeout=600)
    rows.append(result("Tự kiểm tra gói (cdht self-test, mọi bước)", self_test.seconds, "s",
                       ok=self_test.returncode == 0,
                       note=(self_test.stdout + self_test.stderr)[-1500:] if self_test.returncode else ""))
    rows.append(memory_result("Tự kiểm tra gói (tiến trình cdht)", self_test.peak_mb))
    return rows
