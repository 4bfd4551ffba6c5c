"""The e-mail outbox: a package queued as e-mail-sized parts, sent when the network is back.

SMTP delivers at least once: a server may take a message and drop the connection before saying so, or answer
after we gave up waiting; the message is then sent again and may arrive twice. Duplicates are made harmless:
every part says which package (UUID, version, SHA-256), which part of how many, and its own SHA-256, in its
headers and in the parts manifest attached to every message, and the recipient's reassembly ignores identical
copies. A part is never sent again once the server accepted its data (250 after DATA), even if the goodbye
(QUIT) fails.

Queued parts live in their own folder per package version and build (`outbox/UUID-vN-HASH/`), so exporting
the package again never overwrites parts still waiting; a failed part is re-queued from those same bytes.
A message is claimed ('sending') before its SMTP transaction and marked 'sent' after it; a send that was
killed leaves it 'sending', and the next send — only one writer holds the data folder — puts it back in the
queue at once and says so. Failures are retried with exponential backoff (1 minute doubling to 1 hour);
permanent refusals (5xx) are marked 'failed'. The SMTP password lives in the OS keyring when there is one,
otherwise it is asked for (or read from an environment variable by the CLI); never on disk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import smtplib
import ssl
import threading
import zipfile
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Any

from app.changes import Changes
from app.dossier import bag
from app.dossier.parts import PartsManifest, load_manifest, split_package
from app.dossier.zipstream import sha256_file
from app.errors import InputError
from app.storage.workspace import Workspace
from app.text import check_email, clean_text, format_local_time, format_size, nfc, printable, utc_now

SECURITY = {"starttls": "STARTTLS", "ssl": "SSL/TLS", "none": "Không mã hóa"}
STATE_LABELS = {"queued": "Chờ gửi", "sending": "Đang gửi", "sent": "Đã gửi", "failed": "Gửi thất bại"}
MAX_BACKOFF = 3600
#: The largest size of one message the settings accept (servers refuse far less; this only stops nonsense).
MAX_ATTACHMENT_BYTES = 1_000_000_000
#: Base64 turns 3 bytes into 4 and wraps lines; this leaves room for headers and the parts manifest.
ENCODING_FACTOR = 1.37
HEADROOM = 64 * 1024
KEYRING_SERVICE = "CĐHT xã — thư điện tử"
INTERRUPTED = "lần gửi trước bị ngắt giữa chừng nên thư được gửi lại (nếu thư đã tới, bản trùng được bỏ qua khi ghép)"
#: One send at a time in this process; other processes are kept out by the data folder's single-writer lock.
_SENDING = threading.Lock()


@dataclass(frozen=True)
class MailSettings:
    host: str = ""
    port: int = 587
    security: str = "starttls"
    username: str = ""
    sender: str = ""
    max_attachment_bytes: int = 20_000_000

    @property
    def part_size(self) -> int:
        """Raw bytes of package per message so that the encoded message stays under the limit."""
        return max(1024, int((self.max_attachment_bytes - HEADROOM) / ENCODING_FACTOR))


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    year: int
    package_uuid: str
    version: int
    recipient: str
    subject: str
    part_index: int
    part_count: int
    attachment_path: str
    attachment_sha256: str
    parts_manifest_path: str
    message_id: str
    state: str
    attempts: int
    next_try_at: str
    last_error: str
    created_at: str
    sent_at: str | None

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


@dataclass(frozen=True)
class FlushResult:
    """What one send did: sent, to be retried, failed for good, resumed after an interrupted send, not yet due."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    error: str = ""
    resumed: int = 0
    waiting: int = 0
    next_try_at: str | None = None
    busy: bool = False

    def describe(self) -> str:
        """One Vietnamese line for the CLI and the app, always saying what happened."""
        if self.busy:
            return "Đang có một lần gửi thư khác chạy; lần này không gửi thêm."
        parts = []
        if self.resumed:
            parts.append(f"{self.resumed} thư bị ngắt giữa chừng ở lần gửi trước được gửi lại (bản trùng vô hại)")
        if self.sent or self.retrying or self.failed:
            parts.append(f"Đã gửi {self.sent} thư; {self.retrying} thư sẽ gửi lại sau; {self.failed} thư thất bại")
        else:
            parts.append("Không có thư nào đến lượt gửi")
        if self.waiting and self.next_try_at:
            parts.append(f"{self.waiting} thư đang chờ, lần gửi tới lúc {format_local_time(self.next_try_at)}")
        elif not self.waiting:
            parts.append("hộp thư đi không còn thư chờ")
        text = "; ".join(parts) + "."
        if self.error:
            text += f" Chưa gửi được: {self.error} Thư vẫn nằm trong hộp thư đi."
        return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class QueueResult:
    """What queueing a package did; `messages` are those that carry this package version to the recipient."""

    messages: list[OutboxMessage]
    recipient: str
    added: int = 0
    requeued: int = 0
    earlier_build_unsent: int = 0

    def describe(self) -> str:
        if self.earlier_build_unsent:
            return (f"Gói phiên bản này đang được gửi dở tới {self.recipient}: còn {self.earlier_build_unsent}/"
                    f"{len(self.messages)} phần chưa gửi. Các phần đó vẫn được gửi từ đúng bản đã xếp; bản vừa lập "
                    "lại không được xếp để nơi nhận không nhận hai bản khác nhau."
                    + (f" Đã xếp lại {self.requeued} thư gửi lỗi." if self.requeued else ""))
        if self.added:
            return f"Đã xếp {self.added} thư vào hộp thư đi (gửi {self.recipient})."
        if self.requeued:
            return f"Đã xếp lại {self.requeued} thư gửi lỗi, từ đúng các phần đã xếp trước."
        return f"Gói này đã có trong hộp thư đi ({len(self.messages)} thư tới {self.recipient}); không xếp thêm."


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC)


# ---------------------------------------------------------------------- settings and password

def mail_settings(ws: Workspace) -> MailSettings:
    with ws.lock:
        row = ws.db.execute("SELECT host, port, security, username, sender, max_attachment_bytes FROM mail_settings "
                            "WHERE id = 1").fetchone()
    return MailSettings(*row) if row else MailSettings()


def save_mail_settings(ws: Workspace, settings: MailSettings) -> Changes:
    clean = MailSettings(clean_text(settings.host, "Máy chủ thư", single_line=True, max_length=253), int(settings.port),
                         settings.security, clean_text(settings.username, "Tên đăng nhập", single_line=True,
                                                       max_length=254),
                         clean_text(settings.sender, "Địa chỉ người gửi", single_line=True, max_length=254),
                         int(settings.max_attachment_bytes))
    if any(ch.isspace() for ch in clean.host):
        raise InputError(f"Tên máy chủ thư '{clean.host}' không được có dấu cách.")
    if clean.security not in SECURITY:
        raise InputError(f"Kiểu bảo mật {clean.security!r} không hợp lệ; chỉ có: {', '.join(SECURITY)}.")
    if not 0 < clean.port < 65536:
        raise InputError(f"Cổng máy chủ thư {clean.port} không hợp lệ.")
    if not 100_000 <= clean.max_attachment_bytes <= MAX_ATTACHMENT_BYTES:
        raise InputError(f"Giới hạn dung lượng mỗi thư phải từ 100.000 byte đến {format_size(MAX_ATTACHMENT_BYTES)}.")
    if clean.sender:
        check_email(clean.sender, "Địa chỉ người gửi")
    with ws.transaction():
        old = mail_settings(ws)
        if old == clean:
            return Changes()
        ws.db.execute(
            "INSERT INTO mail_settings (id, host, port, security, username, sender, max_attachment_bytes, updated_at) "
            "VALUES (1, :host, :port, :security, :username, :sender, :max_attachment_bytes, :updated_at) "
            "ON CONFLICT(id) DO UPDATE SET host=excluded.host, port=excluded.port, security=excluded.security, "
            "username=excluded.username, sender=excluded.sender, max_attachment_bytes=excluded.max_attachment_bytes, "
            "updated_at=excluded.updated_at", {**asdict(clean), "updated_at": utc_now()})
        ws.audit("update", "mail_settings", "", None, asdict(old), asdict(clean))
    return Changes(settings=True)


def _keyring_account(settings: MailSettings) -> str:
    return f"{settings.username}@{settings.host}"


def stored_password(settings: MailSettings) -> str | None:
    """The SMTP password from the OS keyring, or None when there is no keyring or nothing stored."""
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, _keyring_account(settings))
    except Exception:  # noqa: BLE001 - no usable keyring backend: the password is asked each time
        return None


def remember_password(settings: MailSettings, password: str) -> bool:
    """Keep the password in the OS keyring; False when the machine has none (then it is asked each time)."""
    try:
        import keyring

        keyring.set_password(KEYRING_SERVICE, _keyring_account(settings), password)
        return True
    except Exception:  # noqa: BLE001
        return False


# ---------------------------------------------------------------------- queueing

def _package_identity(package: Path) -> dict[str, str]:
    try:
        with zipfile.ZipFile(package) as archive:
            name = next(n for n in archive.namelist() if n.count("/") == 1 and n.endswith("/bag-info.txt"))
            info = archive.getinfo(name)
            if info.file_size > 1024 * 1024:
                raise KeyError(name)
            return bag.parse_bag_info(archive.read(info))
    except (OSError, zipfile.BadZipFile, StopIteration, KeyError, ValueError):
        raise InputError(f"'{package.name}' không phải gói hồ sơ hợp lệ (không đọc được bag-info.txt).") from None


def message_id(package_uuid: str, version: int, part: int, count: int, recipient: str, build: str = "") -> str:
    """The same for the same part of the same package build to the same recipient: a resend keeps it, so the
    recipient's mail system can recognise a duplicate."""
    who = hashlib.sha256(recipient.strip().lower().encode("utf-8")).hexdigest()[:10]
    built = f".{build}" if build else ""
    return f"<cdht.{package_uuid}.v{version}{built}.p{part}of{count}.{who}@cdht-xa.invalid>"


def _build_folder(ws: Workspace, uuid: str, version: int, digest: str) -> Path:
    return ws.data_dir / "outbox" / f"{uuid}-v{version}-{digest[:12]}"


def _requeue(ws: Workspace, messages: list[OutboxMessage], now: dt.datetime) -> int:
    """Put failed messages back in the queue, after checking their parts are still the queued bytes."""
    failed = [m for m in messages if m.state == "failed"]
    for message in failed:
        _check_part(message)
    if failed:
        with ws.transaction():
            for message in failed:
                ws.db.execute("UPDATE outbox SET state = 'queued', next_try_at = ?, last_error = '' "
                              "WHERE id = ? AND state = 'failed'", [_iso(now), message.id])
                ws.audit("requeue", "outbox", message.message_id, message.year, {"state": "failed"},
                         {"state": "queued"})
    return len(failed)


def _check_part(message: OutboxMessage) -> None:
    path = Path(message.attachment_path)
    if not path.is_file() or sha256_file(path) != message.attachment_sha256:
        raise InputError(f"Phần '{path.name}' trong hộp thư đi bị thiếu hoặc bị hỏng nên không gửi lại được từ đúng "
                         f"bản đã xếp; hãy lập lại gói và gửi lại cả gói.")


def queue_package(ws: Workspace, package: Path, recipient: str, now: dt.datetime | None = None) -> QueueResult:
    """Queue the package for `recipient` as one message per part.

    Queueing the same package again adds nothing but re-queues its failed parts. A package rebuilt with the same
    version while an earlier build is still being sent to the same recipient is not queued: the earlier parts
    keep going out from their own folder, so the recipient never gets a mix of two builds.
    """
    now = _now(now)
    recipient = nfc(recipient or "").strip()
    if "@" not in recipient or " " in recipient:
        raise InputError(f"Địa chỉ người nhận '{recipient}' không hợp lệ.")
    package = Path(package)
    if not package.is_file():
        raise InputError(f"Không tìm thấy gói hồ sơ '{package}'. Hãy xuất gói trước khi gửi.")
    identity = _package_identity(package)
    uuid, version = identity.get("CDHT-Package-UUID", ""), int(identity.get("CDHT-Package-Version", "0") or 0)
    year = int(identity.get("CDHT-Year", "0") or 0)
    digest = sha256_file(package)
    folder = _build_folder(ws, uuid, version, digest)
    earlier = [m for m in outbox_messages(ws) if m.package_uuid == uuid and m.version == version
               and m.recipient == recipient]
    same = [m for m in earlier if Path(m.parts_manifest_path).parent == folder]
    other = [m for m in earlier if m not in same]
    unsent = [m for m in other if m.state != "sent"]
    if unsent:
        return QueueResult(other, recipient, requeued=_requeue(ws, other, now), earlier_build_unsent=len(unsent))
    if same:
        _restore_parts(package, folder, same, uuid, version)
        return QueueResult(same, recipient, requeued=_requeue(ws, same, now))
    manifest_path, manifest = _parts_of(package, folder, mail_settings(ws).part_size, uuid, version, digest)
    count = len(manifest.parts)
    commune = identity.get("CDHT-Commune", "")
    created = _iso(now)
    with ws.transaction():
        for part in manifest.parts:
            index = part.number
            subject = (f"Hồ sơ đề nghị công nhận Cộng đồng học tập — xã {commune}, năm {year} (phiên bản {version})"
                       + (f" — phần {index}/{count}" if count > 1 else ""))
            mid = message_id(uuid, version, index, count, recipient, digest[:12])
            cursor = ws.db.execute(
                "INSERT OR IGNORE INTO outbox (year, package_uuid, version, recipient, subject, part_index, part_count, "
                "attachment_path, attachment_sha256, parts_manifest_path, message_id, state, next_try_at, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)",
                [year, uuid, version, recipient, subject, index, count, str(folder / part.name), part.sha256,
                 str(manifest_path), mid, created, created])
            if cursor.rowcount:
                ws.audit("queue", "outbox", mid, year, None, {"recipient": recipient, "part": index, "of": count,
                                                               "package_sha256": digest})
    messages = [m for m in outbox_messages(ws) if Path(m.parts_manifest_path).parent == folder
                and m.recipient == recipient]
    return QueueResult(messages, recipient, added=len(messages))


def _parts_of(package: Path, folder: Path, part_size: int, uuid: str, version: int,
              digest: str) -> tuple[Path, PartsManifest]:
    """The build's parts: those already in its folder when they are this very package, else cut now."""
    existing = folder / f"{package.name}.parts.json"
    if existing.is_file():
        try:
            manifest = load_manifest(existing)
            if manifest.sha256 == digest and all(
                    (folder / p.name).is_file() and sha256_file(folder / p.name) == p.sha256 for p in manifest.parts):
                return existing, manifest
        except InputError:
            pass
    return split_package(package, folder, part_size, uuid, version)


def _restore_parts(package: Path, folder: Path, messages: list[OutboxMessage], uuid: str, version: int) -> None:
    """Cut the queued parts again from this very package when some went missing or were damaged: the same bytes,
    cut at the same size as before (the first part's size), so every queued message finds its part again."""
    if all(Path(m.attachment_path).is_file() and sha256_file(Path(m.attachment_path)) == m.attachment_sha256
           for m in messages):
        return
    first = next((m for m in messages if m.part_index == 1), None)
    size = Path(first.attachment_path).stat().st_size if first and Path(first.attachment_path).is_file() else 0
    if not size:
        try:
            size = load_manifest(Path(messages[0].parts_manifest_path)).parts[0].size
        except (InputError, IndexError):
            return
    split_package(package, folder, size, uuid, version)


def requeue_failed(ws: Workspace, ids: list[int] | None = None, now: dt.datetime | None = None) -> int:
    """Put failed messages (all, or those with the given ids) back in the queue, from the same queued bytes."""
    messages = [m for m in outbox_messages(ws) if m.state == "failed" and (ids is None or m.id in ids)]
    if ids is not None and len(messages) != len(set(ids)):
        missing = sorted(set(ids) - {m.id for m in messages})
        raise InputError(f"Không có thư gửi thất bại mang số {', '.join(map(str, missing))} trong hộp thư đi.")
    return _requeue(ws, messages, _now(now))


def outbox_messages(ws: Workspace) -> list[OutboxMessage]:
    with ws.lock:
        rows = ws.db.execute(
            "SELECT id, year, package_uuid, version, recipient, subject, part_index, part_count, attachment_path, "
            "attachment_sha256, parts_manifest_path, message_id, state, attempts, next_try_at, last_error, created_at, "
            "sent_at FROM outbox ORDER BY id").fetchall()
    return [OutboxMessage(*row) for row in rows]


def pending_count(ws: Workspace) -> int:
    with ws.lock:
        return int(ws.db.execute("SELECT COUNT(*) FROM outbox WHERE state IN ('queued', 'sending')").fetchone()[0])


# ---------------------------------------------------------------------- sending

def _connect(settings: MailSettings, password: str | None, timeout: float) -> smtplib.SMTP:
    if not settings.host:
        raise InputError("Chưa cài đặt máy chủ thư (SMTP).")
    if settings.security == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=timeout,
                                                context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
        if settings.security == "starttls":
            client.starttls(context=ssl.create_default_context())
    if settings.username:
        if not password:
            client.close()
            raise InputError("Cần mật khẩu thư điện tử để gửi.")
        client.login(settings.username, password)
    return client


def _build(message: OutboxMessage, settings: MailSettings) -> EmailMessage:
    path = Path(message.attachment_path)
    try:
        data = path.read_bytes()
        manifest_path = Path(message.parts_manifest_path)
        manifest_bytes = manifest_path.read_bytes()
        manifest = load_manifest(manifest_path)
    except OSError:
        data, manifest = b"", None
    if manifest is None or hashlib.sha256(data).hexdigest() != message.attachment_sha256:
        raise InputError(f"Tệp đính kèm '{path.name}' trong hộp thư đi bị thiếu hoặc đã bị hỏng; hãy lập lại gói và "
                         "gửi lại cả gói.")
    mail = EmailMessage()
    mail["From"] = settings.sender or settings.username
    mail["To"] = message.recipient
    mail["Subject"] = message.subject
    mail["Message-ID"] = message.message_id
    mail["Date"] = formatdate(localtime=True)
    mail["X-CDHT-Package"] = (f"{message.package_uuid}; version={message.version}; "
                              f"part={message.part_index}/{message.part_count}")
    mail["X-CDHT-Package-UUID"] = message.package_uuid
    mail["X-CDHT-Package-Version"] = str(message.version)
    mail["X-CDHT-Package-SHA256"] = manifest.sha256
    mail["X-CDHT-Part-Number"] = str(message.part_index)
    mail["X-CDHT-Part-Count"] = str(message.part_count)
    mail["X-CDHT-Part-SHA256"] = message.attachment_sha256
    mail.set_content(
        f"Kính gửi Quý cơ quan,\n\nXin gửi kèm gói hồ sơ đề nghị công nhận xã đạt chuẩn \"Cộng đồng học tập\" "
        f"năm {message.year} (phiên bản {message.version}), phần {message.part_index}/{message.part_count}.\n"
        f"Mã gói: {message.package_uuid}. Mã băm SHA-256 của cả gói: {manifest.sha256}.\n"
        f"Mã băm SHA-256 của phần này: {message.attachment_sha256}.\n\n"
        "Thư điện tử có thể tới hai lần; các phần trùng nhau giống hệt và được bỏ qua khi ghép.\n"
        "Khi đã nhận đủ các phần, lưu chúng cùng tệp .parts.json vào một thư mục rồi kiểm tra trực tiếp bằng "
        "`cdht verify TÊN.zip.parts.json`, hoặc ghép lại bằng lệnh `cat TÊN.zip.0* > TÊN.zip` (Windows: "
        "`copy /b TÊN.zip.001+TÊN.zip.002 TÊN.zip`).\n"
        "Gói là một túi BagIt (RFC 8493), kiểm tra được bằng bagit.py và openssl.\n")
    mail.add_attachment(data, maintype="application", subtype="octet-stream", filename=path.name)
    mail.add_attachment(manifest_bytes, maintype="application", subtype="json", filename=manifest_path.name)
    return mail


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), MAX_BACKOFF))


def _resume_interrupted(ws: Workspace, now: dt.datetime) -> int:
    """Messages left 'sending' were claimed by a send that died (only one send runs at a time, and only one
    process writes the data folder): queue them again now, saying why. Their Message-ID stays the same."""
    with ws.transaction():
        rows = ws.db.execute("SELECT id, message_id, year FROM outbox WHERE state = 'sending'").fetchall()
        for row_id, mid, year in rows:
            ws.db.execute("UPDATE outbox SET state = 'queued', next_try_at = ?, last_error = ? WHERE id = ?",
                          [_iso(now), INTERRUPTED, row_id])
            ws.audit("resume", "outbox", mid, year, {"state": "sending"}, {"state": "queued"})
    return len(rows)


def _claim(ws: Workspace, message: OutboxMessage, now: dt.datetime) -> bool:
    with ws.transaction():
        cursor = ws.db.execute(
            "UPDATE outbox SET state = 'sending', attempts = attempts + 1, next_try_at = ? "
            "WHERE id = ? AND state = 'queued'", [_iso(now), message.id])
        return cursor.rowcount == 1


def _finish(ws: Workspace, message: OutboxMessage, state: str, now: dt.datetime, error: str = "") -> None:
    with ws.transaction():
        attempts = ws.db.execute("SELECT attempts FROM outbox WHERE id = ?", [message.id]).fetchone()[0]
        next_try = _iso(now + _backoff(attempts)) if state == "queued" else _iso(now)
        ws.db.execute("UPDATE outbox SET state = ?, next_try_at = ?, last_error = ?, sent_at = ? WHERE id = ?",
                      [state, next_try, error, _iso(now) if state == "sent" else None, message.id])
        ws.audit("send" if state == "sent" else "send_failed", "outbox", message.message_id, message.year,
                 None, {"state": state, "attempts": attempts, "error": error})


def _unclaim(ws: Workspace, message: OutboxMessage) -> None:
    """A claimed message that was never tried (the connection broke before it): back to the queue as it was."""
    with ws.transaction():
        ws.db.execute("UPDATE outbox SET state = 'queued', attempts = MAX(attempts - 1, 0) WHERE id = ? "
                      "AND state = 'sending'", [message.id])


def _is_permanent(exc: BaseException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    code = getattr(exc, "smtp_code", None)
    return isinstance(code, int) and code >= 500 and not isinstance(exc, smtplib.SMTPServerDisconnected)


def _connection_lost(exc: BaseException) -> bool:
    """After these the connection cannot carry another message (the transaction state is unknown)."""
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code == 421
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError) or (isinstance(exc, smtplib.SMTPServerDisconnected) and "timed out" in str(exc)):
        return "máy chủ thư không trả lời kịp (hết thời gian chờ)"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "máy chủ thư ngắt kết nối giữa chừng"
    if isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException):
        return f"không kết nối được máy chủ thư ({exc.strerror or type(exc).__name__})"
    if isinstance(exc, smtplib.SMTPRecipientsRefused) and exc.recipients:
        exc_code, exc_text = next(iter(exc.recipients.values()))
        text = exc_text.decode("utf-8", "replace") if isinstance(exc_text, bytes) else str(exc_text)
        return f"máy chủ thư từ chối người nhận ({exc_code}): {printable(text, 160)}"
    code = getattr(exc, "smtp_code", None)
    error = getattr(exc, "smtp_error", b"")
    text = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error or exc)
    return f"máy chủ thư từ chối ({code}): {printable(text, 160)}" if code else f"lỗi gửi thư: {type(exc).__name__}"


def _waiting(ws: Workspace) -> tuple[int, str | None]:
    with ws.lock:
        count, first = ws.db.execute("SELECT COUNT(*), MIN(next_try_at) FROM outbox WHERE state = 'queued'").fetchone()
    return int(count), first


def flush_outbox(ws: Workspace, password: str | None = None, now: dt.datetime | None = None,
                 timeout: float = 20.0) -> FlushResult:
    """Send every due message once over one SMTP connection; the result says what was done (see `describe`)."""
    if not _SENDING.acquire(blocking=False):
        return FlushResult(busy=True)
    try:
        return _flush(ws, password, _now(now), timeout)
    finally:
        _SENDING.release()


def _flush(ws: Workspace, password: str | None, now: dt.datetime, timeout: float) -> FlushResult:
    resumed = _resume_interrupted(ws, now)
    due = [m for m in outbox_messages(ws) if m.state == "queued" and m.next_try_at <= _iso(now)]
    if not due:
        return FlushResult(resumed=resumed, **_waiting_fields(ws))
    settings = mail_settings(ws)
    if password is None:
        password = stored_password(settings)
    sent = retrying = failed = 0
    error = ""
    try:
        client = _connect(settings, password, timeout)
    except smtplib.SMTPAuthenticationError:
        return FlushResult(resumed=resumed, error="Sai tên đăng nhập hoặc mật khẩu thư điện tử.",
                           **_waiting_fields(ws))
    except InputError as exc:
        return FlushResult(resumed=resumed, error=exc.message, **_waiting_fields(ws))
    except (OSError, smtplib.SMTPException) as exc:
        for message in due:
            if _claim(ws, message, now):
                _finish(ws, message, "queued", now, _describe(exc))
                retrying += 1
        return FlushResult(0, retrying, 0, _describe(exc) + ".", resumed, **_waiting_fields(ws))
    connected = True
    try:
        for message in due:
            if not connected:
                break
            if not _claim(ws, message, now):
                continue
            try:
                mail = _build(message, settings)
            except InputError as exc:
                _finish(ws, message, "failed", now, exc.message)
                failed += 1
                continue
            try:
                client.send_message(mail)
            except (OSError, smtplib.SMTPException) as exc:
                permanent = _is_permanent(exc)
                _finish(ws, message, "failed" if permanent else "queued", now, _describe(exc))
                failed += permanent
                retrying += not permanent
                if _connection_lost(exc):
                    connected, error = False, _describe(exc) + "."
            else:
                _finish(ws, message, "sent", now)  # 250 after DATA: never sent again, whatever QUIT does
                sent += 1
    finally:
        try:
            client.quit() if connected else client.close()
        except (OSError, smtplib.SMTPException):
            pass
    return FlushResult(sent, retrying, failed, error, resumed, **_waiting_fields(ws))


def _waiting_fields(ws: Workspace) -> dict[str, Any]:
    """How many messages are queued after this send, and when the first of them is due."""
    count, first = _waiting(ws)
    return {"waiting": count, "next_try_at": first}


def check_connection(settings: MailSettings, password: str | None, to: str | None = None, timeout: float = 20.0) -> str:
    """Connect, log in and (with `to`) send a short test message; returns what happened, or InputError why not."""
    try:
        client = _connect(settings, password, timeout)
    except smtplib.SMTPAuthenticationError:
        raise InputError("Sai tên đăng nhập hoặc mật khẩu thư điện tử.") from None
    except (OSError, smtplib.SMTPException) as exc:
        raise InputError(f"Không kết nối được máy chủ thư {settings.host}:{settings.port}: {_describe(exc)}.") from None
    try:
        text = f"Kết nối được máy chủ thư {settings.host}:{settings.port} ({SECURITY[settings.security]})"
        if settings.username:
            text += f", đăng nhập '{settings.username}' thành công"
        if to:
            mail = EmailMessage()
            mail["From"] = settings.sender or settings.username
            mail["To"] = to
            mail["Subject"] = "Thư thử của CĐHT xã"
            mail["Date"] = formatdate(localtime=True)
            mail.set_content("Thư thử: máy chủ thư đã nhận thư này từ ứng dụng CĐHT xã.\n")
            try:
                client.send_message(mail)
            except (OSError, smtplib.SMTPException) as exc:
                raise InputError(f"{text}, nhưng không gửi được thư thử tới {to}: {_describe(exc)}.") from None
            text += f"; đã gửi thư thử tới {to}"
        return text + "."
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            pass


def outbox_json(ws: Workspace) -> list[dict[str, Any]]:
    return [{**asdict(m), "state_label": m.state_label} for m in outbox_messages(ws)]


__all__ = ["MailSettings", "OutboxMessage", "FlushResult", "QueueResult", "mail_settings", "save_mail_settings",
           "queue_package", "requeue_failed", "outbox_messages", "flush_outbox", "stored_password", "remember_password",
           "message_id", "outbox_json", "pending_count", "check_connection"]
