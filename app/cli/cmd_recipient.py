"""`cdht --db REGISTER recipient …`: the receiving side (Sở/Phòng GDĐT) on the command line.

    recipient init --agency "Sở Giáo dục và Đào tạo" --province "Hà Nội" [--trust CA.pem]
    recipient communes import|add|export …, recipient trust add CA.pem
    recipient intake PATH… [--received-on 27/02/2026] | intake --imap HOST --imap-user U --password-env VAR
    recipient list [--year Y] [--status S] [--search TEXT] [--late] [--pending] [--json]
    recipient show XÃ [--year Y] [--json];  recipient confirm-signer XÃ --year Y --fingerprint HEX
    recipient council set --year Y --mode meeting|written --member "Tên|vai trò|chức vụ" … ; council show
    recipient appraise XÃ --year Y [--agree] [--indicator 5.1 --level 1 --result dat|khong_dat --note …] [--conclude]
    recipient decide --year Y --number 123 --date 25/03/2026 [--reply-from 45]
    recipient documents --year Y [--out DIR];  recipient results --year Y --out DIR --p12 FILE --p12-password-env VAR

The register is its own database (never a commune's); a writing command holds its folder's single-writer lock.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli import EXIT_FAILURE, EXIT_OK, print_json
from app.errors import InputError
from app.fileio import check_output_path
from app.text import clean_text

if TYPE_CHECKING:
    from app.recipient.communes import RegisteredCommune
    from app.recipient.register import RegisterRow
    from app.recipient.workspace import RecipientWorkspace

RESULTS = {"dat": "met", "đạt": "met", "met": "met", "khong_dat": "not_met", "không_đạt": "not_met",
           "not_met": "not_met"}


def default_register_path() -> Path:
    from app.paths import default_data_dir
    from app.recipient.workspace import DATABASE_NAME

    return default_data_dir() / "tiep-nhan" / DATABASE_NAME


def with_register(handler: Callable[[Any, argparse.Namespace], int | None], write: bool = True,
                  creating: bool = False) -> Callable[[argparse.Namespace], int]:
    """Run `handler` on the register; `creating` (recipient init): a register this run creates and then refuses
    is removed again, with the folder made for it."""
    def run(args: argparse.Namespace) -> int:
        import contextlib

        from app.cli import removed_on_failure
        from app.recipient.workspace import RecipientWorkspace
        from app.storage.lock import single_writer

        path = Path(args.db) if args.db else default_register_path()
        if not write and not path.exists():
            raise InputError(f"Chưa có sổ tiếp nhận '{path}'. Hãy chạy 'cdht --db {path} recipient init …'.")
        with removed_on_failure(path) if creating else contextlib.nullcontext(), \
                single_writer(path.parent) if write else contextlib.nullcontext():
            rws = RecipientWorkspace.open(path, user=args.user)
            try:
                return handler(rws, args) or EXIT_OK
            finally:
                rws.close()

    return run


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    root = subparsers.add_parser("recipient", help="cơ quan tiếp nhận: nhận, kiểm tra, thẩm định hồ sơ các xã",
                                 allow_abbrev=False)
    sub = root.add_subparsers(dest="recipient_command", metavar="LỆNH", required=True)

    p = sub.add_parser("init", help="khai báo cơ quan tiếp nhận cho một sổ mới")
    p.add_argument("--agency", required=True, help="tên cơ quan, ví dụ \"Sở Giáo dục và Đào tạo\"")
    p.add_argument("--province", required=True, help="tỉnh, thành phố (không cần chữ \"tỉnh\")")
    p.add_argument("--parent", default="", help="cơ quan chủ quản (mặc định: Ủy ban nhân dân tỉnh/thành phố …)")
    p.add_argument("--head-title", default="", help="chức vụ người ký quyết định (mặc định: Giám đốc)")
    p.add_argument("--head-name", default="", help="họ tên người ký quyết định")
    p.add_argument("--place", default="", help="địa danh ghi trên văn bản (mặc định: tên tỉnh)")
    p.add_argument("--trust", action="append", metavar="CA.pem", help="chứng thư CA tin cậy (có thể lặp lại)")
    p.set_defaults(func=with_register(cmd_init, creating=True))

    p = sub.add_parser("communes", help="danh sách xã của tỉnh và chứng thư số của từng xã")
    csub = p.add_subparsers(dest="communes_command", metavar="import|add|export", required=True)
    q = csub.add_parser("import", help="nhập danh sách xã từ tệp .csv, .xlsx hoặc .json (cả tệp hoặc không gì)")
    q.add_argument("file")
    q.set_defaults(func=with_register(cmd_communes_import))
    q = csub.add_parser("add", help="thêm một xã (hoặc bổ sung địa chỉ, chứng thư)")
    q.add_argument("name")
    q.add_argument("--province", help="mặc định: tỉnh của cơ quan")
    q.add_argument("--contact", help="địa chỉ thư điện tử")
    q.add_argument("--fingerprint", action="append", default=[], help="mã SHA-256 của chứng thư ký của xã")
    q.add_argument("--cert", action="append", default=[], help="tệp chứng thư ký của xã (.pem/.cer)")
    q.set_defaults(func=with_register(cmd_communes_add))
    q = csub.add_parser("export", help="xuất danh sách xã và chứng thư (JSON cdht-registry/1)")
    q.add_argument("file")
    q.set_defaults(func=with_register(cmd_communes_export, write=False))

    p = sub.add_parser("trust", help="chứng thư CA tin cậy để kiểm tra chữ ký của các xã")
    tsub = p.add_subparsers(dest="trust_command", metavar="add|list", required=True)
    q = tsub.add_parser("add", help="tin cậy các chứng thư CA trong một tệp PEM/DER")
    q.add_argument("file")
    q.set_defaults(func=with_register(cmd_trust_add))
    q = tsub.add_parser("list", help="liệt kê chứng thư CA tin cậy")
    q.set_defaults(func=with_register(cmd_trust_list, write=False))

    p = sub.add_parser("intake", help="nhận hồ sơ từ thư mục/USB, tệp thư .eml/.mbox, hoặc hộp thư IMAP",
                       allow_abbrev=False)
    p.add_argument("paths", nargs="*", metavar="PATH", help="thư mục (duyệt cả thư mục con) hoặc tệp")
    p.add_argument("--received-on", metavar="DD/MM/YYYY", help="ngày nhận thực tế (ví dụ ngày bàn giao USB)")
    p.add_argument("--imap", metavar="HOST", help="máy chủ thư IMAP")
    p.add_argument("--port", type=int, help="cổng IMAP (mặc định 993 với ssl, 143 với starttls/none)")
    p.add_argument("--imap-user", metavar="USER", help="tên đăng nhập hộp thư")
    p.add_argument("--security", choices=("ssl", "starttls", "none"), default="ssl")
    p.add_argument("--mailbox", default="INBOX")
    p.add_argument("--password-env", metavar="VAR", help="biến môi trường chứa mật khẩu hộp thư")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=with_register(cmd_intake))

    p = sub.add_parser("list", help="sổ tiếp nhận: mỗi xã một dòng với tình trạng hồ sơ")
    p.add_argument("--year", type=int)
    p.add_argument("--status", help="lọc theo tình trạng (not_received, received, unconfirmed, invalid, "
                                    "in_appraisal, appraised, decided)")
    p.add_argument("--search", help="tìm theo tên xã (gõ không dấu được)")
    p.add_argument("--late", action="store_true", help="chỉ hồ sơ nộp sau hạn")
    p.add_argument("--pending", action="store_true", help="các bộ phần thư đang chờ đủ phần")
    p.add_argument("--unknown", action="store_true", help="gói của xã không có trong danh sách")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=with_register(cmd_list, write=False))

    p = sub.add_parser("show", help="hồ sơ của một xã: các phiên bản gói, kết quả kiểm tra, thẩm định")
    p.add_argument("commune")
    p.add_argument("--year", type=int)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=with_register(cmd_show, write=False))

    p = sub.add_parser("confirm-signer", help="xác nhận người ký gói là của xã (phải nhập đúng mã chứng thư)")
    p.add_argument("commune")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--fingerprint", required=True, help="mã SHA-256 của chứng thư, đã đối chiếu với xã")
    p.set_defaults(func=with_register(cmd_confirm_signer))

    p = sub.add_parser("council", help="Hội đồng đánh giá của một năm")
    csub = p.add_subparsers(dest="council_command", metavar="set|show", required=True)
    q = csub.add_parser("set", help="thành lập (hoặc thay) Hội đồng: số lẻ, tối thiểu 05 thành viên")
    q.add_argument("--year", type=int, required=True)
    q.add_argument("--mode", choices=("meeting", "written"), required=True,
                   help="meeting: họp Hội đồng; written: lấy ý kiến bằng văn bản")
    q.add_argument("--member", action="append", required=True, metavar="\"Tên|vai trò|chức vụ\"",
                   help="vai trò: chủ tịch, phó chủ tịch, thư ký, ủy viên")
    q.add_argument("--basis", default="", help="căn cứ thành lập, ví dụ \"Quyết định số 45/QĐ-SGDĐT ngày …\"")
    q.add_argument("--date", default="", help="ngày họp hoặc hạn lấy ý kiến (dd/mm/yyyy)")
    q.set_defaults(func=with_register(cmd_council_set))
    q = csub.add_parser("show", help="xem Hội đồng")
    q.add_argument("--year", type=int, required=True)
    q.set_defaults(func=with_register(cmd_council_show, write=False))

    p = sub.add_parser("appraise", help="ghi kết quả thẩm định của Hội đồng cho hồ sơ một xã", allow_abbrev=False)
    p.add_argument("commune")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--agree", action="store_true", help="đồng ý với kết quả tự đánh giá ở các chỉ tiêu chưa ghi")
    p.add_argument("--indicator", help="mã chỉ tiêu, ví dụ 5.1")
    p.add_argument("--level", type=int, choices=(1, 2), help="mức độ (mặc định: mức xã đề nghị)")
    p.add_argument("--result", choices=sorted(RESULTS), help="dat hoặc khong_dat")
    p.add_argument("--note", default="", help="ghi chú; bắt buộc khi khác kết quả tự đánh giá")
    p.add_argument("--conclude", action="store_true", help="kết luận thẩm định (đủ mọi chỉ tiêu)")
    p.add_argument("--reopen", metavar="LÝ_DO", help="mở lại kết quả đã kết luận")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=with_register(cmd_appraise))

    p = sub.add_parser("decide", help="ghi Quyết định công nhận đã ban hành (số, ngày) và kết quả từng xã")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--number", required=True, help="số quyết định, ví dụ 123 hoặc 123/QĐ-SGDĐT")
    p.add_argument("--date", required=True, help="ngày quyết định (dd/mm/yyyy)")
    p.add_argument("--reply-from", type=int, help="số bắt đầu của các công văn trả lời")
    p.add_argument("--reply-date", help="ngày các công văn trả lời (mặc định: ngày quyết định)")
    p.add_argument("--include-pending", action="store_true", help="ghi dù còn hồ sơ chưa thẩm định xong")
    p.set_defaults(func=with_register(cmd_decide))

    p = sub.add_parser("documents", help="lập văn bản của đợt: báo cáo thẩm định, tờ trình, quyết định, công văn, "
                                         "tổng hợp")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--out", metavar="DIR", help="thư mục ghi (mặc định: van-ban/NĂM cạnh sổ)")
    p.set_defaults(func=with_register(cmd_documents))

    p = sub.add_parser("results", help="lập gói kết quả đã ký gửi từng xã", allow_abbrev=False)
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--p12", metavar="FILE", help="tệp chứng thư số của cơ quan (.p12/.pfx)")
    p.add_argument("--p12-password-env", metavar="VAR")
    p.add_argument("--pkcs11-lib", metavar="LIB")
    p.add_argument("--key-id", metavar="HEX")
    p.add_argument("--pin-env", metavar="VAR")
    p.set_defaults(func=with_register(cmd_results))


# ---------------------------------------------------------------------- handlers

def cmd_init(rws: RecipientWorkspace, args: argparse.Namespace) -> int:
    from app.recipient.trust import add_trust_anchors
    from app.recipient.workspace import Agency

    agency = rws.save_agency(Agency(args.agency, args.province, args.parent, args.head_title, args.head_name,
                                    args.place))
    print(f"Sổ tiếp nhận của {agency.name} ({agency.parent_body}); người ký quyết định: {agency.head_title}"
          f"{' ' + agency.head_name if agency.head_name else ''}; địa danh: {agency.place}.")
    for path in args.trust or []:
        for anchor in add_trust_anchors(rws, Path(path)):
            print(f"Tin cậy CA: {anchor.subject} (SHA-256 {anchor.fingerprint})")
    return EXIT_OK


def cmd_communes_import(rws: RecipientWorkspace, args: argparse.Namespace) -> int:
    from app.recipient.communes import import_communes

    print(import_communes(rws, Path(args.file)).message())
    return EXIT_OK


def cmd_communes_add(rws: RecipientWorkspace, args: argparse.Namespace) -> int:
    from app.recipient.communes import add_commune

    province = args.province if args.province is not None else rws.agency().province
    commune = add_commune(rws, args.name, province, args.contact, args.fingerprint,
                          [Path(c) for c in args.cert])
    print(f"Xã {commune.name} ({commune.province}): {len(commune.fingerprints)} chứng thư"
          f"{', ' + commune.contact if commune.contact else ''}.")
    return EXIT_OK


def cmd_communes_export(rws: RecipientWorkspace, args: argparse.Namespace) -> int:
    from app.recipient.communes import export_registry

    path = export_registry(rws, Path(args.file))
    print(f"Đã ghi danh sách xã vào {path}.")
    return EXIT_OK


def cmd_trust_add(rws: RecipientWorkspace, args: argparse.Namespace) -> int:
    from app.recipient.trust import add_trust_anchors

    added = add_trust_anchors(rws, Path(args.file))
    for anchor in added:
        print(f"Tin cậy CA: {anchor.subject} (SHA-256 {anchor.fingerprint})")
    if not added:
        print("Các chứng thư trong tệp đã được tin cậy từ trước.")
    return EXIT_OK


def cmd_trust_list(rws: RecipientWorkspace, args: argparse.Namespace) -> int:
    from app.dossier.trust import bundled_anchors
    from app.recipient.trust import trust_anchors

    anchors = trust_anchors(rws)
    print(f"Tin cậy {len(bundled_anchors())} chứng thư gốc quốc gia đi kèm ứng dụng"
          + (f" và {len(anchors)} chứng thư CA do cơ quan thêm:" if anchors else
             "; chưa thêm chứng thư CA nào (recipient trust add CA.pem)."))
    for anchor in anchors:
        print(f"{anchor.fingerprint}  {anchor.subject}")
    return EXIT_OK


def _secret(variable: str | None, prompt: str) -> str:
    from app.cli.cmd_dossier import _secret as secret

    return secret(variable, prompt)


def cmd_intake(rws: RecipientWorkspace, args: argparse.Namespace) -> int:
    from app.recipient.intake import intake_paths, received_on
    from app.text import parse_date

    _check_intake_options(args)
    moment = None
    if args.received_on is not None:
        try:
            moment = received_on(parse_date(args.received_on))
        except ValueError:
            raise InputError(f"Ngày nhận '{args.received_on}' không hợp lệ (dd/mm/yyyy).") from None
    items = []
    if args.paths:
        items += intake_paths(rws, [Path(p) for p in args.paths], moment).items
    if args.imap is not None:
        from app.recipient.mail import ImapAccount, intake_imap

        port = args.port or (993 if args.security == "ssl" else 143)
        account = ImapAccount(args.imap, args.imap_user, port, args.security, args.mailbox)
        items += intake_imap(rws, account, _secret(args.password_env, f"Mật khẩu hộp thư {args.imap_user}")).items
    from app.recipient.intake import OUTCOME_LABELS, IntakeReport

    report = IntakeReport(items)
    if args.json:
        print_json({"summary": report.summary(), "items": [item.__dict__ for item in report.items]})
    else:
        for item in report.items:
            print(f"[{OUTCOME_LABELS[item.outcome]}] {item.message}")
        print(report.summary())
    return EXIT_OK


def _check_intake_options(args: argparse.Namespace) -> None:
    """Refuse, before anything is received, an empty path or option and IMAP options without --imap."""
    from app.text import clean_text

    if not args.paths and args.imap is None:
        raise InputError("Hãy chỉ thư mục, tệp hoặc --imap HOST để nhận hồ sơ.")
    if any(not str(p).strip() for p in args.paths):
        raise InputError("Có một đường dẫn để trống; hãy chỉ thư mục hoặc tệp cần nhận.")
    imap_only = {"--imap-user": args.imap_user, "--port": args.port, "--password-env": args.password_env,
                 "--mailbox": args.mailbox if args.mailbox != "INBOX" else None}
    if args.imap is None:
        given = [name for name, value in imap_only.items() if value is not None]
        if given:
            raise InputError(f"{', '.join(given)} chỉ dùng khi nhận qua IMAP (--imap HOST).")
        return
    host = clean_text(args.imap, "Máy chủ IMAP (--imap)", required=True, single_line=True, max_length=253)
    if any(ch.isspace() for ch in host):
        raise InputError(f"Tên máy chủ IMAP '{host}' không được có dấu cách.")
    if not args.imap_user:
        raise InputError("Cần --imap-user (tên đăng nhập hộp thư) khi nhận qua IMAP.")
    clean_text(args.imap_user, "Tên đăng nhập hộp thư (--imap-user)", required=True, single_line=True, max_length=254)
    clean_text(args.mailbox, "Hộp thư (--mailbox)", required=True, single_line=True, max_length=200)
    if args.port is not None and not 0 < args.port < 65536:
        raise InputError(f"Cổng IMAP {args.port} không hợp lệ (1–65535).")


def _row_json(row: RegisterRow) -> dict[str, Any]:
    return {"commune": row.commune, "province": row.province, "year": row.year, "status": row.status,
            "status_label": row.status_label, "package_id": row.package_id, "version": row.version,
            "versions": row.versions, "level_requested": row.level_requested, "level_self": row.level_self,
            "level_verified": row.level_verified, "late": row.late, "received_at": row.received_at}


def cmd_list(rws: RecipientWorkspace, args: argparse.Namespace) -> int:
    from app.recipient import register as reg
    from app.recipient.mail import pending_sets
    from app.text import format_local_time

    if args.pending:
        items = pending_sets(rws)
        for item in items:
            print(item.message)
        if not items:
            print("Không có bộ phần thư nào đang chờ.")
        return EXIT_OK
    if args.unknown:
        for package in reg.packages(rws, unknown_only=True):
            print(f"#{package.id} xã {package.commune or '?'} ({package.province or '?'}), năm {package.year}: "
                  f"{package.summary}")
        return EXIT_OK
    if args.status is not None and args.status not in reg.STATUS_LABELS:
        raise InputError(f"Tình trạng '{args.status}' không có; chỉ có: {', '.join(reg.STATUS_LABELS)}.")
    search = clean_text(args.search, "Từ khóa tìm (--search)", single_line=True)
    rows = [r for r in reg.register_rows(rws, args.year) if (not args.status or r.status == args.status)
            and (not args.late or r.late) and reg.matches(r, search)]
    if args.json:
        print_json([_row_json(r) for r in rows])
        return EXIT_OK
    for row in rows:
        verified = (f", Hội đồng: mức {row.level_verified}" if row.level_verified else ", Hội đồng: không đạt"
                    ) if row.level_verified is not None else ""
        levels = (f"đề nghị mức {row.level_requested}" if row.level_requested else "") + verified
        when = f", nhận {format_local_time(row.received_at)}" if row.received_at else ""
        late = " — NỘP SAU HẠN" if row.late else ""
        versions = f", {row.versions} phiên bản" if row.versions > 1 else ""
        print(f"{row.year}  {row.commune:<24} {row.status_label:<24} {levels}{when}{versions}{late}")
    counts = reg.status_counts(rows)
    by_status = ", ".join(f"{reg.STATUS_LABELS[s]} {n}" for s, n in counts.items() if n)
    print(f"Tổng: {by_status} ({len(rows)} dòng)." if rows else "Không có dòng nào khớp.")
    return EXIT_OK


def _commune_year(rws: RecipientWorkspace, args: argparse.Namespace) -> tuple[RegisteredCommune, int]:
    from app.recipient import register as reg
    from app.recipient.communes import resolve_commune

    commune = resolve_commune(rws, args.commune)
    received = [p.year for p in reg.packages(rws, commune.id) if p.year]
    year = args.year or (max(received) if received else max(reg.years(rws)))
    return commune, year


def cmd_show(rws: RecipientWorkspace, args: argparse.Namespace) -> int:
    from app.recipient import register as reg
    from app.recipient.verification import VERDICT_LABELS, report_lines
    from app.text import format_local_time, format_size

    commune, year = _commune_year(rws, args)
    packages = reg.packages(rws, commune.id, year)
    current = reg.current_package_id(rws, commune.id, year)
    if args.json:
        print_json({"commune": commune.name, "province": commune.province, "year": year, "current_package": current,
                    "packages": [{**p.__dict__, "report": reg.package_record(rws, p.id)["report"],
                                  "receipts": reg.receipts(rws, p.id)} for p in packages]})
        return EXIT_OK
    print(f"Xã {commune.name} ({commune.province}), năm {year}: {len(packages)} gói"
          f"{', liên hệ ' + commune.contact if commune.contact else ''}.")
    for package in packages:
        mark = "▶ hiện hành" if package.id == current else ("thay thế bởi bản mới" if package.verdict == "valid"
                                                              else "lưu hồ sơ")
        print(f"\nGói #{package.id} — phiên bản {package.version}, {format_size(package.size)}, nhận "
              f"{format_local_time(package.received_at)} ({package.source_kind}: {package.source_ref})"
              f"{' — NỘP SAU HẠN' if package.late else ''} [{mark}]")
        print(f"  {VERDICT_LABELS[package.verdict]}: {package.summary}")
        print(f"  SHA-256: {package.sha256}; người ký: {package.signer or '?'} ({package.signer_fingerprint or '—'})")
        for line in report_lines(reg.package_record(rws, package.id)["report"]):
            print(f"    {line}")
        duplicates = [r for r in reg.receipts(rws, package.id) if r["duplicate"]]
        if duplicates:
            print(f"  Nhận trùng {len(duplicates)} lần nữa (không lưu lại).")
    if current is not None:
        _print_appraisal(rws, current)
    return EXIT_OK


def _print_appraisal(rws: RecipientWorkspace, package_id: int) -> None:
    from app.domain.rules import STATUS_LABELS
    from app.recipient.appraisal import appraisal

    try:
        state = appraisal(rws, package_id)
    except InputError:
        return
    print(f"\nThẩm định (xã đề nghị mức độ {state.level_requested}, tự đánh giá mức độ {state.level_self}):")
    for item in state.indicators:
        council = "; ".join(f"mức {lv}: {STATUS_LABELS[v.status]}{' — ' + v.note if v.note else ''}"
                            for lv, v in sorted(item.council.items())) or "chưa đánh giá"
        own = ", ".join(f"mức {lv}: {STATUS_LABELS[s]}" for lv, s in sorted(item.self_verdicts.items()))
        print(f"  {item.indicator_id:<4} {item.figure[:40]:<40} xã: {own} | Hội đồng: {council}")
    state_text = (f"đã kết luận: mức độ {state.concluded_level}" if state.concluded
                  else f"theo các kết quả đã ghi: mức độ {state.verified_level}")
    print(f"  Kết quả ({state_text}).")


def cmd_confirm_signer(rws: RecipientWorkspace, args: argparse.Namespace) -> int:
    from app.recipient import register as reg
    from app.recipient.intake import confirm_signer
    from app.recipient.verification import EXIT_CODES

    commune, year = _commune_year(rws, args)
    candidates = [p for p in reg.packages(rws, commune.id, year) if p.verdict == "unbound"]
    candidates += [p for p in reg.packages(rws, year=year, unknown_only=True)
                   if p.commune.casefold() == commune.name.casefold()]
    if not candidates:
        raise InputError(f"Xã {commune.name} không có gói năm {year} nào đang chờ xác nhận người ký.")
    verdict = confirm_signer(rws, candidates[0].id, args.fingerprint)
    print(verdict.summary)
    return EXIT_OK if EXIT_CODES[verdict.status] == 0 else EXIT_FAILURE


def cmd_council_set(rws: RecipientWorkspace, args: argparse.Namespace) -> int:
    from app.recipient.appraisal import describe_sitting, parse_member, set_council

    council = set_council(rws, args.year, args.mode, [parse_member(m) for m in args.member], args.basis, args.date)
    print(f"Hội đồng đánh giá năm {args.year}: {len(council.members)} thành viên, {describe_sitting(council)}.")
    return EXIT_OK


def cmd_council_show(rws: RecipientWorkspace, args: argparse.Namespace) -> int:
    from app.recipient.appraisal import council_of, council_problems, describe_sitting

    council = council_of(rws, args.year)
    if council is None:
        print(f"Chưa thành lập Hội đồng đánh giá năm {args.year}.")
        return EXIT_FAILURE
    print(f"Hội đồng đánh giá năm {args.year} ({describe_sitting(council)}){': ' + council.basis if council.basis else ''}")
    for member in council.members:
        print(f"  {member.role_label:<22} {member.name}{', ' + member.title if member.title else ''}")
    for problem in council_problems(council.members):
        print(f"  ✘ {problem}")
    return EXIT_OK


def cmd_appraise(rws: RecipientWorkspace, args: argparse.Namespace) -> int:
    from app.recipient import appraisal as ap
    from app.recipient.register import current_package_id

    commune, year = _commune_year(rws, args)
    package_id = current_package_id(rws, commune.id, year)
    if package_id is None:
        raise InputError(f"Chưa nhận được hồ sơ năm {year} của xã {commune.name}.")
    if args.reopen is not None:
        ap.reopen(rws, package_id, args.reopen)
        print(f"Đã mở lại kết quả thẩm định của xã {commune.name}; lý do đã ghi vào nhật ký.")
    if args.agree:
        count = ap.agree_with_self_assessment(rws, package_id, args.level)
        print(f"Đã ghi {count} chỉ tiêu theo kết quả tự đánh giá của xã {commune.name}.")
    if args.indicator or args.result:
        if not (args.indicator and args.result):
            raise InputError("Cần cả --indicator và --result để ghi kết quả một chỉ tiêu.")
        state = ap.appraisal(rws, package_id)
        level = args.level or state.level_requested
        ap.record_verdict(rws, package_id, args.indicator, level, RESULTS[args.result], args.note)
        print(f"Đã ghi chỉ tiêu {args.indicator}, mức độ {level}: {args.result}.")
    if args.conclude:
        state = ap.conclude(rws, package_id)
        print(f"Đã kết luận thẩm định xã {commune.name}: " + (f"đạt mức độ {state.concluded_level}."
                                                               if state.concluded_level else "chưa đủ điều kiện."))
    if args.json:
        state = ap.appraisal(rws, package_id)
        print_json({"package_id": package_id, "level_requested": state.level_requested,
                    "verified_level": state.verified_level, "concluded": state.concluded,
                    "indicators": {i.indicator_id: {f"level{lv}": {"status": v.status, "note": v.note,
                                                                   "recorded_by": v.recorded_by}
                                                    for lv, v in i.council.items()} for i in state.indicators}})
    elif not (args.reopen is not None or args.agree or args.indicator or args.conclude):
        _print_appraisal(rws, package_id)
    return EXIT_OK


def cmd_decide(rws: RecipientWorkspace, args: argparse.Namespace) -> int:
    from app.recipient.decisions import decide

    print(decide(rws, args.year, args.number, args.date, args.reply_from, args.reply_date,
                 args.include_pending).message())
    return EXIT_OK


def cmd_documents(rws: RecipientWorkspace, args: argparse.Namespace) -> int:
    from app.recipient.documents import write_round_documents

    out = check_output_path(args.out, "văn bản", folder=True) if args.out is not None else \
        rws.output_dir / str(args.year)
    written = write_round_documents(rws, args.year, out)
    print(f"Đã lập {len(written)} văn bản năm {args.year} trong {out}:")
    for name in written:
        print(f"  {name}")
    return EXIT_OK


def _check_key_options(args: argparse.Namespace) -> None:
    """One way of signing, and no option given empty."""
    options = {"--p12": args.p12, "--p12-password-env": args.p12_password_env, "--pkcs11-lib": args.pkcs11_lib,
               "--key-id": args.key_id, "--pin-env": args.pin_env}
    empty = [name for name, value in options.items() if value is not None and not value.strip()]
    if empty:
        raise InputError(f"Tùy chọn {empty[0]} không được để trống.")
    token = [name for name in ("--pkcs11-lib", "--key-id", "--pin-env") if options[name] is not None]
    p12 = [name for name in ("--p12", "--p12-password-env") if options[name] is not None]
    if token and p12:
        raise InputError(f"Chọn một cách ký: tệp chứng thư ({', '.join(p12)}) hoặc thiết bị ký số "
                         f"({', '.join(token)}), không cả hai.")


def cmd_results(rws: RecipientWorkspace, args: argparse.Namespace) -> int:
    from app.dossier.signing import Pkcs12Key, TokenKey
    from app.recipient.results import build_result_packages

    out = check_output_path(args.out, "gói kết quả", folder=True)
    _check_key_options(args)
    if args.pkcs11_lib:
        key: TokenKey | Pkcs12Key = TokenKey(Path(args.pkcs11_lib), _secret(args.pin_env, "Mã PIN thiết bị ký số"),
                                             key_id=args.key_id)
    elif args.p12:
        key = Pkcs12Key(Path(args.p12), _secret(args.p12_password_env, "Mật khẩu tệp chứng thư số"))
    else:
        raise InputError("Chưa chọn khóa ký của cơ quan: dùng --p12 FILE hoặc --pkcs11-lib LIB --key-id HEX.")
    written = build_result_packages(rws, args.year, out, key)
    for path in written:
        print(f"  {path}")
    print(f"Đã lập {len(written)} gói kết quả đã ký; gửi mỗi xã gói của xã đó.")
    return EXIT_OK
