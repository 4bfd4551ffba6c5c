"""Fuzzing the package verifier through `cdht verify` (hypothesis).

Starting from a real signed package: random bytes, truncated and byte-mutated copies, and rebuilt ZIPs with
path tricks ('../', absolute paths, drive letters, backslashes, duplicate names, links), entries marked
encrypted and huge declared sizes. Every run ends in a verdict — a refusal names its reason — never a
traceback, and nothing is written anywhere except inside the verifier's own temporary folder, which is
removed afterwards.
"""

from __future__ import annotations

import json
import os
import struct
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.dossier.package import build_package
from app.dossier.signing import Pkcs12Key
from app.storage.workspace import Workspace
from tests.robustness.dossier import YEAR, finalized_dossier
from tests.robustness.fuzzing import FUZZ, assert_no_traceback, patch_central_record, run_cli

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:Duplicate name")]

#: Absolute and escaping names all point at this marker, so a file written through them would be found.
ESCAPE = "cdht-fuzz-escaped"
TRICK_NAMES = [
    f"../{ESCAPE}.txt", f"ROOT/../../{ESCAPE}.txt", f"/tmp/{ESCAPE}.txt", f"C:/{ESCAPE}.txt", f"C:{ESCAPE}.txt",
    f"ROOT\\..\\..\\{ESCAPE}.txt", f"ROOT/data/..\\..\\{ESCAPE}.txt", f"ROOT/./data/{ESCAPE}.txt", "ROOT//data/x.pdf",
    f"ROOT/data/{ESCAPE}\x00.pdf", f"ROOT/data/{ESCAPE}\n.pdf", "ROOT/DATA/../bagit.txt", "ROOT", "OTHER/bagit.txt",
    f"{ESCAPE}.txt",
]


class Package:
    """The real package and its entries, read once."""

    def __init__(self, path: Path, ca: Path) -> None:
        self.path, self.ca = path, ca
        self.data = path.read_bytes()
        with zipfile.ZipFile(path) as archive:
            self.entries = [(info, archive.read(info)) for info in archive.infolist()]
        self.root = self.entries[0][0].filename.split("/")[0]


def _rebuilt(package: Package, edit) -> bytes:
    """The package's entries written again after `edit(list_of_[name, data, extra])` changed them."""
    rows = [[info.filename, data, {}] for info, data in package.entries]
    edit(rows)
    path = Path(tempfile.mkstemp(suffix=".zip")[1])
    try:
        with zipfile.ZipFile(path, "w") as archive:
            for name, data, options in rows:
                info = zipfile.ZipInfo(name.replace("ROOT", package.root), (1980, 1, 1, 0, 0, 0))
                info.compress_type = options.get("compress", zipfile.ZIP_STORED)
                info.external_attr = options.get("attr", 0o100644 << 16)
                archive.writestr(info, data)
        return path.read_bytes()
    finally:
        path.unlink()


def _zip64_claiming(name: str, data: bytes, size: int, stored: int) -> bytes:
    """A one-entry ZIP64 archive whose headers declare `size` bytes uncompressed and `stored` compressed."""
    raw, crc = name.encode(), zipfile.crc32(data)
    extra = struct.pack("<HHQQ", 1, 16, size, stored)
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 45, 0, 0, 0, 0x21, crc, 0xFFFFFFFF, 0xFFFFFFFF, len(raw),
                        len(extra)) + raw + extra + data
    central = struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 0x031E, 45, 0, 0, 0, 0x21, crc, 0xFFFFFFFF,
                          0xFFFFFFFF, len(raw), len(extra), 0, 0, 0, 0o100644 << 16, 0) + raw + extra
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(local), 0)
    return local + central + end


@st.composite
def damaged_packages(draw, package: Package) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(["random", "truncated", "flipped", "flipped_end", "trick", "duplicate", "link",
                                 "bomb", "declared_size", "zip64_size", "encrypted", "name_length"]))
    data = package.data
    if kind == "random":
        return kind, draw(st.binary(max_size=4096) | st.just(b"PK\x05\x06" + bytes(18)))
    if kind == "truncated":
        return kind, data[:draw(st.integers(0, len(data) - 1))]
    if kind in ("flipped", "flipped_end"):
        damaged = bytearray(data)
        low = 0 if kind == "flipped" else max(0, len(data) - 4096)
        for _ in range(draw(st.integers(1, 6))):
            damaged[draw(st.integers(low, len(data) - 1))] ^= draw(st.integers(1, 255))
        return kind, bytes(damaged)
    if kind == "zip64_size":
        size = draw(st.sampled_from([2**32, 2**40, 2**62, 2**64 - 1]))
        return kind, _zip64_claiming(f"{package.root}/data/{ESCAPE}.bin", b"x", size, draw(st.sampled_from([1, size])))
    index = draw(st.integers(0, len(package.entries) - 1))
    if kind == "trick":
        name = draw(st.sampled_from(TRICK_NAMES))
        return kind, _rebuilt(package, lambda rows: rows.__setitem__(index, [name, *rows[index][1:]]))
    if kind == "duplicate":
        twin = draw(st.sampled_from(["same", "case", "nfd"]))

        def duplicate(rows):
            name = rows[index][0]
            copy = {"same": name, "case": name.upper(), "nfd": name.replace("a", "a\u0301") + "\u0301"}[twin]
            rows.append([copy, b"other content", {}])
        return kind, _rebuilt(package, duplicate)
    if kind == "link":
        return kind, _rebuilt(package, lambda rows: rows[index][2].update(attr=0o120777 << 16))
    if kind == "bomb":
        size = draw(st.sampled_from([2 << 20, 24 << 20]))
        return kind, _rebuilt(package, lambda rows: rows.append([f"ROOT/data/evidence/{ESCAPE}.bin", bytes(size),
                                                                 {"compress": zipfile.ZIP_DEFLATED}]))
    if kind == "declared_size":  # uncompressed size (offset 24) or compressed size (offset 20), up to 4 GiB - 1
        field = draw(st.sampled_from([20, 24]))
        return kind, patch_central_record(data, index, field, "<I", draw(st.sampled_from([0, 1, 2**31, 2**32 - 1])))
    if kind == "encrypted":  # general purpose flag bit 0 in the central directory (offset 8)
        return kind, patch_central_record(data, index, 8, "<H", 1)
    return kind, patch_central_record(data, index, 28, "<H", draw(st.sampled_from([0, 1, 0xFFFF])))  # name length


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Package:
    folder = tmp_path_factory.mktemp("fuzz-verify")
    setup = finalized_dossier(folder)
    ws = Workspace.open(setup.db)
    try:
        record = build_package(ws, YEAR, folder / "goi.zip", Pkcs12Key(setup.pki.p12, setup.pki.p12_password))
    finally:
        ws.close()
    return Package(Path(record.path), setup.pki.ca_pem)


def _files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def test_the_untouched_package_verifies(package):
    code, out, err = run_cli("verify", str(package.path), "--trust", str(package.ca))
    assert (code, err) == (0, "") and "Gói hồ sơ hợp lệ và nguyên vẹn: do UBND xã Đồng Tiến" in out


@FUZZ
@given(data=st.data())
def test_damaged_packages_are_refused_with_a_reason_and_nothing_is_written(package, data):
    kind, content = data.draw(damaged_packages(package))
    work = package.path.parent / "fuzz"
    scratch, cwd = work / "scratch", work / "cwd"
    for folder in (scratch, cwd):
        folder.mkdir(parents=True, exist_ok=True)
    target = work / "goi-hong.zip"
    target.write_bytes(content)
    watched = package.path.parent
    before = _files_under(watched)
    old_cwd, old_tempdir = os.getcwd(), tempfile.tempdir
    os.chdir(cwd)
    tempfile.tempdir = str(scratch)
    try:
        as_json = data.draw(st.booleans())
        code, out, err = run_cli("verify", str(target), "--trust", str(package.ca), *(["--json"] if as_json else []))
    finally:
        os.chdir(old_cwd)
        tempfile.tempdir = old_tempdir
    assert_no_traceback(out + err)
    assert err == "", err
    assert _files_under(watched) == before, f"{kind}: the verifier wrote files"
    assert not list(scratch.iterdir()) and not list(cwd.iterdir()), f"{kind}: temporary files left behind"
    assert not Path(f"/tmp/{ESCAPE}.txt").exists()
    if as_json:
        report = json.loads(out)
        ok, summary = report["ok"], report["summary"]
        assert ok or all(c["detail"] for c in report["checks"] if c["status"] == "fail")
        assert code == {"valid": 0, "unbound": 3, "invalid": 1}[report["verdict"]]
    else:
        ok, summary = code != 1, out.rstrip("\n").split("\n")[-1]
    assert code in (0, 1, 3) and len(summary) <= 300
    assert all(len(line) <= 300 for line in out.splitlines()) or as_json
    if not ok:
        assert summary.startswith("GÓI HỒ SƠ KHÔNG HỢP LỆ: ") and len(summary) > 30, summary
    elif kind not in ("flipped", "flipped_end", "declared_size", "name_length"):
        pytest.fail(f"{kind}: a damaged package was accepted: {summary}")


def _renamed(package: Package, name: str) -> bytes:
    return _rebuilt(package, lambda rows: rows.__setitem__(1, [name, *rows[1][1:]]))


ATTACKS = {
    # regressions: these three ended in "lỗi không mong muốn" (zipfile's RuntimeError / NotImplementedError)
    "encrypted": (lambda p: patch_central_record(p.data, 3, 8, "<H", 1), "bị mã hóa"),
    "strong-encryption": (lambda p: patch_central_record(p.data, 3, 8, "<H", 0x40), "bị mã hóa"),
    "future-zip-version": (lambda p: patch_central_record(p.data, 3, 6, "<H", 166), "không phải tệp ZIP hợp lệ"),
    "zip64-huge": (lambda p: _zip64_claiming(f"{p.root}/data/x.bin", b"x", 2**62, 1), "bom nén"),
    "zip64-huge-stored": (lambda p: _zip64_claiming(f"{p.root}/data/x.bin", b"x", 2**62, 2**62), "vượt giới hạn"),
    "dot-dot": (lambda p: _renamed(p, f"ROOT/../../{ESCAPE}.txt"), "thoát ra ngoài gói"),
    "absolute": (lambda p: _renamed(p, f"/tmp/{ESCAPE}.txt"), "đường dẫn tuyệt đối"),
    "drive": (lambda p: _renamed(p, f"C:/{ESCAPE}.txt"), "đường dẫn tuyệt đối"),
    "backslash": (lambda p: _renamed(p, f"ROOT\\..\\{ESCAPE}.txt"), "dấu '\\'"),
    "duplicate": (lambda p: _rebuilt(p, lambda rows: rows.append([rows[2][0].upper(), b"x", {}])), "trùng tên"),
    "link": (lambda p: _rebuilt(p, lambda rows: rows[2][2].update(attr=0o120777 << 16)), "symlink"),
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_each_attack_is_refused_with_its_own_reason(package, tmp_path, attack):
    build, reason = ATTACKS[attack]
    target = tmp_path / f"{attack}.zip"
    target.write_bytes(build(package))
    code, out, err = run_cli("verify", str(target))
    assert (code, err) == (1, ""), out + err
    assert "GÓI HỒ SƠ KHÔNG HỢP LỆ" in out and reason in out.rstrip("\n").split("\n")[-1], out
