"""House rule: every file the app writes goes through the one durable-write helper (`app.fileio`).

The AST of every module in `app/` and `ui/` is scanned for calls that write a file directly (open for writing,
Path.write_text/write_bytes, shutil copies, renames, fsync by hand, temporary files, `save(path)` of a workbook,
document, image or font, reportlab and zip writers given a path). Each one left must be on the allow-list below
with its reason; a new direct write fails this test until it is routed through `atomic_writer`,
`write_bytes_atomic`, `write_text_atomic` or `atomic_path`, or given a reason here.
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HELPER = "app/fileio.py"

#: (file, function, kind) -> why this direct write is right where it is.
ALLOWED: dict[tuple[str, str, str], str] = {
    # The evidence store is content-addressed: the name is the hash, known only after the write. It writes a
    # temporary file, fsyncs it, journals the rename, renames it and fsyncs the folder (fsync_dir).
    ("app/evidence/store.py", "open_temp_file", "open(xb)"): "the evidence store's temporary file (see put)",
    ("app/evidence/store.py", "ImportJournal.record", "open(a)"):
        "append-only import journal, fsynced line by line; read back tolerantly at start",
    ("app/evidence/store.py", "EvidenceStore.put", "os.fsync"): "content-addressed store: name known after hashing",
    ("app/evidence/store.py", "EvidenceStore.put", "os.replace"): "content-addressed store: name known after hashing",
    ("app/evidence/store.py", "EvidenceStore.set_aside", "os.replace"):
        "moves an existing stored file aside (no new bytes are written)",
    ("app/evidence/store.py", "EvidenceStore.rehash", "os.replace"):
        "renames an existing stored file to its new hash (no new bytes are written)",
    ("app/evidence/integrity.py", "_repair_orphan", "os.replace"):
        "moves a stray file out of the store into quarantine (no new bytes are written)",
    # The recipient's package store is content-addressed too: a package is staged, verified, then named by its hash.
    ("app/recipient/store.py", "stage", "tempfile.mkstemp"): "staged package: its name (hash) is known after checks",
    ("app/recipient/store.py", "stage", "os.fsync"): "staged package: fsynced before it is verified",
    ("app/recipient/store.py", "keep", "os.replace"): "verified package renamed to its hash, then fsync_dir",
    # Durable writes by folder: files are written into a staging folder that is moved into place whole.
    ("app/dossier/final_documents.py", "final_documents", "Path.replace"): "staging folder moved into place whole",
    ("app/services/report.py", "_move_into_place", "os.rename"): "staging folder moved into place whole",
    ("app/services/report.py", "_move_into_place", "os.replace"):
        "files of the staging folder moved over an existing folder's, then fsync_dir",
    # Not data files.
    ("app/storage/lock.py", "acquire_single_writer", "open(a+b)"): "the single-writer lock file (holds no data)",
    ("app/storage/db.py", "_folder_write_problem", "tempfile.mkstemp"): "a probe for write access, deleted at once",
    ("app/cli/__init__.py", "_log_crash", "Path.open(a)"):
        "append-only crash log; a torn last line is harmless, rewriting the log on every crash is not",
    ("app/cli/__init__.py", "main", "open(w)"): "os.devnull for a windowed build without a console",
    ("ui/errorlog.py", "log_exception", "Path.open(a)"):
        "append-only error log; a torn last line is harmless, rewriting the log on every error is not",
    ("app/dossier/delivery.py", "_forget_cached", "os.fsync"):
        "flushes a finished package before dropping it from the cache, so the read-back reads the device",
    ("app/dossier/zipcheck.py", "read_contents", "open(wb)"):
        "a spool file in a scratch folder while an incoming package is checked; never a final destination",
    ("app/dossier/zipstream.py", "DeterministicZip.__init__", "ZipFile(w)"):
        "writes into the handle its caller gives it (atomic_writer's)",
    ("app/evidence/demo.py", "_write_pdf", "SimpleDocTemplate"): "demo files in a TemporaryDirectory, then imported",
    ("app/evidence/demo.py", "_write_photo", "save"): "demo files in a TemporaryDirectory, then imported",
    ("app/evidence/demo.py", "_write_sheet", "save"): "demo files in a TemporaryDirectory, then imported",
    ("app/evidence/demo.py", "_freeze_zip", "ZipFile(w)"): "demo files in a TemporaryDirectory, then imported",
    # Developer and packaging tools: screenshots into a throwaway folder the developer names.
    ("ui/selftest.py", "check_window", "save"): "screenshot of the packaged build's self-test, for the packager",
    ("ui/gallery.py", "save", "save"): "developer screenshot gallery",
    ("ui/gallery.py", "qt_windows", "write_bytes"): "developer screenshot gallery (sample files in a temp folder)",
    ("ui/backup/gallery.py", "_damaged_copy", "shutil.copytree"): "developer screenshot gallery (a damaged copy)",
    ("ui/backup/gallery.py", "_damaged_copy", "write_bytes"): "developer screenshot gallery (a damaged copy)",
    # Backups: copies verified by hash into a staging folder that is renamed into place whole; unchanged files
    # (evidence, an unchanged database copy) hard-linked from the previous backup.
    ("app/backup/files.py", "copy_verified", "open(wb)"): "app/backup: hand-written copy + fsync + rename",
    ("app/backup/files.py", "copy_verified", "os.fsync"): "app/backup: hand-written copy + fsync + rename",
    ("app/backup/files.py", "copy_verified", "os.replace"): "app/backup: hand-written copy + fsync + rename",
    ("app/backup/files.py", "link_or_copy", "os.link"): "app/backup: unchanged files hard-linked from the last backup",
    ("app/backup/incremental.py", "link_database", "os.link"):
        "app/backup: an unchanged database copy hard-linked from the previous backup (checked first)",
    ("app/backup/incremental.py", "_link_bucket", "os.open"):
        "app/backup: folders opened read-only to hard-link unchanged evidence by name (no bytes written)",
    ("app/backup/create.py", "_write_durably", "open(w)"): "app/backup: hand-written write + fsync into staging",
    ("app/backup/create.py", "_write_durably", "os.fsync"): "app/backup: hand-written write + fsync into staging",
    ("app/backup/create.py", "_rename_into_place", "os.rename"): "app/backup: staging folder moved into place whole",
    ("app/backup/create.py", "create_backup_zip", "ZipFile(w)"): "app/backup: hand-written zip + fsync + rename",
    ("app/backup/create.py", "create_backup_zip", "open(rb+)"): "app/backup: hand-written zip + fsync + rename",
    ("app/backup/create.py", "create_backup_zip", "os.fsync"): "app/backup: hand-written zip + fsync + rename",
    ("app/backup/create.py", "create_backup_zip", "os.replace"): "app/backup: hand-written zip + fsync + rename",
    ("app/backup/recovery.py", "move_aside", "os.replace"): "app/backup: moves an existing file aside",
    ("app/backup/recovery.py", "_put_back", "os.replace"): "app/backup: moves a set-aside file back",
    ("app/backup/restore.py", "_stage_from_zip", "open(wb)"): "app/backup: extraction into a staging folder",
    ("app/backup/restore.py", "_stage_from_zip", "os.fsync"): "app/backup: extraction into a staging folder",
    ("app/backup/restore.py", "_place_evidence", "os.replace"): "app/backup: staged evidence moved into place",
    ("app/backup/restore.py", "restore_backup", "os.link"): "app/backup: database linked so nothing is replaced",
    ("app/backup/restore.py", "restore_backup", "os.replace"): "app/backup: staged database moved into place",
    ("app/backup/restore.py", "_can_link", "write_bytes"): "app/backup: probe for hard links, deleted at once",
    ("app/backup/restore.py", "_can_link", "os.link"): "app/backup: probe for hard links, deleted at once",
}

_WRITE_MODE = set("wax+")
_COPIES = {"shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.copytree", "shutil.move"}
_BY_HAND = {"os.replace", "os.rename", "os.fsync", "os.link", "os.open", "tempfile.mkstemp",
            "tempfile.NamedTemporaryFile"}
_TO_TARGET = {"save"}


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _mode(call: ast.Call, position: int) -> str:
    for node in call.args[position:position + 1] + [k.value for k in call.keywords if k.arg == "mode"]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
    return ""


def _is_buffer(node: ast.AST, buffers: set[str]) -> bool:
    """An in-memory buffer (io.BytesIO, QBuffer) rather than a path: writing into it is not writing a file."""
    if isinstance(node, ast.Call) and _dotted(node.func).endswith(("BytesIO", "QBuffer")):
        return True
    return isinstance(node, ast.Name) and node.id in buffers


def _kind(call: ast.Call, buffers: set[str]) -> str | None:
    """The kind of direct file write `call` makes, or None."""
    func = call.func
    name = _dotted(func)
    attr = func.attr if isinstance(func, ast.Attribute) else name
    if name == "open":
        mode = _mode(call, 1)
        return f"open({mode})" if set(mode) & _WRITE_MODE else None
    if name in _BY_HAND or name in _COPIES:
        return name
    if attr in ("write_text", "write_bytes"):
        return attr
    if attr in ("Canvas", "SimpleDocTemplate") and call.args and not _is_buffer(call.args[0], buffers):
        return attr
    if not isinstance(func, ast.Attribute):
        return None
    if attr == "open":
        mode = _mode(call, 0)
        return f"Path.open({mode})" if set(mode) & _WRITE_MODE and "zip" not in name.lower() else None
    if attr in ("replace", "rename") and len(call.args) == 1 and not call.keywords \
            and not isinstance(call.args[0], ast.Constant):
        return f"Path.{attr}"
    if attr in _TO_TARGET and call.args and not _is_buffer(call.args[0], buffers):
        return attr
    if attr == "ZipFile" and set(_mode(call, 1)) & _WRITE_MODE and not _is_buffer(call.args[0], buffers):
        return f"ZipFile({_mode(call, 1)})"
    return None


def direct_writes(path: Path) -> list[tuple[str, int, str, str]]:
    """(function, line, kind, source) of every direct file write in one module."""
    found: list[tuple[str, int, str, str]] = []

    def visit(node: ast.AST, scope: list[str], buffers: set[str]) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            scope = scope + [node.name]
            buffers = set(buffers)
            for inner in ast.walk(node):
                if isinstance(inner, ast.Assign) and _is_buffer(inner.value, set()):
                    buffers.update(t.id for t in inner.targets if isinstance(t, ast.Name))
        if isinstance(node, ast.Call):
            kind = _kind(node, buffers)
            if kind:
                found.append((".".join(scope) or "<module>", node.lineno, kind, ast.unparse(node)[:80]))
        for child in ast.iter_child_nodes(node):
            visit(child, scope, buffers)

    visit(ast.parse(path.read_text(encoding="utf-8")), [], set())
    return found


def _all_direct_writes() -> dict[tuple[str, str, str], list[str]]:
    found: dict[tuple[str, str, str], list[str]] = {}
    for package in ("app", "ui"):
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative == HELPER:
                continue
            for function, line, kind, source in direct_writes(path):
                found.setdefault((relative, function, kind), []).append(f"{relative}:{line}: {source}")
    return found


def test_every_file_write_goes_through_the_durable_write_helper():
    found = _all_direct_writes()
    unexplained = [site for key, sites in found.items() if key not in ALLOWED for site in sites]
    assert not unexplained, ("Direct file writes outside app/fileio.py; use atomic_writer / write_bytes_atomic / "
                             "atomic_path, or add them to ALLOWED with a reason:\n" + "\n".join(unexplained))


def test_the_allow_list_has_no_stale_entries():
    found = _all_direct_writes()
    stale = sorted(key for key in ALLOWED if key not in found)
    assert not stale, f"ALLOWED names writes that are no longer there: {stale}"


def test_the_scanner_finds_each_kind_of_direct_write(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import io, os, shutil, zipfile\n"
        "def writes(path, book, doc):\n"
        "    open(path, 'wb')\n"
        "    path.write_text('x')\n"
        "    shutil.copyfile(path, path)\n"
        "    os.replace(path, path)\n"
        "    book.save(path)\n"
        "    zipfile.ZipFile(path, 'w')\n"
        "    SimpleDocTemplate(str(path))\n"
        "def fine(path, book):\n"
        "    buffer = io.BytesIO()\n"
        "    book.save(buffer)\n"
        "    zipfile.ZipFile(buffer, 'w')\n"
        "    canvas.Canvas(buffer)\n"
        "    open(path, 'rb')\n"
        "    'a-b'.replace('-', '_')\n", encoding="utf-8")
    kinds = Counter((function, kind) for function, _, kind, _ in direct_writes(sample))
    assert kinds == Counter({("writes", "open(wb)"): 1, ("writes", "write_text"): 1,
                             ("writes", "shutil.copyfile"): 1, ("writes", "os.replace"): 1,
                             ("writes", "save"): 1, ("writes", "ZipFile(w)"): 1,
                             ("writes", "SimpleDocTemplate"): 1})


def test_the_allow_list_gives_a_reason_for_each_entry():
    assert all(reason.strip() for reason in ALLOWED.values())
