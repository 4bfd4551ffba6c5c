"""Receiving packages: from a folder or USB drive (recursively), from e-mail parts, `.eml`/`.mbox` files or an IMAP
mailbox (see `app.recipient.mail`), into the register.

Each package is copied into the store, recognised as a duplicate when the same bytes are already there,
otherwise verified (`verify_for_intake`, which also yields its SHA-256) and registered with its receipt (time,
source, result, version) in one transaction. Two packages are worked on at a time; with many packages the
signature checks run in two worker processes, so that both processor cores share the Python work.
A package is registered only once its bytes are on disk under their final name, so nothing half-received is
ever shown as received; an incomplete set of e-mail parts waits in `dang-nhan/` and is listed as pending.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import threading
import zipfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from app.domain.catalogue import catalogue_for_year
from app.dossier.parts import MANIFEST_SUFFIX, PartsManifest, load_manifest
from app.dossier.signing import VIETNAM_TZ
from app.errors import CancelledError, CdhtError, InputError
from app.progress import NullProgress, Progress, check_cancelled
from app.recipient import store
from app.recipient.communes import communes
from app.recipient.trust import trust_roots
from app.recipient.verification import IntakeContext, IntakeVerdict, verify_for_intake
from app.recipient.workspace import RecipientWorkspace
from app.text import format_size, utc_now

NEW, DUPLICATE, PENDING, SKIPPED, FAILED = "new", "duplicate", "pending", "skipped", "failed"
OUTCOME_LABELS = {NEW: "Đã nhận", DUPLICATE: "Trùng, đã có", PENDING: "Chờ đủ các phần", SKIPPED: "Bỏ qua",
                  FAILED: "Không nhận được"}
PACKAGE_PREFIX = "hoso-cdht-"
WORKERS = 2
#: From this many packages on, signatures are checked in worker processes (starting them costs about a second).
PROCESS_THRESHOLD = 8


@dataclass(frozen=True)
class Candidate:
    """Something that may be a package: a .zip, or a set of parts named by its `.parts.json` (or `.001`)."""

    path: Path
    source_kind: str  # folder | email | imap
    source_ref: str
    received_at: str
    parts: tuple[Path, ...] = ()
    manifest: PartsManifest | None = None

    @property
    def size(self) -> int:
        files = self.parts or (self.path,)
        return sum(p.stat().st_size for p in files)


@dataclass(frozen=True)
class MailFile:
    """An .eml or .mbox file found while walking a folder; its attachments go to the e-mail staging area."""

    path: Path


@dataclass(frozen=True)
class IntakeItem:
    """What became of one candidate, with one Vietnamese line saying so."""

    source: str
    outcome: str
    message: str
    package_id: int | None = None
    verdict: str | None = None
    commune: str = ""
    year: int | None = None
    version: int = 0
    late: bool = False


@dataclass
class IntakeReport:
    items: list[IntakeItem] = field(default_factory=list)

    def count(self, outcome: str, verdict: str | None = None) -> int:
        return sum(1 for i in self.items if i.outcome == outcome and (verdict is None or i.verdict == verdict))

    def summary(self) -> str:
        from app.recipient.verification import INVALID, UNBOUND, VALID

        new = self.count(NEW)
        parts = [f"Đã nhận {new} gói mới"]
        if new:
            parts[0] += (f" ({self.count(NEW, VALID)} hợp lệ, {self.count(NEW, UNBOUND)} chưa xác nhận người ký, "
                         f"{self.count(NEW, INVALID)} không hợp lệ)")
        late = sum(1 for i in self.items if i.outcome == NEW and i.late)
        if late:
            parts.append(f"{late} gói nộp sau hạn")
        for outcome, text in ((DUPLICATE, "gói trùng (không lưu lại)"), (PENDING, "bộ phần thư chờ đủ phần"),
                              (FAILED, "tệp không nhận được"), (SKIPPED, "tệp bỏ qua (không phải gói hồ sơ)")):
            if self.count(outcome):
                parts.append(f"{self.count(outcome)} {text}")
        return "; ".join(parts) + "."


# ---------------------------------------------------------------------- deadline and lateness

def submission_deadline(rws: RecipientWorkspace, year: int) -> dt.date:
    """The dossier deadline of an assessment year: 28/02 of the next year (the catalogue's), or as configured."""
    configured = rws.get_setting(f"deadline.{year}")
    if configured:
        return dt.date.fromisoformat(configured)
    month, day = catalogue_for_year(year).submission_deadline
    return dt.date(year + 1, month, day)


def is_late(received_at: str, deadline: dt.date) -> bool:
    """Received after the deadline day, counted in Vietnam time."""
    moment = dt.datetime.fromisoformat(received_at.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(VIETNAM_TZ).date() > deadline


def received_on(day: dt.date) -> str:
    """A receipt date the official states (the day a USB drive was handed in), stored as noon Vietnam time."""
    return dt.datetime.combine(day, dt.time(12, 0), VIETNAM_TZ).astimezone(dt.UTC).isoformat(timespec="seconds")


# ---------------------------------------------------------------------- finding candidates

def _looks_like_package(path: Path) -> bool:
    """A .zip worth registering even if it turns out broken: named like a dossier package, or holding a
    bag-info.txt with CĐHT fields. Other archives on a USB drive are skipped."""
    if path.name.lower().startswith(PACKAGE_PREFIX):
        return True
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist()[:100_000] if n.count("/") == 1 and n.endswith("/bag-info.txt")]
            return len(names) == 1 and b"CDHT-" in archive.read(names[0])[:65536]
    except (OSError, zipfile.BadZipFile, ValueError, RuntimeError, NotImplementedError, EOFError):
        return False


def _is_later_part(name: str) -> bool:
    stem, _, number = name.rpartition(".")
    return bool(stem) and len(number) == 3 and number.isdigit() and number != "001"


def parts_candidate(manifest_path: Path, source_kind: str, source_ref: str, received_at: str) -> Candidate | IntakeItem:
    """A complete, intact set of parts named by its manifest, or an item saying what is missing or damaged."""
    from app.dossier.zipstream import sha256_file

    try:
        manifest = load_manifest(manifest_path)
    except InputError as exc:
        return IntakeItem(source_ref, FAILED, exc.message)
    files = [manifest_path.with_name(p.name) for p in manifest.parts]
    missing = [p.name for p, f in zip(manifest.parts, files, strict=True) if not f.is_file()]
    if missing:
        return IntakeItem(source_ref, PENDING, f"Gói {manifest.package}: đã có {len(files) - len(missing)}/{len(files)} "
                                               f"phần, còn thiếu {', '.join(missing)}.")
    damaged = [p.name for p, f in zip(manifest.parts, files, strict=True)
               if f.stat().st_size != p.size or sha256_file(f) != p.sha256]
    if damaged:
        return IntakeItem(source_ref, PENDING, f"Gói {manifest.package}: phần {', '.join(damaged)} bị hỏng hoặc bị sửa "
                                               "(mã băm không khớp bảng kê); chờ bản đúng.")
    return Candidate(manifest_path, source_kind, source_ref, received_at, tuple(files), manifest)


def folder_candidates(root: Path, received_at: str, skip: Iterable[Path] = ()
                      ) -> Iterator[Candidate | IntakeItem | MailFile]:
    """Every package, parts set and mail file below `root` (links are not followed); other files are skipped."""
    from app.recipient.mail import MAIL_SUFFIXES

    root = Path(root)
    skipped = {Path(p).resolve() for p in skip}
    if root.is_file():
        walk: Iterable[tuple[str, list[str], list[str]]] = [(str(root.parent), [], [root.name])]
    elif root.is_dir():
        walk = os.walk(root, followlinks=False)
    else:
        raise InputError(f"Không tìm thấy thư mục hoặc tệp '{root}'.")
    for folder, dirs, files in walk:
        dirs[:] = sorted(d for d in dirs if (Path(folder) / d).resolve() not in skipped)
        names = set(files)
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                continue
            lowered = name.lower()
            ref = str(path)
            if lowered.endswith(MANIFEST_SUFFIX):
                yield parts_candidate(path, "folder", ref, received_at)
            elif lowered.endswith(".001"):
                if name[:-4] + MANIFEST_SUFFIX not in names:
                    yield IntakeItem(ref, FAILED, f"'{name}' là phần đầu của gói nhưng không có bảng kê "
                                                  f"'{name[:-4]}{MANIFEST_SUFFIX}' bên cạnh.")
            elif _is_later_part(lowered):
                continue
            elif lowered.endswith(".zip"):
                if _looks_like_package(path):
                    yield Candidate(path, "folder", ref, received_at)
                else:
                    yield IntakeItem(ref, SKIPPED, f"'{name}' không phải gói hồ sơ CĐHT.")
            elif lowered.endswith(MAIL_SUFFIXES):
                yield MailFile(path)
            else:
                yield IntakeItem(ref, SKIPPED, f"'{name}' không phải gói hồ sơ.")


# ---------------------------------------------------------------------- one candidate

class _Progress:
    """Bytes copied across every candidate, reported as one fraction; thread-safe."""

    def __init__(self, progress: Progress, total: int) -> None:
        self.progress, self.total, self.done, self.lock = progress, max(total, 1), 0, threading.Lock()

    def __call__(self, count: int) -> None:
        with self.lock:
            self.done += count
            fraction = self.done / self.total
        check_cancelled(self.progress)
        self.progress.report(min(fraction, 0.99), f"Đang nhận hồ sơ… {format_size(self.done)}")


def _known(rws: RecipientWorkspace, sha256: str) -> int | None:
    with rws.lock:
        row = rws.db.execute("SELECT id FROM packages WHERE sha256 = ?", [sha256]).fetchone()
    return row[0] if row else None


def _receipt(rws: RecipientWorkspace, package_id: int, candidate: Candidate, duplicate: bool) -> None:
    rws.records.table("receipts").insert({"package_id": package_id, "received_at": candidate.received_at,
                                    "source_kind": candidate.source_kind, "source_ref": candidate.source_ref,
                                    "duplicate": int(duplicate)})


def _duplicate(rws: RecipientWorkspace, package_id: int, candidate: Candidate) -> IntakeItem:
    with rws.transaction():
        _receipt(rws, package_id, candidate, True)
        rws.audit("receive_duplicate", "package", str(package_id), None, None, {"source": candidate.source_ref})
        row = rws.db.execute("SELECT commune_name, year, version, verdict FROM packages WHERE id = ?",
                             [package_id]).fetchone()
    return IntakeItem(candidate.source_ref, DUPLICATE, f"Gói của xã {row[0] or '?'} năm {row[1] or '?'} (phiên bản "
                                                       f"{row[2]}) đã có; không lưu lại.",
                      package_id, row[3], row[0], row[1], row[2])


def _twin(rws: RecipientWorkspace, key: str, temporary: Path) -> int | None:
    """A package already stored with the same bytes (found by the quick key, confirmed by the full hash)."""
    with rws.lock:
        found = rws.db.execute("SELECT 1 FROM packages WHERE quick_key = ? LIMIT 1", [key]).fetchone()
    return _known(rws, store.sha256_of(temporary)) if found else None


def _register(rws: RecipientWorkspace, temporary: Path, sha256: str, key: str, verdict: IntakeVerdict,
              candidate: Candidate) -> IntakeItem:
    who = verdict.identity
    year = who.year if who else None
    late = bool(year and is_late(candidate.received_at, submission_deadline(rws, year)))
    size = temporary.stat().st_size
    with rws.transaction():
        existing = _known(rws, sha256)
        if existing is not None:  # the same bytes came in twice in this run
            store.discard(temporary)
            return _duplicate(rws, existing, candidate)
        store.keep(rws, temporary, sha256)
        package_id = cast(int, rws.records.table("packages").insert({  # last_rowid is set by the insert
            "sha256": sha256, "quick_key": key, "size": size, "commune_name": who.commune if who else "",
            "province": who.province if who else "", "year": year, "package_uuid": who.uuid if who else "",
            "version": who.version if who else 0, "level_requested": who.level if who else None,
            "received_at": candidate.received_at, "late": int(late), "source_kind": candidate.source_kind,
            "source_ref": candidate.source_ref, "created_at": utc_now(), **_verdict_columns(verdict),
        }).last_rowid)
        _receipt(rws, package_id, candidate, False)
        rws.audit("receive", "package", str(package_id), year, None,
                  {"sha256": sha256, "commune": who.commune if who else "", "version": who.version if who else 0,
                   "verdict": verdict.status, "late": late, "source": candidate.source_ref})
    what = f"xã {who.commune} năm {year} (phiên bản {who.version})" if who else f"'{Path(candidate.source_ref).name}'"
    message = f"Gói của {what}: {verdict.summary}" + (" Nộp sau hạn." if late else "")
    return IntakeItem(candidate.source_ref, NEW, message, package_id, verdict.status, who.commune if who else "",
                      year, who.version if who else 0, late)


def intake_context(rws: RecipientWorkspace) -> IntakeContext:
    """The register's communes and the recipient's own CAs, as the verifier judges packages against them."""
    return IntakeContext(tuple(communes(rws)), trust_roots(rws))


def _verdict_columns(verdict: IntakeVerdict) -> dict[str, Any]:
    """The columns of a package row that its verification decides (written at intake and on every recheck)."""
    return {"verdict": verdict.status, "summary": verdict.summary, "commune_id": verdict.commune_id,
            "reasons": json.dumps(list(verdict.reasons), ensure_ascii=False),
            "report": json.dumps(verdict.report, ensure_ascii=False),
            "signer_subject": verdict.signer.subject if verdict.signer else "",
            "signer_fingerprint": verdict.signer.fingerprint if verdict.signer else "",
            "dataset": json.dumps(verdict.dataset, ensure_ascii=False) if verdict.dataset is not None else None}


def verify_hashing(path: Path, context: IntakeContext) -> tuple[IntakeVerdict, str]:
    """Verify a staged package and hash the whole file in the same read."""
    reader = store.HashingReader(path)
    buffered = io.BufferedReader(reader, store.CHUNK)
    try:
        verdict = verify_for_intake(path, context, stream=buffered)
        buffered.detach()  # the reader stays open to hash what the verifier skipped
        return verdict, reader.finish()
    finally:
        reader.close()


def verify_in_worker(path: str, context: IntakeContext) -> tuple[IntakeVerdict, str]:
    """`verify_hashing` in a worker process."""
    return verify_hashing(Path(path), context)


def receive(rws: RecipientWorkspace, candidate: Candidate, on_bytes: Callable[[int], None] | None = None,
            context: IntakeContext | None = None, verifier: Executor | None = None) -> IntakeItem:
    """Stage, deduplicate, verify (in `verifier`'s processes when given) and register one candidate."""
    context = context or intake_context(rws)
    try:
        temporary = store.stage(rws, candidate.parts or (candidate.path,), candidate.size, on_bytes)
    except OSError as exc:
        return IntakeItem(candidate.source_ref, FAILED, f"Không đọc được '{candidate.source_ref}': {exc.strerror or exc}.")
    try:
        key = store.quick_key(temporary)
        existing = _twin(rws, key, temporary)
        if existing is not None:
            store.discard(temporary)
            return _duplicate(rws, existing, candidate)
        result = None
        if verifier is not None:
            try:
                result = verifier.submit(verify_in_worker, str(temporary), context).result()
            except (BrokenProcessPool, OSError, RuntimeError):  # no worker could start: check it here instead
                result = None
        verdict, sha256 = result or verify_hashing(temporary, context)
        store.forget_cached(temporary)
        manifest = candidate.manifest
        if manifest is not None and (sha256 != manifest.sha256 or temporary.stat().st_size != manifest.size):
            store.discard(temporary)
            return IntakeItem(candidate.source_ref, FAILED, "Các phần ghép lại không khớp mã băm của cả gói trong bảng "
                                                            "kê; không nhận.")
        return _register(rws, temporary, sha256, key, verdict, candidate)
    except BaseException:
        store.discard(temporary)
        raise


def _verifier(count: int) -> Executor | None:
    """Worker processes for many packages: checking signatures is Python work that threads cannot share out
    across cores; copying and hashing stay in this process's threads, beside it."""
    if count < PROCESS_THRESHOLD:
        return None
    import multiprocessing

    return ProcessPoolExecutor(max_workers=WORKERS, mp_context=multiprocessing.get_context("spawn"))


def receive_all(rws: RecipientWorkspace, found: Iterable[Candidate | IntakeItem], progress: Progress | None = None,
                after: Callable[[Candidate, IntakeItem], None] | None = None) -> IntakeReport:
    """Receive every candidate, two at a time; items come back in the order found. `after` runs for each
    candidate once its item is known (the mail staging uses it to clear a set that is done)."""
    progress = progress or NullProgress()
    store.remove_leftovers(rws)
    entries = list(found)
    candidates = [e for e in entries if isinstance(e, Candidate)]
    counter = _Progress(progress, sum(c.size for c in candidates))
    context = intake_context(rws)

    verifier = _verifier(len(candidates))

    def work(candidate: Candidate) -> IntakeItem:
        try:
            item = receive(rws, candidate, counter, context, verifier)
        except CancelledError:
            raise
        except CdhtError as exc:
            item = IntakeItem(candidate.source_ref, FAILED, exc.message)
        if after is not None:
            after(candidate, item)
        return item

    try:
        with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="cdht-intake") as pool:
            results = {id(c): pool.submit(work, c) for c in candidates}
            report = IntakeReport([results[id(e)].result() if isinstance(e, Candidate) else e for e in entries])
    finally:
        if verifier is not None:
            verifier.shutdown(cancel_futures=True)
    progress.report(1.0, report.summary())
    return report


def intake_paths(rws: RecipientWorkspace, paths: Iterable[Path], received_at: str | None = None,
                 progress: Progress | None = None) -> IntakeReport:
    """Receive everything found in folders (recursively, e.g. a USB drive) and files; `received_at` is the
    moment they were handed in (default: now)."""
    from app.recipient.mail import incoming_candidates, settle_incoming, stash_mail_file

    moment = received_at or utc_now()
    found: list[Candidate | IntakeItem] = []
    for path in paths:
        for entry in folder_candidates(Path(path), moment, skip=[rws.data_dir]):
            found.extend(stash_mail_file(rws, entry.path, moment) if isinstance(entry, MailFile) else [entry])
    found.extend(incoming_candidates(rws))
    return receive_all(rws, found, progress, after=lambda c, i: settle_incoming(rws, c, i))


__all__ = ["intake_paths", "receive_all", "receive", "IntakeReport", "IntakeItem", "Candidate", "submission_deadline",
           "is_late", "received_on", "recheck", "confirm_signer", "OUTCOME_LABELS", "NEW", "DUPLICATE", "PENDING", "SKIPPED", "FAILED"]


def recheck(rws: RecipientWorkspace, package_id: int) -> IntakeVerdict:
    """Verify a stored package again (after a trust anchor or a commune's certificate was added) and record the new
    result; the receipt time, source and lateness stay as they were."""
    with rws.lock:
        row = rws.db.execute("SELECT sha256, verdict, summary FROM packages WHERE id = ?", [package_id]).fetchone()
    if row is None:
        raise InputError(f"Không có gói hồ sơ số {package_id} trong sổ.")
    verdict = verify_for_intake(store.stored_path(rws, row[0]), intake_context(rws))
    with rws.transaction():
        rws.records.table("packages").update(package_id, _verdict_columns(verdict))
        if (row[1], row[2]) != (verdict.status, verdict.summary):
            rws.audit("recheck", "package", str(package_id), verdict.identity.year if verdict.identity else None,
                      {"verdict": row[1]}, {"verdict": verdict.status, "summary": verdict.summary})
    return verdict


def confirm_signer(rws: RecipientWorkspace, package_id: int, fingerprint: str) -> IntakeVerdict:
    """Accept a package's signer as its commune's, explicitly: the fingerprint must be typed (read out by the
    commune), it is added to the commune's certificates, and the package is verified again."""
    from app.recipient.communes import bind_signer, find_commune, fingerprint_of

    with rws.lock:
        row = rws.db.execute("SELECT commune_name, province, signer_fingerprint, signer_subject, verdict FROM packages "
                             "WHERE id = ?", [package_id]).fetchone()
    if row is None:
        raise InputError(f"Không có gói hồ sơ số {package_id} trong sổ.")
    commune = find_commune(rws, row[0], row[1])
    if commune is None:
        raise InputError(f"Xã {row[0]} ({row[1]}) không có trong danh sách xã; hãy thêm xã trước.")
    if not row[2] or fingerprint_of(fingerprint) != row[2]:
        raise InputError("Mã chứng thư nhập vào không khớp chứng thư đã ký gói; không xác nhận.")
    bind_signer(rws, commune.id, row[2], row[3])
    return recheck(rws, package_id)
