"""Backup commands: `backup` (folder or .zip), `restore` (into a new database file) and `check` (integrity)."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.backup import create_backup, create_backup_zip, restore_backup
from app.backup.manifest import BackupInfo
from app.backup.recovery import diagnose_database
from app.cli import EXIT_FAILURE, EXIT_OK, with_workspace
from app.errors import StorageError
from app.paths import default_database_path
from app.services.integrity import check_database_file, check_workspace, rebuild_indexes, repair_workspace
from app.services.workspace import Workspace
from app.storage.lock import single_writer


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("backup", help="sao lưu cơ sở dữ liệu và minh chứng")
    p.add_argument("out", metavar="OUT", nargs="?",
                   help="thư mục (hoặc ổ USB) để đặt bản sao lưu, hoặc tệp .zip; mặc định: thư mục sao lưu tự động")
    p.set_defaults(func=with_workspace(cmd_backup, write=False))

    p = subparsers.add_parser("restore", help="khôi phục một bản sao lưu vào một tệp cơ sở dữ liệu mới")
    p.add_argument("backup", metavar="BACKUP", help="thư mục sao lưu hoặc tệp .zip")
    p.add_argument("--to", required=True, metavar="PATH", help="tệp cơ sở dữ liệu mới (minh chứng đặt bên cạnh)")
    p.set_defaults(func=cmd_restore)

    p = subparsers.add_parser("check", help="kiểm tra tính toàn vẹn của dữ liệu và minh chứng")
    p.add_argument("--repair", action="store_true", help="sửa những gì sửa được mà không phải phỏng đoán")
    p.set_defaults(func=cmd_check)


def _describe(info: BackupInfo) -> str:
    return f"{info.path} — {info.contents_text()}"


def cmd_backup(ws: Workspace, args: argparse.Namespace) -> int:
    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() == ".zip":
        info = create_backup_zip(ws, out)
    else:
        info = create_backup(ws, out)
    print(f"Đã sao lưu: {_describe(info)}.")
    skipped = info.manifest.get("skipped", [])
    if skipped:
        print(f"Cảnh báo: {len(skipped)} tệp minh chứng không sao lưu được vì bị mất hoặc bị thay đổi. "
              "Hãy chạy 'cdht check' để xem chi tiết.")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    target = Path(args.to)
    with single_writer(target.parent):
        path = restore_backup(Path(args.backup), target)
    print(f"Đã khôi phục vào {path} (minh chứng ở {path.parent / 'evidence'}). Mọi tệp đều khớp mã băm.")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    """Check (and with --repair, fix) the data; a file too damaged to open is checked on its own first."""
    path = Path(args.db) if args.db else default_database_path()
    health = diagnose_database(path)
    if health.status in ("missing", "unreadable", "newer"):
        raise StorageError(health.message)
    fixed_first: list[str] = []
    if health.status == "damaged":
        report = check_database_file(path)
        if args.repair:
            with single_writer(path.parent):
                fixed_first = rebuild_indexes(path)
        if not fixed_first:
            print(health.message)
            print("\n".join(report.lines()))
            if report.fixable and not args.repair:
                print("Chạy 'cdht check --repair' để sửa những gì sửa được.")
            elif not report.fixable:
                print("Không tự sửa được: hãy khôi phục từ bản sao lưu gần nhất ('cdht restore').")
            return EXIT_FAILURE
        print("\n".join(f"Đã sửa: {line}" for line in fixed_first))
    return with_workspace(_repair, write=True)(args) if args.repair else with_workspace(_check, write=False)(args)


def _check(ws: Workspace, args: argparse.Namespace) -> int:
    report = check_workspace(ws)
    print("\n".join(report.lines()))
    if report.fixable:
        print("Chạy 'cdht check --repair' để sửa những gì sửa được.")
    return EXIT_OK if report.ok else EXIT_FAILURE


def _repair(ws: Workspace, args: argparse.Namespace) -> int:
    result = repair_workspace(ws)
    print("\n".join(result.lines()))
    return EXIT_OK if result.remaining.ok else EXIT_FAILURE
