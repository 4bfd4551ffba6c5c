"""Builds the PyInstaller bundle from build_installer.spec and runs its self-test (only with CDHT_BUILD_BUNDLE=1).

    CDHT_BUILD_BUNDLE=1 .venv/bin/python -m pytest tests/build -q
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.selftest import STEPS
from app.storage.migrations import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[2]
EXE = ".exe" if sys.platform == "win32" else ""
FORBIDDEN = ("Qt6Qml", "Qt6Quick", "Qt6WebEngine", "QtWebEngine", "tkinter", "_tkinter", "numpy", "matplotlib",
             "libtk", "libtcl", "Qt6Wayland", "Qt6EglFS", "Qt6OpenGL", "qtbase_", "pytest", "hypothesis", "aiosmtpd",
             "libgtk", "libqwebp", "libqwayland", "egldeviceintegrations", "platformthemes", "wayland-shell")
MAX_BUNDLE_MB = 200


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("pyinstaller")
    done = subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
                           "--distpath", str(work / "dist"), "--workpath", str(work / "build"),
                           str(ROOT / "build_installer.spec")], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-4000:]
    return work / "dist" / "cdht"


def test_the_bundle_holds_both_programs_and_the_bundled_files(bundle):
    assert (bundle / f"cdht{EXE}").is_file() and (bundle / f"cdht-gui{EXE}").is_file()
    internal = bundle / "_internal"
    assert (internal / "data" / "catalogue" / "tt25-2023.json").is_file()
    assert len(list((internal / "data" / "trust").glob("*.pem"))) == 9  # the national trust anchors
    fonts = sorted(p.name for p in (internal / "resources" / "fonts").glob("*.ttf"))
    assert len(fonts) == 8 and "NotoSans-Regular.ttf" in fonts and "LiberationSerif-Regular.ttf" in fonts
    assert (internal / "resources" / "icons" / "cdht.png").is_file()
    assert (internal / "resources" / "i18n" / "qt_vi.qm").stat().st_size > 10_000  # Qt's own texts in Vietnamese
    assert any((internal / "pyhanko").rglob("*")) or any(internal.rglob("pyhanko_certvalidator*"))


def test_the_bundle_leaves_out_qml_webengine_tkinter_numpy(bundle):
    names = [str(p.relative_to(bundle)) for p in bundle.rglob("*")]
    leaks = [n for n in names if any(part in n for part in FORBIDDEN) or "/qml/" in n.replace("\\", "/")]
    assert leaks == []
    plugins = bundle / "_internal" / "PySide6" / "Qt" / "plugins"
    assert (plugins / "platforms").is_dir() and (plugins / "printsupport").is_dir()


def test_the_bundle_keeps_the_plugins_the_app_loads_and_stays_under_its_size(bundle):
    plugins = bundle / "_internal" / "PySide6" / "Qt" / "plugins"
    if sys.platform.startswith("linux"):
        names = {p.name for p in plugins.rglob("*.so")}
        assert {"libqxcb.so", "libqoffscreen.so", "libqjpeg.so", "libqtiff.so", "libcupsprintersupport.so",
                "libibusplatforminputcontextplugin.so"} <= names
        assert (bundle / "_internal" / "libpython3.11.so.1.0").is_file()
    size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file() and not p.is_symlink())
    assert size <= MAX_BUNDLE_MB * 1024 * 1024, f"{size / 1024 / 1024:.0f} MB"


def test_the_bundle_passes_its_self_test(bundle, tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CDHT_DATA_DIR": str(tmp_path / "data")}
    env.pop("PYTHONPATH", None)
    done = subprocess.run([str(bundle / f"cdht{EXE}"), "self-test"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.strip().splitlines()
    assert [line[0] for line in lines[:-1]] == ["✔"] * len(STEPS), done.stdout
    assert f"lược đồ phiên bản {SCHEMA_VERSION}," in done.stdout  # every migration module made it into the bundle
    assert str(ROOT) not in done.stdout  # bundled files come from the bundle, not the source tree
