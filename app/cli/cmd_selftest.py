"""`cdht self-test`: checks an installed copy end to end in a temporary folder (see app/selftest.py)."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("self-test", help="tự kiểm tra bản cài đặt: cơ sở dữ liệu, đánh giá, văn bản, "
                                                "ký số, cửa sổ chính (trong thư mục tạm)")
    p.add_argument("--keep", metavar="THƯ_MỤC", help="giữ lại các tệp đã tạo trong thư mục này để xem")
    p.set_defaults(func=cmd_self_test)


def cmd_self_test(args: argparse.Namespace) -> int:
    from app.fileio import check_output_path
    from app.selftest import run_self_test

    if args.keep is not None:
        check_output_path(args.keep, "các tệp tự kiểm tra", folder=True)
    return run_self_test(keep=Path(args.keep) if args.keep else None)
