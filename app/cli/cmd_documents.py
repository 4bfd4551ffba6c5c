"""`cdht documents …`: what issued documents carry before signing — numbers and dates, the commune's plan, the
căn cứ (with the suggestions to confirm) and the socio-political organisations the review meeting needs."""

from __future__ import annotations

import argparse

from app.changes import Changes
from app.cli import with_workspace
from app.documents import legal_base_lines
from app.documents import legal_bases as bases
from app.documents import texts as doc_texts
from app.documents.readiness import number_problems
from app.errors import InputError
from app.services import documents as docs
from app.storage.workspace import Workspace
from app.text import format_date_short


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("documents", help="số, ngày văn bản; kế hoạch của xã; căn cứ; tổ chức dự họp xét")
    sub = p.add_subparsers(dest="documents_command", metavar="number|plan|bases|organisations", required=True)

    number = sub.add_parser("number", help="số và ngày ký của Tờ trình, Báo cáo, Biên bản")
    numbers = number.add_subparsers(dest="number_command", metavar="set|show", required=True)
    st = numbers.add_parser("set", help="ghi số (và ngày): to_trinh=05 bao_cao=06 bien_ban=07 --date 05/02/2026")
    st.add_argument("--year", type=int, required=True)
    st.add_argument("pairs", nargs="*", metavar="VĂN_BẢN=SỐ",
                    help="to_trinh, bao_cao, bien_ban = số (05 hoặc 05/TTr-UBND); to_trinh.date, bao_cao.date = ngày")
    st.add_argument("--date", help="ngày ký chung của Tờ trình và Báo cáo (ngày/tháng/năm)")
    st.set_defaults(func=with_workspace(cmd_number_set))
    sh = numbers.add_parser("show", help="xem số, ngày và những gì còn thiếu trước khi ký")
    sh.add_argument("--year", type=int, required=True)
    sh.set_defaults(func=with_workspace(cmd_number_show, write=False))

    plan = sub.add_parser("plan", help="số, ngày, trích yếu Kế hoạch của xã (Phân công kèm theo; căn cứ)")
    plan.add_argument("--year", type=int, required=True)
    plan.add_argument("--number", help="số Kế hoạch, ví dụ 46 hoặc 46/KH-UBND")
    plan.add_argument("--date", help="ngày Kế hoạch (ngày/tháng/năm)")
    plan.add_argument("--summary", help="trích yếu, ví dụ \"Xây dựng “Cộng đồng học tập” năm 2025\"")
    plan.set_defaults(func=with_workspace(cmd_plan))

    base = sub.add_parser("bases", help="căn cứ in trên Tờ trình và Báo cáo (cài đặt của xã)")
    actions = base.add_subparsers(dest="bases_command", metavar="show|add|remove|confirm", required=True)
    sh = actions.add_parser("show", help="xem căn cứ sẽ in (đầy đủ số, ngày, trích yếu) và các gợi ý chưa xác nhận")
    sh.add_argument("--year", type=int, required=True)
    sh.set_defaults(func=with_workspace(cmd_bases_show, write=False))
    add = actions.add_parser("add", help="thêm một văn bản làm căn cứ (ghi đủ số, ngày, cơ quan, trích yếu)")
    add.add_argument("text", metavar="VĂN_BẢN")
    add.set_defaults(func=with_workspace(lambda ws, a: _report(docs.add_legal_basis(ws, a.text))))
    rm = actions.add_parser("remove", help="bỏ căn cứ thứ N (theo thứ tự của 'bases show')")
    rm.add_argument("position", type=int, metavar="N")
    rm.set_defaults(func=with_workspace(lambda ws, a: _report(docs.remove_legal_basis(ws, a.position))))
    cf = actions.add_parser("confirm", help="xác nhận một gợi ý (đã đối chiếu với văn bản gốc) để in")
    cf.add_argument("suggestion", metavar="MÃ_GỢI_Ý", choices=[s.id for s in bases.SUGGESTIONS])
    cf.set_defaults(func=with_workspace(lambda ws, a: _report(docs.confirm_legal_basis(ws, a.suggestion))))

    org = sub.add_parser("organisations", help="tổ chức chính trị - xã hội của xã (thành phần họp xét, Điều 9.1.c)")
    orgs = org.add_subparsers(dest="organisations_command", metavar="show|set", required=True)
    sh = orgs.add_parser("show", help="xem danh sách")
    sh.set_defaults(func=with_workspace(cmd_organisations_show, write=False))
    st = orgs.add_parser("set", help="ghi danh sách (mỗi tham số một tổ chức); --default: dùng lại năm tổ chức thường có")
    st.add_argument("names", nargs="*", metavar="TỔ_CHỨC")
    st.add_argument("--default", action="store_true")
    st.set_defaults(func=with_workspace(cmd_organisations_set))


def _report(changes: Changes) -> int:
    print("Đã lưu." if changes.any() else "Không có gì thay đổi.")
    return 0


def cmd_number_set(ws: Workspace, args: argparse.Namespace) -> int:
    updates: dict[str, str] = {}
    if args.date:
        updates.update({f"date.{key}": args.date for key in doc_texts.DATED_DOCUMENTS})
    for pair in args.pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep:
            raise InputError(f"“{pair}” phải có dạng VĂN_BẢN=SỐ, ví dụ to_trinh=05.")
        if key in doc_texts.NUMBERED_DOCUMENTS:
            updates[f"number.{key}"] = value
        elif key.endswith(".date") and key[:-5] in doc_texts.DATED_DOCUMENTS:
            updates[f"date.{key[:-5]}"] = value
        else:
            raise InputError(f"Không có văn bản “{key}”; dùng: {', '.join(doc_texts.NUMBERED_DOCUMENTS)}, "
                             f"{', '.join(k + '.date' for k in doc_texts.DATED_DOCUMENTS)}.")
    if not updates:
        raise InputError("Hãy ghi ít nhất một số hoặc ngày, ví dụ: to_trinh=05 --date 05/02/2026.")
    return _report(docs.set_document_texts(ws, args.year, updates))


def cmd_number_show(ws: Workspace, args: argparse.Namespace) -> int:
    texts = doc_texts.document_texts(ws, args.year)
    meeting = doc_texts.review_meeting(ws, args.year)
    for key, (name, code) in doc_texts.NUMBERED_DOCUMENTS.items():
        number = doc_texts.number_reference(texts[f"number.{key}"], code) or f"(chưa có)/{code}"
        if key == "bien_ban":
            day = meeting.meeting_date if meeting else None
        else:
            day = doc_texts.stored_date(texts, f"date.{key}")
        print(f"{name}: số {number}, ngày {format_date_short(day) if day else '(chưa có)'}")
    plan = doc_texts.number_reference(texts["plan.number"], doc_texts.PLAN_CODE) or "(chưa có)"
    plan_day = doc_texts.stored_date(texts, "plan.date")
    print(f"Kế hoạch của xã: số {plan}, ngày {format_date_short(plan_day) if plan_day else '(chưa có)'}"
          + (f", {texts['plan.summary']}" if texts["plan.summary"] else ""))
    problems = number_problems(ws, args.year, texts, meeting)
    if problems:
        print("Còn thiếu trước khi ký:")
        for problem in problems:
            print(f"  - {problem}")
    return 0


def cmd_plan(ws: Workspace, args: argparse.Namespace) -> int:
    updates = {key: value for key, value in (("plan.number", args.number), ("plan.date", args.date),
                                             ("plan.summary", args.summary)) if value is not None}
    if not updates:
        raise InputError("Hãy ghi --number, --date hoặc --summary của Kế hoạch.")
    return _report(docs.set_document_texts(ws, args.year, updates))


def cmd_bases_show(ws: Workspace, args: argparse.Namespace) -> int:
    print(f"Căn cứ in trên Tờ trình và Báo cáo năm {args.year}:")
    for line in legal_base_lines(ws, args.year):
        where = f"{line.position}." if line.position else "(riêng năm này)"
        print(f"  {where} Căn cứ {line.text}" + (f" — {line.not_printed}" if line.not_printed else ""))
    pending = bases.pending_suggestions(ws, args.year)
    if pending:
        print("Gợi ý chưa xác nhận (chưa in; đối chiếu với văn bản gốc rồi dùng 'cdht documents bases confirm MÃ'):")
        for suggestion in pending:
            print(f"  [{suggestion.id}] {suggestion.text}")
    return 0


def cmd_organisations_show(ws: Workspace, args: argparse.Namespace) -> int:
    for name in doc_texts.organisations(ws):
        print(name)
    return 0


def cmd_organisations_set(ws: Workspace, args: argparse.Namespace) -> int:
    if args.default == bool(args.names):
        raise InputError("Hãy ghi tên các tổ chức, hoặc dùng --default (không dùng cả hai).")
    return _report(docs.set_organisations(ws, [] if args.default else args.names))
