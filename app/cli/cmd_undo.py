"""`cdht undo|redo --year Y`: take back (or make again) the latest edit of a year's figures, as Ctrl+Z / Ctrl+Y do
in the app; both are written to the change log. `cdht history --year Y` lists what can be undone and redone."""

from __future__ import annotations

import argparse

from app.cli import with_workspace
from app.services.undo import history, redo, undo
from app.storage.workspace import Workspace


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    for name, text, handler in (("undo", "hoàn tác lần sửa số liệu gần nhất của một năm (như Ctrl+Z)", cmd_undo),
                                ("redo", "làm lại lần sửa vừa hoàn tác (như Ctrl+Y)", cmd_redo)):
        p = subparsers.add_parser(name, help=text)
        p.add_argument("--year", type=int, required=True)
        p.set_defaults(func=with_workspace(handler))
    p = subparsers.add_parser("history", help="các bước hoàn tác, làm lại của một năm")
    p.add_argument("--year", type=int, required=True)
    p.set_defaults(func=with_workspace(cmd_history, write=False))


def _describe(ws: Workspace, year: int) -> tuple[str, str]:
    steps = history(ws, year)
    return (steps.undo[-1].describe() if steps.undo else "", steps.redo[-1].describe() if steps.redo else "")


def cmd_undo(ws: Workspace, args: argparse.Namespace) -> int:
    label, _ = _describe(ws, args.year)
    changes = undo(ws, args.year)
    print(f"Đã hoàn tác: {label}." if changes.any() else f"Năm {args.year} không có gì để hoàn tác.")
    return 0


def cmd_redo(ws: Workspace, args: argparse.Namespace) -> int:
    _, label = _describe(ws, args.year)
    changes = redo(ws, args.year)
    print(f"Đã làm lại: {label}." if changes.any() else f"Năm {args.year} không có gì để làm lại.")
    return 0


def cmd_history(ws: Workspace, args: argparse.Namespace) -> int:
    steps = history(ws, args.year)
    print(f"Có thể hoàn tác ({len(steps.undo)}):" if steps.undo else "Không có gì để hoàn tác.")
    for step in reversed(steps.undo):
        print(f"  - {step.describe()}")
    if steps.redo:
        print(f"Có thể làm lại ({len(steps.redo)}):")
        for step in reversed(steps.redo):
            print(f"  - {step.describe()}")
    return 0
