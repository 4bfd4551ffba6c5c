"""`cdht mail`: the SMTP settings of the outbox (the CLI twin of the app's "Gửi thư điện tử" settings).

    cdht mail set --host smtp.example.vn --port 587 --security starttls --username van.thu --sender ubnd@…
    cdht mail set --remember-password --password-env SMTP_PASSWORD   # into the OS keyring, never on disk
    cdht mail show
    cdht mail test [--to ADDR]

The password is read from an environment variable (--password-env) or typed at a prompt, like the signing
PIN; it is only ever kept in the OS keyring (when there is one), never in the database or a file.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict, replace

from app.cli import EXIT_OK, print_json, with_workspace
from app.cli.cmd_dossier import _mail_password, _secret
from app.errors import InputError
from app.storage.workspace import Workspace


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from app.dossier.outbox import SECURITY

    p = subparsers.add_parser("mail", help="cài đặt máy chủ thư đi (SMTP) cho hộp thư đi", allow_abbrev=False)
    commands = p.add_subparsers(dest="mail_command", metavar="set|show|test", required=True)

    set_ = commands.add_parser("set", help="đổi cài đặt máy chủ thư (chỉ những mục được ghi)", allow_abbrev=False)
    set_.add_argument("--host", metavar="MÁY-CHỦ")
    set_.add_argument("--port", type=int, metavar="CỔNG")
    set_.add_argument("--security", choices=tuple(SECURITY), help="starttls, ssl hoặc none")
    set_.add_argument("--username", metavar="TÊN", help="tên đăng nhập ('' để bỏ)")
    set_.add_argument("--sender", metavar="ĐỊA-CHỈ", help="địa chỉ người gửi")
    set_.add_argument("--max-mb", type=int, metavar="MB", help="giới hạn dung lượng mỗi thư (MB)")
    set_.add_argument("--remember-password", action="store_true",
                      help="lưu mật khẩu vào két mật khẩu của hệ điều hành (lấy từ --password-env hoặc hỏi)")
    set_.add_argument("--password-env", metavar="VAR", help="biến môi trường chứa mật khẩu thư điện tử")
    set_.set_defaults(func=with_workspace(cmd_set))

    show = commands.add_parser("show", help="xem cài đặt máy chủ thư (không bao giờ in mật khẩu)")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=with_workspace(cmd_show, write=False))

    test = commands.add_parser("test", help="thử kết nối và đăng nhập máy chủ thư; --to để gửi một thư thử",
                               allow_abbrev=False)
    test.add_argument("--to", metavar="ĐỊA-CHỈ", help="gửi một thư thử tới địa chỉ này")
    test.add_argument("--password-env", metavar="VAR", help="biến môi trường chứa mật khẩu thư điện tử")
    test.set_defaults(func=with_workspace(cmd_test, write=False))


def cmd_set(ws: Workspace, args: argparse.Namespace) -> int:
    from app.dossier.outbox import mail_settings, remember_password, save_mail_settings

    if args.password_env is not None and not args.remember_password:
        raise InputError("--password-env chỉ dùng cùng --remember-password (mật khẩu chỉ được lưu khi được yêu cầu).")
    old = mail_settings(ws)
    changes = {key: value for key, value in (("host", args.host), ("port", args.port), ("security", args.security),
                                             ("username", args.username), ("sender", args.sender)) if value is not None}
    if args.max_mb is not None:
        changes["max_attachment_bytes"] = args.max_mb * 1_000_000
    settings = replace(old, **changes)
    save_mail_settings(ws, settings)
    print("Đã lưu cài đặt máy chủ thư." if changes else "Không có cài đặt nào thay đổi.")
    if args.remember_password:
        if not settings.username:
            raise InputError("Chưa có tên đăng nhập nên không có mật khẩu để lưu.")
        password = _secret(args.password_env, f"Mật khẩu thư điện tử của {settings.username}")
        if remember_password(settings, password):
            print("Đã lưu mật khẩu vào két mật khẩu của hệ điều hành (không ghi vào tệp nào).")
        else:
            print("Máy này không có két mật khẩu; mật khẩu sẽ được hỏi (hoặc lấy từ --password-env) mỗi lần gửi.")
    return EXIT_OK


def cmd_show(ws: Workspace, args: argparse.Namespace) -> int:
    from app.dossier.outbox import SECURITY, mail_settings, stored_password

    settings = mail_settings(ws)
    remembered = bool(settings.username) and stored_password(settings) is not None
    if args.json:
        print_json({**asdict(settings), "password_remembered": remembered})
        return EXIT_OK
    if not settings.host:
        print("Chưa cài đặt máy chủ thư. Dùng: cdht mail set --host … --port … --security … --sender …")
        return EXIT_OK
    print(f"Máy chủ: {settings.host}:{settings.port} ({SECURITY[settings.security]})")
    print(f"Tên đăng nhập: {settings.username or '(không đăng nhập)'}")
    print(f"Người gửi: {settings.sender or settings.username or '(chưa đặt)'}")
    print(f"Giới hạn mỗi thư: {settings.max_attachment_bytes // 1_000_000} MB")
    if settings.username:
        print("Mật khẩu: " + ("đã lưu trong két mật khẩu của hệ điều hành" if remembered
                              else "không lưu; được hỏi (hoặc lấy từ --password-env) khi gửi"))
    return EXIT_OK


def cmd_test(ws: Workspace, args: argparse.Namespace) -> int:
    from app.dossier.outbox import check_connection, mail_settings

    settings = mail_settings(ws)
    if not settings.host:
        raise InputError("Chưa cài đặt máy chủ thư (SMTP). Dùng 'cdht mail set' trước.")
    print(check_connection(settings, _mail_password(args, settings), args.to))
    return EXIT_OK
