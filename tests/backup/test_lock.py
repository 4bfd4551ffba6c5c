"""One writer per data folder: a second copy is refused with a message naming the holder; crashes release the lock."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap

import pytest

from app.storage.lock import LOCK_NAME, DataInUseError, acquire_single_writer, single_writer

HOLDER = textwrap.dedent("""
    import sys, time
    from app.storage.lock import acquire_single_writer
    lock = acquire_single_writer(sys.argv[1])
    print("HELD", flush=True)
    time.sleep(60)
""")


def _hold_in_child(folder):
    child = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder)], stdout=subprocess.PIPE, text=True,
                             cwd=os.getcwd())
    assert child.stdout.readline().strip() == "HELD"
    return child


def test_a_second_holder_in_the_same_process_is_refused_and_release_frees_it(tmp_path):
    lock = acquire_single_writer(tmp_path)
    with pytest.raises(DataInUseError) as refused:
        acquire_single_writer(tmp_path)
    assert str(os.getpid()) in refused.value.message and socket.gethostname() in refused.value.message
    assert refused.value.holder.pid == os.getpid()
    lock.release()
    with single_writer(tmp_path) as again:
        assert again.held and again.stale is None
    assert (tmp_path / LOCK_NAME).read_bytes() == b""


def test_another_process_is_refused_and_a_killed_holder_leaves_a_stale_record_that_is_replaced(tmp_path):
    child = _hold_in_child(tmp_path)
    try:
        with pytest.raises(DataInUseError, match="đang được mở bởi") as refused:
            acquire_single_writer(tmp_path)
        assert refused.value.holder.pid == child.pid
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    lock = acquire_single_writer(tmp_path)  # the OS released the crashed holder's lock
    try:
        assert lock.stale is not None and lock.stale.pid == child.pid
        record = json.loads((tmp_path / LOCK_NAME).read_text(encoding="utf-8"))
        assert record["pid"] == os.getpid() and record["hostname"] == socket.gethostname()
    finally:
        lock.release()


def test_stale_content_from_a_dead_process_is_recognised_and_replaced(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    (tmp_path / LOCK_NAME).write_text(json.dumps({"pid": pid, "hostname": socket.gethostname(), "user": "Lan",
                                                  "started_at": "2026-11-22T01:00:00+00:00"}))
    with single_writer(tmp_path) as lock:
        assert lock.stale is not None and lock.stale.pid == pid and lock.stale.user == "Lan"
        assert "người dùng Lan" in lock.stale.describe()
        assert json.loads((tmp_path / LOCK_NAME).read_text())["pid"] == os.getpid()


def test_cli_writes_are_refused_while_the_app_holds_the_data_folder(ws, capsys):
    from app.cli import main

    db = str(ws.path)
    with single_writer(ws.data_dir):
        assert main(["--db", db, "year", "add", "2031"]) != 0
        assert "đang được mở bởi" in capsys.readouterr().err
        assert main(["--db", db, "year", "list"]) == 0
    assert 2031 not in [info.year for info in ws.years()]
    assert main(["--db", db, "year", "add", "2031"]) == 0
    assert 2031 in [info.year for info in ws.years()]
