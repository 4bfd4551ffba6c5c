"""Benchmark: exporting a dossier package with 1 GB of evidence, against `zip -r -0` + `sha256sum` on the same files;
and `cdht verify` on the real package and on hostile inputs, each in its own process with its own peak memory.

Synthetic evidence (100 × 10 MiB, deterministic, incompressible) is put in a ready workspace; the year is
finalized and its documents rendered once (as the app does on first use); then the package export and its
verification run each in a child process, so that each has its own peak memory (export ≤ 150 MB, verify ≤ 200 MB).

Hostile inputs (`hostile_inputs`), each verified by `cdht verify` in its own process: a million entries, 99 990
long-named entries all listed in the manifests, the same with a 7 MB signed manifest attachment (ký ngoài), a large
stored and a large deflated entry, a deflate bomb, a deeply nested dataset JSON, a PDF with a huge cross-reference
table, tag files as large as allowed at a ratio under the bomb limit, a manifest of a million lines, and a zip64
entry lying about its size. Each must be refused (exit 1) in lines of at most 300 characters, within ≤ 200 MB.
The peak is the child's VmHWM (polled, and read once more at exit); a child over 1 500 MB is stopped.
Run directly: `python tests/benchmarks/bench_dossier.py DIR`.
"""

from __future__ import annotations

import io
import os
import random
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from tests.benchmarks import ROOT, measure_command, quick, result, run_child, scale

EVIDENCE_FILES = 100
FILE_SIZE = 10 * 1024 * 1024
VERIFY_MEMORY_TARGET = "≤ 200 MB"
#: A child going over this is stopped (the machine is shared); its figure then reads "more than".
MEMORY_CAP_MB = 1500


EXPORT_SCRIPT = """
import sys, time
from pathlib import Path
from app.dossier.package import build_package
from app.dossier.signing import Pkcs12Key
from app.storage.workspace import Workspace
ws = Workspace.open(Path(sys.argv[1]))
start = time.perf_counter()
build_package(ws, 2025, Path(sys.argv[2]), Pkcs12Key(Path(sys.argv[3]), sys.argv[4]))
print(time.perf_counter() - start)
"""

VERIFY_SCRIPT = """
import sys, time
from pathlib import Path
from app.dossier.verify import verify_package
start = time.perf_counter()
report = verify_package(Path(sys.argv[1]))
assert report.ok, report.summary()
print(time.perf_counter() - start)
"""


def _prepare(workdir: Path) -> tuple[Path, Path, str]:
    sys.path.insert(0, str(ROOT))
    from app.dossier.final_documents import final_documents
    from app.dossier.finalize import finalize
    from tests.dossier.conftest import YEAR, add_evidence, make_ready_workspace
    from tests.dossier.pki import make_pki

    pki = make_pki(workdir / "pki")
    ws = make_ready_workspace(workdir / "xa")
    generator = random.Random(20260210)
    indicators = ws.catalogue(YEAR).indicator_ids
    for index in range(scale(EVIDENCE_FILES, EVIDENCE_FILES // 10)):
        add_evidence(ws, YEAR, f"B{index:03d}", generator.randbytes(FILE_SIZE), f"ảnh {index}.jpg",
                     [indicators[index % len(indicators)]])
    finalize(ws, YEAR)
    final_documents(ws, YEAR)
    ws.close()
    return workdir / "xa" / "cdht.sqlite3", pki.p12, pki.p12_password


def _baseline(workdir: Path) -> float:
    """`zip -r -0` then `sha256sum` over the evidence store and the final documents."""
    sources = ["evidence", "dossier"]
    start = time.perf_counter()
    subprocess.run(["zip", "-r", "-0", "-q", str(workdir / "baseline.zip"), *sources], cwd=workdir / "xa", check=True)
    files = [str(p) for s in sources for p in (workdir / "xa" / s).rglob("*") if p.is_file()]
    subprocess.run(["sha256sum", *files], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _warm(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as handle:
                while handle.read(1 << 20):
                    pass


# ---------------------------------------------------------------------------------------------- hostile inputs

ROOT_FOLDER = "HoSo-CDHT-tan-cong-2025-v1"


def many_entries_zip(path: Path, count: int, name_length: int = 0) -> Path:
    """A ZIP with `count` empty stored entries (names padded to `name_length`), written byte by byte (zipfile
    would take minutes)."""
    local, central, offset = [], [], 0
    for number in range(count):
        name = f"{ROOT_FOLDER}/data/evidence/{number:07d}".ljust(name_length, "x").encode()
        header = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0x21, 0, 0, 0, len(name), 0) + name
        central.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 0, 0, 0x21, 0, 0, 0, len(name), 0, 0, 0,
                                   0, 0o100644 << 16, offset) + name)
        local.append(header)
        offset += len(header)
    directory = b"".join(central)
    if count < 0xFFFF:
        end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), offset, 0)
    else:
        record64 = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, len(directory), offset)
        locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, offset + len(directory), 1)
        end = record64 + locator + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF,
                                               0xFFFFFFFF, 0)
    with open(path, "wb") as out:
        out.writelines(local)
        out.write(directory)
        out.write(end)
    return path


def listed_entries_zip(path: Path, count: int, name_length: int = 85) -> Path:
    """A bag of `count` empty evidence files with long names, all listed in its manifests (so every check runs
    over every file: the heaviest package the entry limit allows)."""
    import hashlib

    empty = hashlib.sha256(b"").hexdigest()
    names = [f"data/evidence/{number:07d}".ljust(name_length, "x") for number in range(count)]
    manifest = "".join(f"{empty}  {name}\n" for name in names).encode()
    info = b"Payload-Oxum: 0.%d\nCDHT-Commune: Tan Cong\n" % count
    bagit = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
    tags = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in
                   (("bag-info.txt", info), ("bagit.txt", bagit), ("manifest-sha256.txt", manifest))).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for name, data in (("bagit.txt", bagit), ("bag-info.txt", info), ("manifest-sha256.txt", manifest),
                           ("tagmanifest-sha256.txt", tags)):
            archive.writestr(zipfile.ZipInfo(f"{ROOT_FOLDER}/{name}", (1980, 1, 1, 0, 0, 0)), data)
        for name in names:
            archive.writestr(zipfile.ZipInfo(f"{ROOT_FOLDER}/{name}", (1980, 1, 1, 0, 0, 0)), b"")
    return path


def signed_attachment_zip(path: Path, count: int, attachment_mb: int = 7) -> Path:
    """The heaviest bag above plus a signed Danh mục carrying a manifest attachment of `attachment_mb` MB (signed
    with a throw-away self-signed key): the verifier must read and compare it."""
    import datetime as dt
    import tempfile

    from app.dossier import embedded
    from app.dossier.signing import Appearance, Pkcs12Key, open_signer, sign_pdf
    from tests.dossier.conftest import small_pdf
    from tests.dossier.pki import P12_PASSWORD, commune_name, issue, write_p12

    listed_entries_zip(path, count)
    files = {f"data/evidence/{number:07d}".ljust(85, "y"): "0" * 64
             for number in range(attachment_mb * 1024 * 1024 // 165)}
    manifest = embedded.SignedManifest("u", 1, 2025, 1, "data/documents/danh_muc_minh_chung_2025.pdf", (), files, {})
    with tempfile.TemporaryDirectory() as folder:
        key, cert = issue(None, None, dt.datetime.now(dt.UTC), commune_name("UBND xã Tấn Công", "Hà Nội"))
        p12 = write_p12(Path(folder) / "k.p12", key, cert, [])
        carrier = Path(folder) / "dm.pdf"
        carrier.write_bytes(embedded.embed(small_pdf("Danh muc"), manifest))
        with open_signer(Pkcs12Key(p12, P12_PASSWORD)) as signer:
            sign_pdf(signer, carrier, Path(folder) / "ky.pdf", Appearance("UBND"))
        with zipfile.ZipFile(path, "a") as archive:
            archive.writestr(zipfile.ZipInfo(f"{ROOT_FOLDER}/{manifest.carrier}", (1980, 1, 1, 0, 0, 0)),
                             (Path(folder) / "ky.pdf").read_bytes())
    return path


def _bag_files(archive: zipfile.ZipFile) -> None:
    archive.writestr(f"{ROOT_FOLDER}/bagit.txt", "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
    archive.writestr(f"{ROOT_FOLDER}/bag-info.txt", "CDHT-Commune: Tấn Công\n")
    archive.writestr(f"{ROOT_FOLDER}/manifest-sha256.txt", b"")
    archive.writestr(f"{ROOT_FOLDER}/tagmanifest-sha256.txt", b"")


def large_entry_zip(path: Path, size: int, deflated: bool) -> Path:
    """One large evidence entry: stored (incompressible bytes) or deflated at a ratio just under the limit."""
    noise = random.Random(7).randbytes(1 << 20)
    block = noise if not deflated else noise[: 1 << 19] + bytes(1 << 19)  # 1 MiB that deflates about 2:1
    with zipfile.ZipFile(path, "w", allowZip64=True) as archive:
        _bag_files(archive)
        info = zipfile.ZipInfo(f"{ROOT_FOLDER}/data/evidence/lon.bin", (1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED if deflated else zipfile.ZIP_STORED
        with archive.open(info, "w", force_zip64=True) as out:
            for _ in range(size // len(block)):
                out.write(block)
    return path


def bomb_zip(path: Path, size: int) -> Path:
    """A deflate bomb: zeros that compress about 1000:1."""
    with zipfile.ZipFile(path, "w", allowZip64=True) as archive:
        _bag_files(archive)
        info = zipfile.ZipInfo(f"{ROOT_FOLDER}/data/evidence/bom.bin", (1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        zero = bytes(1 << 20)
        with archive.open(info, "w", force_zip64=True) as out:
            for _ in range(size >> 20):
                out.write(zero)
    return path


def deep_json_zip(path: Path, depth: int) -> Path:
    """A bag whose dataset JSON nests `depth` levels deep (it once crashed the verifier with RecursionError)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        _bag_files(archive)
        archive.writestr(f"{ROOT_FOLDER}/data/du-lieu-2025.json", b"[" * depth + b"]" * depth)
    return path


def xref_heavy_pdf_zip(path: Path, objects: int) -> Path:
    """A bag whose one document is a PDF with `objects` tiny objects in its cross-reference table."""
    parts = [b"%PDF-1.4\n"]
    offsets = []
    position = len(parts[0])
    for number in range(1, objects + 1):
        body = f"{number} 0 obj\n<< /Type /Catalog /Pages 1 0 R >>\nendobj\n".encode() if number == 1 else \
            f"{number} 0 obj\n{number}\nendobj\n".encode()
        offsets.append(position)
        parts.append(body)
        position += len(body)
    xref = [f"xref\n0 {objects + 1}\n0000000000 65535 f \n".encode()]
    xref += [f"{offset:010d} 00000 n \n".encode() for offset in offsets]
    trailer = f"trailer\n<< /Size {objects + 1} /Root 1 0 R >>\nstartxref\n{position}\n%%EOF\n".encode()
    pdf = b"".join(parts) + b"".join(xref) + trailer
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        _bag_files(archive)
        archive.writestr(f"{ROOT_FOLDER}/data/documents/to_trinh_2025.pdf", pdf)
    return path


def _low_entropy(size: int, seed: int) -> bytes:
    """Text that deflates about 80:1, under the verifier's bomb ratio (100:1), so that it is read in full."""
    r = random.Random(seed)
    words = [bytes(r.randrange(97, 123) for _ in range(r.randint(3, 9))) for _ in range(64)]
    out = io.BytesIO()
    while out.tell() < size:
        out.write((b" ".join(r.choice(words) for _ in range(12)) + b"\n") * 50)
    return out.getvalue()[:size]


def large_tag_files_zip(path: Path, count: int, size: int) -> Path:
    """`count` tag files of `size` bytes each, compressed under the bomb ratio (so each is read in full)."""
    tag = _low_entropy(size, 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for number in range(count):
            archive.writestr(f"{ROOT_FOLDER}/tag-{number:02d}.txt", tag)
        archive.writestr(f"{ROOT_FOLDER}/data/dataset.json", b"{}")
    return path


def long_manifest_zip(path: Path, lines: int) -> Path:
    """A payload manifest of `lines` lines naming files the package does not hold."""
    text = b"".join(b"%064x  data/evidence/%08d.pdf\n" % (n * 7919, n) for n in range(lines))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(f"{ROOT_FOLDER}/manifest-sha256.txt", text)
        archive.writestr(f"{ROOT_FOLDER}/bagit.txt", b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
    return path


def lying_zip64_zip(path: Path) -> Path:
    """One 1 KB entry whose central directory record claims 4 GiB uncompressed."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo(f"{ROOT_FOLDER}/data/evidence/lon.bin"), b"x" * 1024)
    raw = bytearray(path.read_bytes())
    central = raw.rfind(b"PK\x01\x02")
    raw[central + 24:central + 28] = (2 ** 32 - 1).to_bytes(4, "little")
    path.write_bytes(bytes(raw))
    return path


def hostile_inputs(folder: Path | str, quick: bool) -> list[tuple[str, Path]]:
    """(Vietnamese label, file) for every hostile input, at full or --quick sizes."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    scale = 10 if quick else 1
    return [
        ("1 000 000 tệp trong ZIP", many_entries_zip(folder / "nhieu-tep.zip", 1_000_000)),
        ("99 990 tệp tên dài, đều có trong bảng kê (đúng giới hạn, kiểm tra hết)",
         listed_entries_zip(folder / "gioi-han-tep.zip", 99_990)),
        ("99 990 tệp và bảng kê ký kèm 7 MB (gói ký ngoài)",
         signed_attachment_zip(folder / "bang-ke-ky-kem.zip", 99_990)),
        ("tệp không nén 1 GB" if not quick else "tệp không nén 100 MB",
         large_entry_zip(folder / "lon-khong-nen.zip", (1 << 30) // scale, deflated=False)),
        ("tệp nén 1 GB (tỷ lệ ~2:1)" if not quick else "tệp nén 100 MB (tỷ lệ ~2:1)",
         large_entry_zip(folder / "lon-nen.zip", (1 << 30) // scale, deflated=True)),
        ("bom nén 8 MB → 8 GB" if not quick else "bom nén 0,8 MB → 0,8 GB",
         bomb_zip(folder / "bom.zip", (8 << 30) // scale)),
        ("JSON lồng 5 000 000 cấp", deep_json_zip(folder / "json-sau.zip", 5_000_000)),
        ("PDF 300 000 đối tượng" if not quick else "PDF 30 000 đối tượng",
         xref_heavy_pdf_zip(folder / "pdf-nhieu-doi-tuong.zip", 300_000 // scale)),
        ("24 tệp thẻ 32 MB nén ~80:1 (dưới ngưỡng bom nén)" if not quick else "4 tệp thẻ 4 MB nén ~80:1",
         large_tag_files_zip(folder / "tep-the-lon.zip", 24 if not quick else 4, (32 if not quick else 4) << 20)),
        ("bảng kê 1 000 000 dòng" if not quick else "bảng kê 100 000 dòng",
         long_manifest_zip(folder / "bang-ke-trieu-dong.zip", 1_000_000 // scale)),
        ("zip64 khai sai cỡ tệp (4 GiB)", lying_zip64_zip(folder / "zip64-noi-doi.zip")),
    ]


#: Reports the process's own high-water mark (VmHWM) at exit, for the last moments the polling may miss.
_PEAK_AT_EXIT = (
    "import atexit, sys\n"
    "def _peak():\n"
    "    try:\n"
    "        peak = next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1]\n"
    "    except (OSError, StopIteration):\n"
    "        peak = '-1'\n"
    "    sys.stderr.write('\\n@@peak-kb ' + peak + '\\n')\n"
    "atexit.register(_peak)\n"
)
_VERIFY = _PEAK_AT_EXIT + "from app.cli import main\nsys.exit(main(sys.argv[1:]))\n"
_IMPORT_ONLY = _PEAK_AT_EXIT + "import app.dossier.verify, app.cli.cmd_dossier\n"


def _own_peak(code: str, *args: str, data_dir: Path) -> tuple[float, float, int, int, bool]:
    """(seconds, the child's own peak MB, exit code, longest printed line, stopped at the cap) of a Python snippet
    run in a child."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CDHT_DATA_DIR": str(data_dir)}
    child = measure_command([sys.executable, "-c", code, *args], env=env, cwd=ROOT, timeout=1800,
                            memory_cap_mb=MEMORY_CAP_MB)
    err, _, peak_kb = child.stderr.rpartition("@@peak-kb ")
    kb = int(peak_kb.strip()) if peak_kb.strip().lstrip("-").isdigit() else -1
    longest = max((len(line) for line in (child.stdout + err).splitlines()), default=0)
    return child.seconds, max(kb / 1024, child.peak_mb), child.returncode, longest, child.stopped_at_cap


def verify_peak(path: Path) -> tuple[float, float, int, int]:
    """(seconds, peak MB, exit code, longest printed line) of `cdht verify` on a file, in its own process."""
    return _own_peak(_VERIFY, "verify", str(path), data_dir=path.parent / "du-lieu")[:4]


def hostile_rows(workdir: Path, quick: bool) -> list[dict]:
    """Peak memory of `cdht verify` on each hostile input; each must be refused (exit 1) in ≤ 300-character lines."""
    base_mb = _own_peak(_IMPORT_ONLY, data_dir=workdir / "du-lieu")[1]
    rows = [result("Mốc: nạp bộ kiểm tra gói (không đọc gói nào) — bộ nhớ đỉnh", round(base_mb, 1), "MB")]
    made = run_child("tests.benchmarks.bench_dossier:hostile_inputs", str(workdir / "tan-cong"), quick).value
    for label, name in made:
        path = Path(name)
        seconds, peak, code, longest, capped = _own_peak(_VERIFY, "verify", str(path), data_dir=workdir / "du-lieu")
        stopped = f" (bị dừng khi vượt {MEMORY_CAP_MB} MB)" if capped else ""
        rows.append(result(f"Kiểm tra gói tấn công: {label} ({path.stat().st_size / 1e6:.0f} MB) — bộ nhớ đỉnh"
                           + stopped, round(peak, 1), "MB", round(base_mb, 1), VERIFY_MEMORY_TARGET,
                           ok=peak <= 200 and code == 1 and longest <= 300 and not capped,
                           note=f"{seconds:.1f} s, mã thoát {code}, dòng dài nhất {longest} ký tự"))
        path.unlink()
    return rows


def run(workdir: Path) -> list[dict]:
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    database, p12, password = _prepare(workdir)
    _warm(workdir / "xa")
    baseline = _baseline(workdir)
    (workdir / "baseline.zip").unlink()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    package = workdir / "goi.zip"
    export = measure_command([sys.executable, "-c", EXPORT_SCRIPT, str(database), str(package), str(p12), password],
                             env=env, cwd=ROOT).check()
    build_seconds = float(export.stdout.split()[-1])
    verify = measure_command([sys.executable, "-c", VERIFY_SCRIPT, str(package)], env=env, cwd=ROOT).check()
    verify_seconds = float(verify.stdout.split()[-1])
    size_gb = package.stat().st_size / 1e9
    label = "1 GB" if size_gb > 0.5 else f"{size_gb * 1000:.0f} MB"
    return [
        result(f"Mốc: zip -r -0 + sha256sum trên cùng các tệp ({label})", round(baseline, 2), "s"),
        result(f"Xuất + ký gói hồ sơ {label} (so với zip -r -0 + sha256sum)", round(build_seconds, 2), "s",
               round(baseline, 2), "≤ 1.5×"),
        result("Cả tiến trình xuất gói (gồm khởi động Python)", round(export.seconds, 2), "s"),
        result(f"Xuất gói {label} — bộ nhớ đỉnh", round(export.peak_mb, 1), "MB", target="≤ 150 MB"),
        result(f"Đọc lại và kiểm tra gói {label} (cdht verify)", round(verify_seconds, 2), "s"),
        result(f"Kiểm tra gói {label} — bộ nhớ đỉnh", round(verify.peak_mb, 1), "MB", target=VERIFY_MEMORY_TARGET),
        result("Dung lượng gói hồ sơ", round(size_gb, 3), "GB"),
        *hostile_rows(workdir, quick()),
    ]


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="bench-dossier-"))
    for row in run(folder):
        print(row)
