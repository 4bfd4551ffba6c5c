"""Core commands: assess, init, year, dataset, status."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli import print_json, with_workspace
from app.domain.catalogue import catalogue_for_year
from app.domain.checklist import Checklist, build_checklist
from app.domain.records import DEFAULT_RECIPIENT
from app.domain.rules import STATUS_LABELS, evaluate
from app.errors import InputError
from app.services.datasets import disadvantaged_change, import_dataset, load_dataset_file, write_dataset_file
from app.services.years import add_year
from app.storage.workspace import Workspace

MARKS = {"met": "✔", "not_met": "✘", "missing": "…"}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("assess", help="đánh giá một tệp dữ liệu (không cần cơ sở dữ liệu)")
    p.add_argument("dataset", metavar="DATASET.json")
    p.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    p.set_defaults(func=cmd_assess)

    p = subparsers.add_parser("init", help="khai báo xã cho một cơ sở dữ liệu mới")
    p.add_argument("--commune", required=True, help="tên xã, ví dụ \"Đồng Tiến\"")
    p.add_argument("--province", required=True, help="tên tỉnh")
    p.add_argument("--disadvantaged", action="store_true", help="xã thuộc vùng khó khăn")
    p.add_argument("--recipient", default=DEFAULT_RECIPIENT, help="cơ quan nhận hồ sơ")
    p.add_argument("--signer", default="", help="họ tên người ký")
    p.add_argument("--signer-title", default="Chủ tịch", help="chức vụ người ký")
    p.add_argument("--new-commune-anyway", action="store_true",
                   help="vẫn khai báo xã mới khi thư mục còn bản sao lưu hoặc minh chứng của một cơ sở dữ liệu đã mất")
    p.set_defaults(func=with_workspace(cmd_init, creating=True))

    p = subparsers.add_parser("year", help="năm đánh giá")
    years = p.add_subparsers(dest="year_command", metavar="add|list", required=True)
    add = years.add_parser("add", help="thêm năm đánh giá (số liệu 01/01–31/12)")
    add.add_argument("year", type=int)
    add.add_argument("--copy-from", type=int, metavar="NĂM", help="chép số liệu và phân công từ năm trước")
    add.add_argument("--carry-evidence", choices=("valid", "all"),
                     help="cùng lúc mang sang minh chứng của năm nguồn: 'valid' = còn hiệu lực sang năm mới, 'all' = tất cả")
    add.set_defaults(func=with_workspace(cmd_year_add))
    lst = years.add_parser("list", help="liệt kê các năm đánh giá")
    lst.set_defaults(func=with_workspace(cmd_year_list, write=False))

    p = subparsers.add_parser("dataset", help="nhập/xuất tệp dữ liệu cdht-dataset/1")
    ds = p.add_subparsers(dest="dataset_command", metavar="import|export", required=True)
    imp = ds.add_parser("import", help="nhập số liệu một năm từ tệp JSON")
    imp.add_argument("file", metavar="FILE.json")
    imp.add_argument("--accept-profile-change", action="store_true",
                     help="đồng ý đổi cờ \"vùng khó khăn\" của năm theo tệp (ngưỡng đánh giá đổi theo)")
    imp.set_defaults(func=with_workspace(cmd_dataset_import))
    exp = ds.add_parser("export", help="xuất số liệu một năm ra tệp JSON")
    exp.add_argument("--year", type=int, required=True)
    exp.add_argument("--with-verdicts", action="store_true", help="kèm kết quả đánh giá")
    exp.add_argument("file", metavar="FILE.json")
    exp.set_defaults(func=with_workspace(cmd_dataset_export, write=False))

    p = subparsers.add_parser("status", help="bảng kiểm tra mức độ 1 và mức độ 2 của một năm")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    p.set_defaults(func=with_workspace(cmd_status, write=False))


def print_checklist(title: str, checklist: Checklist) -> None:
    """The checklist as plain text: headline, then every criterion and indicator at both levels."""
    assessment = checklist.assessment
    print(title)
    print(checklist.headline())
    print()
    catalogue_criteria = {c.criterion_id: c for c in assessment.criteria.values()}
    for cid, criterion in catalogue_criteria.items():
        marks = "  ".join(f"MĐ{lv}: {MARKS[criterion.verdicts[lv].status]} {STATUS_LABELS[criterion.verdicts[lv].status]}"
                          for lv in (1, 2))
        print(f"Tiêu chí {cid}. {criterion.name}")
        print(f"    {marks}")
        for iid, result in assessment.indicators.items():
            if result.indicator.criterion_id != cid:
                continue
            print(f"  {iid}  MĐ1 {MARKS[result.verdicts[1].status]} {result.verdicts[1].reason}")
            if result.verdicts[2].reason != result.verdicts[1].reason or result.verdicts[2].status != result.verdicts[1].status:
                print(f"        MĐ2 {MARKS[result.verdicts[2].status]} {result.verdicts[2].reason}")
    missing = checklist.missing_items()
    if missing:
        print()
        print("Còn thiếu:")
        for item in missing:
            print(f"  - {item}")


def cmd_assess(args: argparse.Namespace) -> int:
    dataset = load_dataset_file(Path(args.dataset))
    catalogue = catalogue_for_year(dataset.year)
    checklist = build_checklist(evaluate(catalogue, dataset.values, dataset.commune.disadvantaged_area))
    if args.json:
        print_json(checklist.assessment.to_json())
    else:
        print_checklist(f"Xã {dataset.commune.name} ({dataset.commune.province}) — năm {dataset.year}", checklist)
    return 0


def cmd_init(ws: Workspace, args: argparse.Namespace) -> int:
    if ws.has_profile():
        raise InputError(f"Cơ sở dữ liệu này đã khai báo xã {ws.profile().commune_name}. Dùng phần Cài đặt để sửa.")
    from app.services.profile import update_profile

    result = update_profile(ws, commune_name=args.commune, province=args.province, recipient_authority=args.recipient,
                            disadvantaged_area=args.disadvantaged, signer_name=args.signer,
                            signer_title=args.signer_title)
    for note in result.notes:
        print(f"Lưu ý: {note}")
    profile = result.profile
    print(f"Đã khai báo {profile.commune_kind} {profile.commune_name} ({profile.province}) tại {ws.path}.")
    return 0


def cmd_year_add(ws: Workspace, args: argparse.Namespace) -> int:
    if args.carry_evidence and args.copy_from is None:
        raise InputError("--carry-evidence cần đi kèm --copy-from NĂM (năm có minh chứng để mang sang).")
    added = add_year(ws, args.year, copy_from=args.copy_from, carry_evidence=args.carry_evidence)
    source = f", chép từ năm {args.copy_from}" if args.copy_from else ""
    print(f"Đã thêm năm đánh giá {args.year} (số liệu từ 01/01/{args.year} đến 31/12/{args.year}{source}).")
    if args.carry_evidence:
        print(f"Đã mang sang {len(added.carried)} minh chứng: {', '.join(i.code for i in added.carried) or 'không có'}.")
    return 0


def cmd_year_list(ws: Workspace, args: argparse.Namespace) -> int:
    for info in ws.years():
        state = "đã chốt" if info.locked else "đang nhập"
        print(f"{info.year}  {info.catalogue_id}  {state}")
    return 0


def cmd_dataset_import(ws: Workspace, args: argparse.Namespace) -> int:
    dataset = load_dataset_file(Path(args.file))
    change = disadvantaged_change(ws, dataset)
    changes = import_dataset(ws, dataset, accept_profile_change=args.accept_profile_change)
    print(f"Đã nhập số liệu năm {dataset.year} của xã {dataset.commune.name}"
          + ("." if changes.any() else " (không có gì thay đổi)."))
    if change:
        print(f"Đã đổi theo tệp: {change}.")
    return 0


def cmd_dataset_export(ws: Workspace, args: argparse.Namespace) -> int:
    path = write_dataset_file(ws, args.year, Path(args.file), with_verdicts=args.with_verdicts)
    print(f"Đã xuất số liệu năm {args.year} ra {path}.")
    return 0


def cmd_status(ws: Workspace, args: argparse.Namespace) -> int:
    checklist = ws.checklist(args.year)
    if args.json:
        print_json(checklist.to_json())
    else:
        profile = ws.profile()
        print_checklist(f"Xã {profile.commune_name} ({profile.province}) — năm {args.year}", checklist)
        from app.services.next_step import next_step

        step = next_step(ws, args.year)
        print()
        print(f"Bước tiếp theo: {step.title}. {step.reason}")
    return 0
