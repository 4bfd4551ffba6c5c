"""Compile the Vietnamese translation of Qt's standard texts (qt_vi.ts -> qt_vi.qm) with the `lrelease` that
ships in the PySide6 wheels. Run by `.ci/setup` and by `build_installer.spec`; the .qm is not kept in git.

    python resources/i18n/build.py [OUT_DIR]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "qt_vi.ts"


def lrelease() -> Path:
    """The lrelease binary of the installed PySide6 wheel (or pyside6-lrelease on PATH)."""
    import PySide6

    binary = Path(PySide6.__file__).parent / ("lrelease.exe" if sys.platform == "win32" else "lrelease")
    if binary.is_file():
        return binary
    found = shutil.which("pyside6-lrelease")
    if found is None:
        raise SystemExit("Không tìm thấy lrelease trong gói PySide6 (cần PySide6-Essentials).")
    return Path(found)


def build(out_dir: Path = HERE) -> Path:
    """Write qt_vi.qm into `out_dir` and return its path; fails loudly when lrelease reports a problem."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "qt_vi.qm"
    subprocess.run([str(lrelease()), "-silent", str(SOURCE), "-qm", str(target)], check=True)
    if not target.is_file() or target.stat().st_size == 0:
        raise SystemExit(f"lrelease không tạo được {target}.")
    return target


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE))
