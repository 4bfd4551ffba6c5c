"""House rule 1: the core (`app`) never imports Qt or the `ui` package."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """
import importlib, pkgutil, sys
import app
names = []
for info in pkgutil.walk_packages(app.__path__, 'app.'):
    if info.name in ('app.__main__',):
        continue
    importlib.import_module(info.name)
    names.append(info.name)
leaks = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'ui'))
print(len(names))
print(' '.join(leaks))
"""


def test_importing_every_app_module_loads_no_qt():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    count, leaks = (result.stdout.splitlines() + ["", ""])[:2]
    assert int(count) >= 15
    assert leaks == ""
