"""`cdht registry`: the recipient's register of communes and their confirmed signing certificates.

    cdht registry add --commune "Đồng Tiến" --province "Thái Nguyên" --cert ubnd-dong-tien.pem --contact ADDR
    cdht registry add --from-package HoSo.zip      # trust on first use, on purpose: the package's signer
    cdht registry list | remove | import FILE | export FILE

The register is a JSON file (format cdht-registry/1, see app/dossier/registry.py) in the data folder, or the
file named by --registry. `cdht verify` uses it to bind a signer to a commune by certificate fingerprint.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, cast

from app.cli import EXIT_OK, print_json
from app.cli.cmd_dossier import registry_path, verify_from_args
from app.errors import InputError

if TYPE_CHECKING:
    from app.dossier.registry import CommuneEntry
    from app.dossier.verify import SignerIdentity


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("registry", help="sổ đăng ký xã của nơi nhận: chứng thư ký đã xác nhận của từng xã",
                              allow_abbrev=False)
    commands = p.add_subparsers(dest="registry_command", metavar="add|list|remove|import|export", required=True)

    def command(name: str, text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=text, allow_abbrev=False)
        sub.add_argument("--registry", metavar="FILE.json", help="tệp sổ đăng ký (mặc định: trong thư mục dữ liệu)")
        return sub

    add = command("add", "thêm xã, hoặc thêm chứng thư/địa chỉ liên hệ cho xã đã có")
    add.add_argument("--commune", metavar="TÊN", help="tên xã (không cần chữ 'xã')")
    add.add_argument("--province", metavar="TÊN", help="tên tỉnh/thành phố")
    add.add_argument("--fingerprint", action="append", metavar="SHA256", help="dấu vân tay SHA-256 của chứng thư")
    add.add_argument("--cert", action="append", metavar="FILE.pem", help="tệp chứng thư của xã (PEM hoặc DER)")
    add.add_argument("--contact", default="", metavar="ĐỊA-CHỈ", help="địa chỉ thư hoặc số điện thoại liên hệ")
    add.add_argument("--note", default="", metavar="GHI-CHÚ", help="ghi chú")
    add.add_argument("--from-package", metavar="FILE.zip",
                     help="ghi nhận người ký của gói này cho xã ghi trong gói (tin lần đầu, chỉ khi đã xác minh "
                          "với xã qua kênh khác)")
    add.add_argument("--trust", action="append", metavar="CA.pem", help="với --from-package: thêm CA tin cậy")
    add.set_defaults(func=cmd_add, trust_only=None, online=False)

    lst = command("list", "liệt kê các xã trong sổ")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=cmd_list)

    rm = command("remove", "xóa một xã khỏi sổ")
    rm.add_argument("--commune", required=True, metavar="TÊN")
    rm.add_argument("--province", required=True, metavar="TÊN")
    rm.set_defaults(func=cmd_remove)

    imp = command("import", "gộp sổ đăng ký của nơi khác vào sổ này (không xóa gì)")
    imp.add_argument("file", metavar="FILE.json")
    imp.set_defaults(func=cmd_import)

    exp = command("export", "ghi sổ đăng ký ra tệp để chuyển cho nơi khác")
    exp.add_argument("file", metavar="FILE.json")
    exp.set_defaults(func=cmd_export)


def _print_entry(entry: CommuneEntry) -> None:
    print(f"Xã {entry.commune} ({entry.province})" + (f" — liên hệ: {entry.contact}" if entry.contact else ""))
    for value in entry.fingerprints:
        print(f"    chứng thư SHA-256: {value}")
    if entry.note:
        print(f"    ghi chú: {entry.note}")


def cmd_add(args: argparse.Namespace) -> int:
    from app.dossier.registry import add_commune, fingerprints_of, register_signer

    path = registry_path(args)
    if args.from_package:
        if args.commune or args.province or args.fingerprint or args.cert:
            raise InputError("Với --from-package, tên xã, tỉnh và chứng thư được lấy từ gói; đừng ghi thêm.")
        report = verify_from_args(args, Path(args.from_package), registry_must_exist=False)
        entry = register_signer(path, report, args.contact)
        signer = cast("SignerIdentity", report.signer)  # register_signer refuses a package without one
        print(f"Đã ghi nhận người ký '{signer.subject}' (SHA-256 {signer.fingerprint}) cho xã {report.commune} "
              f"({report.province}) vào sổ {path}.")
        _print_entry(entry)
        return EXIT_OK
    if not args.commune or not args.province:
        raise InputError("Cần --commune và --province (hoặc --from-package GÓI.zip).")
    fingerprints = list(args.fingerprint or [])
    for cert in args.cert or []:
        fingerprints += fingerprints_of(Path(cert))
    entry = add_commune(path, args.commune, args.province, fingerprints, args.contact, args.note)
    print(f"Đã lưu vào sổ đăng ký {path}:")
    _print_entry(entry)
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    from app.dossier.registry import load_registry

    path = registry_path(args)
    registry = load_registry(path)
    if args.json:
        print_json(registry.to_json())
        return EXIT_OK
    if not registry.entries:
        print(f"Sổ đăng ký xã {path} chưa có xã nào.")
    for entry in sorted(registry.entries, key=lambda e: (e.province, e.commune)):
        _print_entry(entry)
    return EXIT_OK


def cmd_remove(args: argparse.Namespace) -> int:
    from app.dossier.registry import remove_commune

    if not remove_commune(registry_path(args), args.commune, args.province):
        raise InputError(f"Sổ đăng ký không có xã {args.commune} ({args.province}).")
    print(f"Đã xóa xã {args.commune} ({args.province}) khỏi sổ đăng ký.")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from app.dossier.registry import import_registry

    summary = import_registry(registry_path(args), Path(args.file))
    print(f"Đã gộp sổ '{Path(args.file).name}': thêm {summary.added} xã, cập nhật {summary.updated} xã, "
          f"{summary.unchanged} xã không đổi.")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from app.dossier.registry import export_registry

    count = export_registry(registry_path(args), Path(args.file))
    print(f"Đã ghi {count} xã ra '{args.file}'.")
    return EXIT_OK
