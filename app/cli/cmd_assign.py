"""`cdht assign …`: the Phân công — which unit leads each indicator's data and evidence, with which partners, by when.

    assign set --year Y --indicator 1.2 --lead "Phòng Văn hóa – Xã hội" [--partner P …] [--due 30/11/2025]
    assign list --year Y [--json]
    assign clear --year Y --indicator 1.2
    assign import --year Y PHAN-CONG.csv|.xlsx      (the plan's table: Tiêu chí, Chỉ tiêu, Đơn vị chủ trì, Đơn vị phối hợp)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli import print_json, with_workspace
from app.domain.records import ASSIGNMENT_STATUSES
from app.services.assignments import clear_assignment, import_assignments, set_assignment
from app.storage.workspace import Workspace
from app.text import format_date_short


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("assign", help="phân công đơn vị chủ trì, phối hợp, hạn hoàn thành từng chỉ tiêu")
    sub = p.add_subparsers(dest="assign_command", metavar="set|list|clear|import", required=True)
    st = sub.add_parser("set", help="phân công một chỉ tiêu (ghi lại cả phân công của chỉ tiêu đó)")
    st.add_argument("--year", type=int, required=True)
    st.add_argument("--indicator", required=True, metavar="MÃ", help="mã chỉ tiêu, ví dụ 1.2")
    st.add_argument("--lead", default="", metavar="ĐƠN_VỊ", help="đơn vị chủ trì")
    st.add_argument("--partner", action="append", default=[], metavar="ĐƠN_VỊ",
                    help="đơn vị phối hợp (lặp lại cho mỗi đơn vị)")
    st.add_argument("--due", default="", metavar="NGÀY", help="hạn hoàn thành, ví dụ 30/11/2025")
    st.add_argument("--status", default="todo", choices=tuple(ASSIGNMENT_STATUSES),
                    help="trạng thái: " + ", ".join(f"{k} ({v})" for k, v in ASSIGNMENT_STATUSES.items()))
    st.add_argument("--note", default="", help="ghi chú")
    st.set_defaults(func=with_workspace(cmd_set))
    ls = sub.add_parser("list", help="bảng phân công của một năm")
    ls.add_argument("--year", type=int, required=True)
    ls.add_argument("--json", action="store_true", help="in dạng JSON")
    ls.set_defaults(func=with_workspace(cmd_list, write=False))
    cl = sub.add_parser("clear", help="bỏ phân công của một chỉ tiêu")
    cl.add_argument("--year", type=int, required=True)
    cl.add_argument("--indicator", required=True, metavar="MÃ")
    cl.set_defaults(func=with_workspace(cmd_clear))
    im = sub.add_parser("import", help="nhập bảng phân công kèm Kế hoạch (.csv UTF-8 hoặc .xlsx): cột Tiêu chí, "
                                       "Chỉ tiêu, Đơn vị chủ trì, Đơn vị phối hợp[, Hạn hoàn thành]")
    im.add_argument("--year", type=int, required=True)
    im.add_argument("file", metavar="BẢNG.csv|.xlsx")
    im.set_defaults(func=with_workspace(cmd_import))


def cmd_set(ws: Workspace, args: argparse.Namespace) -> int:
    changes = set_assignment(ws, args.year, args.indicator, args.lead or None, args.partner, args.due, args.status,
                             args.note)
    print(f"Đã phân công chỉ tiêu {args.indicator}." if changes.any() else "Không có gì thay đổi.")
    return 0


def cmd_list(ws: Workspace, args: argparse.Namespace) -> int:
    assignments = ws.assignments(args.year)
    if args.json:
        print_json([{"indicator": a.indicator_id, "lead_unit": a.lead_unit or "",
                     "coordinating_units": list(a.coordinating_units),
                     "due_date": a.due_date.isoformat() if a.due_date else None, "status": a.status, "note": a.note}
                    for a in assignments])
        return 0
    if not assignments:
        print(f"Năm {args.year} chưa phân công chỉ tiêu nào.")
    for a in assignments:
        due = f"  hạn {format_date_short(a.due_date)}" if a.due_date else ""
        partners = f"  phối hợp: {', '.join(a.coordinating_units)}" if a.coordinating_units else ""
        print(f"{a.indicator_id}  chủ trì: {a.lead_unit or '(chưa giao)'}{partners}{due}"
              f"  [{ASSIGNMENT_STATUSES[a.status]}]")
    return 0


def cmd_clear(ws: Workspace, args: argparse.Namespace) -> int:
    changes = clear_assignment(ws, args.year, args.indicator)
    print(f"Đã bỏ phân công chỉ tiêu {args.indicator}." if changes.any()
          else f"Chỉ tiêu {args.indicator} chưa được phân công; không có gì thay đổi.")
    return 0


def cmd_import(ws: Workspace, args: argparse.Namespace) -> int:
    changes, rows = import_assignments(ws, args.year, Path(args.file))
    print(f"Đã đọc {len(rows)} dòng phân công: {', '.join(r.indicator_id for r in rows)}"
          + ("." if changes.any() else " (không có gì thay đổi)."))
    return 0
