"""Safe file writing: write-then-rename, and leftovers of interrupted writes are cleaned."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import InputError
from app.fileio import atomic_path, read_text_file, remove_stale_temporaries, write_text_atomic


def test_atomic_write_leaves_no_temporary(tmp_path: Path):
    target = write_text_atomic(tmp_path / "sub" / "số liệu.json", "{}\n")
    assert target.read_text(encoding="utf-8") == "{}\n"
    assert [p.name for p in target.parent.iterdir()] == ["số liệu.json"]


def test_a_named_temporary_replaces_the_target_only_when_its_writer_finishes(tmp_path: Path):
    import sqlite3

    target = tmp_path / "ban-sao.sqlite3"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_path(target) as temporary:
        temporary.write_bytes(b"half")
        raise RuntimeError("interrupted")
    assert target.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["ban-sao.sqlite3"]
    with atomic_path(target) as temporary:
        with sqlite3.connect(temporary) as db:
            db.execute("CREATE TABLE t (x)")
        db.close()
    with sqlite3.connect(target) as db:
        assert db.execute("SELECT name FROM sqlite_master").fetchall() == [("t",)]
    db.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ban-sao.sqlite3"]


def test_stale_temporaries_of_a_target_are_removed_and_others_kept(tmp_path: Path):
    target = tmp_path / "ho-so.zip"
    (tmp_path / ".ho-so.zip.x1y2.tmp").write_bytes(b"half")
    (tmp_path / ".ho-so.zip.z9.tmp").write_bytes(b"half")
    (tmp_path / ".khac.zip.a.tmp").write_bytes(b"other")
    assert remove_stale_temporaries(target) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [".khac.zip.a.tmp"]


def test_reading_a_missing_or_binary_file_gives_a_vietnamese_message(tmp_path: Path):
    with pytest.raises(InputError, match="Không tìm thấy"):
        read_text_file(tmp_path / "khong-co.json", "tệp dữ liệu")
    binary = tmp_path / "anh.json"
    binary.write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(InputError, match="UTF-8"):
        read_text_file(binary, "tệp dữ liệu")
