"""Secrets (token PINs, passwords in the environment) never end up in the data folder, backups or logs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.backup.helpers import make_workspace

SECRET = "PIN-7391-khong-duoc-ghi-ra-dia"


def _all_bytes(folder: Path):
    for path in folder.rglob("*"):
        if path.is_file():
            yield path, path.read_bytes()


def test_backup_check_restore_and_errors_never_write_secrets(tmp_path):
    db = tmp_path / "data" / "cdht.sqlite3"
    make_workspace(db).close()
    user_dir = tmp_path / "user-data"
    env = dict(os.environ, CDHT_DATA_DIR=str(user_dir), CDHT_TOKEN_PIN=SECRET, CDHT_SMTP_PASSWORD=SECRET,
               PKCS11_PIN=SECRET)
    runs = [
        ["--db", str(db), "backup"],
        ["--db", str(db), "backup", str(tmp_path / "usb" / "b.zip")],
        ["--db", str(db), "check"],
        ["--db", str(db), "check", "--repair"],
        ["restore", str(tmp_path / "usb" / "b.zip"), "--to", str(tmp_path / "restored" / "cdht.sqlite3")],
        ["restore", str(tmp_path / "nowhere.zip"), "--to", str(tmp_path / "x" / "cdht.sqlite3")],
        ["--db", str(tmp_path / "not-a-db" / "cdht.sqlite3"), "dataset", "import", str(tmp_path)],
    ]
    for argv in runs:
        result = subprocess.run([sys.executable, "-m", "app", *argv], env=env, capture_output=True, text=True,
                                encoding="utf-8")
        assert SECRET not in result.stdout + result.stderr
    written = list(_all_bytes(tmp_path))
    assert any(path.name == "backup.json" for path, _ in written)
    assert (tmp_path / "restored" / "cdht.sqlite3").exists()
    leaks = [str(path) for path, data in written if SECRET.encode() in data]
    assert leaks == []
