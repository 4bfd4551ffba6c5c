"""Fuzzing the evidence importer (hypothesis): random file contents and names, through `cdht evidence add`.

Names: Windows reserved names, control and forbidden characters, very long, NFD, dots and spaces only.
Contents: empty, random bytes, real-looking headers (PDF, PNG, JPEG, Office 97 OLE2, ZIP/Office XML with
damaged parts), programs and scripts, one byte over the size limit. Every file gets its own clean result —
imported (under a name legal on Windows) or refused with a Vietnamese reason naming it — and afterwards the
store and the database agree (`verify_evidence_files` finds nothing).
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.evidence.filenames import MAX_NAME_LENGTH
from app.evidence.importer import MAX_SIZE_SETTING, import_files
from app.evidence.integrity import verify_evidence_files
from app.storage.workspace import Workspace
from app.text import nfc
from tests.backup.helpers import make_workspace, pdf_bytes
from tests.robustness.fuzzing import FUZZ, assert_no_traceback, patch_central_record, run_cli

pytestmark = pytest.mark.slow

LIMIT_MB = 1
FORBIDDEN = set('<>:"/\\|?*') | {chr(c) for c in range(32)}
RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def _fits_on_disk(name: str) -> bool:
    return name not in ("", ".", "..") and "/" not in name and "\x00" not in name and len(name.encode()) <= 255


names = st.one_of(
    st.sampled_from(["CON.pdf", "con", "NUL.txt", "COM1.tar.pdf", "lpt9.PDF", "aux. .pdf", "PRN", "Con .pdf"]),
    st.sampled_from(["a\x01b.pdf", "\x1f.pdf", "tab\tname.pdf", "dòng\nmới.pdf", "bell\x07.png", "esc\x1b[31m.pdf"]),
    st.sampled_from(['a<b>:c"d|e?f*.pdf', "dấu\\ngược.pdf", "...", " ", ". .", ".pdf", "-", "trailing. . .",
                     "Quye\u0302\u0301t đi\u0323nh so\u0302\u0301 12.pdf", "Bi\u00ean b\u1ea3n.PDF"]),
    st.integers(140, 250).map(lambda n: "d" * n + ".pdf"),
    st.integers(40, 84).map(lambda n: "Quyết định " * (n // 10) + ".pdf"),
    st.text(min_size=1, max_size=60).filter(_fits_on_disk),
).filter(_fits_on_disk)


def _zip(entries: dict[str, bytes], deflate: bool) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@st.composite
def contents(draw) -> bytes:
    kind = draw(st.sampled_from(["empty", "random", "pdf", "png", "jpeg", "ole", "zip", "docx", "odt", "program",
                                 "oversize"]))
    tail = draw(st.binary(max_size=600))
    if kind == "empty":
        return b""
    if kind == "random":
        return tail or b"\x00"
    if kind == "pdf":
        return pdf_bytes(draw(st.text(max_size=30))) if draw(st.booleans()) else b"%PDF-1.7\n" + tail
    if kind == "png":
        return b"\x89PNG\r\n\x1a\n" + tail
    if kind == "jpeg":
        return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + tail
    if kind == "ole":
        return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + tail + bytes(draw(st.integers(0, 1024)))
    if kind == "program":
        return draw(st.sampled_from([b"MZ", b"\x7fELF", b"#!/bin/sh\n"])) + tail
    if kind == "oversize":
        return b"%PDF-1.4\n" + bytes(LIMIT_MB * 1024 * 1024)
    entries = {"zip": {"a.txt": tail}, "docx": {"[Content_Types].xml": tail, "word/document.xml": b"<w/>"},
               "odt": {"mimetype": draw(st.sampled_from([b"application/vnd.oasis.opendocument.text",
                                                         b"application/vnd.oasis.opendocument.presentation"]) | st.just(
                   tail))}}[kind]
    data = bytearray(_zip(entries, draw(st.booleans())))
    for _ in range(draw(st.integers(0, 3))):  # damage: flipped bytes anywhere, e.g. in a compressed part
        data[draw(st.integers(0, len(data) - 1))] ^= draw(st.integers(1, 255))
    return bytes(data)


@pytest.fixture(scope="module")
def evidence_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz-evidence")
    ws = make_workspace(folder / "data" / "cdht.sqlite3", evidence_files=1)
    ws.write_setting(MAX_SIZE_SETTING, LIMIT_MB)
    ws.close()
    return folder / "data" / "cdht.sqlite3"


def _live_names(ws: Workspace) -> list[str]:
    with ws.lock:
        return [r[0] for r in ws.db.execute("SELECT original_name FROM evidence ORDER BY id")]


def _legal_on_windows(name: str) -> bool:
    stem = name.split(".")[0].strip().upper()
    return (name == nfc(name) and not FORBIDDEN & set(name) and not name.endswith((" ", "."))
            and stem not in RESERVED and 0 < len(name) <= MAX_NAME_LENGTH)


@FUZZ
@given(batch=st.lists(st.tuples(names, contents()), min_size=1, max_size=4), counter=st.integers(0, 10**9))
def test_random_files_import_or_are_refused_file_by_file(evidence_db, batch, counter):
    incoming = evidence_db.parent.parent / "incoming" / str(counter)
    sources = []
    for index, (name, content) in enumerate(batch):
        folder = incoming / str(index)  # one folder per file, so equal names can arrive together
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
        sources.append(str(folder / name))
    ws = Workspace.open(evidence_db)
    try:
        before = len(_live_names(ws))
    finally:
        ws.close()
    code, out, err = run_cli("--db", str(evidence_db), "evidence", "add", *sources, "--indicator", "1.1", "--json")
    assert_no_traceback(out + err)
    assert err == "" and code in (0, 1), err
    results = json.loads(out)
    assert [Path(r["file"]).name for r in results] == [name for name, _ in batch]
    for result, (_, content) in zip(results, batch, strict=True):
        assert result["status"] in ("imported", "duplicate", "refused"), result
        assert f"'{result['name']}'" in result["message"], result
        assert _legal_on_windows(result["name"]), result
        if not content or len(content) > LIMIT_MB * 1024 * 1024:
            assert result["status"] == "refused", result
    assert code == (0 if all(r["status"] != "refused" for r in results) else 1)
    ws = Workspace.open(evidence_db)
    try:
        stored = _live_names(ws)
        imported = [r["name"] for r in results if r["status"] == "imported"]
        assert stored[before:] == imported, "the database does not list exactly the imported files"
        assert verify_evidence_files(ws) == [], "store and database disagree"
    finally:
        ws.close()


def _odt_with_mimetype(method: int, flags: int) -> bytes:
    """An ODT-looking ZIP whose `mimetype` part has the given compression method and flags in its headers."""
    data = _zip({"mimetype": b"\xff" * 40}, deflate=False)
    data = patch_central_record(data, 0, 10, "<H", method)
    data = patch_central_record(data, 0, 8, "<H", flags)
    return data[:8] + method.to_bytes(2, "little") + data[10:]  # the local header's method too


@pytest.mark.parametrize(("name", "content", "stored", "reason"), [
    ("COM1.tar.pdf", pdf_bytes("COM1"), "COM1_.tar.pdf", "tên dành riêng của Windows"),  # was kept as COM1.tar_.pdf
    ("lpt3.a.b.pdf", pdf_bytes("LPT3"), "lpt3_.a.b.pdf", "tên dành riêng của Windows"),
    ("hong.odt", _odt_with_mimetype(zipfile.ZIP_DEFLATED, 0), None, "bị hỏng"),  # was "lỗi không mong muốn"
    ("mat-khau.odt", _odt_with_mimetype(zipfile.ZIP_STORED, 1), None, "bị hỏng"),  # was "lỗi không mong muốn"
], ids=["reserved-com1", "reserved-lpt3", "damaged-deflate", "encrypted-part"])
def test_regressions_found_by_fuzzing(tmp_path, name, content, stored, reason):
    ws = make_workspace(tmp_path / "data" / "cdht.sqlite3", evidence_files=0)
    try:
        source = tmp_path / name
        source.write_bytes(content)
        result = import_files(ws, 2025, [source])[0]
        assert reason in (result.message + " ".join(result.notes)), result
        assert result.ok == (stored is not None) and (stored is None or result.name == stored), result
        assert verify_evidence_files(ws) == []
    finally:
        ws.close()
