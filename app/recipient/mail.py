"""Packages that arrive by e-mail: attachments of `.eml` files, `.mbox` mailboxes and an IMAP mailbox.

A commune's outbox sends each part of a package in its own message, with the parts manifest attached to every
one. Attachments are kept in `dang-nhan/<package SHA-256>/` until every part listed in the manifest is there
with the right hash; only then is the package assembled into the store and registered. The same part arriving
twice is kept once; a damaged copy never replaces a good one. The time a package counts as received is when its
last part reached the recipient: the IMAP server's arrival time, or the time given for mail files.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import imaplib
import json
import re
import shutil
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any, cast

from app.dossier.parts import MANIFEST_SUFFIX, load_manifest
from app.errors import InputError
from app.fileio import parse_json, read_bytes_capped, write_bytes_atomic, write_text_atomic
from app.progress import NullProgress, Progress, check_cancelled
from app.recipient.intake import (
    DUPLICATE,
    FAILED,
    NEW,
    SKIPPED,
    Candidate,
    IntakeItem,
    IntakeReport,
    parts_candidate,
    receive_all,
)
from app.recipient.workspace import RecipientWorkspace
from app.text import nfc, utc_now

MAIL_SUFFIXES = (".eml", ".mbox")
#: A message carries one part of at most 20 MB (base64-encoded); anything far larger is not a commune's.
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
ARRIVALS = "arrivals.json"
_PART = re.compile(r"^(?P<base>[\w.\-]+\.zip)\.(?P<number>\d{3})$")
_SAFE = re.compile(r"^[\w][\w.\- ()]{0,200}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
SECURITY = ("ssl", "starttls", "none")


def _attachments(message: Message) -> Iterator[tuple[str, bytes]]:
    for part in message.walk():
        name = part.get_filename()
        if not name or part.is_multipart():
            continue
        name = Path(nfc(str(name)).replace("\\", "/")).name
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            yield name, payload


def _arrivals(folder: Path) -> dict[str, Any]:
    """{"parts": {file name: {"received_at", "kind", "refs"}}, "latest_ref": the message that came last}."""
    try:
        found = json.loads((folder / ARRIVALS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        found = {}
    return found if isinstance(found.get("parts"), dict) else {"parts": {}, "latest_ref": ""}


def _note_arrival(folder: Path, name: str, received_at: str, kind: str, ref: str) -> None:
    arrivals = _arrivals(folder)
    entry = arrivals["parts"].get(name) or {"received_at": received_at, "kind": kind, "refs": []}
    entry["received_at"] = min(entry["received_at"], received_at)  # the first good copy counts
    entry["refs"] = list(dict.fromkeys([*entry["refs"], ref]))[:20]
    arrivals["parts"][name] = entry
    arrivals["latest_ref"] = ref
    write_text_atomic(folder / ARRIVALS, json.dumps(arrivals, ensure_ascii=False, indent=1))


def _store_part(folder: Path, name: str, data: bytes, expected: str | None) -> str:
    """Keep one attachment in a set folder; returns 'new', 'duplicate' or 'damaged'."""
    path = folder / name
    digest = hashlib.sha256(data).hexdigest()
    if expected is not None and digest != expected:
        return "damaged"
    if path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == digest:
        return "duplicate"
    write_bytes_atomic(path, data)
    return "new"


def stash_message(rws: RecipientWorkspace, raw: bytes, received_at: str, kind: str, ref: str) -> list[IntakeItem]:
    """Keep the package attachments of one message in the staging area; returns items for what is wrong or
    not a package (a kept part shows up later as part of its package, or as pending)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    attached = list(_attachments(message))
    manifests = [(n, d) for n, d in attached if n.endswith(MANIFEST_SUFFIX)]
    parts = [(n, d) for n, d in attached if _PART.match(n)]
    zips = [(n, d) for n, d in attached if n.lower().endswith(".zip")]
    if not (manifests or parts or zips):
        return [IntakeItem(ref, SKIPPED, f"Thư '{_subject(message)}' không kèm gói hồ sơ.")]
    items: list[IntakeItem] = []
    for name, data in zips:
        if not _SAFE.match(name):
            items.append(IntakeItem(ref, FAILED, f"Tệp đính kèm có tên không hợp lệ '{name[:80]}'; bỏ qua."))
            continue
        folder = rws.incoming_dir / f"goi-{hashlib.sha256(data).hexdigest()}"
        folder.mkdir(parents=True, exist_ok=True)
        _store_part(folder, name, data, None)
        _note_arrival(folder, name, received_at, kind, ref)
    if parts and not manifests:
        items.append(IntakeItem(ref, FAILED, f"Thư '{_subject(message)}' có phần gói nhưng không kèm bảng kê các "
                                             f"phần ({MANIFEST_SUFFIX}); không ghép được."))
    for name, data in manifests:
        try:
            document = parse_json(data.decode("utf-8"), "bảng kê các phần")
            sha = str(document.get("sha256", "")) if isinstance(document, dict) else ""
            if not _SHA256.match(sha) or not _SAFE.match(name):
                raise InputError("bảng kê các phần không ghi mã băm của gói")
            folder = rws.incoming_dir / sha
            folder.mkdir(parents=True, exist_ok=True)
            if not (folder / name).is_file():
                write_bytes_atomic(folder / name, data)
            manifest = load_manifest(folder / name)
        except (InputError, UnicodeDecodeError) as exc:
            text = exc.message if isinstance(exc, InputError) else "không phải văn bản UTF-8"
            items.append(IntakeItem(ref, FAILED, f"Bảng kê các phần '{name[:80]}' không đọc được: {text}."))
            continue
        expected = {p.name: p.sha256 for p in manifest.parts}
        for part_name, part_data in parts:
            if part_name not in expected:
                continue
            outcome = _store_part(folder, part_name, part_data, expected[part_name])
            if outcome == "damaged":
                items.append(IntakeItem(ref, FAILED, f"Phần '{part_name}' trong thư bị hỏng (mã băm không khớp bảng "
                                                     "kê); chờ bản gửi lại."))
            else:
                _note_arrival(folder, part_name, received_at, kind, ref)
    return items


def _subject(message: Message) -> str:
    return str(message.get("Subject", "") or "(không tiêu đề)")[:120]


# ---------------------------------------------------------------------- the staging area

def incoming_candidates(rws: RecipientWorkspace) -> list[Candidate | IntakeItem]:
    """Every complete set in the staging area as a candidate; incomplete ones as pending items."""
    found: list[Candidate | IntakeItem] = []
    if not rws.incoming_dir.is_dir():
        return found
    for folder in sorted(p for p in rws.incoming_dir.iterdir() if p.is_dir()):
        arrivals = _arrivals(folder)
        parts = arrivals["parts"]
        if not parts:
            continue
        latest = max(entry["received_at"] for entry in parts.values())
        kind = next(iter(parts.values()))["kind"]
        messages = len({ref for entry in parts.values() for ref in entry["refs"]})
        ref = arrivals["latest_ref"] if messages == 1 else f"{messages} thư, thư sau cùng: {arrivals['latest_ref']}"
        manifests = sorted(folder.glob(f"*{MANIFEST_SUFFIX}"))
        if manifests:
            found.append(parts_candidate(manifests[0], kind, ref, latest))
        for package in sorted(folder.glob("*.zip")):
            found.append(Candidate(package, kind, ref, parts.get(package.name, {}).get("received_at", latest)))
    return found


def settle_incoming(rws: RecipientWorkspace, candidate: Candidate, item: IntakeItem) -> None:
    """Clear a staging set once its package is in the register (received now or before)."""
    folder = candidate.path.parent
    if item.outcome in (NEW, DUPLICATE) and folder.parent == rws.incoming_dir:
        shutil.rmtree(folder, ignore_errors=True)


def pending_sets(rws: RecipientWorkspace) -> list[IntakeItem]:
    """Sets of e-mail parts still waiting for parts (nothing of them is shown as received)."""
    return [c for c in incoming_candidates(rws) if isinstance(c, IntakeItem)]


# ---------------------------------------------------------------------- mail files

def _mbox_messages(path: Path) -> Iterator[bytes | None]:
    """Messages of an mbox file, read line by line ('>From ' unquoted); None for one over the size cap."""
    current: list[bytes] = []
    size, too_big, started = 0, False, False
    with open(path, "rb") as handle:
        for line in handle:
            if line.startswith(b"From "):
                if started:
                    yield None if too_big else b"".join(current)
                current, size, too_big, started = [], 0, False, True
                continue
            if not started:
                continue
            if re.match(rb"^>+From ", line):
                line = line[1:]
            size += len(line)
            if size > MAX_MESSAGE_BYTES:
                too_big, current = True, []
            elif not too_big:
                current.append(line)
    if started:
        yield None if too_big else b"".join(current)


def stash_mail_file(rws: RecipientWorkspace, path: Path, received_at: str) -> list[IntakeItem]:
    """Keep the package attachments of an .eml file or of every message of an .mbox file."""
    path = Path(path)
    if path.suffix.lower() == ".eml":
        try:
            message = read_bytes_capped(path, MAX_MESSAGE_BYTES, "tệp thư")
        except InputError as exc:
            return [IntakeItem(str(path), FAILED, exc.message)]
        return stash_message(rws, message, received_at, "email", str(path))
    items: list[IntakeItem] = []
    try:
        for number, raw in enumerate(_mbox_messages(path), start=1):
            ref = f"{path}#{number}"
            if raw is None:
                items.append(IntakeItem(ref, FAILED, f"Thư thứ {number} trong '{path.name}' quá lớn; bỏ qua."))
            else:
                items.extend(stash_message(rws, raw, received_at, "email", ref))
    except OSError as exc:
        items.append(IntakeItem(str(path), FAILED, f"Không đọc được '{path.name}': {exc.strerror or exc}."))
    return items


# ---------------------------------------------------------------------- IMAP

@dataclass(frozen=True)
class ImapAccount:
    host: str
    username: str
    port: int = 993
    security: str = "ssl"
    mailbox: str = "INBOX"

    @property
    def key(self) -> str:
        return f"imap:{self.username}@{self.host}:{self.port}/{self.mailbox}"


def _connect(account: ImapAccount, password: str, timeout: float) -> imaplib.IMAP4:
    if account.security not in SECURITY:
        raise InputError(f"Kiểu bảo mật IMAP {account.security!r} không hợp lệ; chỉ có: {', '.join(SECURITY)}.")
    try:
        if account.security == "ssl":
            client: imaplib.IMAP4 = imaplib.IMAP4_SSL(account.host, account.port, ssl_context=ssl.create_default_context(),
                                                     timeout=timeout)
        else:
            client = imaplib.IMAP4(account.host, account.port, timeout=timeout)
            if account.security == "starttls":
                client.starttls(ssl.create_default_context())
        log_in(client, account.username, password)
    except imaplib.IMAP4.error as exc:
        raise InputError(f"Máy chủ thư {account.host} từ chối đăng nhập ({_text(exc)}).") from None
    except (OSError, ssl.SSLError) as exc:
        raise InputError(f"Không kết nối được máy chủ thư {account.host}:{account.port} "
                         f"({getattr(exc, 'strerror', None) or type(exc).__name__}).") from None
    return client


def log_in(client: imaplib.IMAP4, username: str, password: str) -> None:
    """LOGIN for plain ASCII credentials; otherwise AUTHENTICATE PLAIN, which carries UTF-8 (a Vietnamese password
    cannot go through LOGIN)."""
    if (username + password).isascii():
        client.login(username, password)
    else:
        client.authenticate("PLAIN", lambda _challenge: f"\0{username}\0{password}".encode())


def _text(exc: BaseException) -> str:
    text = str(exc)
    return text[2:-1] if text.startswith("b'") else text


def _internal_date(meta: bytes) -> str:
    """The server's arrival time of a message (INTERNALDATE), as stored UTC ISO text."""
    found = imaplib.Internaldate2tuple(meta)
    if found is None:
        return utc_now()
    return dt.datetime.fromtimestamp(time.mktime(found), dt.UTC).isoformat(timespec="seconds")


def _fetch_new(rws: RecipientWorkspace, client: imaplib.IMAP4, account: ImapAccount,
               progress: Progress) -> list[IntakeItem]:
    status, data = client.select(f'"{account.mailbox}"', readonly=True)
    if status != "OK":
        raise InputError(f"Không mở được hộp thư '{account.mailbox}' trên {account.host}.")
    validity = cast(bytes, (client.untagged_responses.get("UIDVALIDITY") or [b"0"])[0]).decode()  # a plain response
    seen = rws.get_setting(account.key) or {}
    last = int(seen.get("last_uid", 0)) if seen.get("uidvalidity") == validity else 0
    status, data = client.uid("SEARCH", None, f"UID {last + 1}:*")  # type: ignore[arg-type]  # charset None is valid
    uids = [int(u) for u in (data[0] or b"").split() if int(u) > last]
    items: list[IntakeItem] = []
    for index, uid in enumerate(uids):
        check_cancelled(progress)
        progress.report(0.5 * index / max(len(uids), 1), f"Đang tải thư {index + 1}/{len(uids)}…")
        ref = f"imap://{account.username}@{account.host}/{account.mailbox};UID={uid}"
        status, meta = client.uid("FETCH", str(uid), "(RFC822.SIZE INTERNALDATE)")
        header = meta[0] if meta and isinstance(meta[0], bytes) else b""
        size = re.search(rb"RFC822\.SIZE (\d+)", header)
        if size and int(size.group(1)) > MAX_MESSAGE_BYTES:
            items.append(IntakeItem(ref, FAILED, f"Thư UID {uid} quá lớn ({int(size.group(1))} byte); bỏ qua."))
        else:
            status, body = client.uid("FETCH", str(uid), "(BODY.PEEK[])")
            raw = next((part[1] for part in body if isinstance(part, tuple)), b"")
            items.extend(stash_message(rws, raw, _internal_date(header), "imap", ref))
        rws.write_setting(account.key, {"uidvalidity": validity, "last_uid": uid})
    return items


def intake_imap(rws: RecipientWorkspace, account: ImapAccount, password: str, progress: Progress | None = None,
                timeout: float = 30.0) -> IntakeReport:
    """Read the messages that arrived since the last run (read-only: nothing is marked or deleted on the server),
    keep their package attachments, and receive every package now complete."""
    progress = progress or NullProgress()
    client = _connect(account, password, timeout)
    try:
        items = _fetch_new(rws, client, account, progress)
    except (imaplib.IMAP4.error, OSError) as exc:
        raise InputError(f"Mất kết nối với máy chủ thư {account.host} khi tải thư ({_text(exc)}); các thư đã tải "
                         "được giữ lại, lần sau tải tiếp.") from None
    finally:
        try:
            client.logout()
        except (imaplib.IMAP4.error, OSError):
            pass
    return receive_all(rws, [*items, *incoming_candidates(rws)], progress,
                       after=lambda c, i: settle_incoming(rws, c, i))


__all__ = ["stash_message", "stash_mail_file", "incoming_candidates", "settle_incoming", "pending_sets",
           "ImapAccount", "intake_imap", "MAIL_SUFFIXES"]
