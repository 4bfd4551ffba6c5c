"""Checking the evidence store against the database, and repairing what needs no guessing.

`verify_evidence_files` re-hashes every stored file and reports missing or altered files, files no row
references, and links to indicators the year's catalogue does not have. `repair_evidence` deletes
leftovers of interrupted imports (temporary files, and stored files an unfinished import journal
lists that no row references), moves any other file that belongs to no evidence into a quarantine folder
(never deleting it), and removes links to unknown indicators; everything else is reported for a person to
decide, because fixing it would mean guessing (e.g. which copy of a file is the right one).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.errors import describe_os_error
from app.evidence.store import JOURNAL_SUFFIX, EvidenceStore, ImportJournal, evidence_root, hash_file, is_sha256
from app.progress import Progress

if TYPE_CHECKING:
    from app.storage.workspace import Workspace

MISSING, ALTERED, ORPHAN_FILE, DANGLING_LINK = "missing", "altered", "orphan_file", "dangling_link"


@dataclass(frozen=True)
class EvidenceProblem:
    kind: str
    """'missing' | 'altered' | 'orphan_file' | 'dangling_link'."""
    message: str
    evidence_id: int | None = None
    path: Path | None = None
    indicator_id: str | None = None


def _store(ws: Workspace) -> EvidenceStore:
    return EvidenceStore(evidence_root(ws))


def _label(row: dict[str, Any]) -> str:
    state = ", đang ở thùng rác" if row["deleted_at"] else ""
    return f"Minh chứng {row['code']} ('{row['original_name']}', năm {row['year']}{state})"


def verify_evidence_files(ws: Workspace, progress: Progress | None = None) -> list[EvidenceProblem]:
    """Re-hash every stored file and compare store and database; an empty list means all is well."""
    store = _store(ws)
    with ws.lock:
        cursor = ws.db.execute("SELECT id, year, code, sha256, size, original_name, deleted_at FROM evidence ORDER BY id")
        columns = [c[0] for c in cursor.description]
        rows = [dict(zip(columns, r, strict=True)) for r in cursor.fetchall()]
        links = ws.db.execute(
            "SELECT l.evidence_id, l.indicator_id, e.year, e.code FROM evidence_links l "
            "LEFT JOIN evidence e ON e.id = l.evidence_id ORDER BY l.evidence_id, l.position").fetchall()
        catalogues = {info.year: set(ws.catalogue(info.year).indicator_ids) for info in ws.years()}
    problems: list[EvidenceProblem] = []
    by_sha: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_sha.setdefault(row["sha256"], []).append(row)
    total = max(1, sum(group[0]["size"] for group in by_sha.values()))
    done = 0

    def on_bytes(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress.report(min(done / total, 0.99))

    for sha, group in by_sha.items():
        path = store.path(sha) if is_sha256(sha) else store.root / "?" / sha
        if progress is not None:
            progress.report(min(done / total, 0.99), f"Đang kiểm tra {group[0]['original_name']}")
        if not path.is_file():
            problems.extend(EvidenceProblem(MISSING, f"{_label(r)} mất tệp trong kho ({path}). Hãy nhập lại tệp gốc.",
                                            r["id"], path) for r in group)
            continue
        try:
            actual = hash_file(path, on_bytes)
        except OSError as exc:
            problems.extend(EvidenceProblem(MISSING, f"{_label(r)}: không đọc được tệp trong kho "
                                            f"({describe_os_error(exc, action='đọc').message.rstrip('.')}).",
                                            r["id"], path) for r in group)
            continue
        if actual != sha:
            problems.extend(EvidenceProblem(ALTERED, f"{_label(r)} đã bị thay đổi nội dung sau khi nhập (mã băm "
                                            "không khớp). Hãy nhập lại tệp gốc (cdht evidence add TỆP_GỐC --year "
                                            f"{r['year']}), hoặc chấp nhận nội dung mới có ghi lý do (cdht evidence "
                                            f"accept-change {r['code']} --year {r['year']} --reason …).",
                                            r["id"], path) for r in group)
    problems.extend(_orphans(store, set(by_sha)))
    for evidence_id, indicator_id, year, code in links:
        if year is None:
            problems.append(EvidenceProblem(DANGLING_LINK, f"Liên kết tới chỉ tiêu {indicator_id} thuộc minh chứng số "
                                            f"{evidence_id} không còn tồn tại.", evidence_id, None, indicator_id))
        elif indicator_id not in catalogues.get(year, set()):
            problems.append(EvidenceProblem(DANGLING_LINK, f"Minh chứng {code} (năm {year}) gắn với chỉ tiêu "
                                            f"'{indicator_id}' không có trong bộ tiêu chí của năm.", evidence_id, None,
                                            indicator_id))
    if progress is not None:
        progress.report(1.0, "Đã kiểm tra xong kho minh chứng.")
    return problems


def _orphans(store: EvidenceStore, referenced: set[str]) -> list[EvidenceProblem]:
    problems = []
    for path in store.temp_files() + store.journals():
        problems.append(EvidenceProblem(ORPHAN_FILE, f"Tệp tạm còn sót lại từ lần nhập bị gián đoạn: {path}.", None, path))
    for sha in store.stored_hashes():
        if sha not in referenced:
            path = store.path(sha)
            problems.append(EvidenceProblem(ORPHAN_FILE, f"Tệp {path} trong kho minh chứng không thuộc minh chứng nào.",
                                            None, path))
    for path in store.stray_files():
        problems.append(EvidenceProblem(ORPHAN_FILE, f"Tệp lạ {path} trong kho minh chứng (không do ứng dụng tạo ra).",
                                        None, path))
    return problems


def _referenced(ws: Workspace) -> set[str]:
    with ws.lock:
        return {r[0] for r in ws.db.execute("SELECT DISTINCT sha256 FROM evidence").fetchall()}


def _journal_hashes(store: EvidenceStore) -> set[str]:
    listed: set[str] = set()
    for journal in store.journals():
        listed.update(ImportJournal.read(journal))
    return listed


QUARANTINE_DIR = "evidence-quarantine"


@dataclass(frozen=True)
class EvidenceRepair:
    """What `repair_evidence` did: one Vietnamese line per problem, fixed and not fixed kept apart."""

    fixed: tuple[str, ...] = ()
    not_fixed: tuple[str, ...] = ()


def can_repair(ws: Workspace, problem: EvidenceProblem) -> bool:
    """Whether `repair_evidence` fixes this problem for certain (a check labels nothing else as fixable).

    Leftover and unknown files always can (deleted when they are the app's own temporary files, otherwise moved to
    the quarantine folder); a link to an unknown indicator can unless its year is finalized. Missing or altered
    files need their original (from a backup, or imported again), which is not this function's business.
    """
    if problem.kind == ORPHAN_FILE:
        return problem.path is not None
    if problem.kind == DANGLING_LINK and problem.evidence_id is not None and problem.indicator_id is not None:
        with ws.lock:
            row = ws.db.execute("SELECT year FROM evidence WHERE id = ?", [problem.evidence_id]).fetchone()
        return row is None or not ws.year(row[0]).locked
    return False


def repair_evidence(ws: Workspace, problems: list[EvidenceProblem]) -> EvidenceRepair:
    """Fix what is certain, report the rest; one Vietnamese line per problem."""
    store = _store(ws)
    referenced = _referenced(ws)
    interrupted = _journal_hashes(store)
    fixed: list[str] = []
    not_fixed: list[str] = []
    quarantine = Path(ws.data_dir) / QUARANTINE_DIR / dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for problem in problems:
        if problem.kind == ORPHAN_FILE and problem.path is not None:
            if problem.path.parent == store.temp_dir and problem.path.name.endswith(JOURNAL_SUFFIX):
                continue  # journals go last, once the files they list are dealt with
            done, line = _repair_orphan(store, problem.path, referenced, interrupted, quarantine)
        elif problem.kind == DANGLING_LINK and problem.evidence_id is not None and problem.indicator_id is not None:
            done, line = _repair_link(ws, problem)
        else:
            done, line = False, problem.message
        (fixed if done else not_fixed).append(line)
    for journal in store.journals():
        if not any(store.path(sha).exists() and sha not in referenced for sha in ImportJournal.read(journal)):
            journal.unlink(missing_ok=True)
            fixed.append(f"Đã xóa nhật ký của lần nhập bị gián đoạn: {journal}.")
    return EvidenceRepair(tuple(fixed), tuple(not_fixed))


def _repair_orphan(store: EvidenceStore, path: Path, referenced: set[str], interrupted: set[str],
                   quarantine: Path) -> tuple[bool, str]:
    path = Path(path)
    if not path.exists():
        return True, f"Tệp {path} không còn; không cần sửa."
    name = path.name
    if path.parent == store.temp_dir:
        return _delete(path, "Đã xóa tệp tạm còn sót lại")
    if is_sha256(name) and name in referenced:
        return True, f"Tệp {path} nay đã thuộc một minh chứng; không cần sửa."
    if is_sha256(name) and name in interrupted:
        return _delete(path, "Đã xóa tệp của lần nhập bị gián đoạn (chưa kịp ghi vào cơ sở dữ liệu)")
    target = quarantine / path.relative_to(store.root)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
    except OSError as exc:
        return False, f"Không chuyển được tệp lạ {path} ra khỏi kho: {describe_os_error(exc, path, 'di chuyển').message}"
    return True, (f"Đã chuyển tệp lạ {path} (không thuộc minh chứng nào) vào thư mục cách ly {target}; tệp không bị "
                  "xóa, hãy xem và nhập lại nếu cần.")


def _delete(path: Path, what: str) -> tuple[bool, str]:
    try:
        path.unlink()
    except OSError as exc:
        return False, f"Không xóa được {path}: {describe_os_error(exc, path, 'xóa').message}"
    return True, f"{what}: {path}."


def _repair_link(ws: Workspace, problem: EvidenceProblem) -> tuple[bool, str]:
    with ws.transaction():
        row = ws.db.execute("SELECT year, code FROM evidence WHERE id = ?", [problem.evidence_id]).fetchone()
        if row is not None and ws.year(row[0]).locked:
            return False, f"Không tự sửa (năm {row[0]} đã chốt hồ sơ): {problem.message}"
        if row is not None and problem.indicator_id in ws.catalogue(row[0]).indicator_ids:
            return True, f"Liên kết {row[1]} → {problem.indicator_id} nay đã hợp lệ; không cần sửa."
        ws.db.execute("DELETE FROM evidence_links WHERE evidence_id = ? AND indicator_id = ?",
                      [problem.evidence_id, problem.indicator_id])
        key = f"{row[1] if row else problem.evidence_id}/{problem.indicator_id}"
        ws.audit("repair_unlink", "evidence_link", key, row[0] if row else None, problem.indicator_id, None)
    return True, f"Đã gỡ liên kết không hợp lệ {key}."


def recover_interrupted_imports(ws: Workspace) -> list[str]:
    """At start: remove leftovers of imports interrupted before their commit; returns what was done.

    Only temporary files and journal-listed files no row references are touched; unknown files are
    reported by `verify_evidence_files`, never deleted here.
    """
    store = _store(ws)
    problems = [EvidenceProblem(ORPHAN_FILE, "", None, p) for p in store.temp_files()]
    referenced = _referenced(ws)
    for sha in sorted(_journal_hashes(store) - referenced):
        if store.path(sha).exists():
            problems.append(EvidenceProblem(ORPHAN_FILE, "", None, store.path(sha)))
    if not problems and not store.journals():
        return []
    return list(repair_evidence(ws, problems).fixed)
