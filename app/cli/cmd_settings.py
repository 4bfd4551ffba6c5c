"""`cdht settings …`: the settings that are not part of the profile, mail, documents or meeting commands.

    settings show [--json]
    settings set KHÓA=GIÁ_TRỊ …      e.g. user_name="Lê Thị Hoa" deadline.2025=15/02/2026 evidence.max_file_mb=100
"""

from __future__ import annotations

import argparse

from app.cli import print_json, with_workspace
from app.errors import InputError
from app.services.settings import SETTINGS, set_settings, setting, setting_keys, settings_json, shown_value
from app.storage.workspace import Workspace


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("settings", help="cài đặt khác: người dùng, hạn nộp, minh chứng, sao lưu, cách ký")
    sub = p.add_subparsers(dest="settings_command", metavar="set|show", required=True)
    st = sub.add_parser("set", help="ghi cài đặt (KHÓA=GIÁ_TRỊ; để trống giá trị để bỏ cài đặt)")
    st.add_argument("pairs", nargs="+", metavar="KHÓA=GIÁ_TRỊ",
                    help="khóa: " + ", ".join(s.key.replace("{year}", "NĂM") for s in SETTINGS))
    st.set_defaults(func=with_workspace(cmd_set))
    sh = sub.add_parser("show", help="xem các cài đặt")
    sh.add_argument("--json", action="store_true", help="in dạng JSON")
    sh.set_defaults(func=with_workspace(cmd_show, write=False))


def cmd_set(ws: Workspace, args: argparse.Namespace) -> int:
    values = {}
    for pair in args.pairs:
        if "=" not in pair:
            raise InputError(f"“{pair}” phải có dạng KHÓA=GIÁ_TRỊ.")
        key, value = pair.split("=", 1)
        setting(key.strip())
        values[key.strip()] = value
    changes = set_settings(ws, values)
    print("Đã lưu cài đặt." if changes.any() else "Không có gì thay đổi.")
    return 0


def cmd_show(ws: Workspace, args: argparse.Namespace) -> int:
    if args.json:
        print_json(settings_json(ws))
        return 0
    for key in setting_keys(ws):
        spec, _year = setting(key)
        print(f"{key} = {shown_value(ws, key) or '(chưa đặt)'}    # {spec.label}")
    return 0
