"""Importing evidence files: one or many files or whole folders, with progress, cancel and a per-file result.

Each file is checked (readable, not empty, within the size limit, an accepted type by content), copied
into the store while hashed, and only then recorded. Rows are committed in batches after their files
have been renamed into the store; an import journal lets the next start remove the files of a batch
whose commit never happened. A bad file never stops the others; a full disk stops the import, and
everything imported before stays.
"""

from __future__ import annotations

import stat
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from app.errors import CancelledError, CdhtError, InputError, describe_os_error
from app.evidence.filenames import clean_filename
from app.evidence.library import (
    EDITABLE_FIELDS,
    add_links,
    check_indicators,
    clean_field,
    date_warning,
    get_evidence,
    insert_evidence,
    parse_optional_date,
)
from app.evidence.sniff import FileKind, detect_kind, extension_note
from app.evidence.store import (
    EvidenceStore,
    ImportJournal,
    StoredFile,
    StoreFullError,
    TempOpener,
    evidence_root,
    open_temp_file,
)
from app.fileio import ensure_free_space
from app.progress import Progress, check_cancelled
from app.text import format_size, nfc

if TYPE_CHECKING:
    from app.storage.workspace import Workspace

MAX_SIZE_SETTING = "evidence.max_file_mb"
DEFAULT_MAX_SIZE_MB = 200
BATCH_FILES = 200
BATCH_BYTES = 512 * 1024 * 1024
BATCH_SECONDS = 3.0
IGNORED_IN_FOLDERS = {"thumbs.db", "desktop.ini", ".ds_store"}
MAX_FILES_PER_IMPORT = 5_000
#: Room kept for the database rows and the import journal on top of the files themselves.
IMPORT_MARGIN_BYTES = 256 * 1024

IMPORTED, DUPLICATE, REFUSED, SKIPPED = "imported", "duplicate", "refused", "skipped"
STATUS_LABELS = {IMPORTED: "Đã nhập", DUPLICATE: "Trùng nội dung", REFUSED: "Không nhận", SKIPPED: "Chưa nhập"}

SourceOpener = Callable[[Path], BinaryIO]


@dataclass(frozen=True)
class ImportResult:
    source: Path
    name: str
    status: str
    message: str
    evidence_id: int | None = None
    code: str = ""
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status in (IMPORTED, DUPLICATE)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def to_json(self) -> dict[str, Any]:
        return {"file": str(self.source), "name": self.name, "status": self.status, "message": self.message,
                "code": self.code, "notes": list(self.notes)}


@dataclass
class _Staged:
    source: Path
    name: str
    notes: list[str]
    kind: FileKind
    stored: StoredFile
    original_bytes: str = ""


@dataclass
class _Run:
    """State of one import call: results so far and the batch waiting for its commit."""

    results: list[ImportResult] = field(default_factory=list)
    staged: list[_Staged] = field(default_factory=list)
    staged_bytes: int = 0
    batch_started: float = field(default_factory=time.monotonic)


def max_file_bytes(ws: Workspace) -> int:
    megabytes = ws.get_setting(MAX_SIZE_SETTING, DEFAULT_MAX_SIZE_MB)
    try:
        megabytes = int(megabytes)
    except (TypeError, ValueError):
        megabytes = DEFAULT_MAX_SIZE_MB
    return max(1, megabytes) * 1024 * 1024


def expand_sources(sources: Iterable[Path | str]) -> list[Path]:
    """Files named directly, plus every file under named folders (system junk such as Thumbs.db left out).

    An empty path is refused, and so is a folder holding more than MAX_FILES_PER_IMPORT files (a whole drive
    picked by mistake would otherwise be walked for hours).
    """
    files: list[Path] = []
    for source in sources:
        if source is None or str(source).strip() == "":
            raise InputError("Chưa chỉ tệp hoặc thư mục minh chứng cần nhập (đường dẫn trống).")
        path = Path(source)
        if path.is_dir():
            found = _files_under(path)
            files.extend(sorted(found, key=lambda p: [nfc(part).casefold() for part in p.relative_to(path).parts]))
        else:
            files.append(path)
    return list(dict.fromkeys(files))


def _files_under(folder: Path) -> list[Path]:
    found: list[Path] = []
    try:
        for path in folder.rglob("*"):
            if path.is_file() and not _is_junk(path.relative_to(folder)):
                found.append(path)
                if len(found) > MAX_FILES_PER_IMPORT:
                    raise InputError(f"Thư mục '{folder}' có hơn {MAX_FILES_PER_IMPORT} tệp; hãy chọn thư mục nhỏ "
                                     "hơn (mỗi lần nhập tối đa 5.000 tệp).")
    except OSError as exc:
        raise InputError(describe_os_error(exc, folder, action="đọc").message) from None
    return found


def _is_junk(relative: Path) -> bool:
    return any(part.startswith(".") or part.lower() in IGNORED_IN_FOLDERS for part in relative.parts)


def _clean_details(details: Mapping[str, Any] | None) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for name, value in (details or {}).items():
        if name not in EDITABLE_FIELDS:
            raise InputError(f"Trường '{name}' không phải thông tin của minh chứng.")
        if name in ("issued_date", "valid_until"):
            cleaned[name] = parse_optional_date(value, EDITABLE_FIELDS[name])
        else:
            cleaned[name] = clean_field(name, value)
    return cleaned


def _default_open_source(path: Path) -> BinaryIO:
    return open(path, "rb", buffering=0)


def import_files(ws: Workspace, year: int, sources: Iterable[Path | str], *, indicator_ids: Iterable[str] = (),
                 details: Mapping[str, Any] | None = None, progress: Progress | None = None,
                 open_temp: TempOpener = open_temp_file,
                 open_source: SourceOpener = _default_open_source) -> list[ImportResult]:
    """Import files/folders into a year's library, linked to `indicator_ids`; one result per file.

    `details` (số/ký hiệu, ngày ban hành, …) apply to every imported file. Raises LockedError for a
    finalized year and CancelledError when cancelled (files finished before the cancel are kept).
    """
    ws.ensure_unlocked(year)
    indicators = check_indicators(ws, year, indicator_ids)
    fields = _clean_details(details)
    files = expand_sources(sources)
    limit = max_file_bytes(ws)
    store = EvidenceStore(evidence_root(ws))
    sizes = {path: _size_or_zero(path) for path in files}
    total = max(1, sum(sizes.values()))
    ensure_free_space(store.root, min(total, sum(s for s in sizes.values() if s <= limit)) + IMPORT_MARGIN_BYTES,
                      "minh chứng")
    store.check_writable()
    done = 0
    run = _Run()
    journal = store.new_journal()
    disk_full = False

    def on_bytes(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress.report(min(done / total, 0.999))
            check_cancelled(progress)

    try:
        for index, path in enumerate(files):
            name = clean_filename(path.name)
            if disk_full:
                run.results.append(ImportResult(path, name.name, SKIPPED,
                                                f"Chưa nhập '{name.name}' vì ổ đĩa đã đầy."))
                continue
            check_cancelled(progress)
            if progress is not None:
                progress.report(min(done / total, 0.999), f"Đang nhập tệp {index + 1}/{len(files)}: {name.name}")
            before = done
            try:
                stored, kind = _store_one(store, path, name.name, limit, open_source, open_temp, journal, on_bytes)
            except StoreFullError as exc:
                disk_full = True
                run.results.append(ImportResult(path, name.name, REFUSED, exc.message))
            except CancelledError:
                raise
            except CdhtError as exc:
                run.results.append(ImportResult(path, name.name, REFUSED, exc.message))
            else:
                notes = list(name.notes)
                if note := extension_note(name.name, kind):
                    notes.append(note)
                run.staged.append(_Staged(path, name.name, notes, kind, stored, name.original_bytes))
                run.staged_bytes += stored.size
            done = before + sizes.get(path, 0)
            if _batch_full(run):
                _commit(ws, year, run, indicators, fields, journal)
                journal = store.new_journal()
        _commit(ws, year, run, indicators, fields, journal)
    except CancelledError:
        _commit(ws, year, run, indicators, fields, journal)
        kept = sum(1 for r in run.results if r.ok)
        raise CancelledError(f"Đã hủy nhập minh chứng; {kept} tệp đã nhập trước khi hủy được giữ lại.") from None
    if progress is not None:
        progress.report(1.0, "Đã nhập xong.")
    return _in_source_order(files, run.results)


def _in_source_order(files: list[Path], results: list[ImportResult]) -> list[ImportResult]:
    order = {path: i for i, path in enumerate(files)}
    return sorted(results, key=lambda r: order.get(r.source, len(order)))


def _size_or_zero(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _batch_full(run: _Run) -> bool:
    return (len(run.staged) >= BATCH_FILES or run.staged_bytes >= BATCH_BYTES
            or (bool(run.staged) and time.monotonic() - run.batch_started >= BATCH_SECONDS))


def _store_one(store: EvidenceStore, path: Path, name: str, limit: int, open_source: SourceOpener,
               open_temp: TempOpener, journal: ImportJournal, on_bytes: Callable[[int], None]) -> tuple[StoredFile, FileKind]:
    """Check one source file and copy it into the store; InputError/StorageError name the file."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError(f"Không tìm thấy tệp '{name}' ({path}).") from None
    except OSError as exc:
        raise _unreadable(exc, path, name) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"'{name}' là thư mục; hãy dùng 'Nhập thư mục'.")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"'{name}' không phải tệp thông thường (thiết bị, đường ống…); không nhập.")
    if info.st_size == 0:
        raise InputError(f"Tệp '{name}' rỗng (0 byte); không có nội dung để làm minh chứng.")
    if info.st_size > limit:
        raise InputError(f"Tệp '{name}' ({format_size(info.st_size)}) lớn hơn giới hạn {format_size(limit)} "
                         "cho mỗi tệp minh chứng (có thể đổi trong Cài đặt).")
    try:
        handle = open_source(path)
    except PermissionError:
        raise InputError(f"Không mở được tệp '{name}': tệp đang được chương trình khác mở hoặc không có quyền đọc. "
                         "Hãy đóng tệp rồi nhập lại.") from None
    except OSError as exc:
        raise _unreadable(exc, path, name) from None
    with handle:
        try:
            kind = detect_kind(handle, name)
        except OSError as exc:
            raise _unreadable(exc, path, name) from None
        stored = store.put(handle, name, limit, open_temp=open_temp, journal=journal, on_bytes=on_bytes)
    if stored.size == 0:
        raise InputError(f"Tệp '{name}' rỗng (0 byte); không có nội dung để làm minh chứng.")
    return stored, kind


def _unreadable(exc: OSError, path: Path, name: str) -> InputError:
    return InputError(f"Không đọc được tệp '{name}': {describe_os_error(exc, path, action='đọc').message}")


def _commit(ws: Workspace, year: int, run: _Run, indicators: list[str], fields: dict[str, Any], journal: ImportJournal) -> None:
    """Record the staged files in one transaction, then drop the journal that covered them."""
    if run.staged:
        with ws.transaction():
            for staged in run.staged:
                run.results.append(_record(ws, year, staged, indicators, fields))
    journal.finish()
    run.staged = []
    run.staged_bytes = 0
    run.batch_started = time.monotonic()


def _record(ws: Workspace, year: int, staged: _Staged, indicators: list[str], fields: dict[str, Any]) -> ImportResult:
    notes = list(staged.notes)
    twin = ws.db.execute("SELECT id, deleted_at FROM evidence WHERE year = ? AND sha256 = ? ORDER BY deleted_at IS NOT NULL "
                         "LIMIT 1", [year, staged.stored.sha256]).fetchone()
    if twin is not None:
        item = get_evidence(ws, twin[0])
        text = (f"Tệp '{staged.name}' trùng nội dung với minh chứng {item.code} ('{item.original_name}') đã có; "
                "không lưu thêm bản sao.")
        if staged.stored.created:  # the store had lost or altered this content: the original is back
            kept = " (bản bị thay đổi được giữ riêng trong thư mục evidence-altered)" if staged.stored.replaced_altered \
                else ""
            text = (f"Tệp '{staged.name}' là bản gốc của minh chứng {item.code}: đã khôi phục tệp gốc trong kho "
                    f"minh chứng{kept}.")
            ws.audit("restore_file", "evidence", item.code, year, None, {"sha256": staged.stored.sha256})
        if item.deleted:
            ws.db.execute("UPDATE evidence SET deleted_at = NULL WHERE id = ?", [item.id])
            ws.audit("restore", "evidence", item.code, year, None, item.to_json())
            text += " Minh chứng đó đang ở thùng rác nên đã được khôi phục."
        added = add_links(ws, item, indicators)
        if added:
            text += f" Đã gắn thêm chỉ tiêu {', '.join(added)}."
        item = get_evidence(ws, item.id)
        return ImportResult(staged.source, staged.name, DUPLICATE, text, item.id, item.code, tuple(notes))
    evidence_id, code = insert_evidence(ws, year, sha256=staged.stored.sha256, size=staged.stored.size,
                                        name=staged.name, mime=staged.kind.mime, fields=fields, indicators=indicators)
    ws.audit("import", "evidence", code, year, None,
             {"file": staged.name, "sha256": staged.stored.sha256, "size": staged.stored.size,
              "indicators": indicators, **({"original_name_bytes": staged.original_bytes} if staged.original_bytes else {})})
    if not staged.stored.created:
        notes.append(f"Nội dung tệp '{staged.name}' đã có trong kho (minh chứng năm khác); không sao chép lại.")
    if warning := date_warning(fields.get("issued_date"), year, fields.get("valid_until")):
        notes.append(warning)
    return ImportResult(staged.source, staged.name, IMPORTED, f"Đã nhập '{staged.name}' với mã {code}.",
                        evidence_id, code, tuple(notes))


def summarize(results: list[ImportResult]) -> str:
    """One Vietnamese sentence summing up an import."""
    counts = {status: sum(1 for r in results if r.status == status) for status in STATUS_LABELS}
    parts = [f"đã nhập {counts[IMPORTED]} tệp"]
    if counts[DUPLICATE]:
        parts.append(f"{counts[DUPLICATE]} tệp trùng nội dung (không lưu thêm bản sao)")
    if counts[REFUSED]:
        parts.append(f"{counts[REFUSED]} tệp không nhận")
    if counts[SKIPPED]:
        parts.append(f"{counts[SKIPPED]} tệp chưa nhập")
    text = ", ".join(parts)
    return text[0].upper() + text[1:] + "."
