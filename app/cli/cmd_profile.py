"""Profile commands: `cdht profile set|show` — the commune, its province, the recipient and the signer."""

from __future__ import annotations

import argparse

from app.cli import print_json, with_workspace
from app.services.profile import PROFILE_FIELDS, profile_json, update_profile
from app.storage.workspace import Workspace


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("profile", help="thông tin xã: tên xã, tỉnh, cơ quan nhận hồ sơ, người ký")
    sub = p.add_subparsers(dest="profile_command", metavar="set|show", required=True)
    st = sub.add_parser("set", help="sửa thông tin xã (chỉ các mục được ghi)")
    st.add_argument("--commune", help="tên xã, ví dụ \"Kiến Hưng\" (chữ \"Xã\" ở đầu được bỏ)")
    st.add_argument("--kind", help="loại đơn vị: xã, phường, thị trấn, đặc khu")
    st.add_argument("--province", help="tên tỉnh, thành phố, ví dụ \"Hà Nội\"")
    area = st.add_mutually_exclusive_group()
    area.add_argument("--disadvantaged", dest="disadvantaged", action="store_true", default=None,
                      help="xã thuộc vùng khó khăn")
    area.add_argument("--not-disadvantaged", dest="disadvantaged", action="store_false",
                      help="xã không thuộc vùng khó khăn")
    st.add_argument("--recipient", help="cơ quan nhận hồ sơ")
    st.add_argument("--signer", help="họ tên người ký")
    st.add_argument("--title", help="chức vụ người ký, ví dụ \"Phó Chủ tịch\"")
    st.set_defaults(func=with_workspace(cmd_profile_set))
    sh = sub.add_parser("show", help="xem thông tin xã")
    sh.add_argument("--json", action="store_true", help="in dạng JSON")
    sh.set_defaults(func=with_workspace(cmd_profile_show, write=False))


def cmd_profile_set(ws: Workspace, args: argparse.Namespace) -> int:
    options = {"commune_name": args.commune, "commune_kind": args.kind, "province": args.province,
               "disadvantaged_area": args.disadvantaged, "recipient_authority": args.recipient,
               "signer_name": args.signer, "signer_title": args.title}
    result = update_profile(ws, **{key: value for key, value in options.items() if value is not None})
    for note in result.notes:
        print(f"Lưu ý: {note}")
    print("Đã lưu thông tin xã." if result.changes.any() else "Không có gì thay đổi.")
    return 0


def cmd_profile_show(ws: Workspace, args: argparse.Namespace) -> int:
    data = profile_json(ws.profile())
    if args.json:
        print_json(data)
        return 0
    for key, label in PROFILE_FIELDS.items():
        value = data[key]
        print(f"{label}: {('có' if value else 'không') if isinstance(value, bool) else value}")
    return 0
