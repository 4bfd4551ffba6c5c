"""The README's recipient example runs as written: communes make packages with cdht, the recipient registers,
appraises, decides, writes its documents and result packages, and a commune imports its result."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def example_script() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- vi-du-tiep-nhan -->\n```sh\n(.*?)```", text, re.DOTALL)
    assert match, "the README has no recipient example"
    return match.group(1)


def test_the_readme_example_runs(tmp_path):
    (tmp_path / "vidu.sh").write_text(example_script(), encoding="utf-8")
    env = {**os.environ, "CDHT": str(Path(sys.executable).with_name("cdht")), "PYTHONIOENCODING": "utf-8"}
    env.pop("CDHT_DATA_DIR", None)
    result = subprocess.run(["sh", "vidu.sh"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "Đã nhận 3 gói mới (3 hợp lệ, 0 chưa xác nhận người ký, 0 không hợp lệ)." in out
    assert "Đã kết luận thẩm định xã Quyết Thắng: chưa đủ điều kiện." in out
    assert "công nhận 2 xã; 1 xã nhận công văn trả lời" in out
    assert "Đã ghi quyết định công nhận mức độ 1 số 123/QĐ-SGDĐT ngày 25/03/2026, hiệu lực đến 25/03/2029" in out
    assert "  - Chỉ tiêu 5.1: Danh sách công dân học tập chưa có xác nhận của các thôn" in out
    assert (tmp_path / "van-ban" / "quyet_dinh_2025.pdf").is_file()
    assert (tmp_path / "van-ban" / "cong-van-tra-loi" / "quyet-thang_2025.pdf").is_file()
    assert sorted(p.name for p in (tmp_path / "ket-qua").iterdir()) == [
        "KetQua-CDHT-dong-tien-2025.zip", "KetQua-CDHT-quyet-thang-2025.zip", "KetQua-CDHT-tan-cuong-2025.zip"]
    assert result.stderr.strip() == ""
