"""`cdht --db DB recognition …`: the commune's recognition history, and taking in a result package.

    recognition list
    recognition add --level 1 --number 245/QĐ-UBND --date 18/03/2024 [--issuer …] [--assessment-year 2023] [--note …]
    recognition import KETQUA.zip [--trust CA.pem] [--accept-signer SHA256]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli import EXIT_OK, with_workspace
from app.storage.workspace import Workspace


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("recognition", help="lịch sử công nhận; nhập gói kết quả công nhận")
    sub = p.add_subparsers(dest="recognition_command", metavar="list|add|import", required=True)
    q = sub.add_parser("list", help="các quyết định công nhận đã ghi, với ngày hết hiệu lực")
    q.set_defaults(func=with_workspace(cmd_list, write=False))
    q = sub.add_parser("add", help="ghi một quyết định công nhận đã có (mức độ, số, ngày, cơ quan công nhận)")
    q.add_argument("--level", type=int, required=True, choices=(1, 2), help="mức độ được công nhận")
    q.add_argument("--number", required=True, help="số quyết định, ví dụ 245/QĐ-UBND")
    q.add_argument("--date", required=True, help="ngày quyết định, ví dụ 18/03/2024")
    q.add_argument("--issuer", default="", help="cơ quan công nhận")
    q.add_argument("--assessment-year", type=int, metavar="NĂM", help="năm đánh giá được công nhận")
    q.add_argument("--note", default="", help="ghi chú")
    q.set_defaults(func=with_workspace(cmd_add))
    q = sub.add_parser("import", help="nhập gói kết quả công nhận đã ký của cơ quan tiếp nhận (Nhập kết quả công nhận)")
    q.add_argument("file")
    q.add_argument("--trust", action="append", metavar="CA.pem", help="chứng thư CA tin cậy (có thể lặp lại)")
    q.add_argument("--accept-signer", metavar="SHA256",
                   help="chấp nhận người ký có mã chứng thư này (đã đối chiếu với cơ quan tiếp nhận)")
    q.set_defaults(func=with_workspace(cmd_import))


def cmd_list(ws: Workspace, args: argparse.Namespace) -> int:
    from app.domain.catalogue import catalogue_for_year
    from app.text import format_date_short

    records = ws.recognitions()
    if not records:
        print("Xã chưa có quyết định công nhận nào được ghi lại.")
    for record in records:
        months = catalogue_for_year(record.assessment_year or record.decision_date.year).validity_months
        print(f"Mức độ {record.level}  số {record.decision_number} ngày {format_date_short(record.decision_date)}"
              f"  {record.issuer}  hiệu lực đến {format_date_short(record.expires_on(months))}")
    return EXIT_OK


def cmd_add(ws: Workspace, args: argparse.Namespace) -> int:
    from app.services.recognitions import add_recognition

    add_recognition(ws, args.level, args.number, args.date, args.issuer, args.assessment_year, args.note)
    print(f"Đã ghi quyết định công nhận mức độ {args.level} số {args.number}.")
    return EXIT_OK


def cmd_import(ws: Workspace, args: argparse.Namespace) -> int:
    from app.services.recognitions import import_result

    result, _changes = import_result(ws, Path(args.file), [Path(t) for t in args.trust or []] or None,
                                     args.accept_signer)
    print(result.message())
    for reason in result.reasons:
        print(f"  - Chỉ tiêu {reason}")
    return EXIT_OK
