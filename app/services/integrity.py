"""Checking the commune's data end to end, and repairing what can be repaired without guessing.

The check runs SQLite's `integrity_check` and `foreign_key_check`, looks for figures filed under indicators
the year's catalogue does not have, and re-hashes the evidence store (through the evidence service). The
repair first makes a safety backup, then rebuilds indexes, brings back missing or altered evidence files from
backups (content-addressed, so the right file is known exactly), lets the evidence service fix what it can,
and checks again: whatever remains is reported, never papered over.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from app.backup.create import backup_root, create_backup, default_backup_root
from app.backup.files import HashMismatch, copy_verified
from app.backup.manifest import is_sha256, list_backups
from app.backup.places import backup_places
from app.domain.catalogue import catalogue_by_id
from app.dossier.records import dossier_folder
from app.errors import CatalogueError, CdhtError, describe_sqlite_error
from app.evidence.integrity import can_repair, recover_interrupted_imports, repair_evidence, verify_evidence_files
from app.evidence.store import EvidenceStore, evidence_root
from app.progress import Progress, check_cancelled
from app.scratch import remove_entry, remove_unfinished, scratch_root, unfinished_entries
from app.storage.db import Database, backup_copy, connect_read_only, open_error

TABLE_LABELS = {
    "indicator_values": "số liệu chỉ tiêu", "years": "năm đánh giá", "assignments": "phân công",
    "assignment_units": "đơn vị phối hợp", "evidence": "minh chứng", "evidence_links": "liên kết minh chứng",
    "recognitions": "quyết định công nhận", "units": "đơn vị",
}


@dataclass(frozen=True)
class IntegrityProblem:
    """One problem found: kind ('database', 'index', 'foreign_key', 'unknown_indicator', 'leftover', or an
    evidence kind 'missing' | 'altered' | 'orphan_file' | 'dangling_link'), a Vietnamese message, and whether
    the repair fixes it for certain (nothing else is labelled fixable)."""

    kind: str
    message: str
    fixable: bool = False
    evidence_id: int | None = None
    path: Path | None = None


@dataclass(frozen=True)
class IntegrityReport:
    problems: tuple[IntegrityProblem, ...] = ()
    checked_at: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def fixable(self) -> tuple[IntegrityProblem, ...]:
        return tuple(p for p in self.problems if p.fixable)

    def summary(self) -> str:
        if self.ok:
            return "Dữ liệu toàn vẹn: không phát hiện lỗi nào."
        fixable = len(self.fixable)
        return (f"Phát hiện {len(self.problems)} vấn đề"
                + (f", trong đó {fixable} vấn đề có thể tự sửa." if fixable else "; không vấn đề nào tự sửa được."))

    def lines(self) -> list[str]:
        """The report as text lines: summary, then one line per problem."""
        result = [self.summary()]
        for problem in self.problems:
            mark = "có thể sửa" if problem.fixable else "cần xử lý"
            result.append(f"  - [{mark}] {problem.message}")
        return result


@dataclass(frozen=True)
class RepairResult:
    """What a repair did (`fixed`) and what is still wrong afterwards (`remaining`, from a fresh check)."""

    fixed: tuple[str, ...]
    remaining: IntegrityReport
    safety_backup: Path | None = None
    notes: tuple[str, ...] = field(default=())

    def lines(self) -> list[str]:
        """Repaired items, then the items not repaired, each under its own heading."""
        result = []
        if self.safety_backup is not None:
            result.append(f"Đã sao lưu dữ liệu trước khi sửa vào {self.safety_backup}.")
        if self.fixed:
            result.append(f"Đã sửa ({len(self.fixed)}):")
            result += [f"  - {item}" for item in self.fixed]
        else:
            result.append("Không có gì được sửa.")
        result += list(self.notes)
        if self.remaining.ok:
            result.append("Sau khi sửa: dữ liệu toàn vẹn.")
        else:
            result.append(f"Chưa sửa được ({len(self.remaining.problems)}; cần khôi phục từ bản sao lưu hoặc xử lý "
                          "thủ công):")
            result += [f"  - {p.message}" for p in self.remaining.problems]
        return result


def _integrity_rows(conn: sqlite3.Connection) -> list[IntegrityProblem]:
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check(100)").fetchall()]
    if rows == ["ok"]:
        return []
    only_indexes = all("index" in row.lower() for row in rows)
    return [IntegrityProblem("index", f"Chỉ mục cơ sở dữ liệu bị lệch ({row}).", True) if only_indexes
            else IntegrityProblem("database", f"Cơ sở dữ liệu bị hỏng: {row}.") for row in rows]


def check_database_file(path: Path) -> IntegrityReport:
    """Check a database file that cannot be opened as a workspace (opening refuses a damaged file)."""
    try:
        conn = connect_read_only(path)
        try:
            problems = _integrity_rows(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        problems = [IntegrityProblem("database", f"{open_error(exc, path).message}")]
    return IntegrityReport(tuple(problems), dt.datetime.now().astimezone().isoformat(timespec="seconds"))


def rebuild_indexes(path: Path) -> list[str]:
    """When only indexes are damaged, rebuild them (after a safety copy beside the file); else change nothing."""
    report = check_database_file(path)
    if report.ok or any(not p.fixable for p in report.problems):
        return []
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    safety = Path(path).with_name(f"{Path(path).name}.before-repair-{stamp}.bak")
    conn = sqlite3.connect(str(path))
    try:
        backup_copy(Database(conn), safety)
        conn.execute("REINDEX")
        conn.commit()
    finally:
        conn.close()
    return [f"dựng lại chỉ mục của cơ sở dữ liệu (bản sao trước khi sửa: {safety.name})."]


def _database_problems(ws: Any) -> list[IntegrityProblem]:
    with ws.lock:
        problems = _integrity_rows(ws.db.conn)
        for table, rowid, parent, _fk in ws.db.execute("PRAGMA foreign_key_check").fetchall():
            problems.append(IntegrityProblem(
                "foreign_key",
                f"Bảng {TABLE_LABELS.get(table, table)} (dòng {rowid}) trỏ tới {TABLE_LABELS.get(parent, parent)} "
                "không còn tồn tại.",
            ))
    return problems


def _unknown_indicators(ws: Any) -> list[IntegrityProblem]:
    problems = []
    for info in ws.years():
        try:
            known = set(catalogue_by_id(info.catalogue_id).indicator_ids)
        except (CatalogueError, KeyError):
            problems.append(IntegrityProblem("database", f"Năm {info.year} dùng bộ tiêu chí không có trong ứng dụng "
                                                         f"({info.catalogue_id})."))
            continue
        for ind_id in sorted(set(ws.values(info.year)) - known):
            problems.append(IntegrityProblem(
                "unknown_indicator", f"Năm {info.year} có số liệu của chỉ tiêu \"{ind_id}\" không có trong bộ tiêu chí."
            ))
    return problems


def _evidence_problems(ws: Any, progress: Progress | None) -> list[IntegrityProblem]:
    with ws.lock:
        found = verify_evidence_files(ws, progress=progress)
    copies = _backup_copies(ws) if any(p.kind in ("missing", "altered") for p in found) else {}
    return [IntegrityProblem(p.kind, p.message, can_repair(ws, p) or _problem_sha(p) in copies,
                             p.evidence_id, Path(p.path) if p.path else None) for p in found]


def _leftover_places(ws: Any) -> list[Path]:
    """Folders where interrupted backups, restores, renderings and signing runs leave their unfinished work."""
    dossiers = [version for info in ws.years() if (folder := dossier_folder(ws, info.year)).is_dir()
                for version in folder.iterdir() if version.is_dir()]
    return list(dict.fromkeys([*backup_places(ws.data_dir), backup_root(ws), ws.data_dir, scratch_root(ws.data_dir),
                               *dossiers]))


def recover_interrupted_work(ws: Any) -> list[str]:
    """At the start of a writing session (the app, a writing command): remove what interrupted runs left — files
    of unfinished evidence imports, unfinished backups, restores and signing folders of processes that no longer
    run. Returns what was done, in Vietnamese; nothing of a live process is touched."""
    done = list(recover_interrupted_imports(ws))
    for folder in _leftover_places(ws):
        done += [f"Đã xóa phần còn sót của lần làm dở: {path}." for path in remove_unfinished(folder)]
    return done


def _leftovers(ws: Any) -> list[IntegrityProblem]:
    return [IntegrityProblem("leftover", f"Phần còn sót của một lần sao lưu, khôi phục hoặc ký bị gián đoạn: {path}.",
                             True, path=path)
            for folder in _leftover_places(ws) for path in unfinished_entries(folder)]


def _problem_sha(problem: Any) -> str | None:
    name = Path(problem.path).name if getattr(problem, "path", None) else ""
    return name if is_sha256(name) else None


def _backup_copies(ws: Any) -> dict[str, Path]:
    """sha → a file holding it in some folder backup (newest first wins)."""
    copies: dict[str, Path] = {}
    roots = dict.fromkeys([backup_root(ws), default_backup_root(ws.data_dir)])
    for root in roots:
        for info in list_backups(root):
            if info.is_zip:
                continue
            for item in info.manifest["evidence"]:
                copies.setdefault(item["sha256"], info.path / item["path"])
    return copies


def check_workspace(ws: Any, progress: Progress | None = None) -> IntegrityReport:
    """Check the database and the evidence store; nothing is changed."""
    if progress is not None:
        progress.report(0.0, "Đang kiểm tra cơ sở dữ liệu…")
    problems = _database_problems(ws)
    check_cancelled(progress)
    if not any(p.kind == "database" for p in problems):
        problems += _unknown_indicators(ws)
        problems += _leftovers(ws)
        if progress is not None:
            progress.report(0.3, "Đang kiểm tra tệp minh chứng…")
        problems += _evidence_problems(ws, progress)
    if progress is not None:
        progress.report(1.0, "Đã kiểm tra xong.")
    return IntegrityReport(tuple(problems), dt.datetime.now().astimezone().isoformat(timespec="seconds"))


def _restore_files_from_backups(ws: Any, problems: list[IntegrityProblem]) -> list[str]:
    """Put back missing or altered evidence files from backups; an altered file is kept aside, not deleted."""
    fixed = []
    copies = _backup_copies(ws)
    for problem in problems:
        sha = _problem_sha(problem)
        if problem.kind not in ("missing", "altered") or sha is None or sha not in copies:
            continue
        target = Path(cast(Path, problem.path))  # a problem with a hash (above) names its file
        if problem.kind == "altered" and target.exists():
            EvidenceStore(evidence_root(ws)).set_aside(target)
        try:
            copy_verified(copies[sha], target, sha)
        except (HashMismatch, OSError):
            continue
        what = "bị thay đổi" if problem.kind == "altered" else "bị mất"
        fixed.append(f"Đã lấy lại tệp minh chứng {what} ({sha[:12]}…) từ bản sao lưu {copies[sha].parts[-4]}.")
    return fixed


def repair_workspace(ws: Any, report: IntegrityReport | None = None, progress: Progress | None = None) -> RepairResult:
    """Fix what can be fixed without guessing, after a safety backup; then check again."""
    report = report or check_workspace(ws)
    if report.ok:
        return RepairResult((), report)
    notes: list[str] = []
    safety = None
    try:
        safety = create_backup(ws, kind="safety").path
    except CdhtError as exc:
        notes.append(f"Không tạo được bản sao lưu an toàn trước khi sửa: {exc.message}")
    fixed: list[str] = []
    if any(p.kind == "index" for p in report.problems):
        try:
            with ws.lock:
                ws.db.execute("REINDEX")
            fixed.append("Đã dựng lại chỉ mục của cơ sở dữ liệu.")
        except sqlite3.Error as exc:
            notes.append(f"Không dựng lại được chỉ mục: {describe_sqlite_error(exc).message}")
    for problem in report.problems:
        if problem.kind == "leftover" and problem.path is not None and remove_entry(problem.path):
            fixed.append(f"Đã xóa phần còn sót của lần làm dở: {problem.path}.")
    evidence = [p for p in report.problems if p.kind in ("missing", "altered", "orphan_file", "dangling_link")]
    if evidence:
        fixed += _restore_files_from_backups(ws, evidence)
        fixed += _repair_evidence_store(ws, progress)
    remaining = check_workspace(ws, progress)
    if fixed:
        with ws.transaction():
            ws.audit("repair", "integrity", "", None, None, {"fixed": fixed})
    return RepairResult(tuple(fixed), remaining, safety, tuple(notes))


def _repair_evidence_store(ws: Any, progress: Progress | None) -> list[str]:
    """Let the evidence store fix what it can for certain; only what it fixed is returned (the rest shows up in the
    check that follows)."""
    with ws.lock:
        current = verify_evidence_files(ws, progress=progress)
        if not current:
            return []
        return list(repair_evidence(ws, current).fixed)


__all__ = ["IntegrityProblem", "IntegrityReport", "RepairResult", "check_workspace", "repair_workspace",
           "recover_interrupted_work",
           "check_database_file", "rebuild_indexes"]
