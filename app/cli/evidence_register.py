"""`cdht evidence suggest|edit|incomplete`: completing the evidence register (số/ký hiệu, ngày, cơ quan ban hành,
trích yếu) from the files themselves and for several items at once. Registered by `cmd_evidence`."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from app.cli import print_json, with_workspace
from app.errors import InputError
from app.evidence import library as evidence_library
from app.evidence import register as reg
from app.services import evidence as ev
from app.storage.workspace import Workspace
from app.text import format_date_short

#: Resolves the year a command works on from its --year (None: the default year).
YearOf = Callable[[Workspace, int | None], int]


def register_subcommands(sub: argparse._SubParsersAction[argparse.ArgumentParser], year_of: YearOf) -> None:
    """Add the register subcommands to `cdht evidence`; `year_of(ws, year)` resolves the default year."""
    sg = sub.add_parser("suggest", help="gợi ý số/ký hiệu, ngày, cơ quan, trích yếu từ tên tệp và trang đầu PDF")
    sg.add_argument("codes", nargs="*", metavar="MÃ", help="mã minh chứng (mặc định: mọi minh chứng còn thiếu)")
    sg.add_argument("--year", type=int, help="năm đánh giá (mặc định: năm mới nhất)")
    sg.add_argument("--apply", action="store_true", help="ghi gợi ý vào các ô còn trống")
    sg.add_argument("--overwrite", action="store_true", help="cùng --apply: ghi đè cả ô đã có")
    sg.add_argument("--json", action="store_true", help="in dạng JSON")
    sg.set_defaults(func=with_workspace(lambda ws, a: cmd_suggest(ws, a, year_of)))

    ed = sub.add_parser("edit", help="sửa cùng lúc số/ký hiệu, ngày, cơ quan, trích yếu của một hoặc nhiều minh chứng")
    ed.add_argument("codes", nargs="+", metavar="MÃ")
    ed.add_argument("--year", type=int, help="năm đánh giá (mặc định: năm mới nhất)")
    ed.add_argument("--number", help="số, ký hiệu văn bản")
    ed.add_argument("--no-number", action="store_true", help=f"văn bản không có số (ghi “{reg.NO_NUMBER}”)")
    ed.add_argument("--date", help="ngày ban hành (ngày/tháng/năm)")
    ed.add_argument("--issuer", help="cơ quan ban hành")
    ed.add_argument("--summary", help="trích yếu nội dung")
    ed.set_defaults(func=with_workspace(lambda ws, a: cmd_edit(ws, a, year_of)))

    inc = sub.add_parser("incomplete", help="minh chứng còn thiếu số/ký hiệu, ngày, cơ quan hoặc trích yếu")
    inc.add_argument("--year", type=int, help="năm đánh giá (mặc định: năm mới nhất)")
    inc.set_defaults(func=with_workspace(lambda ws, a: cmd_incomplete(ws, a, year_of), write=False))


def _items(ws: Workspace, year: int, codes: list[str]) -> list[evidence_library.EvidenceItem]:
    return [evidence_library.find_by_code(ws, code, year, trash=False) for code in codes]


def cmd_suggest(ws: Workspace, args: argparse.Namespace, year_of: YearOf) -> int:
    year = year_of(ws, args.year)
    items = _items(ws, year, args.codes) if args.codes else reg.incomplete_items(ws, year)
    suggestions = [reg.suggest_fields(ws, item.id) for item in items]
    if args.json:
        print_json([s.to_json() for s in suggestions])
    else:
        for suggestion in suggestions:
            values = suggestion.fields()
            if not values:
                print(f"{suggestion.code}: không đọc được gì từ tên tệp và trang đầu.")
                continue
            print(f"{suggestion.code}:")
            for key, value in values.items():
                shown = format_date_short(value) if key == "issued_date" else value
                print(f"    {reg.REGISTER_FIELDS[key]}: {shown}  (theo {suggestion.sources[key]})")
    if args.apply:
        changes, changed = ev.apply_suggestions(ws, [item.id for item in items], overwrite=args.overwrite)
        print(f"Đã ghi gợi ý cho {changed} minh chứng." if changes.any() else "Không có gì thay đổi.")
    return 0


def cmd_edit(ws: Workspace, args: argparse.Namespace, year_of: YearOf) -> int:
    if args.number is not None and args.no_number:
        raise InputError("Không dùng cùng lúc --number và --no-number.")
    fields = {key: value for key, value in (("doc_number", reg.NO_NUMBER if args.no_number else args.number),
                                            ("issued_date", args.date), ("issuer", args.issuer),
                                            ("summary", args.summary)) if value is not None}
    if not fields:
        raise InputError("Hãy ghi ít nhất một trong --number, --no-number, --date, --issuer, --summary.")
    items = _items(ws, year_of(ws, args.year), args.codes)
    changes = ev.update_fields(ws, [item.id for item in items], **fields)
    print(f"Đã sửa {len(items)} minh chứng." if changes.any() else "Không có gì thay đổi.")
    return 0


def cmd_incomplete(ws: Workspace, args: argparse.Namespace, year_of: YearOf) -> int:
    problems = reg.register_problems(ws, year_of(ws, args.year))
    for problem in problems:
        print(problem)
    print(f"{len(problems)} minh chứng còn thiếu thông tin." if problems else "Mọi minh chứng đã đủ thông tin.")
    return 0
