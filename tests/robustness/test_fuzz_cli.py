"""Every argument of every `cdht` command, given a malformed value: empty, huge, control characters, non-UTF-8
bytes (as Python hands them over from the command line), devices and pipes, places inside a file, deeply nested
JSON, absurd numbers. Each run must end with no "lỗi không mong muốn", within 30 seconds, with no wrong acceptance
(only an empty optional text may be accepted), and with nothing written after a refusal.

The commands and their arguments are read from the parser itself, so a new command or option is fuzzed as soon as
it exists; `KINDS` says what each argument is (a test fails for an argument it does not know).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import sqlite3
import stat
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from app.cli import build_parser
from app.recipient.workspace import DATABASE_NAME
from app.services.datasets import export_dataset
from app.storage.workspace import Workspace
from tests.dossier.conftest import YEAR
from tests.recipient.factory import PASSWORD
from tests.robustness.fuzzing import UNEXPECTED, run_cli

LIMIT_SECONDS = 30

# ---------------------------------------------------------------------------------------------- malformed values

EMPTY = ""
HUGE = "x" * 1_000_000
CONTROL = "a\x01\x1b[31mb\nc\x7f"
NON_UTF8 = "t\udcffen-\udcfe"  # bytes 0xFF 0xFE that were not UTF-8, as argv hands them over (surrogateescape)
NUMBERS = ["99999999999999999999", "-1", "0", "1e9", "nan", "9" * 5000, "2025.5"]


@dataclass(frozen=True)
class Places:
    """Paths the malformed path values point to."""

    device: Path
    fifo: Path
    inside_file: Path
    deep_json: Path
    folder: Path


TEXT_VALUES = {"empty": EMPTY, "huge": HUGE, "control": CONTROL, "non-utf8": NON_UTF8}


def _path_values(places: Places) -> dict[str, str]:
    return {"device": str(places.device), "fifo": str(places.fifo), "inside-file": str(places.inside_file),
            "deep-json": str(places.deep_json), "folder": str(places.folder)}


#: What each argument is, by (command, destination); "*" matches any command.
KINDS: dict[tuple[str, str], str] = {
    ("*", "db"): "path-in", ("init", "db"): "path-new", ("*", "user"): "text",
    ("*", "year"): "number", ("*", "copy_from"): "number", ("*", "level"): "choice",
    ("*", "carry_evidence"): "choice", ("outbox", "action"): "choice",
    ("assess", "dataset"): "path-in", ("dataset import", "file"): "path-in", ("dataset export", "file"): "path-out",
    ("evidence add", "files"): "path-in", ("collect import", "file"): "path-in", ("meeting set", "json"): "path-in",
    ("narrative set", "json"): "path-in", ("restore", "backup"): "path-in", ("export", "p12"): "path-in",
    ("export", "pkcs11_lib"): "path-in", ("token list", "pkcs11_lib"): "path-in", ("send", "package"): "path-in",
    ("verify", "package"): "path-in", ("verify", "trust"): "path-in",
    ("report", "out"): "path-out", ("collect export", "out"): "path-out", ("backup", "out"): "path-out",
    ("restore", "to"): "path-new", ("export", "out"): "path-out", ("self-test", "keep"): "path-out",
    ("init", "commune"): "text-required", ("init", "province"): "text-required", ("init", "recipient"): "text",
    ("init", "signer"): "text", ("init", "signer_title"): "text",
    ("evidence add", "indicator"): "indicator", ("evidence list", "indicator"): "indicator",
    ("evidence link", "indicator"): "indicator-required", ("evidence unlink", "indicator"): "indicator-required",
    ("evidence add", "number"): "text", ("evidence add", "date"): "date", ("evidence add", "issuer"): "text",
    ("evidence add", "summary"): "text", ("evidence add", "valid_until"): "date",
    ("*", "code"): "code", ("evidence search", "text"): "search",
    ("collect export", "unit"): "code",
    ("meeting set", "date"): "date", ("meeting set", "place"): "text", ("meeting set", "start_time"): "text",
    ("meeting set", "end_time"): "text", ("meeting set", "chair"): "text", ("meeting set", "chair_title"): "text",
    ("meeting set", "secretary"): "text", ("meeting set", "secretary_title"): "text",
    ("meeting set", "attendee"): "text-required", ("meeting set", "content"): "text",
    ("meeting set", "conclusions"): "text",
    ("narrative set", "pairs"): "text-required", ("recipients set", "lines"): "text-required",
    ("unlock", "reason"): "text-required", ("evidence accept-change", "reason"): "text-required",
    ("send", "to"): "email",
    ("export", "key_id"): "secret-name", ("export", "serial"): "secret-name",
    ("export", "p12_password_env"): "secret-name", ("export", "pin_env"): "secret-name",
    ("send", "password_env"): "secret-name", ("outbox", "password_env"): "secret-name",
    ("outbox", "id"): "number",
    # the commune's profile, documents and evidence register
    ("profile set", "commune"): "text-required", ("profile set", "province"): "text-required",
    ("profile set", "kind"): "choice", ("profile set", "recipient"): "text-required",
    ("profile set", "signer"): "text", ("profile set", "title"): "text",
    ("documents number set", "pairs"): "text-required", ("documents number set", "date"): "date",
    ("documents plan", "number"): "text", ("documents plan", "date"): "date", ("documents plan", "summary"): "text",
    ("documents bases add", "text"): "text-required", ("documents bases confirm", "suggestion"): "choice",
    ("documents bases remove", "position"): "number", ("documents organisations set", "names"): "text",
    ("evidence edit", "codes"): "code", ("evidence edit", "number"): "text", ("evidence edit", "date"): "date",
    ("evidence edit", "issuer"): "text", ("evidence edit", "summary"): "text", ("evidence suggest", "codes"): "code",
    # e-mail settings
    ("mail set", "host"): "text", ("mail set", "port"): "number", ("mail set", "security"): "choice",
    ("mail set", "username"): "text", ("mail set", "sender"): "email-or-none", ("mail set", "max_mb"): "number",
    ("mail set", "password_env"): "secret-name", ("mail test", "to"): "email",
    ("mail test", "password_env"): "secret-name",
    # the recipient's register of communes (cdht verify --registry) and the recognition result
    ("*", "registry"): "path-register", ("verify", "trust_only"): "path-in",
    ("registry add", "commune"): "text-required", ("registry add", "province"): "text-required",
    ("registry add", "fingerprint"): "fingerprint", ("registry add", "cert"): "path-in",
    ("registry add", "contact"): "text", ("registry add", "note"): "text",
    ("registry add", "from_package"): "path-in", ("registry add", "trust"): "path-in",
    ("registry remove", "commune"): "text-required", ("registry remove", "province"): "text-required",
    ("registry import", "file"): "path-in", ("registry export", "file"): "path-out",
    ("recognition import", "file"): "path-in", ("recognition import", "trust"): "path-in",
    ("recognition import", "accept_signer"): "fingerprint",
    # the receiving side (its own register database)
    ("recipient init", "agency"): "text-required", ("recipient init", "province"): "text-required",
    ("recipient init", "parent"): "text", ("recipient init", "head_title"): "text",
    ("recipient init", "head_name"): "text", ("recipient init", "place"): "text",
    ("recipient init", "trust"): "path-in",
    ("recipient communes add", "name"): "text-required", ("recipient communes add", "province"): "text-required",
    ("recipient communes add", "contact"): "text", ("recipient communes add", "fingerprint"): "fingerprint",
    ("recipient communes add", "cert"): "path-in", ("recipient communes import", "file"): "path-in",
    ("recipient communes export", "file"): "path-out", ("recipient trust add", "file"): "path-in",
    ("recipient intake", "paths"): "path-folder", ("recipient intake", "received_on"): "date-required",
    ("recipient intake", "imap"): "host", ("recipient intake", "port"): "number",
    ("recipient intake", "imap_user"): "text-required", ("recipient intake", "security"): "choice",
    ("recipient intake", "mailbox"): "text-required", ("recipient intake", "password_env"): "secret-name",
    ("recipient list", "status"): "choice", ("recipient list", "search"): "search",
    ("recipient show", "commune"): "commune", ("recipient confirm-signer", "commune"): "commune",
    ("recipient confirm-signer", "fingerprint"): "fingerprint",
    ("recipient council set", "mode"): "choice", ("recipient council set", "member"): "text-required",
    ("recipient council set", "basis"): "text", ("recipient council set", "date"): "date",
    ("recipient appraise", "commune"): "commune", ("recipient appraise", "indicator"): "indicator-required",
    ("recipient appraise", "result"): "choice", ("recipient appraise", "note"): "text-required",
    ("recipient appraise", "reopen"): "text-required",
    ("recipient decide", "number"): "text-required", ("recipient decide", "date"): "date-required",
    ("recipient decide", "reply_from"): "number", ("recipient decide", "reply_date"): "date-required",
    ("recipient documents", "out"): "path-out", ("recipient results", "out"): "path-out",
    ("recipient results", "p12"): "path-in", ("recipient results", "pkcs11_lib"): "path-in",
    ("recipient results", "p12_password_env"): "secret-name", ("recipient results", "key_id"): "secret-name",
    ("recipient results", "pin_env"): "secret-name",
}
#: The use-case twins of the app's assignment table, settings dialog, recognition dialog and undo.
KINDS.update({
    ("assign set", "indicator"): "indicator-required", ("assign set", "lead"): "text", ("assign set", "partner"): "text",
    ("assign set", "due"): "date", ("assign set", "status"): "choice", ("assign set", "note"): "text",
    ("assign clear", "indicator"): "indicator-required", ("assign import", "file"): "path-in",
    ("settings set", "pairs"): "text-required",
    ("recognition add", "number"): "text-required", ("recognition add", "date"): "text-required",
    ("recognition add", "issuer"): "text", ("recognition add", "assessment_year"): "number",
    ("recognition add", "note"): "text",
})

#: Arguments whose malformed file is answered by a report on stdout (exit 1), not by an error line: a file that is
#: no package is an invalid package.
REPORTED = {("verify", "package")}

#: The classes of malformed values each kind gets, and the ones it may accept (exit 0).
CLASSES = {
    "path-in": (["empty", "huge", "control", "non-utf8", "device", "fifo", "deep-json", "folder", "inside-file"], []),
    "path-out": (["empty", "huge", "control", "device", "fifo", "inside-file"], []),
    "path-new": (["empty", "huge", "control", "device", "fifo", "inside-file"], []),
    "number": (["empty", "huge", "control", "non-utf8", *[f"number-{i}" for i in range(len(NUMBERS))]], []),
    "choice": (["empty", "huge", "control", "non-utf8"], []),
    "text": (["empty", "huge", "control", "non-utf8"], ["empty"]),
    "date": (["empty", "huge", "control", "non-utf8"], ["empty"]),
    "search": (["empty", "huge", "control", "non-utf8"], ["empty"]),
    "indicator": (["empty", "huge", "control", "non-utf8"], ["empty"]),
    "text-required": (["empty", "huge", "control", "non-utf8"], []),
    "indicator-required": (["empty", "huge", "control", "non-utf8"], []),
    "code": (["empty", "huge", "control", "non-utf8"], []),
    "email": (["empty", "huge", "control", "non-utf8"], []),
    "secret-name": (["empty", "huge", "control", "non-utf8"], []),
    "email-or-none": (["empty", "huge", "control", "non-utf8"], ["empty"]),  # '' clears it
    "fingerprint": (["empty", "huge", "control", "non-utf8"], []),
    "host": (["empty", "huge", "control", "non-utf8"], []),
    "commune": (["empty", "huge", "control", "non-utf8"], []),
    "date-required": (["empty", "huge", "control", "non-utf8"], []),
    # a register file that is read and then written whole
    "path-register": (["empty", "huge", "control", "device", "fifo", "deep-json", "folder", "inside-file"], []),
    # a folder or file to receive packages from (a folder is what it expects)
    "path-folder": (["empty", "huge", "control", "non-utf8", "device", "fifo", "inside-file"], []),
}


def leaf_commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> dict[str, argparse.ArgumentParser]:
    """'evidence add' → its parser, for every command that runs something."""
    found = {}
    sub = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
    if sub is None:
        return {" ".join(prefix): parser}
    for name, child in sub.choices.items():
        found.update(leaf_commands(child, (*prefix, name)))
    return found


def value_arguments(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in parser._actions if a.nargs != 0 and not isinstance(a, argparse._SubParsersAction)
            and not isinstance(a, argparse._HelpAction | argparse._VersionAction)]


def kind_of(command: str, action: argparse.Action) -> str:
    return KINDS.get((command, action.dest)) or KINDS[("*", action.dest)]


# ---------------------------------------------------------------------------------------------- a valid baseline


def baseline(command: str, work: Path, template: Path, received: Path, dest: str = "") -> list[str]:
    """A valid invocation of `command` (its options set), into which one malformed value is put; `dest` picks
    another valid invocation where an argument excludes the others (registry add --from-package)."""
    inputs, out = template / "inputs", work / "out"
    received = received / "inputs"
    register = ["--registry", str(work / "so-dang-ky.json")]
    fingerprint = (received / "dong-tien.sha256").read_text(encoding="utf-8").strip()
    if command == "registry add" and dest in ("from_package", "trust"):
        return ["registry", "add", *register, "--from-package", str(received / "dong-tien.zip"),
                "--trust", str(received / "ca.pem"), "--contact", "ubnd@dongtien.vn"]
    [workbook] = inputs.glob("*.xlsx")
    [backup] = (template / "outside-backups").iterdir()
    year = ["--year", "2025"]
    return {
        "assess": ["assess", str(inputs / "so-lieu.json")],
        "init": ["init", "--commune", "Kiến Hưng", "--province", "Hà Nội", "--recipient", "Sở GDĐT",
                 "--signer", "Nguyễn Văn An", "--signer-title", "Chủ tịch"],
        "year add": ["year", "add", "2026", "--copy-from", "2025", "--carry-evidence", "valid"],
        "dataset import": ["dataset", "import", str(inputs / "so-lieu.json")],
        "dataset export": ["dataset", "export", str(out / "so-lieu.json"), *year],
        "status": ["status", *year],
        "evidence add": ["evidence", "add", str(inputs / "bao-cao-them.pdf"), *year, "--indicator", "1.1",
                         "--number", "12/QĐ-UBND", "--date", "15/01/2025", "--issuer", "UBND xã",
                         "--summary", "Quyết định", "--valid-until", "31/12/2027"],
        "evidence list": ["evidence", "list", *year, "--indicator", "1.1"],
        "evidence remove": ["evidence", "remove", "H01.01", *year],
        "evidence restore": ["evidence", "restore", "H99.01", *year],
        "evidence search": ["evidence", "search", "quyết định", *year],
        "evidence accept-change": ["evidence", "accept-change", "H01.01", *year, "--reason", "Đã đóng dấu bản chính"],
        "evidence link": ["evidence", "link", "H02.01", "--indicator", "1.1", *year],
        "evidence unlink": ["evidence", "unlink", "H02.01", "--indicator", "1.2", *year],
        "report": ["report", *year, "--out", str(out / "ho-so"), "--level", "1"],
        "collect export": ["collect", "export", *year, "--out", str(out / "phieu"), "--unit", "Hội Khuyến học"],
        "collect import": ["collect", "import", str(workbook), *year],
        "meeting set": ["meeting", "set", *year, "--json", str(inputs / "hop.json"), "--date", "15/01/2026",
                        "--place", "Hội trường", "--start-time", "08 giờ", "--end-time", "10 giờ", "--chair", "An",
                        "--chair-title", "Chủ tịch", "--secretary", "Bình", "--secretary-title", "Văn thư",
                        "--attendee", "Trần Thị Bình|Chủ tịch|Hội Khuyến học xã", "--content", "Thảo luận",
                        "--conclusions", "Thống nhất", "--level", "1"],
        "meeting show": ["meeting", "show", *year],
        "narrative set": ["narrative", "set", "situation=Xã có 12 thôn.", *year, "--json", str(inputs / "van-ban.json")],
        "narrative show": ["narrative", "show", *year],
        "recipients set": ["recipients", "set", "Sở Giáo dục và Đào tạo", *year],
        "recipients show": ["recipients", "show", *year],
        "backup": ["backup", str(out / "usb")],
        "restore": ["restore", str(backup), "--to", str(out / "khoi-phuc")],
        "finalize": ["finalize", *year],
        "unlock": ["unlock", *year, "--reason", "Bổ sung minh chứng"],
        "export": ["export", *year, "--out", str(out / "HoSo.zip"), "--p12", str(inputs / "none.p12"),
                   "--p12-password-env", "CDHT_FUZZ_P12", "--level", "1"],
        "send": ["send", *year, "--to", "so@gddt.gov.vn", "--package", str(inputs / "none.zip"),
                 "--password-env", "CDHT_FUZZ_MAIL"],
        "outbox": ["outbox", "send", "--password-env", "CDHT_FUZZ_MAIL"],
        "token list": ["token", "list", "--pkcs11-lib", str(inputs / "none.so")],
        "profile set": ["profile", "set", "--commune", "Đồng Tiến", "--kind", "xã", "--province", "Thái Nguyên",
                        "--recipient", "Sở Giáo dục và Đào tạo", "--signer", "Nguyễn Văn An", "--title", "Chủ tịch"],
        "documents number set": ["documents", "number", "set", "to_trinh=12", *year, "--date", "20/01/2026"],
        "documents number show": ["documents", "number", "show", *year],
        "documents plan": ["documents", "plan", *year, "--number", "46", "--date", "10/01/2025",
                           "--summary", "Xây dựng “Cộng đồng học tập” năm 2025"],
        "documents bases add": ["documents", "bases", "add", "Nghị quyết số 12/NQ-HĐND ngày 05/01/2025 của Hội "
                                "đồng nhân dân xã về xây dựng xã hội học tập"],
        "documents bases confirm": ["documents", "bases", "confirm", "nd142-2025"],
        "documents bases remove": ["documents", "bases", "remove", "1"],
        "documents bases show": ["documents", "bases", "show", *year],
        "documents organisations set": ["documents", "organisations", "set", "Hội Liên hiệp Phụ nữ",
                                        "Hội Nông dân", "Hội Cựu chiến binh", "Đoàn Thanh niên", "Công đoàn"],
        "evidence edit": ["evidence", "edit", "H01.01", *year, "--number", "12/QĐ-UBND", "--date", "15/01/2025",
                          "--issuer", "UBND xã Đồng Tiến", "--summary", "Quyết định thành lập Ban chỉ đạo"],
        "evidence suggest": ["evidence", "suggest", "H01.01", *year],
        "evidence incomplete": ["evidence", "incomplete", *year],
        "mail set": ["mail", "set", "--host", "smtp.thainguyen.gov.vn", "--port", "587", "--security", "starttls",
                     "--username", "ubnd.dongtien", "--sender", "ubnd.dongtien@thainguyen.gov.vn", "--max-mb", "10"],
        "mail test": ["mail", "test", "--to", "so@gddt.gov.vn"],
        "verify": ["verify", str(received / "dong-tien.zip"), "--trust", str(received / "ca.pem"), *register],
        "registry add": ["registry", "add", *register, "--commune", "Đồng Tiến", "--province", "Thái Nguyên",
                         "--fingerprint", fingerprint, "--cert", str(received / "dong-tien.pem"),
                         "--contact", "ubnd@dongtien.vn", "--note", "Chủ tịch UBND xã"],
        "registry list": ["registry", "list", *register],
        "registry remove": ["registry", "remove", *register, "--commune", "Đồng Tiến", "--province", "Thái Nguyên"],
        "registry import": ["registry", "import", *register, str(received / "so-dang-ky.json")],
        "registry export": ["registry", "export", *register, str(out / "so-dang-ky.json")],
        "recognition import": ["recognition", "import", str(received / "ket-qua.zip"),
                               "--trust", str(received / "ca.pem")],
        "recipient init": ["recipient", "init", "--agency", "Sở Giáo dục và Đào tạo", "--province", "Thái Nguyên",
                           "--parent", "Ủy ban nhân dân tỉnh Thái Nguyên", "--head-title", "Giám đốc",
                           "--head-name", "Trần Văn Hùng", "--place", "Thái Nguyên",
                           "--trust", str(received / "ca.pem")],
        "recipient communes add": ["recipient", "communes", "add", "Phúc Xuân", "--province", "Thái Nguyên",
                                   "--contact", "ubnd@phucxuan.vn", "--fingerprint", "ab" * 32,
                                   "--cert", str(received / "dong-tien.pem")],
        "recipient communes import": ["recipient", "communes", "import", str(received / "danh-sach-xa.csv")],
        "recipient communes export": ["recipient", "communes", "export", str(out / "danh-sach-xa.json")],
        "recipient trust add": ["recipient", "trust", "add", str(received / "ca.pem")],
        "recipient intake": ["recipient", "intake", str(received / "usb"), "--received-on", "20/02/2026"],
        "recipient list": ["recipient", "list", *year, "--status", "received", "--search", "dong tien"],
        "recipient show": ["recipient", "show", "Đồng Tiến", *year],
        "recipient confirm-signer": ["recipient", "confirm-signer", "Quyết Thắng", *year,
                                     "--fingerprint", fingerprint],
        "recipient council set": ["recipient", "council", "set", *year, "--mode", "meeting",
                                  *[part for member in COUNCIL for part in ("--member", member)],
                                  "--basis", "Quyết định số 45/QĐ-SGDĐT ngày 02/3/2026", "--date", "20/03/2026"],
        "recipient council show": ["recipient", "council", "show", *year],
        "recipient appraise": ["recipient", "appraise", "Đồng Tiến", *year, "--indicator", "5.1",
                               "--result", "khong_dat", "--note", "Danh sách chưa có xác nhận của các thôn"],
        "recipient decide": ["recipient", "decide", *year, "--number", "123", "--date", "25/03/2026",
                             "--reply-from", "45", "--reply-date", "26/03/2026", "--include-pending"],
        "recipient documents": ["recipient", "documents", *year, "--out", str(out / "van-ban")],
        "recipient results": ["recipient", "results", *year, "--out", str(out / "ket-qua"),
                              "--p12", str(received / "so.p12"), "--p12-password-env", "CDHT_FUZZ_P12"],
        "assign set": ["assign", "set", *year, "--indicator", "1.2", "--lead", "Phòng Văn hóa – Xã hội", "--partner",
                       "Hội Khuyến học", "--due", "30/11/2025", "--status", "todo", "--note", "Theo Kế hoạch"],
        "assign clear": ["assign", "clear", *year, "--indicator", "1.2"],
        "assign list": ["assign", "list", *year],
        "assign import": ["assign", "import", str(inputs / "phan-cong.csv"), *year],
        "settings set": ["settings", "set", "deadline.2025=15/02/2026"],
        "recognition add": ["recognition", "add", "--level", "1", "--number", "245/QĐ-UBND", "--date", "18/03/2024",
                            "--issuer", "UBND huyện", "--assessment-year", "2023", "--note", "Bản chính lưu VT"],
        "undo": ["undo", *year], "redo": ["redo", *year], "history": ["history", *year],
    }.get(command, command.split())


def with_value(command: str, argv: list[str], action: argparse.Action, value: str) -> list[str]:
    """`argv` with `action`'s value(s) replaced by `value` (or the option added).

    Baselines put the command words first, then the positionals in the parser's order, then the options.
    """
    if action.option_strings:
        result, skip = [], False
        for part in argv:
            if skip:
                skip = False
            elif part in action.option_strings:
                skip = True
            else:
                result.append(part)
        return [*result, action.option_strings[-1], value]
    words = command.split()
    positionals = [a for a in action.container._actions if not a.option_strings]
    rest = argv[len(words):]
    index = positionals.index(action)
    return [*words, *rest[:index], value, *rest[index + 1:]]


# ---------------------------------------------------------------------------------------------- the run


class TookTooLong(BaseException):
    """Raised by the alarm: a command ran longer than LIMIT_SECONDS (a BaseException, so no handler eats it)."""


def _alarm(_signum, _frame):
    raise TookTooLong


def state(data: Path) -> tuple:
    """The data folder as it is: database content read without writing, and every file's name, size and hash."""
    ws = Workspace.open(data / "cdht.sqlite3", read_only=True)
    try:
        years = {info.year: export_dataset(ws, info.year) for info in ws.years()}
        with ws.lock:
            audit = ws.db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
            settings = ws.db.execute("SELECT key, value FROM settings ORDER BY key").fetchall()
    finally:
        ws.close()
    return years, audit, settings, files_state(data)


def files_state(folder: Path) -> list:
    return sorted((str(p.relative_to(folder)), p.stat().st_size, hashlib.sha256(p.read_bytes()).hexdigest())
                  for p in folder.rglob("*") if p.is_file() and p.name != "cdht.lock")


def register_state(folder: Path) -> tuple:
    """A recipient register as it is: every row of every table (read without writing), and its files."""
    connection = sqlite3.connect(f"{(folder / DATABASE_NAME).as_uri()}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1")]
        rows = {t: connection.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall() for t in tables}
    finally:
        connection.close()
    return rows, files_state(folder)


@dataclass(frozen=True)
class Setup:
    """One case's working copies: the commune's data folder, the recipient's register (for its commands), the
    register of communes file (for `registry`/`verify`); `protected` is what a refusal must leave as it was."""

    work: Path
    data: Path
    register: Path
    communes_file: Path

    def snapshot(self) -> tuple:
        register = register_state(self.register) if self.register.exists() else None
        communes = self.communes_file.read_bytes() if self.communes_file.exists() else None
        return state(self.data), register, communes

    def leftovers(self) -> list[Path]:
        kept = (self.data, self.register, self.communes_file)
        return [p for p in self.work.rglob("*") if not any(p == k or p.is_relative_to(k) for k in kept)]


def prepare(command: str, work: Path, template: Path, received: Path) -> Setup:
    """Fresh working copies for one run of `command`."""
    if work.exists():
        shutil.rmtree(work)
    setup = Setup(work, work / "data", work / "so", work / "so-dang-ky.json")
    shutil.copytree(template / "data", setup.data)
    if command.startswith("recipient ") and command != "recipient init":
        shutil.copytree(received / REGISTER_STAGE.get(command, "nhan"), setup.register)
    if command == "verify" or command.startswith("registry ") and command not in ("registry add", "registry import"):
        shutil.copy(received / "inputs" / "so-dang-ky.json", setup.communes_file)
    if command == "redo":  # something to redo: the last change undone
        code, _out, err = run_cli("--db", str(setup.data / "cdht.sqlite3"), "undo", "--year", "2025")
        assert code == 0, err
    return setup


def database_for(command: str, setup: Setup) -> Path:
    if command == "init":
        return setup.work / "moi" / "cdht.sqlite3"
    if command == "recipient init":
        return setup.work / "so-moi" / DATABASE_NAME
    if command.startswith("recipient "):
        return setup.register / DATABASE_NAME
    return setup.data / "cdht.sqlite3"


@pytest.fixture(scope="module")
def places(tmp_path_factory) -> Places:
    folder = tmp_path_factory.mktemp("places")
    device = folder / "thiet-bi"
    os.mknod(device, 0o600 | stat.S_IFCHR, os.makedev(1, 3))  # a private null device, never the system's
    fifo = folder / "duong-ong"
    os.mkfifo(fifo)
    regular = folder / "tep-thuong.txt"
    regular.write_text("không phải thư mục", encoding="utf-8")
    deep = folder / "sau.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    (folder / "thu-muc").mkdir()
    return Places(device, fifo, regular / "ben-trong.json", deep, folder / "thu-muc")


COUNCIL = ("Nguyễn Văn Hải|chủ tịch|Phó Giám đốc Sở", "Lê Thị Thu|thư ký|Chuyên viên",
           "Trần Quốc Bảo|ủy viên|Hội Khuyến học tỉnh", "Phạm Thị Lan|ủy viên|Ủy ban MTTQ tỉnh",
           "Hoàng Minh Đức|ủy viên|Tỉnh đoàn")
#: Which recipient register each receiving-side command starts from (default: `nhan`).
REGISTER_STAGE = {"recipient decide": "ket-luan", "recipient documents": "ket-luan", "recipient results": "quyet-dinh"}
RECEIVED_ON = dt.date(2026, 2, 20)


@pytest.fixture(scope="module")
def received(tmp_path_factory) -> Path:
    """The receiving side of the commune template's province, made by the app itself: registers at three stages
    (`nhan`: Đồng Tiến's genuine package and Quyết Thắng's, signed with Đồng Tiến's certificate, received and the
    council set; `ket-luan`: Đồng Tiến appraised; `quyet-dinh`: the decision recorded), and `inputs/`: the CA,
    Đồng Tiến's certificate, package and result package, a commune list, a register of communes, the Sở's key."""
    from app.dossier.registry import add_commune as add_to_registry
    from app.recipient import appraisal
    from app.recipient.communes import add_commune
    from app.recipient.decisions import decide
    from app.recipient.intake import intake_paths, received_on
    from app.recipient.register import register_rows
    from app.recipient.results import build_result_packages
    from app.recipient.trust import add_trust_anchors
    from app.recipient.workspace import DATABASE_NAME, Agency, RecipientWorkspace
    from tests.recipient.factory import CommunePki, make_package

    folder = tmp_path_factory.mktemp("so-nhan")
    inputs, pki = folder / "inputs", CommunePki.create(folder / "pki")
    (inputs / "usb").mkdir(parents=True)
    pki.issue("sở", "Sở Giáo dục và Đào tạo tỉnh Thái Nguyên")
    own = make_package(folder / "dong-tien", "Đồng Tiến", pki.commune_key("Đồng Tiến"), seed=1)
    foreign = make_package(folder / "quyet-thang", "Quyết Thắng", pki.commune_key("Đồng Tiến"), seed=2)
    shutil.copy(own, inputs / "usb" / "HoSo-CDHT-dong-tien-2025-v1.zip")
    shutil.copy(foreign, inputs / "usb" / "HoSo-CDHT-quyet-thang-2025-v1.zip")
    shutil.copy(own, inputs / "dong-tien.zip")
    shutil.copy(pki.ca_pem, inputs / "ca.pem")
    shutil.copy(pki.keys["sở"].path, inputs / "so.p12")
    _key, certificate, _chain = pkcs12.load_key_and_certificates(pki.keys["Đồng Tiến"].path.read_bytes(),
                                                                 PASSWORD.encode("utf-8"))
    (inputs / "dong-tien.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (inputs / "dong-tien.sha256").write_text(pki.fingerprints["Đồng Tiến"], encoding="utf-8")
    (inputs / "danh-sach-xa.csv").write_text("Xã,Tỉnh,Địa chỉ thư\nĐồng Tiến,Thái Nguyên,ubnd@dongtien.vn\n"
                                              "Quyết Thắng,Thái Nguyên,\n", encoding="utf-8")
    add_to_registry(inputs / "so-dang-ky.json", "Đồng Tiến", "Thái Nguyên", [pki.fingerprints["Đồng Tiến"]])

    rws = RecipientWorkspace.open(folder / "nhan" / DATABASE_NAME, user="Văn thư Sở")
    rws.save_agency(Agency("Sở Giáo dục và Đào tạo", "Thái Nguyên", head_name="Trần Văn Hùng"))
    for commune in ("Đồng Tiến", "Quyết Thắng"):
        add_commune(rws, commune, "Thái Nguyên")
    add_trust_anchors(rws, pki.ca_pem)
    intake_paths(rws, [inputs / "usb"], received_on(RECEIVED_ON))
    appraisal.set_council(rws, YEAR, "meeting", [appraisal.parse_member(m) for m in COUNCIL])
    rws.close()
    shutil.copytree(folder / "nhan", folder / "ket-luan")
    rws = RecipientWorkspace.open(folder / "ket-luan" / DATABASE_NAME, user="Văn thư Sở")
    package_id = next(r.package_id for r in register_rows(rws, YEAR) if r.commune == "Đồng Tiến")
    appraisal.agree_with_self_assessment(rws, package_id)
    appraisal.conclude(rws, package_id)
    rws.close()
    shutil.copytree(folder / "ket-luan", folder / "quyet-dinh")
    rws = RecipientWorkspace.open(folder / "quyet-dinh" / DATABASE_NAME, user="Văn thư Sở")
    decide(rws, YEAR, "123", dt.date(2026, 3, 25))
    [result] = build_result_packages(rws, YEAR, folder / "ket-qua", pki.keys["sở"])
    rws.close()
    shutil.copy(result, inputs / "ket-qua.zip")
    return folder


@pytest.fixture(scope="module")
def fuzz_inputs(template) -> Path:
    """Valid JSON inputs for `meeting set --json` and `narrative set --json` beside the template's inputs."""
    inputs = template / "inputs"
    (inputs / "hop.json").write_text(json.dumps({"place": "Hội trường UBND xã"}, ensure_ascii=False), encoding="utf-8")
    (inputs / "van-ban.json").write_text(json.dumps({"process": "UBND xã ban hành kế hoạch."}, ensure_ascii=False),
                                         encoding="utf-8")
    return inputs


def _cases() -> list[tuple[str, str]]:
    commands = leaf_commands(build_parser())
    return [(command, action.dest) for command, parser in sorted(commands.items())
            for action in value_arguments(parser)] + [("status", "db"), ("status", "user"), ("init", "db")]


def test_every_argument_of_every_command_is_known():
    unknown = []
    for command, dest in _cases():
        action = _action(command, dest)
        try:
            kind_of(command, action)
        except KeyError:
            unknown.append((command, dest))
    assert unknown == [], "new arguments: say in KINDS what they are"
    assert len(_cases()) > 80


def _action(command: str, dest: str) -> argparse.Action:
    parser = build_parser()
    if dest in ("db", "user"):
        return next(a for a in parser._actions if a.dest == dest)
    return next(a for a in value_arguments(leaf_commands(parser)[command]) if a.dest == dest)


def _value(name: str, places: Places) -> str:
    if name.startswith("number-"):
        return NUMBERS[int(name.split("-")[1])]
    return {**TEXT_VALUES, **_path_values(places)}[name]


@pytest.mark.parametrize(("command", "dest"), _cases())
def test_malformed_values_are_refused_in_one_line_and_write_nothing(command, dest, template, received, places,
                                                                   fuzz_inputs, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a relative malformed path that were wrongly accepted lands here, not in the repo
    monkeypatch.setenv("CDHT_FUZZ_P12", PASSWORD)
    action = _action(command, dest)
    kind = kind_of(command, action)
    classes, may_accept = CLASSES[kind]
    work = tmp_path / "work"
    setup = prepare(command, work, template, received)
    before = setup.snapshot()
    previous = signal.signal(signal.SIGALRM, _alarm)
    try:
        for name in classes:
            value = _value(name, places)
            argv = baseline(command, work, template, received, dest)
            database = str(database_for(command, setup))
            if dest == "db":
                full = ["--db", value, *argv]
            elif dest == "user":
                full = ["--db", database, "--user", value, *argv]
            else:
                full = ["--db", database, *with_value(command, argv, action, value)]
            started = time.monotonic()
            signal.alarm(LIMIT_SECONDS)
            try:
                code, out, err = run_cli(*full)
            except TookTooLong:
                pytest.fail(f"{command} {dest}={name}: no answer within {LIMIT_SECONDS} s")
            finally:
                signal.alarm(0)
            label = f"{command} {dest}={name}"
            assert time.monotonic() - started < LIMIT_SECONDS, label
            assert UNEXPECTED not in out + err and "Traceback" not in out + err, (label, err[:500])
            if code == 0:
                assert name in may_accept, f"{label} was accepted: {out[:300]}"
                setup = prepare(command, work, template, received)
                continue
            if (command, dest) in REPORTED and not err:  # the verifier's report names what is wrong with the file
                assert code == 1 and "GÓI HỒ SƠ KHÔNG HỢP LỆ" in out and err == "", (label, out[-500:], err[:500])
                assert max(len(line) for line in out.splitlines()) <= 300, label
            else:
                assert err.startswith("Lỗi: ") and err.count("\n") == 1 and len(err) < 2000, (label, err[:500])
            assert setup.snapshot() == before, f"{label} was refused but changed the data"
            assert setup.leftovers() == [], (label, setup.leftovers())
    finally:
        signal.signal(signal.SIGALRM, previous)


#: Baselines that cannot succeed as they are: they name files that do not exist (a signing key, a token) or need
#: a state the shared template does not have (a finalized year, a changed evidence file), or the network.
NOT_RUNNABLE = {"export", "send", "token list", "outbox", "mail test", "self-test", "unlock", "evidence accept-change"}


@pytest.mark.parametrize("command", sorted({command for command, _dest in _cases()} - NOT_RUNNABLE))
def test_every_baseline_is_accepted(command, template, received, fuzz_inputs, tmp_path, monkeypatch):
    """A malformed value is refused because of itself: the invocation it is put into succeeds as it is."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CDHT_FUZZ_P12", PASSWORD)
    setup = prepare(command, tmp_path / "work", template, received)
    code, out, err = run_cli("--db", str(database_for(command, setup)),
                             *baseline(command, setup.work, template, received))
    assert code == 0, (command, err[:500])
