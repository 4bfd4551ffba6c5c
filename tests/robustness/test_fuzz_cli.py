"""Every argument of every `cdht` command, given a malformed value: empty, huge, control characters, non-UTF-8
bytes (as Python hands them over from the command line), devices and pipes, places inside a file, deeply nested
JSON, absurd numbers. Each run must end with no "lỗi không mong muốn", within 30 seconds, with no wrong acceptance
(only an empty optional text may be accepted), and with nothing written after a refusal.

The commands and their arguments are read from the parser itself, so a new command or option is fuzzed as soon as
it exists; `KINDS` says what each argument is (a test fails for an argument it does not know).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import signal
import stat
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.cli import build_parser
from app.services.datasets import export_dataset
from app.storage.workspace import Workspace
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


def baseline(command: str, work: Path, template: Path) -> list[str]:
    """A valid invocation of `command` (its options set), into which one malformed value is put."""
    inputs, out = template / "inputs", work / "out"
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
        "evidence unlink": ["evidence", "unlink", "H02.01", "--indicator", "2.1", *year],
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
        "verify": ["verify", str(inputs / "none.zip"), "--trust", str(inputs / "none.pem")],
        "outbox": ["outbox", "send", "--password-env", "CDHT_FUZZ_MAIL"],
        "token list": ["token", "list", "--pkcs11-lib", str(inputs / "none.so")],
        "assign set": ["assign", "set", *year, "--indicator", "1.2", "--lead", "Phòng Văn hóa – Xã hội", "--partner",
                       "Hội Khuyến học", "--due", "30/11/2025", "--status", "todo", "--note", "Theo Kế hoạch"],
        "assign clear": ["assign", "clear", *year, "--indicator", "1.2"],
        "assign import": ["assign", "import", str(inputs / "so-lieu.json"), *year],
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
    files = sorted((str(p.relative_to(data)), p.stat().st_size, hashlib.sha256(p.read_bytes()).hexdigest())
                   for p in data.rglob("*") if p.is_file() and p.name != "cdht.lock")
    return years, audit, settings, files


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
def test_malformed_values_are_refused_in_one_line_and_write_nothing(command, dest, template, places, fuzz_inputs,
                                                                   tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a relative malformed path that were wrongly accepted lands here, not in the repo
    action = _action(command, dest)
    kind = kind_of(command, action)
    classes, may_accept = CLASSES[kind]
    work = tmp_path / "work"
    data = work / "data"
    shutil.copytree(template / "data", data)
    before = state(data)
    previous = signal.signal(signal.SIGALRM, _alarm)
    try:
        for name in classes:
            value = _value(name, places)
            argv = baseline(command, work, template)
            if dest == "db":
                full = ["--db", value if command != "init" else value, *argv]
            elif dest == "user":
                full = ["--db", str(data / "cdht.sqlite3"), "--user", value, *argv]
            else:
                full = ["--db", str(data / "cdht.sqlite3" if command != "init" else work / "moi" / "cdht.sqlite3"),
                        *with_value(command, argv, action, value)]
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
                shutil.rmtree(work)
                shutil.copytree(template / "data", data)
                continue
            assert err.startswith("Lỗi: ") and err.count("\n") == 1 and len(err) < 2000, (label, err[:500])
            assert state(data) == before, f"{label} was refused but changed the data"
            leftovers = [p for p in work.rglob("*") if not p.is_relative_to(data)]
            assert leftovers == [], (label, leftovers)
    finally:
        signal.signal(signal.SIGALRM, previous)
