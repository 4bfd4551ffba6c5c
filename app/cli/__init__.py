"""The `cdht` command line. Subcommands live in `app/cli/cmd_*.py`, each with `register(subparsers)`.

Every user-facing failure ends as one Vietnamese line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import pkgutil
import re
import shutil
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from app import __version__
from app.errors import CdhtError, user_message
from app.paths import default_data_dir, default_database_path
from app.storage.lock import single_writer

if TYPE_CHECKING:
    from app.storage.workspace import Workspace

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


_ARGPARSE_TEXTS = {
    "usage: ": "Cách dùng: ",
    "positional arguments": "tham số",
    "options": "tùy chọn",
    "show this help message and exit": "hiện trợ giúp này rồi thoát",
    "show program's version number and exit": "hiện số phiên bản rồi thoát",
    "the following arguments are required: %s": "thiếu tham số bắt buộc: %s",
    "unrecognized arguments: %s": "tham số không nhận ra: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "lựa chọn không hợp lệ: %(value)r (chọn một trong %(choices)s)",
    "argument %(argument_name)s: %(message)s": "tham số %(argument_name)s: %(message)s",
    "invalid %(type)s value: %(value)r": "giá trị không hợp lệ cho kiểu %(type)s: %(value)r",
    "expected one argument": "cần một giá trị",
    "ambiguous option: %(option)s could match %(matches)s": "tùy chọn mơ hồ: %(option)s có thể là %(matches)s",
    "not allowed with argument %s": "không dùng cùng tham số %s",
    "expected at least one argument": "cần ít nhất một giá trị",
    "expected at most one argument": "cần nhiều nhất một giá trị",
    "expected %s argument": "cần %s giá trị",
    "expected %s arguments": "cần %s giá trị",
    "one of the arguments %s is required": "cần một trong các tham số %s",
    "ignored explicit argument %r": "tham số %r không nhận giá trị",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "lệnh con không có: %(parser_name)r (có: %(choices)s)",
    "can't open '%(filename)s': %(error)s": "không mở được '%(filename)s': %(error)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s: lỗi: %(message)s\n",
    "subcommands": "lệnh con",
}
# argparse looks its texts up through the module-level gettext aliases at run time; give it Vietnamese ones.
argparse._ = lambda text: _ARGPARSE_TEXTS.get(text, text)  # type: ignore[attr-defined]
argparse.ngettext = lambda one, many, count: _ARGPARSE_TEXTS.get(one if count == 1 else many,  # type: ignore[attr-defined]
                                                                   one if count == 1 else many)


class UsageError(CdhtError):
    """The command line itself is wrong."""


class VietnameseParser(argparse.ArgumentParser):
    """argparse with Vietnamese errors that exit with one line."""

    def error(self, message: str) -> NoReturn:  # noqa: D102 - argparse override
        raise UsageError(f"Lệnh không hợp lệ ({self.prog}): {message}. Xem '{self.prog} --help'.")


def print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def database_path(args: argparse.Namespace) -> Path:
    """The database named by --db, or the per-user default."""
    return Path(args.db) if getattr(args, "db", None) else default_database_path()


def hint(args: argparse.Namespace, command: str) -> str:
    """A command to suggest, repeating the --db the user gave: 'cdht --db "D:/xa.sqlite3" check --repair'."""
    return _with_db(f"cdht {command}", getattr(args, "db", None))


_HINT = re.compile(r"(?<![\w/-])cdht (?=[a-z])")


def _with_db(text: str, db: str | None) -> str:
    """Every 'cdht …' suggestion in `text` with the user's --db, so that it runs as written."""
    if not db or "--db" in text:
        return text
    quoted = f'"{db}"' if any(ch.isspace() for ch in db) else db
    return _HINT.sub(f"cdht --db {quoted} ", text)


def ensure_database(args: argparse.Namespace, creating: bool = False) -> Path:
    """The database path, after refusing what would bury or invent data.

    A missing or empty database beside backups or evidence is a lost one: every command points to the restore
    (`init` goes on only with --new-commune-anyway). Otherwise only `init` may create a database; a mistyped
    --db never silently becomes an empty commune.
    """
    from app.backup.recovery import find_lost_database
    from app.errors import NotFoundError, StorageError
    from app.fileio import check_output_path

    given = getattr(args, "db", None)
    if given is not None and not given.strip():
        raise UsageError("Đường dẫn --db đang để trống.")
    path = database_path(args)
    if creating:
        check_output_path(path, "cơ sở dữ liệu")
    lost = find_lost_database(path)
    if lost is not None and not (creating and getattr(args, "new_commune_anyway", False)):
        extra = (" Nếu thật sự muốn bắt đầu một xã mới ở đây, thêm --new-commune-anyway." if creating else "")
        raise StorageError(lost.message(hint(args, "restore --latest")) + extra)
    if not creating and (not path.exists() or path.is_file() and path.stat().st_size == 0):
        state = "Không có cơ sở dữ liệu" if not path.exists() else "Cơ sở dữ liệu rỗng (0 byte)"
        raise NotFoundError(f"{state} '{path}' — tạo mới bằng '{hint(args, 'init --commune TÊN_XÃ --province TÊN_TỈNH')}'.")
    if path.is_dir():
        raise UsageError(f"'{path}' là thư mục; --db phải là tệp cơ sở dữ liệu (ví dụ {path / 'cdht.sqlite3'}).")
    return path


def open_workspace(args: argparse.Namespace, read_only: bool = False) -> Workspace:
    """The workspace named by --db (or the per-user default); `read_only` never writes to the drive."""
    from app.storage.workspace import Workspace
    from app.text import clean_text

    user = clean_text(args.user, "Tên người thao tác (--user)", single_line=True) or None
    return Workspace.open(database_path(args), user=user, read_only=read_only)


def with_workspace(handler: Callable[[Any, argparse.Namespace], int | None],
                   write: bool = True, creating: bool = False) -> Callable[[argparse.Namespace], int]:
    """Wrap a handler so it receives an open workspace that is always closed afterwards.

    A writing command holds the data folder's single-writer lock, so it never runs beside the open app
    or another writer. Read-only commands (`write=False`) open the file read-only, so that they work on a
    full or read-only drive and beside the open app.
    """

    def run(args: argparse.Namespace) -> int:
        path = ensure_database(args, creating)
        undo = removed_on_failure(path) if creating else contextlib.nullcontext()
        guard = single_writer(path.parent) if write else contextlib.nullcontext()
        with undo, guard:
            ws = open_workspace(args, read_only=not write)
            try:
                if write:
                    from app.services.integrity import recover_interrupted_work

                    recover_interrupted_work(ws)
                return handler(ws, args) or EXIT_OK
            finally:
                ws.close()

    return run


@contextlib.contextmanager
def removed_on_failure(database: Path) -> Iterator[None]:
    """When the block fails, remove what creating `database` added: the file, its journal, lock file and evidence
    store, and the folders made for it. A refused `init` or `restore` leaves nothing behind."""
    from app.evidence.store import store_root
    from app.storage.lock import LOCK_NAME

    folders = [folder for folder in [database.parent, *database.parent.parents] if not folder.exists()]
    entries = [database, Path(f"{database}-journal"), database.parent / LOCK_NAME, store_root(database.parent)]
    created = [entry for entry in entries if not entry.exists()] + folders
    try:
        yield
    except BaseException:
        for entry in created:
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    entry.unlink()
        raise


def build_parser() -> argparse.ArgumentParser:
    parser = VietnameseParser(
        prog="cdht",
        description="CĐHT xã — tự đánh giá, công nhận \"Cộng đồng học tập\" cấp xã (Thông tư 25/2023/TT-BGDĐT).",
    )
    parser.add_argument("--version", action="version", version=f"cdht {__version__}", help="hiện số phiên bản rồi thoát")
    parser.add_argument("--db", metavar="PATH", help="tệp cơ sở dữ liệu (mặc định: thư mục dữ liệu của người dùng)")
    parser.add_argument("--user", help="tên người thao tác, ghi vào nhật ký thay đổi")
    parser.add_argument("--self-test", action="store_true", help="tự kiểm tra bản cài đặt (như lệnh self-test)")
    subparsers = parser.add_subparsers(dest="command", metavar="LỆNH", parser_class=VietnameseParser)
    package = sys.modules[__name__]
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith("cmd_"):
            importlib.import_module(f"{__name__}.{info.name}").register(subparsers)
    return parser


_LONG_WORD = re.compile(r"\S{161,}")


def one_line(text: str) -> str:
    """`text` fit for one terminal line: control characters (line breaks, escape sequences a hostile value could
    carry) shown as escapes, and any word over 160 characters (a pasted megabyte) shortened in the middle."""
    shown = "".join(ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii") for ch in text)
    return _LONG_WORD.sub(lambda m: f"{m.group()[:80]}…{m.group()[-80:]}", shown)


def _check_years(args: argparse.Namespace) -> None:
    """Every year given on the command line (--year, year add NĂM, --copy-from) within the years the app knows."""
    from app.domain.dataset import MAX_YEAR, MIN_YEAR

    for name in ("year", "copy_from", "assessment_year"):
        value = getattr(args, name, None)
        if isinstance(value, int) and not MIN_YEAR <= value <= MAX_YEAR:
            raise UsageError(f"Năm {value} không hợp lệ; năm đánh giá phải từ {MIN_YEAR} đến {MAX_YEAR}.")


def _print_error(message: str, db: str | None) -> None:
    print(f"Lỗi: {one_line(_with_db(message, db))}", file=sys.stderr)


def _configure_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(encoding="utf-8", errors="backslashreplace")
            except (ValueError, OSError):
                pass


def _log_crash() -> Path | None:
    """Keep the traceback of an unexpected failure in the data folder for support, not on screen."""
    try:
        folder = default_data_dir() / "logs"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "cdht-errors.log"
        with path.open("a", encoding="utf-8") as handle:
            handle.write(traceback.format_exc() + "\n")
        return path
    except OSError:
        return None


def main(argv: Sequence[str] | None = None) -> int:
    _configure_streams()
    db: str | None = None
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        db = args.db
        _check_years(args)
        if args.self_test:
            from app.selftest import run_self_test

            return run_self_test()
        if not getattr(args, "func", None):
            parser.print_help()
            return EXIT_USAGE
        return int(args.func(args) or EXIT_OK)
    except UsageError as exc:
        _print_error(exc.message, db)
        return EXIT_USAGE
    except CdhtError as exc:
        _print_error(exc.message, db)
        return EXIT_FAILURE
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away; that is not an error of ours.
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return EXIT_OK
    except KeyboardInterrupt:
        print("Đã dừng theo yêu cầu.", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback in front of users
        message = user_message(exc)
        if message is not None:  # a cause the OS or SQLite named (disk full, read-only, missing file…)
            _print_error(message, db)
            return EXIT_FAILURE
        log = _log_crash()
        where = f" Chi tiết kỹ thuật đã được ghi vào {log}." if log else ""
        print(f"Lỗi: đã xảy ra lỗi không mong muốn; không có thay đổi nào được ghi dở dang.{where}", file=sys.stderr)
        return EXIT_FAILURE


def entry_point() -> None:
    sys.exit(main())
