"""Running `crash_child` scenarios and killing them at seeded random moments; reopening like the app does."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from app.services.integrity import check_workspace
from app.storage.lock import acquire_single_writer
from app.storage.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
#: Fixed in CI; set CDHT_CRASH_SEED / CDHT_CRASH_ROUNDS to explore more moments locally.
SEED = int(os.environ.get("CDHT_CRASH_SEED", "20261122"))
ROUNDS = int(os.environ.get("CDHT_CRASH_ROUNDS", "6"))


def rng_for(name: str) -> random.Random:
    return random.Random(f"{SEED}-{name}")


def run_and_kill(scenario: str, data_dir: Path, start: int, delay: float, *extra: str) -> list[str]:
    """Start the child, wait until it is working, SIGKILL it after `delay` seconds; return its confirmations."""
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1")
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.robustness.crash_child", scenario, str(data_dir), str(start), *extra],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    ready = child.stdout.readline()
    if ready.strip() != b"READY":
        child.kill()
        _, err = child.communicate(timeout=30)
        raise AssertionError(f"{scenario}: child did not start: {ready!r} {err.decode(errors='replace')}")
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    out, err = child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL, f"{scenario}: child ended by itself: {err.decode(errors='replace')}"
    text = out.decode("utf-8", errors="replace")
    lines = text.split("\n")[:-1]  # the last piece is an unfinished line (or empty)
    assert not [line for line in lines if line.startswith("FAILED")], text
    assert b"Traceback" not in err, err.decode(errors="replace")
    return [line.removeprefix("CONFIRMED ") for line in lines if line.startswith("CONFIRMED ")]


def reopen_and_check(db_path: Path) -> Workspace:
    """What the app does at the next start after a crash, then `check`: it must find nothing wrong."""
    from app.services.integrity import recover_interrupted_work

    acquire_single_writer(db_path.parent).release()  # the killed holder's lock was released by the OS
    ws = Workspace.open(db_path)
    recover_interrupted_work(ws)
    report = check_workspace(ws)
    assert report.ok, "\n".join(report.lines())
    return ws
