"""Pinned dependencies: the Qt release in use must not lose references to None (shiboken6 6.12.0 on Python 3.11)."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

QT_CALLS = """
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
import ui
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel("x")
label.setText("w"); label.setToolTip("w")   # warm-up: first calls may cache objects
before = sys.getrefcount(None)
for _ in range(10_000):
    label.setText("y")        # a Qt call that returns nothing
    label.setToolTip("z")
after = sys.getrefcount(None)
print(after - before, int(ui.NONE_GUARD_APPLIED))
"""


def test_ten_thousand_void_qt_calls_keep_none_alive():
    result = subprocess.run([sys.executable, "-c", QT_CALLS], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    delta, guard = (int(x) for x in result.stdout.split())
    # Either the Qt release keeps the count exactly (the pinned one does), or the guard made None immortal.
    assert delta == 0 or guard == 1, f"None lost {-delta} references without the guard"


def test_installed_qt_is_the_pinned_release():
    pinned = {}
    for line in (ROOT / "pyproject.toml").read_text(encoding="utf-8").splitlines():
        line = line.strip().strip('",')
        if "==" in line and line.split("==")[0].lower() in ("pyside6-essentials", "pyside6-addons", "shiboken6"):
            name, _, release = line.partition("==")
            pinned[name.lower()] = release
    assert set(pinned) == {"pyside6-essentials", "pyside6-addons", "shiboken6"}
    for name, release in pinned.items():
        assert version(name) == release, f"{name} {version(name)} is installed, {release} is pinned"
    if sys.version_info < (3, 12):
        assert not version("shiboken6").startswith("6.12.0")


def test_guard_makes_none_immortal_for_a_broken_release():
    """The guard itself works: with a pretend 6.12 shiboken it lifts None's count far from zero."""
    script = """
import sys, types
fake = types.ModuleType("shiboken6"); fake.__version__ = "6.12.0"
sys.modules["shiboken6"] = fake
before = sys.getrefcount(None)
import ui
print(int(ui.NONE_GUARD_APPLIED), sys.getrefcount(None) - before)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    applied, lift = (int(x) for x in result.stdout.split())
    if sys.version_info < (3, 12):
        assert applied == 1 and lift >= 1 << 40
    else:
        assert applied == 0
