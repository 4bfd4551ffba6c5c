"""Shared primitives: durable writes, capped reads, depth-limited JSON, OS/SQLite errors in Vietnamese, time and size."""

from __future__ import annotations

import datetime as dt
import errno
import os
import sqlite3

import pytest

from app.errors import DiskFullError, InputError, ReadOnlyError, describe_os_error, describe_sqlite_error, user_message
from app.fileio import atomic_writer, json_depth, parse_json, read_bytes_capped, read_json_file, write_bytes_atomic
from app.text import format_local_time, format_size


def test_atomic_writer_keeps_the_old_file_when_the_write_fails(tmp_path):
    target = tmp_path / "a.txt"
    write_bytes_atomic(target, b"old")
    with pytest.raises(RuntimeError):
        with atomic_writer(target) as handle:
            handle.write(b"half")
            raise RuntimeError("interrupted")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_atomic_writer_names_a_read_only_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):  # running as root: simulate through the mapping itself
            error = describe_os_error(PermissionError(errno.EACCES, "Permission denied"), folder / "x")
        else:
            with pytest.raises(ReadOnlyError) as caught:
                write_bytes_atomic(folder / "x", b"1")
            error = caught.value
    finally:
        folder.chmod(0o700)
    assert "quyền ghi" in error.message and "Permission" not in error.message


@pytest.mark.parametrize("code, kind, words", [
    (errno.ENOSPC, DiskFullError, "đã đầy"),
    (errno.EROFS, ReadOnlyError, "chỉ cho phép đọc"),
    (errno.EIO, None, "Lỗi đọc/ghi"),
    (errno.ENODEV, None, "không còn kết nối"),
])
def test_os_errors_name_their_cause_in_vietnamese(tmp_path, code, kind, words):
    error = describe_os_error(OSError(code, os.strerror(code)), tmp_path / "f")
    assert words in error.message
    assert os.strerror(code) not in error.message
    if kind:
        assert isinstance(error, kind)


def test_sqlite_errors_name_their_cause():
    assert isinstance(describe_sqlite_error(sqlite3.OperationalError("database or disk is full")), DiskFullError)
    assert isinstance(describe_sqlite_error(sqlite3.OperationalError("attempt to write a readonly database")),
                      ReadOnlyError)
    assert "bị hỏng" in describe_sqlite_error(sqlite3.DatabaseError("file is not a database")).message


def test_user_message_is_none_only_for_genuine_bugs():
    assert user_message(KeyError("x")) is None
    assert "đầy" in user_message(OSError(errno.ENOSPC, "No space left on device"))
    assert user_message(InputError("Sai.")) == "Sai."


def test_capped_read_refuses_devices_folders_and_oversized_files(tmp_path):
    with pytest.raises(InputError, match="không phải tệp thông thường"):
        read_bytes_capped("/dev/zero", 100)
    with pytest.raises(InputError, match="là thư mục"):
        read_bytes_capped(tmp_path, 100)
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 101)
    with pytest.raises(InputError, match="quá lớn"):
        read_bytes_capped(big, 100)
    with pytest.raises(InputError, match="Không tìm thấy"):
        read_bytes_capped(tmp_path / "none.json", 100)
    with pytest.raises(InputError, match="Chưa chỉ"):
        read_bytes_capped("", 100)


def test_json_depth_limit_refuses_deep_nesting_without_recursion(tmp_path):
    assert json_depth('{"a": [1, {"b": "[[[["}]}') == 3
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200_000 + "]" * 200_000)
    with pytest.raises(InputError, match="lồng nhau quá sâu"):
        read_json_file(deep)
    with pytest.raises(InputError, match="dòng 1, cột 2"):
        parse_json("{x")
    assert parse_json('{"a": [1, 2]}') == {"a": [1, 2]}


def test_times_and_sizes_read_as_vietnamese():
    moment = dt.datetime(2026, 11, 27, 15, 5, 42, tzinfo=dt.UTC)
    local = moment.astimezone()
    assert format_local_time("2026-11-27T15:05:42+00:00") == f"{local:%H:%M} ngày {local:%d/%m/%Y}"
    assert format_local_time(moment, seconds=True).startswith(f"{local:%H:%M:%S} ngày ")
    assert format_local_time(None) == ""
    assert format_size(696683) == "680 KB"
    assert format_size(1288490188) == "1,2 GB"
    assert format_size(500) == "500 byte"


def test_stored_utc_is_shown_in_vietnam_time_on_a_vietnamese_pc():
    import subprocess
    import sys

    code = "from app.text import format_local_time; print(format_local_time('2026-11-27T15:05:42+00:00'))"
    env = dict(os.environ, TZ="Asia/Ho_Chi_Minh")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert result.stdout.strip() == "22:05 ngày 27/11/2026", result.stderr
