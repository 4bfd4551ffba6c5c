"""Backup commands: `backup` (folder or .zip), `restore` (into a new database file) and `check` (integrity)."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.backup import create_backup, create_backup_zip, restore_backup
from app.backup.manifest import BackupInfo, read_backup_info
from app.backup.places import backup_places
from app.backup.recovery import (
    diagnose_database,
    latest_good_backup,
    older_good_backup,
    recover_from_backup,
)
from app.backup.restore import DamagedBackupError, restore_target
from app.cli import (
    EXIT_FAILURE,
    EXIT_OK,
    UsageError,
    database_path,
    ensure_database,
    hint,
    removed_on_failure,
    with_workspace,
)
from app.errors import InputError, NotFoundError, StorageError
from app.services.integrity import check_database_file, check_workspace, rebuild_indexes, repair_workspace
from app.storage.lock import single_writer
from app.storage.workspace import Workspace
from app.text import format_local_time


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("backup", help="sao lưu cơ sở dữ liệu và minh chứng")
    p.add_argument("out", metavar="OUT", nargs="?",
                   help="thư mục (hoặc ổ USB) để đặt bản sao lưu, hoặc tệp .zip; mặc định: thư mục sao lưu tự động")
    p.set_defaults(func=with_workspace(cmd_backup, write=False))

    p = subparsers.add_parser("restore", help="khôi phục một bản sao lưu vào thư mục mới, hoặc tại chỗ khi cơ sở dữ "
                                              "liệu đã mất hay bị hỏng")
    p.add_argument("backup", metavar="BACKUP", nargs="?", help="thư mục sao lưu hoặc tệp .zip")
    p.add_argument("--latest", action="store_true",
                   help="dùng bản sao lưu tốt gần nhất của thư mục dữ liệu (--db), thay cho BACKUP")
    p.add_argument("--to", metavar="PATH",
                   help="thư mục mới (hoặc tệp .sqlite3 mới) để khôi phục vào, minh chứng đặt bên cạnh; bỏ trống: "
                        "khôi phục tại chỗ cơ sở dữ liệu --db đã mất hoặc bị hỏng")
    p.set_defaults(func=cmd_restore)

    p = subparsers.add_parser("check", help="kiểm tra tính toàn vẹn của dữ liệu và minh chứng")
    p.add_argument("--repair", action="store_true", help="sửa những gì sửa được mà không phải phỏng đoán")
    p.set_defaults(func=cmd_check)


def _describe(info: BackupInfo) -> str:
    return f"{info.path} — {info.contents_text()}"


def cmd_backup(ws: Workspace, args: argparse.Namespace) -> int:
    if args.out is not None and not args.out.strip():
        raise UsageError("Nơi sao lưu đang để trống; bỏ hẳn tham số để sao lưu vào thư mục sao lưu tự động.")
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
    """Restore a backup (or the newest good one) into a new folder, or in place of a lost or damaged database."""
    if (args.backup is None) == (not args.latest):
        raise UsageError("Hãy chỉ một bản sao lưu (BACKUP) hoặc dùng --latest, không dùng cả hai.")
    db_path = database_path(args)
    if args.to is not None:
        target, in_place = restore_target(Path(args.to)), False
    else:
        target, in_place = db_path, True
        health = diagnose_database(db_path)
        if health.status in ("ok", "newer"):
            raise InputError(f"Cơ sở dữ liệu '{db_path}' vẫn mở được; khôi phục không ghi đè dữ liệu đang dùng. Hãy "
                             f"khôi phục vào thư mục mới: '{hint(args, 'restore … --to THƯ_MỤC_MỚI')}'.")
    if args.latest:
        info = latest_good_backup(db_path.parent)
        if info is None:
            places = ", ".join(f"'{place}'" for place in backup_places(db_path.parent))
            raise NotFoundError(f"Không tìm thấy bản sao lưu dùng được ở {places}. Nếu có bản sao lưu trên USB hoặc "
                                f"thư mục khác, hãy chạy '{hint(args, 'restore ĐƯỜNG_DẪN_SAO_LƯU')}'.")
    else:
        info = read_backup_info(Path(args.backup))
    if in_place:
        with single_writer(target.parent):
            path = recover_from_backup(info.path, target)
    else:
        with removed_on_failure(target), single_writer(target.parent):
            try:
                path = restore_backup(info.path, target)
            except DamagedBackupError as error:
                raise error.with_older(older_good_backup(error.info, db_path.parent)) from None
    print(f"Đã khôi phục bản sao lưu lúc {format_local_time(info.created_at)} ({info.path}) vào {path}; minh chứng ở "
          f"{path.parent / 'evidence'}. Mọi tệp đều khớp mã băm.")
    if in_place and list(path.parent.glob(f"{path.name}.damaged-*")):
        print("Tệp dữ liệu hỏng cũ được giữ lại bên cạnh với đuôi .damaged-….")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    """Check (and with --repair, fix) the data; a file too damaged to open is checked on its own first."""
    path = ensure_database(args)
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
                print(f"Chạy '{hint(args, 'check --repair')}' để sửa những gì sửa được.")
            elif not report.fixable:
                print(f"Không tự sửa được: hãy khôi phục từ bản sao lưu gần nhất ('{hint(args, 'restore --latest')}').")
            return EXIT_FAILURE
        print("\n".join(f"Đã sửa: {line}" for line in fixed_first))
    return with_workspace(_repair, write=True)(args) if args.repair else with_workspace(_check, write=False)(args)


def _check(ws: Workspace, args: argparse.Namespace) -> int:
    report = check_workspace(ws)
    print("\n".join(report.lines()))
    if report.fixable:
        print(f"Chạy '{hint(args, 'check --repair')}' để sửa những gì sửa được.")
    return EXIT_OK if report.ok else EXIT_FAILURE


def _repair(ws: Workspace, args: argparse.Namespace) -> int:
    result = repair_workspace(ws)
    print("\n".join(result.lines()))
    return EXIT_OK if result.remaining.ok else EXIT_FAILURE
