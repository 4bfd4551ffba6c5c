"""Dossier commands: finalize, unlock, export, send, outbox, verify, token.

`verify` exits 0 when the package is valid (intact, trusted, bound to its commune), 3 when it is intact and
signed but the signer is not trusted or not bound, and 1 when it is invalid.

PINs and passwords come only from environment variables (--pin-env, --p12-password-env, --password-env) or
an interactive prompt; they are never accepted on the command line and never printed.
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, cast

from app.cli import EXIT_FAILURE, EXIT_OK, print_json, with_workspace
from app.errors import InputError
from app.fileio import MAX_TRUST_BYTES, check_input_file, check_output_path
from app.storage.workspace import Workspace
from app.text import check_email, format_size

if TYPE_CHECKING:
    from app.dossier.outbox import FlushResult, MailSettings
    from app.dossier.records import PackageRecord
    from app.dossier.signing import SigningKey
    from app.dossier.verify import VerifyReport

#: Largest package `send --package` accepts (a dossier with many scanned documents stays well below).
MAX_PACKAGE_BYTES = 4 * 1024**3


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("finalize", help="chốt hồ sơ một năm (kiểm tra trước khi chốt)")
    p.add_argument("--year", type=int, required=True)
    p.set_defaults(func=with_workspace(cmd_finalize))

    p = subparsers.add_parser("unlock", help="mở khóa hồ sơ đã chốt (ghi lý do vào nhật ký)")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--reason", required=True, help="lý do mở khóa")
    p.set_defaults(func=with_workspace(cmd_unlock))

    # No abbreviations: "--pin 1234" must not be taken as "--pin-env 1234".
    p = subparsers.add_parser("export", help="lập, ký và xuất gói hồ sơ (BagIt .zip)", allow_abbrev=False)
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--out", required=True, metavar="FILE.zip")
    p.add_argument("--level", type=int, choices=(1, 2), help="mức độ đề nghị công nhận (mặc định: mức đạt được)")
    p.add_argument("--p12", metavar="FILE", help="tệp chứng thư số PKCS#12 (.p12/.pfx)")
    p.add_argument("--p12-password-env", metavar="VAR", help="biến môi trường chứa mật khẩu tệp .p12")
    p.add_argument("--pkcs11-lib", metavar="LIB", help="thư viện PKCS#11 của thiết bị ký số (.dll/.so)")
    p.add_argument("--key-id", metavar="HEX", help="mã khóa (CKA_ID, hệ 16) của chứng thư trên thiết bị")
    p.add_argument("--serial", metavar="HEX", help="hoặc số hiệu (serial, hệ 16) của chứng thư")
    p.add_argument("--pin-env", metavar="VAR", help="biến môi trường chứa mã PIN của thiết bị")
    p.add_argument("--external", action="store_true", help="dùng các văn bản đã ký ngoài và đã nhập vào ứng dụng")
    p.set_defaults(func=with_workspace(cmd_export))

    p = subparsers.add_parser("send", help="xếp gói hồ sơ vào hộp thư đi và gửi ngay nếu có mạng", allow_abbrev=False)
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--to", required=True, metavar="ADDR", help="địa chỉ thư của cơ quan nhận")
    p.add_argument("--package", metavar="FILE.zip", help="gói cần gửi (mặc định: gói xuất gần nhất của năm)")
    p.add_argument("--password-env", metavar="VAR", help="biến môi trường chứa mật khẩu thư điện tử")
    p.set_defaults(func=with_workspace(cmd_send))

    p = subparsers.add_parser("outbox", help="hộp thư đi: xem trạng thái; 'outbox send' gửi các thư chờ; "
                                             "'outbox retry' xếp lại thư gửi lỗi", allow_abbrev=False)
    p.add_argument("action", nargs="?", choices=("send", "retry"),
                   help="send: gửi các thư đến lượt; retry: xếp lại các thư gửi thất bại (từ đúng các phần đã xếp)")
    p.add_argument("--id", type=int, action="append", metavar="SỐ", help="với retry: chỉ xếp lại thư mang số này")
    p.add_argument("--json", action="store_true", help="in dạng JSON")
    p.add_argument("--password-env", metavar="VAR", help="biến môi trường chứa mật khẩu thư điện tử")
    p.set_defaults(func=with_workspace(cmd_outbox))

    codes = ("mã thoát 0 = hợp lệ (nguyên vẹn, người ký được tin và đúng là xã); 3 = nguyên vẹn nhưng người ký "
             "không được xác nhận là xã; 1 = không hợp lệ")
    p = subparsers.add_parser("verify", help=f"kiểm tra một gói hồ sơ (.zip, .parts.json hoặc phần .001); {codes}",
                              description=f"Kiểm tra gói hồ sơ theo chính sách chữ ký (docs/chinh-sach-chu-ky.md); "
                                          f"{codes}.")
    p.add_argument("package", metavar="FILE.zip")
    p.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
    p.add_argument("--trust", action="append", metavar="CA.pem",
                   help="thêm chứng thư CA tin cậy vào các chứng thư gốc quốc gia đi kèm (có thể lặp lại)")
    p.add_argument("--trust-only", action="append", metavar="CA.pem",
                   help="chỉ tin các chứng thư CA này, thay cho các chứng thư gốc đi kèm (có thể lặp lại)")
    p.add_argument("--registry", metavar="FILE.json",
                   help="sổ đăng ký xã của nơi nhận (mặc định: sổ trong thư mục dữ liệu, nếu có)")
    p.add_argument("--online", action="store_true",
                   help="kiểm tra thu hồi chứng thư qua mạng (CRL/OCSP); mặc định không dùng mạng")
    p.set_defaults(func=cmd_verify)

    p = subparsers.add_parser("token", help="thiết bị ký số (USB token)")
    tokens = p.add_subparsers(dest="token_command", metavar="list", required=True)
    lst = tokens.add_parser("list", help="liệt kê khe cắm, thiết bị và chứng thư số (không cần PIN)")
    lst.add_argument("--pkcs11-lib", required=True, metavar="LIB")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=cmd_token_list)


def _check_variable_name(variable: str) -> None:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,127}", variable):
        raise InputError("Tên biến môi trường không hợp lệ (chỉ gồm chữ, số, dấu _). Đừng ghi mật khẩu/PIN vào lệnh.")


def _secret(variable: str | None, prompt: str) -> str:
    """A secret from the named environment variable, else typed at a prompt (never echoed)."""
    if variable is not None:
        _check_variable_name(variable)
        value = os.environ.get(variable)
        if value is None:
            raise InputError(f"Biến môi trường {variable} chưa được đặt.")
        return value
    if not sys.stdin.isatty():
        raise InputError(f"Cần {prompt.lower()}: hãy đặt biến môi trường và dùng tùy chọn tương ứng (…-env).")
    return getpass.getpass(f"{prompt}: ")


def signing_key_from_args(ws: Workspace, args: argparse.Namespace) -> SigningKey | None:
    """The signing key the options name, else the workspace's saved signing settings; None for ký ngoài."""
    from app.dossier.records import signing_settings
    from app.dossier.signing import Pkcs12Key, TokenKey

    if args.external:
        return None
    settings = signing_settings(ws)
    module = args.pkcs11_lib or (settings.pkcs11_module if settings.method == "pkcs11" and not args.p12 else "")
    if module:
        key_id = args.key_id or (None if args.serial else settings.key_id) or None
        serial_text = args.serial or (settings.cert_serial if not key_id else "")
        try:
            serial = int(serial_text, 16) if serial_text else None
        except ValueError:
            raise InputError(f"Số hiệu chứng thư '{serial_text}' phải ở hệ 16.") from None
        return TokenKey(Path(module), _secret(args.pin_env, "Mã PIN thiết bị ký số"), key_id=key_id, serial=serial)
    p12 = args.p12 or (settings.pkcs12_path if settings.method == "pkcs12" else "")
    if p12:
        check_input_file(p12, MAX_TRUST_BYTES, "tệp chứng thư số")
        return Pkcs12Key(Path(p12), _secret(args.p12_password_env, "Mật khẩu tệp chứng thư số"))
    if settings.method == "external":
        return None
    raise InputError("Chưa chọn cách ký: dùng --p12 FILE, --pkcs11-lib LIB --key-id HEX, hoặc --external.")


def cmd_finalize(ws: Workspace, args: argparse.Namespace) -> int:
    from app.dossier.finalize import finalize, preflight

    for item in preflight(ws, args.year):
        print(f"{'✔' if item.ok else '✘'} {item.label}")
        for problem in item.problems:
            print(f"    - {problem}")
    finalize(ws, args.year)
    info = ws.year(args.year)
    print(f"Đã chốt hồ sơ năm {args.year} (phiên bản gói {info.package_version}).")
    return EXIT_OK


def cmd_unlock(ws: Workspace, args: argparse.Namespace) -> int:
    from app.dossier.finalize import unlock

    unlock(ws, args.year, args.reason)
    print(f"Đã mở khóa hồ sơ năm {args.year}; lý do đã được ghi vào nhật ký. Lần chốt sau sẽ tạo phiên bản gói mới.")
    return EXIT_OK


def cmd_export(ws: Workspace, args: argparse.Namespace) -> int:
    from app.dossier.delivery import export_package

    if not ws.year(args.year).locked:  # before asking for a PIN that would not be used
        raise InputError(f"Hồ sơ năm {args.year} chưa được chốt. Hãy chạy 'cdht finalize --year {args.year}' trước.")
    check_output_path(args.out, "gói hồ sơ")
    key = signing_key_from_args(ws, args)
    delivered = export_package(ws, args.year, Path(args.out), key, level=args.level)
    record = cast("PackageRecord", delivered.record)  # export_package always records what it built
    print(f"Đã lập gói hồ sơ {delivered.path} ({format_size(record.size)}), phiên bản {record.version}, "
          f"mã gói {record.package_uuid}.")
    print(f"SHA-256: {record.sha256}")
    print(delivered.message)
    return EXIT_OK


def cmd_send(ws: Workspace, args: argparse.Namespace) -> int:
    from app.dossier.outbox import flush_outbox, mail_settings, queue_package
    from app.dossier.records import latest_package

    check_email(args.to, "Địa chỉ nhận (--to)")
    if args.package:
        package = check_input_file(args.package, MAX_PACKAGE_BYTES, "gói hồ sơ")
    else:
        record = latest_package(ws, args.year)
        if record is None:
            raise InputError(f"Chưa xuất gói hồ sơ nào cho phiên bản hiện tại của năm {args.year}; hãy chạy 'cdht export'.")
        package = Path(record.path)
    print(queue_package(ws, package, args.to).describe())
    password = _mail_password(args, mail_settings(ws))
    return _report_flush(flush_outbox(ws, password))


def _mail_password(args: argparse.Namespace, settings: MailSettings) -> str | None:
    from app.dossier.outbox import stored_password

    if args.password_env is not None:
        _check_variable_name(args.password_env)
    if not settings.username:
        return None
    if args.password_env:
        return _secret(args.password_env, "Mật khẩu thư điện tử")
    stored = stored_password(settings)
    if stored is not None:
        return stored
    return _secret(None, f"Mật khẩu thư điện tử của {settings.username}")


def _report_flush(result: FlushResult) -> int:
    print(result.describe())
    return EXIT_FAILURE if result.failed else EXIT_OK


def cmd_outbox(ws: Workspace, args: argparse.Namespace) -> int:
    from app.dossier.outbox import flush_outbox, mail_settings, outbox_json, outbox_messages, requeue_failed
    from app.text import format_local_time

    if args.id and args.action != "retry":
        raise InputError("--id chỉ dùng với 'cdht outbox retry' (chọn thư gửi thất bại để xếp lại).")
    if args.action == "send":
        return _report_flush(flush_outbox(ws, _mail_password(args, mail_settings(ws))))
    if args.action == "retry":
        count = requeue_failed(ws, args.id)
        print(f"Đã xếp lại {count} thư gửi thất bại; chúng sẽ được gửi ở lần gửi tới ('cdht outbox send')."
              if count else "Không có thư gửi thất bại nào để xếp lại.")
        return EXIT_OK
    if args.json:
        print_json(outbox_json(ws))
        return EXIT_OK
    messages = outbox_messages(ws)
    if not messages:
        print("Hộp thư đi trống.")
    for m in messages:
        note = f" — {m.last_error}" if m.last_error and m.state != "sent" else ""
        when = (f"  gửi lúc {format_local_time(m.sent_at)}" if m.state == "sent" and m.sent_at else
                f"  gửi lại lúc {format_local_time(m.next_try_at)}" if m.state == "queued" else "")
        print(f"{m.id:>4}  {m.state_label:<13} {m.recipient}  năm {m.year} v{m.version} phần {m.part_index}/"
              f"{m.part_count}  lần gửi: {m.attempts}{when}{note}")
    return EXIT_OK


def registry_path(args: argparse.Namespace) -> Path:
    """The register named by --registry, else the one in the data folder (beside --db's database)."""
    from app.dossier.registry import default_registry_path
    from app.paths import default_data_dir

    if getattr(args, "registry", None) is not None:
        return check_output_path(args.registry, "sổ đăng ký xã")
    return default_registry_path(Path(args.db).parent if args.db else default_data_dir())


def verify_from_args(args: argparse.Namespace, package: Path, registry_must_exist: bool = True) -> VerifyReport:
    """`verify_package` with the trust anchors, register and online option of the command line."""
    from app.dossier.registry import load_registry
    from app.dossier.verify import verify_package

    path = registry_path(args)
    if args.registry and registry_must_exist and not path.is_file():
        raise InputError(f"Không tìm thấy sổ đăng ký xã '{path}'.")
    registry = load_registry(path) if path.is_file() else None
    trust = [check_input_file(t, MAX_TRUST_BYTES, "chứng thư CA tin cậy") for t in args.trust or []]
    trust_only = ([check_input_file(t, MAX_TRUST_BYTES, "chứng thư CA tin cậy") for t in args.trust_only]
                  if args.trust_only else None)
    return verify_package(package, trust=trust, trust_only=trust_only,
                          registry=registry, online=args.online)


def cmd_verify(args: argparse.Namespace) -> int:
    if not args.package.strip():
        raise InputError("Chưa chỉ đường dẫn gói hồ sơ cần kiểm tra.")
    report = verify_from_args(args, Path(args.package))
    if args.json:
        print_json(report.to_json())
        return report.exit_code
    if report.commune:
        print(f"Gói hồ sơ xã {report.commune} ({report.province}), năm {report.year}, mức độ {report.level}, "
              f"phiên bản {report.version}, mã gói {report.package_uuid}")
    for check in report.checks:
        print(check.line())
    if report.signer is not None:
        print(f"Người ký: {report.signer.subject}; dấu vân tay SHA-256: {report.signer.fingerprint}")
    print(report.summary())
    return report.exit_code


def cmd_token_list(args: argparse.Namespace) -> int:
    from app.dossier.tokens import diagnose

    report = diagnose(Path(args.pkcs11_lib))
    if args.json:
        print_json({"module": report.module, "app_bits": report.app_bits, "slots": [
            {"slot_id": s.slot_id, "description": s.description, "token_label": s.token_label,
             "manufacturer": s.manufacturer, "model": s.model, "token_serial": s.token_serial,
             "pin_warning": s.pin_warning, "certificates": [
                 {"subject": c.subject, "issuer": c.issuer, "serial": c.serial_hex, "key_id": c.key_id,
                  "label": c.label, "not_before": c.not_before.isoformat(), "not_after": c.not_after.isoformat()}
                 for c in s.certificates]} for s in report.slots]})
        return EXIT_OK
    print(f"Thư viện: {report.module} (ứng dụng {report.app_bits}-bit)")
    if not report.slots:
        print("Không thấy thiết bị ký số nào đang cắm.")
    for slot in report.slots:
        warning = f" — {slot.pin_warning}" if slot.pin_warning else ""
        print(f"Khe {slot.slot_id}: {slot.token_label or '(không tên)'} — {slot.manufacturer} {slot.model}, "
              f"số sê-ri {slot.token_serial}{warning}")
        for cert in slot.certificates:
            print(f"    mã khóa {cert.key_id or '(trống)'}  serial {cert.serial_hex}")
            print(f"      chủ thể: {cert.subject}")
            print(f"      cấp bởi: {cert.issuer}")
            print(f"      hiệu lực: {cert.not_before:%d/%m/%Y} – {cert.not_after:%d/%m/%Y}")
    return EXIT_OK
