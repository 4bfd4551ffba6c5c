"""Document commands: report (the dossier documents), collect (unit workbooks), meeting, narrative texts and
the Nơi nhận list."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any, cast

from app.cli import print_json, with_workspace
from app.documents import document_readiness
from app.documents import texts as doc_texts
from app.documents.collection import write_collection_workbooks
from app.documents.common import default_recipients, recipient_lines
from app.documents.readiness import document_notes
from app.domain import meeting as mt
from app.errors import InputError
from app.fileio import MAX_WORKBOOK_BYTES, check_input_file, check_output_path, read_json_file
from app.services import documents as docs
from app.services.documents import import_collection_workbook
from app.services.report import write_report
from app.storage.workspace import Workspace
from app.text import format_date_short, format_size


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("report", help="in hồ sơ: tờ trình, báo cáo, bản tổng hợp, biên bản (PDF, DOCX, XLSX)")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--out", required=True, metavar="THƯ_MỤC", help="thư mục ghi các văn bản")
    p.add_argument("--level", type=int, choices=(1, 2), help="mức độ đề nghị (mặc định: mức độ đạt đủ)")
    p.set_defaults(func=with_workspace(cmd_report, write=False))

    p = subparsers.add_parser("collect", help="phiếu thu thập số liệu Excel cho các đơn vị")
    sub = p.add_subparsers(dest="collect_command", metavar="export|import", required=True)
    exp = sub.add_parser("export", help="xuất phiếu cho từng đơn vị chủ trì")
    exp.add_argument("--year", type=int, required=True)
    exp.add_argument("--out", required=True, metavar="THƯ_MỤC")
    exp.add_argument("--unit", help="chỉ xuất phiếu của một đơn vị")
    exp.set_defaults(func=with_workspace(cmd_collect_export))
    imp = sub.add_parser("import", help="nhập phiếu đơn vị đã điền (kiểm tra toàn bộ trước khi ghi)")
    imp.add_argument("file", metavar="FILE.xlsx")
    imp.add_argument("--year", type=int, help="chỉ nhận phiếu của năm này")
    imp.set_defaults(func=with_workspace(cmd_collect_import))

    p = subparsers.add_parser("meeting", help="biên bản họp xét kết quả tự đánh giá")
    sub = p.add_subparsers(dest="meeting_command", metavar="set|show", required=True)
    st = sub.add_parser("set", help="ghi thông tin cuộc họp xét (từ tham số hoặc tệp JSON)")
    st.add_argument("--year", type=int, required=True)
    st.add_argument("--json", metavar="FILE.json", help="tệp JSON chứa toàn bộ thông tin cuộc họp")
    st.add_argument("--date", help="ngày họp (dd/mm/yyyy)")
    st.add_argument("--place", help="địa điểm")
    st.add_argument("--start-time", help="giờ bắt đầu, ví dụ \"08 giờ 00 phút\"")
    st.add_argument("--end-time", help="giờ kết thúc")
    st.add_argument("--chair", help="họ tên người chủ trì")
    st.add_argument("--chair-title", help="chức vụ người chủ trì")
    st.add_argument("--secretary", help="họ tên thư ký")
    st.add_argument("--secretary-title", help="chức vụ thư ký")
    st.add_argument("--attendee", action="append", default=[], metavar="TÊN|CHỨC VỤ|CƠ QUAN[|VAI TRÒ]",
                    help="người có mặt (lặp lại cho mỗi người); vai trò: " + ", ".join(mt.ROLES)
                    + " (bỏ trống: suy ra từ cơ quan); người vắng mặt ghi trong tệp --json")
    st.add_argument("--content", help="nội dung thảo luận")
    st.add_argument("--conclusions", help="kết luận")
    st.add_argument("--level", type=int, choices=(1, 2), help="mức độ thống nhất đề nghị")
    st.set_defaults(func=with_workspace(cmd_meeting_set))
    sh = sub.add_parser("show", help="xem thông tin cuộc họp đã ghi (--json: dạng máy đọc)")
    sh.add_argument("--year", type=int, required=True)
    sh.add_argument("--json", action="store_true", help="in dạng JSON (định dạng của tệp hop.json)")
    sh.set_defaults(func=with_workspace(cmd_meeting_show, write=False))

    p = subparsers.add_parser("narrative", help="các phần văn bản của báo cáo tự đánh giá")
    sub = p.add_subparsers(dest="narrative_command", metavar="set|show", required=True)
    st = sub.add_parser("set", help="ghi các phần văn bản (KEY=GIÁ_TRỊ hoặc tệp JSON)")
    st.add_argument("--year", type=int, required=True)
    st.add_argument("--json", metavar="FILE.json")
    st.add_argument("pairs", nargs="*", metavar="KEY=GIÁ_TRỊ", help=f"khóa: {', '.join(doc_texts.TEXT_KEYS)}")
    st.set_defaults(func=with_workspace(cmd_narrative_set))
    sh = sub.add_parser("show", help="xem các phần văn bản (--json: dạng máy đọc)")
    sh.add_argument("--year", type=int, required=True)
    sh.add_argument("--json", action="store_true", help="in dạng JSON, khóa như của 'narrative set'")
    sh.set_defaults(func=with_workspace(cmd_narrative_show, write=False))

    p = subparsers.add_parser("recipients", help="nơi nhận của tờ trình và báo cáo (theo từng năm)")
    sub = p.add_subparsers(dest="recipients_command", metavar="set|show", required=True)
    st = sub.add_parser("set", help="ghi danh sách nơi nhận, mỗi tham số một nơi (dòng \"Lưu: …\" để cuối)")
    st.add_argument("--year", type=int, required=True)
    st.add_argument("lines", nargs="*", metavar="NƠI_NHẬN", help="ví dụ: \"Sở Giáo dục và Đào tạo\" \"Lưu: VT, VHXH\"")
    st.add_argument("--clear", action="store_true", help="xóa danh sách riêng, dùng lại danh sách thường dùng")
    st.set_defaults(func=with_workspace(cmd_recipients_set))
    sh = sub.add_parser("show", help="xem nơi nhận sẽ in trên văn bản")
    sh.add_argument("--year", type=int, required=True)
    sh.set_defaults(func=with_workspace(cmd_recipients_show, write=False))


def cmd_report(ws: Workspace, args: argparse.Namespace) -> int:
    written = write_report(ws, args.year, Path(args.out), args.level)
    print(f"Đã ghi {len(written)} tệp vào {Path(args.out)}:")
    for path in written.values():
        print(f"  {path.name}  {format_size(path.stat().st_size)}")
    problems = document_readiness(ws, args.year)
    if problems:
        print("Lưu ý, hồ sơ chưa hoàn chỉnh:")
        for problem in problems:
            print(f"  - {problem}")
    for note in document_notes(ws, args.year):
        print(f"Lưu ý: {note}")
    return 0


def cmd_collect_export(ws: Workspace, args: argparse.Namespace) -> int:
    check_output_path(args.out, "phiếu thu thập", folder=True)
    for unit, path in write_collection_workbooks(ws, args.year, Path(args.out), args.unit).items():
        print(f"{unit}: {path}")
    return 0


def cmd_collect_import(ws: Workspace, args: argparse.Namespace) -> int:
    check_input_file(Path(args.file), MAX_WORKBOOK_BYTES, "phiếu Excel")
    result = import_collection_workbook(ws, Path(args.file), args.year)
    if result.changed:
        print(f"Đã nhập phiếu của {result.unit} (năm {result.year}): cập nhật chỉ tiêu {', '.join(result.changed)}.")
    else:
        print(f"Phiếu của {result.unit} (năm {result.year}) không có gì thay đổi.")
    return 0


def _load_json(path: str) -> dict[str, Any]:
    """A JSON object from a file the user names: a regular file of at most 10 MB, nested at most 32 deep."""
    data = read_json_file(Path(path), f"tệp JSON '{Path(path).name}'")
    if not isinstance(data, dict):
        raise InputError(f"Tệp '{path}' phải chứa một đối tượng JSON.")
    return data


def cmd_meeting_set(ws: Workspace, args: argparse.Namespace) -> int:
    existing = doc_texts.review_meeting(ws, args.year)
    raw = existing.to_json() if existing else {}
    if args.json is not None:
        raw.update(_load_json(args.json))
    options = {"meeting_date": args.date, "place": args.place, "start_time": args.start_time,
               "end_time": args.end_time, "chair_name": args.chair, "chair_title": args.chair_title,
               "secretary_name": args.secretary, "secretary_title": args.secretary_title, "content": args.content,
               "conclusions": args.conclusions, "level_agreed": args.level}
    raw.update({key: value for key, value in options.items() if value is not None})
    if args.attendee:
        raw["attendees"] = [_attendee_option(item) for item in args.attendee]
    changes = docs.save_meeting_form(ws, args.year, raw, keep_draft=False).changes
    print(f"Đã ghi biên bản họp xét năm {args.year}." if changes.any() else "Không có gì thay đổi.")
    return 0


def _attendee_option(text: str) -> dict[str, str]:
    parts = [part.strip() for part in text.split("|")]
    if len(parts) > 4:
        raise InputError(f"--attendee “{text}” có quá 4 phần; dạng đúng: TÊN|CHỨC VỤ|CƠ QUAN|VAI TRÒ.")
    return dict(zip(("name", "title", "organisation", "role"), parts, strict=False))


def cmd_meeting_show(ws: Workspace, args: argparse.Namespace) -> int:
    meeting = doc_texts.review_meeting(ws, args.year)
    draft = doc_texts.meeting_draft(ws, args.year)
    if draft is not None:
        print(f"Lưu ý: biên bản đang nhập dở trong ứng dụng, chưa thành biên bản: {draft.problem}", file=sys.stderr)
    if args.json:
        print_json(meeting.to_json() if meeting else None)
        return 0
    if meeting is None:
        print(f"Chưa ghi biên bản họp xét năm {args.year} (ghi bằng 'cdht meeting set --year {args.year} …').")
        return 0
    rows = [("Ngày họp", format_date_short(meeting.meeting_date)),
            ("Thời gian", " – ".join(t for t in (meeting.start_time, meeting.end_time) if t)),
            ("Địa điểm", meeting.place),
            ("Chủ trì", ", ".join(p for p in (meeting.chair_name, meeting.chair_title) if p)),
            ("Thư ký", ", ".join(p for p in (meeting.secretary_name, meeting.secretary_title) if p))]
    for label, value in rows:
        print(f"{label}: {value or '(chưa ghi)'}")
    print(f"Thành phần ({len(meeting.attendees)} người):")
    for person in meeting.attendees:
        state = "" if person.present else f" — vắng mặt: {person.absence_reason or '(chưa ghi lý do)'}"
        print(f"  - {person.described} [{mt.ROLES.get(person.role, person.role)}]{state}")
    print(f"Nội dung: {meeting.content or '(chưa ghi)'}")
    print(f"Kết luận: {meeting.conclusions or '(chưa ghi)'}")
    print(f"Mức độ thống nhất đề nghị: {meeting.level_agreed or '(chưa ghi)'}")
    problems = mt.composition_problems(meeting, doc_texts.organisations(ws))
    for problem in problems:
        print(f"Lưu ý: {problem}")
    return 0


def cmd_narrative_set(ws: Workspace, args: argparse.Namespace) -> int:
    updates = _load_json(args.json) if args.json is not None else {}
    for pair in args.pairs:
        if "=" not in pair:
            raise InputError(f"\"{pair}\" phải có dạng KEY=GIÁ_TRỊ.")
        key, value = pair.split("=", 1)
        updates[key.strip()] = value
    changes = docs.set_document_texts(ws, args.year, updates)
    print("Đã ghi." if changes.any() else "Không có gì thay đổi.")
    return 0


def cmd_narrative_show(ws: Workspace, args: argparse.Namespace) -> int:
    texts = doc_texts.document_texts(ws, args.year)
    if args.json:
        print_json(texts)
        return 0
    for key, label in doc_texts.TEXT_KEYS.items():
        value = texts.get(key, "")
        if key in doc_texts.DATE_KEYS and value:
            value = format_date_short(cast(dt.date, doc_texts.stored_date(texts, key)))  # value is not empty
        print(f"{label} ({key}):")
        print("\n".join(f"    {line}" for line in value.splitlines()) if value else "    (chưa ghi)")
    return 0


def cmd_recipients_set(ws: Workspace, args: argparse.Namespace) -> int:
    if args.clear == bool(args.lines):
        raise InputError("Hãy ghi các nơi nhận, hoặc dùng --clear để trở về danh sách thường dùng (không dùng cả hai).")
    if not args.clear and not any(line.strip() for line in args.lines):
        raise InputError("Các nơi nhận đều để trống; hãy ghi ít nhất một nơi nhận, hoặc dùng --clear.")
    changes = docs.set_recipients(ws, args.year, [] if args.clear else list(args.lines))
    print("Đã ghi nơi nhận." if changes.any() else "Không có gì thay đổi.")
    return 0


def cmd_recipients_show(ws: Workspace, args: argparse.Namespace) -> int:
    custom = doc_texts.recipients(ws, args.year)
    print("Nơi nhận:" + ("" if custom else " (danh sách thường dùng)"))
    for line in recipient_lines(custom or default_recipients(ws.profile())):
        print(f"- {line}")
    return 0
