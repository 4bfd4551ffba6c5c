"""Evidence commands: add, list, remove, restore, trash, search, link/unlink."""

from __future__ import annotations

import argparse
import sys

from app.cli import print_json, with_workspace
from app.errors import InputError, NotFoundError
from app.evidence import importer as evidence_importer
from app.evidence import library as evidence_library
from app.evidence.library import check_indicators, parse_optional_date
from app.services import evidence as ev
from app.storage.workspace import Workspace
from app.text import format_date_short


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("evidence", help="thư viện minh chứng")
    sub = p.add_subparsers(dest="evidence_command", metavar="add|list|remove|restore|trash|search|accept-change|link|unlink|suggest|edit|incomplete",
                           required=True)

    add = sub.add_parser("add", help="nhập tệp hoặc thư mục minh chứng")
    add.add_argument("files", nargs="+", metavar="FILE", help="tệp hoặc thư mục")
    add.add_argument("--indicator", action="append", default=[], metavar="CHỈ_TIÊU",
                     help="mã chỉ tiêu, ví dụ 1.2 (lặp lại để gắn nhiều chỉ tiêu)")
    add.add_argument("--year", type=int,
                     help="năm đánh giá (bắt buộc khi có nhiều năm, trừ khi --date cho biết năm)")
    add.add_argument("--number", default="", help="số, ký hiệu văn bản")
    add.add_argument("--date", default="", help="ngày ban hành (dd/mm/yyyy)")
    add.add_argument("--issuer", default="", help="cơ quan ban hành")
    add.add_argument("--summary", default="", help="trích yếu nội dung")
    add.add_argument("--valid-until", default="", help="hiệu lực đến (dd/mm/yyyy), cho văn bản nhiều năm")
    add.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    add.set_defaults(func=with_workspace(cmd_add))

    lst = sub.add_parser("list", help="liệt kê minh chứng của một năm")
    lst.add_argument("--year", type=int, help="năm đánh giá (bắt buộc khi có nhiều năm)")
    lst.add_argument("--indicator", metavar="CHỈ_TIÊU", help="chỉ minh chứng của một chỉ tiêu")
    lst.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    lst.set_defaults(func=with_workspace(cmd_list, write=False))

    rm = sub.add_parser("remove", help="chuyển minh chứng vào thùng rác")
    rm.add_argument("code", metavar="MÃ")
    rm.add_argument("--year", type=int, help="năm đánh giá (bắt buộc khi có nhiều năm)")
    rm.set_defaults(func=with_workspace(cmd_remove))

    rs = sub.add_parser("restore", help="khôi phục minh chứng từ thùng rác")
    rs.add_argument("code", metavar="MÃ")
    rs.add_argument("--year", type=int, help="năm đánh giá (khi mã có ở nhiều năm)")
    rs.set_defaults(func=with_workspace(cmd_restore))

    tr = sub.add_parser("trash", help="xem thùng rác; --empty để xóa hẳn")
    tr.add_argument("--empty", action="store_true", help="xóa hẳn mọi minh chứng trong thùng rác")
    tr.set_defaults(func=with_workspace(cmd_trash))

    se = sub.add_parser("search", help="tìm minh chứng (gõ không dấu cũng được)")
    se.add_argument("text", nargs="+", metavar="TỪ_KHÓA")
    se.add_argument("--year", type=int, help="năm đánh giá (bắt buộc khi có nhiều năm)")
    se.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    se.set_defaults(func=with_workspace(cmd_search, write=False))

    ac = sub.add_parser("accept-change", help="chấp nhận nội dung mới của tệp minh chứng đã bị thay đổi (ghi lý do)")
    ac.add_argument("code", metavar="MÃ")
    ac.add_argument("--year", type=int, help="năm đánh giá (bắt buộc khi có nhiều năm)")
    ac.add_argument("--reason", required=True, help="lý do chấp nhận, ghi vào nhật ký thay đổi")
    ac.set_defaults(func=with_workspace(cmd_accept_change))

    for name, handler, text in (("link", cmd_link, "gắn minh chứng với chỉ tiêu"),
                                ("unlink", cmd_unlink, "bỏ gắn minh chứng khỏi chỉ tiêu")):
        lk = sub.add_parser(name, help=text)
        lk.add_argument("code", metavar="MÃ")
        lk.add_argument("--indicator", required=True, metavar="CHỈ_TIÊU")
        lk.add_argument("--year", type=int, help="năm đánh giá (bắt buộc khi có nhiều năm)")
        lk.set_defaults(func=with_workspace(handler))

    from app.cli.evidence_register import register_subcommands  # suggest, edit, incomplete

    register_subcommands(sub, _year)


def _year(ws: Workspace, year: int | None, issued: str = "") -> int:
    """The assessment year a command works in: --year, else the only year, else the year the document's date
    (--date) falls in, said aloud. With several years and nothing to go by, --year is required."""
    if year is not None:
        ws.year(year)
        return year
    years = [info.year for info in ws.years()]
    if not years:
        raise NotFoundError("Chưa có năm đánh giá nào. Hãy thêm năm trước (cdht year add NĂM).")
    if len(years) == 1:
        return years[0]
    if issued:
        day = parse_optional_date(issued, "Ngày ban hành")
        if day is not None and day.year in years:
            print(f"Dùng năm đánh giá {day.year} theo ngày ban hành {format_date_short(day)} (chỉ năm khác bằng --year).")
            return day.year
    listed = ", ".join(map(str, years))
    raise InputError(f"Có {len(years)} năm đánh giá ({listed}); hãy chỉ năm bằng --year NĂM.")


def _line(item: evidence_library.EvidenceItem) -> str:
    parts = [item.code.ljust(9), item.original_name]
    if item.doc_number:
        parts.append(f"số {item.doc_number}")
    if item.issued_date:
        parts.append(format_date_short(item.issued_date))
    if item.summary:
        parts.append(item.summary)
    indicators = ", ".join(item.indicator_ids) or "chưa gắn chỉ tiêu"
    return "  ".join(parts) + f"  [{indicators}]"


def cmd_add(ws: Workspace, args: argparse.Namespace) -> int:
    year = _year(ws, args.year, args.date)
    details = {"doc_number": args.number, "issued_date": args.date, "issuer": args.issuer, "summary": args.summary,
               "valid_until": args.valid_until}
    results = ev.import_evidence(ws, year, args.files, indicator_ids=args.indicator, details=details).results
    if not results:
        raise InputError("Không tìm thấy tệp nào để nhập (thư mục rỗng?).")
    if len(results) == 1 and not results[0].ok and not args.json:
        raise InputError(results[0].message)
    if args.json:
        print_json([r.to_json() for r in results])
    else:
        for result in results:
            print(f"{result.status_label}: {result.message}" if result.status == evidence_importer.REFUSED else result.message)
            for note in result.notes:
                print(f"    lưu ý: {note}")
        print(evidence_importer.summarize(results))
    return 0 if all(r.ok for r in results) else 1


def cmd_list(ws: Workspace, args: argparse.Namespace) -> int:
    year = _year(ws, args.year)
    indicator = check_indicators(ws, year, [args.indicator])[0] if args.indicator else None
    items = evidence_library.list_evidence(ws, year, indicator_id=indicator)
    if args.json:
        print_json([i.to_json() for i in items])
        return 0
    for item in items:
        print(_line(item))
    print(f"Năm {year}: {len(items)} minh chứng.")
    return 0


def cmd_remove(ws: Workspace, args: argparse.Namespace) -> int:
    item = evidence_library.find_by_code(ws, args.code, _year(ws, args.year), trash=False)
    ev.remove_evidence(ws, item.id)
    print(f"Đã chuyển minh chứng {item.code} ('{item.original_name}') vào thùng rác; "
          f"khôi phục bằng: cdht evidence restore {item.code} --year {item.year}.")
    return 0


def cmd_restore(ws: Workspace, args: argparse.Namespace) -> int:
    item = evidence_library.find_by_code(ws, args.code, args.year, trash=True)
    ev.restore_evidence(ws, item.id)
    print(f"Đã khôi phục minh chứng {item.code} ('{item.original_name}') năm {item.year}.")
    return 0


def cmd_trash(ws: Workspace, args: argparse.Namespace) -> int:
    if args.empty:
        _, report = ev.empty_trash(ws)
        print(report.message())
        return 0
    items = evidence_library.list_evidence(ws, None, trash=True)
    for item in items:
        print(f"{item.year}  {_line(item)}")
    print(f"Thùng rác có {len(items)} minh chứng." if items else "Thùng rác trống.")
    return 0


def cmd_search(ws: Workspace, args: argparse.Namespace) -> int:
    year = _year(ws, args.year)
    items = evidence_library.search_evidence(ws, year, " ".join(args.text))
    if args.json:
        print_json([i.to_json() for i in items])
        return 0
    for item in items:
        print(_line(item))
    print(f"Tìm thấy {len(items)} minh chứng.", file=sys.stdout)
    return 0


def cmd_accept_change(ws: Workspace, args: argparse.Namespace) -> int:
    item = evidence_library.find_by_code(ws, args.code, _year(ws, args.year), trash=None)
    ev.accept_change(ws, item.id, args.reason)
    print(f"Đã chấp nhận nội dung mới của minh chứng {item.code} ('{item.original_name}'); lý do đã được ghi vào "
          "nhật ký thay đổi.")
    return 0


def cmd_link(ws: Workspace, args: argparse.Namespace) -> int:
    item = evidence_library.find_by_code(ws, args.code, _year(ws, args.year), trash=False)
    ev.link_evidence(ws, item.id, args.indicator)
    now = evidence_library.get_evidence(ws, item.id)
    print(f"Đã gắn minh chứng {now.code} với chỉ tiêu {args.indicator}.")
    return 0


def cmd_unlink(ws: Workspace, args: argparse.Namespace) -> int:
    item = evidence_library.find_by_code(ws, args.code, _year(ws, args.year), trash=False)
    ev.unlink_evidence(ws, item.id, args.indicator)
    now = evidence_library.get_evidence(ws, item.id)
    print(f"Đã bỏ gắn chỉ tiêu {args.indicator}; minh chứng nay có mã {now.code}.")
    return 0
