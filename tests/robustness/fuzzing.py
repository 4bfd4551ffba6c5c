"""Shared pieces of the fuzz suites: the hypothesis profile, running `cdht` in-process, and what a clean refusal is.

Fixed examples in CI (derandomized); CDHT_FUZZ_EXAMPLES=N runs more, CDHT_FUZZ_RANDOM=1 explores new ones.
"""

from __future__ import annotations

import contextlib
import io
import os
import struct
from typing import Any

from hypothesis import HealthCheck, settings

from app.cli import main
from app.services.datasets import export_dataset
from app.storage.workspace import Workspace

FUZZ = settings(
    max_examples=int(os.environ.get("CDHT_FUZZ_EXAMPLES", "120")),
    derandomize=os.environ.get("CDHT_FUZZ_RANDOM") != "1",
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
UNEXPECTED = "không mong muốn"


def run_cli(*argv: str) -> tuple[int, str, str]:
    """`cdht ARGV` in this process: exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def assert_no_traceback(text: str) -> None:
    assert "Traceback" not in text and UNEXPECTED not in text, text


def assert_clean_failure(code: int, err: str) -> None:
    """A refusal is one Vietnamese line on stderr and a non-zero exit code."""
    assert code != 0
    assert err.startswith("Lỗi: ") and err.endswith("\n") and err.count("\n") == 1, err
    assert_no_traceback(err)


def workspace_state(ws: Workspace) -> Any:
    """What a refused import must leave untouched: the audit row count, every year's dataset, the profile."""
    with ws.lock:
        audit = ws.db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
    return audit, {info.year: export_dataset(ws, info.year) for info in ws.years()}, ws.profile()


def patch_central_record(data: bytes, index: int, offset: int, fmt: str, value: int) -> bytes:
    """A ZIP with one field of its `index`-th central directory record overwritten (sizes, flags, method…)."""
    end = data.rindex(b"PK\x05\x06")
    count, position = struct.unpack_from("<H", data, end + 10)[0], struct.unpack_from("<I", data, end + 16)[0]
    for _ in range(index % count):
        name, extra, comment = struct.unpack_from("<HHH", data, position + 28)
        position += 46 + name + extra + comment
    start = position + offset
    return data[:start] + struct.pack(fmt, value) + data[start + struct.calcsize(fmt):]
