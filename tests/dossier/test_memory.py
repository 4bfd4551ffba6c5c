"""`cdht verify` stays under 200 MB of memory on hostile inputs, refusing each in lines of at most 300 characters.

Each input is made in a child process and checked in another (`tests.benchmarks.bench_dossier.verify_peak` reads
the checking process's own high-water mark); the benchmark runs the same inputs at full size.
"""

from __future__ import annotations

import pytest

from tests.benchmarks import run_child
from tests.benchmarks.bench_dossier import verify_peak

pytestmark = pytest.mark.slow

LIMIT_MB = 200


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tan-cong")
    return dict(run_child("tests.benchmarks.bench_dossier:hostile_inputs", str(folder), True).value)


@pytest.mark.parametrize("label_start", ["1 000 000 tệp", "99 990 tệp tên dài", "99 990 tệp và bảng kê ký kèm",
                                         "bom nén", "JSON lồng", "PDF", "4 tệp thẻ", "bảng kê 100 000 dòng",
                                         "zip64"])
def test_verify_memory_is_bounded_on_hostile_input(hostile, label_start):
    from pathlib import Path

    label, path = next((label, Path(path)) for label, path in hostile.items() if label.startswith(label_start))
    seconds, peak, code, longest = verify_peak(path)
    assert code == 1, label
    assert peak <= LIMIT_MB, f"{label}: {peak:.0f} MB"
    assert longest <= 300, f"{label}: a line of {longest} characters"
