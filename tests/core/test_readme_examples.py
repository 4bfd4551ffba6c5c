"""The README's runnable command-line examples run as written on a fresh database, in an empty folder.

Every ```sh block that follows a `<!-- vi-du-… -->` marker is one; the recipient's round trip has its own test
(tests/recipient/test_readme_example.py, with the figures it prints checked), the others run here."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OWN_TEST = {"vi-du-tiep-nhan"}


def examples() -> dict[str, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return {name: body for name, body in re.findall(r"<!-- (vi-du-[\w-]+) -->\n```sh\n(.*?)```", text, re.DOTALL)}


def test_the_readme_has_runnable_examples():
    assert {"vi-du-lenh", "vi-du-tiep-nhan"} <= set(examples())


@pytest.mark.parametrize("name", sorted(set(examples()) - OWN_TEST))
def test_a_readme_example_runs_as_written(name, tmp_path):
    (tmp_path / "vidu.sh").write_text(examples()[name], encoding="utf-8")
    env = {**os.environ, "CDHT": str(Path(sys.executable).with_name("cdht")), "PYTHONIOENCODING": "utf-8",
           "CDHT_DATA_DIR": str(tmp_path / "du-lieu")}
    result = subprocess.run(["sh", "vidu.sh"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert result.stderr.strip() == ""
    out = result.stdout
    assert "Đã đọc 2 dòng phân công: 1.1, 5.1." in out
    assert "1.2  chủ trì: Phòng Văn hóa – Xã hội  phối hợp: Hội Khuyến học  hạn 30/11/2025" in out
    assert "deadline.2025 = 15/02/2026" in out
    assert "Mức độ 1  số 245/QĐ-UBND ngày 18/03/2024" in out
    assert "Đã hoàn tác:" in out and "Đã làm lại:" in out
